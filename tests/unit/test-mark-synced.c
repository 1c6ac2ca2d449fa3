/*
 * synced_mark_synced: a push's acknowledged rows turn synced in one
 * statement, each only if it is still as it was read (version, updated_at,
 * local_version); a row edited while the push was in flight stays pending
 * and goes up with the next push. Rows the list does not name are untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch-dir.h"
#include "store/db.h"
#include "store/internal.h"
#include "store/synced-rows.h"
#include "util/log.h"
#include "util/xmalloc.h"

static char tmpdir[] = "/tmp/agentlogs-test-mark-synced-XXXXXX";

/* A pending project: version 3, local_version 1, updated_at as given (NULL: none). */
static void
add_pending(struct store *st, const char *id, const char *updated_at)
{
	cJSON *row = cJSON_CreateObject();
	char err[ERRLEN];

	cJSON_AddStringToObject(row, "id", id);
	cJSON_AddStringToObject(row, "name", id);
	cJSON_AddNullToObject(row, "local_path");
	cJSON_AddNullToObject(row, "remote_url");
	cJSON_AddStringToObject(row, "created_at", "2026-01-01T00:00:00.000Z");
	cJSON_AddNumberToObject(row, "version", 3);
	if (updated_at != NULL)
		cJSON_AddStringToObject(row, "updated_at", updated_at);
	else
		cJSON_AddNullToObject(row, "updated_at");
	cJSON_AddNullToObject(row, "deleted_at");
	assert_int_equal(synced_row_write(st, &sync_tables[T_PROJECTS], row, "pending", 2, err), 0);
	cJSON_Delete(row);
}

/* "status cloud_version last_synced_at" of project id. */
static char *
state_of(struct store *st, const char *id)
{
	char err[ERRLEN], *s = store_query_text(st, "SELECT sync_status || ' ' || cloud_version"
	    " || ' ' || last_synced_at FROM projects WHERE id = ?1", id, err);

	assert_non_null(s);
	return s;
}

static void
assert_state(struct store *st, const char *id, const char *want)
{
	char *got = state_of(st, id);

	assert_string_equal(got, want);
	free(got);
}

static void
only_rows_still_as_sent(void **state)
{
	char err[ERRLEN], *path = xprintf("%s/data.db", tmpdir);
	struct store *st = store_open(path, err);
	const char *t1 = "2026-02-01T10:00:00.000Z";

	(void)state;
	free(path);
	assert_non_null(st);
	add_pending(st, "as-sent", t1);
	add_pending(st, "no-time", NULL);
	add_pending(st, "edited", t1);
	add_pending(st, "new-version", t1);
	add_pending(st, "other-time", t1);
	add_pending(st, "not-listed", t1);
	/* Edited here after it was read: its local_version moved on. */
	assert_int_equal(store_exec(st, "UPDATE projects SET local_version = 2"
	    " WHERE id = 'edited'; UPDATE projects SET last_synced_at = 'before'", err), 0);

	assert_int_equal(store_begin(st, err), 0);
	assert_int_equal(synced_mark_synced(st, &sync_tables[T_PROJECTS],
	    "[[\"as-sent\",3,\"2026-02-01T10:00:00.000Z\",1],"
	    "[\"no-time\",3,null,1],"
	    "[\"edited\",3,\"2026-02-01T10:00:00.000Z\",1],"
	    "[\"new-version\",2,\"2026-02-01T10:00:00.000Z\",1],"
	    "[\"other-time\",3,\"2026-02-01T10:00:00.001Z\",1],"
	    "[\"absent\",3,\"2026-02-01T10:00:00.000Z\",1]]",
	    "2026-03-01T00:00:00.000Z", err), 0);
	assert_int_equal(store_commit(st, err), 0);

	/* Synced: the cloud now holds version 3, the row's own. */
	assert_state(st, "as-sent", "synced 3 2026-03-01T00:00:00.000Z");
	assert_state(st, "no-time", "synced 3 2026-03-01T00:00:00.000Z");
	/* Still pending, the base as it was. */
	assert_state(st, "edited", "pending 2 before");
	assert_state(st, "new-version", "pending 2 before");
	assert_state(st, "other-time", "pending 2 before");
	assert_state(st, "not-listed", "pending 2 before");
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_rows_still_as_sent),
	};
	return run_tests_in_scratch_dir(tmpdir, tests);
}
