/*
 * The part of the analytics figures that SQL alone cannot keep: which user
 * turns hold a typed prompt (capture/prompt.c decides; turns.typed), and a
 * turn's tool calls reduced to what is counted, so the triggers never parse
 * a result.
 */
#include "config.h"

#include <stdlib.h>

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

/* Appends ,"key":value when call has key. */
static void
add_field(struct strbuf *sb, const cJSON *call, const char *key, int *first)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(call, key);

	if (v == NULL)
		return;
	strbuf_addf(sb, "%s\"%s\":", *first ? "" : ",", key);
	json_add(sb, v);
	*first = 0;
}

void
turn_tool_summary(const cJSON *calls, struct strbuf *sb)
{
	const cJSON *call;
	int first;

	strbuf_reset(sb);
	strbuf_addc(sb, '[');
	cJSON_ArrayForEach(call, calls) {
		if (sb->len > 1)
			strbuf_addc(sb, ',');
		if (!cJSON_IsObject(call)) {
			strbuf_adds(sb, "null");	/* counted without a name, as before */
			continue;
		}
		first = 1;
		strbuf_addc(sb, '{');
		add_field(sb, call, "name", &first);
		add_field(sb, call, "is_error", &first);
		strbuf_addc(sb, '}');
	}
	strbuf_addc(sb, ']');
}
