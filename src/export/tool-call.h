/*
 * What a tool call in a turn's tool_calls was about, as Claude Code shows it:
 * shared by `agentlogs show` (one line a call) and export (a list item a call).
 */
#ifndef AL_EXPORT_TOOL_CALL_H
#define AL_EXPORT_TOOL_CALL_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* o's string member key, or NULL. */
const char *tool_call_string(const cJSON *o, const char *key);
/*
 * The call's argument: the file for file tools (relative to cwd when inside
 * it), the command for Bash, the pattern for searches, "(N items)" for
 * TodoWrite (written into buf), else the input's first string; NULL when none.
 * *sep is what goes between the tool's name and it (" " or ": ").
 */
const char *tool_call_argument(const char *name, const cJSON *input, const char *cwd,
    const char **sep, char *buf, size_t len);
/* The first line of s that is not blank (newly allocated), or NULL. */
char *tool_call_first_line(const char *s);
/* Whether the call's result is worth a line: a command's output, or an error. */
int tool_call_result_matters(const char *name, int is_error);

#endif
