/*
 * synced_mark_synced: a push's acknowledged rows turn synced in one
 * statement, each only if it is still as it was read (version, updated_at,
 * local_version); a row edited while the push was in flight stays pending
 * and goes up with the next push. Rows the list does not name are untouched.
 * synced_pending_commits: every commit with a pending row, whatever its own
 * state, so push never strands a row under a synced commit.
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

/*
 * A pull may merge a commit into synced while rows of it are still pending
 * here (issue 10): push must still find them. c1 pending; c2, c3, c4 synced
 * with a pending session, turn, visual; c5 synced with everything synced.
 */
static void
commits_of_every_pending_row(void **state)
{
	char err[ERRLEN], *path = xprintf("%s/children.db", tmpdir);
	struct store *st = store_open(path, err);
	char **ids = NULL;
	size_t n = 0;
	int i;

	(void)state;
	free(path);
	assert_non_null(st);
	for (i = 1; i <= 5; i++) {
		char *sql = xprintf("INSERT INTO cognitive_commits (id, started_at, closed_at,"
		    " closed_by) VALUES ('c%d', '2026-01-0%dT00:00:00.000Z', '2026-01-0%dT01:00:00.000Z',"
		    " 'open');"
		    "INSERT INTO sessions (id, commit_id, claude_session_id, started_at, ended_at,"
		    " sync_status) VALUES ('s%d', 'c%d', 'cs%d', 'x', 'y', '%s');"
		    "INSERT INTO turns (id, session_id, seq, role, timestamp, sync_status)"
		    " VALUES ('t%d', 's%d', 0, 'user', 'x', '%s');"
		    "INSERT INTO visuals (id, commit_id, type, sha256, captured_at, sync_status)"
		    " VALUES ('v%d', 'c%d', 'png', 'h', 'x', '%s')",
		    i, 6 - i, 6 - i, i, i, i, i == 2 ? "pending" : "synced",
		    i, i, i == 3 ? "pending" : "synced", i, i, i == 4 ? "pending" : "synced");
		assert_int_equal(store_exec(st, sql, err), 0);
		free(sql);
	}
	/* Last: a pending visual's insert marks its commit pending (a trigger). */
	assert_int_equal(store_exec(st, "UPDATE cognitive_commits SET sync_status = 'synced'"
	    " WHERE id <> 'c1'", err), 0);

	assert_int_equal(synced_pending_commits(st, &ids, &n, err), 0);
	/* In push order: started_at (c4 oldest, c1 newest). */
	assert_int_equal(n, 4);
	assert_string_equal(ids[0], "c4");
	assert_string_equal(ids[1], "c3");
	assert_string_equal(ids[2], "c2");
	assert_string_equal(ids[3], "c1");
	synced_ids_free(ids, n);
	store_close(st);
}

/* The most rows one statement stepped through in a full table scan. */
static int
note_scans(unsigned type, void *arg, void *p, void *x)
{
	int *most = arg, n = sqlite3_stmt_status(p, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);

	(void)type;
	(void)x;
	if (n > *most)
		*most = n;
	return 0;
}

#define SYNCED_TURNS 500

/*
 * A sync with nothing to do, or little, must not read every turn: counting
 * pending turns and finding their commits go through an index of pending
 * turns only (store migration 19). Before it, each read all 500 here.
 */
static void
pending_turns_found_without_a_scan(void **state)
{
	char err[ERRLEN], *path = xprintf("%s/scan.db", tmpdir);
	struct store *st = store_open(path, err);
	char **ids = NULL;
	size_t n = 0;
	int most = 0;

	(void)state;
	free(path);
	assert_non_null(st);
	assert_int_equal(store_exec(st, "INSERT INTO cognitive_commits (id, started_at, closed_at,"
	    " closed_by, sync_status) VALUES ('c1', 'x', 'y', 'open', 'synced');"
	    "INSERT INTO sessions (id, commit_id, claude_session_id, started_at, ended_at,"
	    " sync_status) VALUES ('s1', 'c1', 'cs1', 'x', 'y', 'synced');"
	    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 500)"
	    " INSERT INTO turns (id, session_id, seq, role, timestamp, sync_status)"
	    " SELECT 't' || i, 's1', i, 'user', 'x', 'synced' FROM k", err), 0);

	sqlite3_trace_v2(st->db, SQLITE_TRACE_PROFILE, note_scans, &most);
	assert_int_equal(synced_pending_count(st, &sync_tables[T_TURNS], err), 0);
	assert_int_equal(synced_pending_commits(st, &ids, &n, err), 0);
	assert_int_equal(n, 0);
	/* One turn stranded pending under the synced commit: found, still no scan. */
	assert_int_equal(store_exec(st, "UPDATE turns SET sync_status = 'pending' WHERE id = 't7';"
	    "UPDATE cognitive_commits SET sync_status = 'synced'", err), 0);
	assert_int_equal(synced_pending_count(st, &sync_tables[T_TURNS], err), 1);
	assert_int_equal(synced_pending_commits(st, &ids, &n, err), 0);
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "c1");
	synced_ids_free(ids, n);
	if (most >= SYNCED_TURNS / 2)
		fail_msg("%d rows scanned to find pending turns", most);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_rows_still_as_sent),
		cmocka_unit_test(commits_of_every_pending_row),
		cmocka_unit_test(pending_turns_found_without_a_scan),
	};
	return run_tests_in_scratch_dir(tmpdir, tests);
}
