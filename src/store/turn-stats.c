/*
 * The part of the analytics figures that SQL alone cannot keep: which user
 * turns hold a typed prompt (capture/prompt.c decides; turns.typed), and a
 * turn's tool calls reduced to what is counted, so the triggers never parse
 * a result.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "capture/prompt.h"
#include "store/internal.h"
#include "store/turn-stats.h"
#include "util/json.h"

int
turn_typed(const char *content)
{
	char *typed = prompt_typed(content, NULL);

	free(typed);
	return typed != NULL;
}

/* typed_prompt(content): turn_typed in SQL. */
static void
typed_prompt_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_int(ctx, turn_typed((const char *)sqlite3_value_text(argv[0])));
}

int
turn_stats_functions(struct store *st)
{
	return sqlite3_create_function(st->db, "typed_prompt", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, typed_prompt_sql, NULL, NULL) ==
	    SQLITE_OK ? 0 : -1;
}

int
turn_stats_count_prompts(struct store *st, char *err)
{
	return store_exec(st, "UPDATE turn_stats SET prompts = (SELECT count(*) FROM turns t"
	    " WHERE t.session_id = turn_stats.session_id AND t.deleted_at IS NULL"
	    " AND t.role = 'user' AND typed_prompt(t.content))"
	    " WHERE prompts IS NULL", err);
}

void
turn_tool_summary(const cJSON *calls, struct strbuf *sb)
{
	const cJSON *call, *name, *is_error;
	int failed;

	strbuf_reset(sb);
	strbuf_addc(sb, '[');
	cJSON_ArrayForEach(call, calls) {
		if (sb->len > 1)
			strbuf_addc(sb, ',');
		name = cJSON_GetObjectItemCaseSensitive(call, "name");
		is_error = cJSON_GetObjectItemCaseSensitive(call, "is_error");
		/* What counts as a failure: true, or 1. */
		failed = cJSON_IsTrue(is_error) ||
		    (cJSON_IsNumber(is_error) && is_error->valuedouble == 1);
		/*
		 * A string the triggers read without parsing JSON objects: 'o' or
		 * 'x' (failed) and the name, 'O' or 'X' for a call without one.
		 * Only a failure is noted, so a call's summary stays the same when
		 * its successful result arrives and the triggers have nothing to do.
		 */
		if (cJSON_IsString(name)) {
			/* The name as a JSON string, the tag slid in after its quote. */
			size_t at = sb->len;
			json_add_string(sb, name->valuestring);
			strbuf_addc(sb, '\0');
			memmove(sb->buf + at + 2, sb->buf + at + 1, sb->len - at - 2);
			sb->buf[at + 1] = failed ? 'x' : 'o';
		} else
			strbuf_adds(sb, failed ? "\"X\"" : "\"O\"");
	}
	strbuf_addc(sb, ']');
}
