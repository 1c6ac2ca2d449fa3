#include "config.h"

#include <stdio.h>
#include <string.h>

#include "export/tool-call.h"
#include "util/paths.h"
#include "util/xmalloc.h"

const char *
tool_call_string(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *
tool_call_first_line(const char *s)
{
	const char *end;

	if (s == NULL)
		return NULL;
	while (*s != '\0') {
		end = s + strcspn(s, "\n");
		if (s + strspn(s, " \t\r") < end)
			return xstrndup(s, (size_t)(end - s));
		s = *end != '\0' ? end + 1 : end;
	}
	return NULL;
}

const char *
tool_call_argument(const char *name, const cJSON *input, const char *cwd,
    const char **sep, char *buf, size_t len)
{
	static const char *const file_tools[] = { "Read", "Write", "Edit", "MultiEdit", NULL };
	static const char *const keyed[][2] = {
		{ "Grep", "pattern" }, { "Glob", "pattern" }, { "WebFetch", "url" },
		{ "WebSearch", "query" }, { "Task", "description" }, { "Skill", "skill" },
	};
	const cJSON *e;
	size_t i;

	*sep = " ";
	for (i = 0; file_tools[i] != NULL; i++) {
		if (strcmp(name, file_tools[i]) == 0)
			return paths_under(tool_call_string(input, "file_path"), cwd);
	}
	if (strncmp(name, "Notebook", 8) == 0)
		return paths_under(tool_call_string(input, "notebook_path"), cwd);
	for (i = 0; i < sizeof keyed / sizeof keyed[0]; i++) {
		if (strcmp(name, keyed[i][0]) == 0)
			return tool_call_string(input, keyed[i][1]);
	}
	if (strcmp(name, "TodoWrite") == 0) {
		e = cJSON_GetObjectItemCaseSensitive(input, "todos");
		snprintf(buf, len, "(%d item%s)", cJSON_GetArraySize(e),
		    cJSON_GetArraySize(e) == 1 ? "" : "s");
		return buf;
	}
	*sep = ": ";
	if (strcmp(name, "Bash") == 0)
		return tool_call_string(input, "command");
	cJSON_ArrayForEach(e, input) {
		if (cJSON_IsString(e))
			return e->valuestring;
	}
	return NULL;
}

int
tool_call_result_matters(const char *name, int is_error)
{
	/* A command's output says what happened; other tools' results are just data. */
	return is_error || strcmp(name, "Bash") == 0;
}
