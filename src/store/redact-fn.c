/*
 * agentlogs_redact(text): the redactor (privacy/redact.h) as an SQLite
 * function, so that push's JSON, written by SQLite (store/synced-rows.c),
 * carries content already redacted, and pull and import can compare a
 * stored original with its redacted copy. Every connection has the built-in
 * rules; a sync gives its own connection the config's redactor.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "privacy/redact.h"
#include "store/internal.h"
#include "store/redact-fn.h"
#include "util/log.h"

static void
redact_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct redactor *r = sqlite3_user_data(ctx);
	const char *text;
	char err[ERRLEN], *out;
	size_t n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	text = (const char *)sqlite3_value_text(argv[0]);
	n = (size_t)sqlite3_value_bytes(argv[0]);
	if (text == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if ((out = redact_text(r, text, n, &n, err)) == NULL) {
		/* The statement fails, and with it the push: nothing is sent (fail closed). */
		sqlite3_result_error(ctx, err, -1);
		return;
	}
	sqlite3_result_text(ctx, out, (int)n, free);
}

static struct redactor *builtin;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void
make_builtin(void)
{
	char err[ERRLEN];

	builtin = redactor_new(NULL, NULL, err);
}

int
store_set_redactor(struct store *st, const struct redactor *r, char *err)
{
	if (r == NULL) {
		pthread_once(&builtin_once, make_builtin);
		r = builtin;
	}
	if (sqlite3_create_function(st->db, "agentlogs_redact", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, (void *)r, redact_sql, NULL, NULL) != SQLITE_OK)
		return seterr(err, "registering the redactor: %s", sqlite3_errmsg(st->db));
	return 0;
}
