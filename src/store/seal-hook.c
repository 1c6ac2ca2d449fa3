#include "config.h"

#include <stdlib.h>

#include "store/internal.h"
#include "store/seal-hook.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct sealer {
	seal_hook_fn fn;
	void *arg;
};

static void
seal_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct sealer *s = sqlite3_user_data(ctx);
	const char *text;
	char err[ERRLEN], *sealed;

	(void)argc;
	if (s == NULL || sqlite3_value_type(argv[4]) == SQLITE_NULL) {
		sqlite3_result_value(ctx, argv[4]);
		return;
	}
	text = (const char *)sqlite3_value_text(argv[4]);
	sealed = s->fn(s->arg, (const char *)sqlite3_value_text(argv[0]),
	    (const char *)sqlite3_value_text(argv[1]), (const char *)sqlite3_value_text(argv[2]),
	    sqlite3_value_int64(argv[3]), text, (size_t)sqlite3_value_bytes(argv[4]), err);
	if (sealed == NULL)
		sqlite3_result_error(ctx, err, -1);
	else
		sqlite3_result_text(ctx, sealed, -1, free);
}

int
seal_hook_set(struct store *st, seal_hook_fn fn, void *arg)
{
	struct sealer *s = NULL;

	if (fn != NULL) {
		s = xmalloc(sizeof *s);
		s->fn = fn;
		s->arg = arg;
	}
	/* Not deterministic: each call seals under a fresh data key. */
	return sqlite3_create_function_v2(st->db, "agentlogs_seal", 5, SQLITE_UTF8, s, seal_sql,
	    NULL, NULL, free) == SQLITE_OK ? 0 : -1;
}
