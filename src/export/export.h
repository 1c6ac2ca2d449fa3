/*
 * Export: cognitive commits, each with its sessions and turns in order, as
 * one document: Markdown (to read, paste or hand to $PAGER), JSON (every
 * field, as `show --json` gives one commit) or HTML (one self-contained file
 * with its styles inline, readable offline). Prompts and answers go out as
 * they were written, only blank lines around them and terminal control
 * characters removed; tool calls one item each (Edit, MultiEdit and Write
 * with what they changed).
 */
#ifndef AL_EXPORT_EXPORT_H
#define AL_EXPORT_EXPORT_H

#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "util/strbuf.h"

struct store;

enum export_format { EXPORT_MARKDOWN, EXPORT_JSON, EXPORT_HTML };

/* "markdown" (or "md"), "json", "html" → 0 and *f; -1 for anything else. */
int export_format_parse(const char *name, enum export_format *f);
/*
 * Writes the commits ids[0..n) (full ids) to out in format f. title names the
 * document (HTML's <title>; NULL: the single commit's label). 0, or -1 with
 * err (a store error, or out failed).
 */
int export_commits(struct store *st, char *const *ids, size_t n, enum export_format f,
    const char *title, FILE *out, char *err);
/*
 * The same into the file path, through a temporary file beside it renamed
 * into place once whole: path appears whole or not at all (umask's mode).
 */
int export_commits_to_file(struct store *st, char *const *ids, size_t n, enum export_format f,
    const char *title, const char *path, char *err);
/* The format path's extension names (.md, .markdown, .json, .html, .htm): 0 and *f, or -1. */
int export_format_of_file(const char *path, enum export_format *f);

/*
 * What an Edit, MultiEdit or Write call changed, a line at a time to line()
 * (export's documents and the browser's conversation both show it), as a
 * unified diff: kind ' ' (kept), '-' (removed), '+' (added), '@' (between a
 * MultiEdit's edits, line empty) or 'w' (a line of the file written). Returns 'd' for a diff, 'w' for a file
 * written, 0 when the call changed nothing to show.
 */
/* s without the blank lines around it, \r and control characters (but tab and newline) dropped. */
void export_add_text(struct strbuf *sb, const char *s);
typedef void (*export_line_fn)(struct strbuf *sb, char kind, const char *line, size_t len);
int export_changes(struct strbuf *sb, const char *name, const cJSON *input, export_line_fn line);

#endif
