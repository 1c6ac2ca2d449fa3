/*
 * Migrations: an old database upgraded equals a fresh one, opening twice
 * changes nothing, and newer or corrupt files are refused untouched.
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

#include "store/internal.h"
#include "store/migrations.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

static char tmpdir[] = "/tmp/agentlogs-test-migrations-XXXXXX";

static char *
db_path(const char *name)
{
	return xprintf("%s/%s", tmpdir, name);
}

/* The whole schema as text: every object's SQL and every table's columns. */
static char *
schema_dump(struct store *st)
{
	struct strbuf sb = STRBUF_INIT;
	sqlite3_stmt *stmt;

	stmt = store_prepare(st, "SELECT m.type, m.name, m.sql, p.cid, p.name, p.type,"
	    " p.\"notnull\", p.dflt_value, p.pk FROM sqlite_master m"
	    " LEFT JOIN pragma_table_info(m.name) p ON m.type = 'table'"
	    " WHERE m.name NOT LIKE 'sqlite_%' ORDER BY m.type, m.name, p.cid", NULL);
	assert_non_null(stmt);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		int i;
		for (i = 0; i < 9; i++) {
			const char *v = (const char *)sqlite3_column_text(stmt, i);
			strbuf_addf(&sb, "%s|", v != NULL ? v : "NULL");
		}
		strbuf_addc(&sb, '\n');
	}
	sqlite3_finalize(stmt);
	return strbuf_detach(&sb);
}

static long long
count(struct store *st, const char *sql)
{
	long long n = -1;

	assert_int_equal(store_query_int(st, &n, sql, NULL), 0);
	return n;
}

static void
upgraded_equals_fresh(void **state)
{
	char err[ERRLEN], *old_path = db_path("old.db"), *new_path = db_path("new.db");
	char *old_schema, *new_schema;
	struct store *st;
	int i, v;

	(void)state;
	/* Versions may skip numbers (parallel branches take theirs): follow the list. */
	for (i = 0; i + 1 < migrations_count; i++) {
		v = migrations[i].version;
		unlink(old_path);
		st = store_open_version(old_path, v, err);
		assert_non_null(st);
		assert_int_equal(store_version(st), v);
		assert_int_equal(count(st, "SELECT count(*) FROM schema_migrations"), i + 1);
		store_close(st);

		st = store_open(old_path, err);
		assert_non_null(st);
		assert_int_equal(store_version(st), store_latest_version());
		old_schema = schema_dump(st);
		store_close(st);

		unlink(new_path);
		st = store_open(new_path, err);
		assert_non_null(st);
		new_schema = schema_dump(st);
		store_close(st);

		assert_string_equal(old_schema, new_schema);
		free(old_schema);
		free(new_schema);
	}
	free(old_path);
	free(new_path);
}

/*
 * v13 turns the conflicts table into a synced one: the records of a v12 store
 * survive with UUID ids, their commit versions, and a state read from
 * resolved_at and winner; only the open ones go up (pending).
 */
static void
conflicts_survive_v13(void **state)
{
	char err[ERRLEN], *path = db_path("v12.db");
	struct store *st;

	(void)state;
	unlink(path);
	st = store_open_version(path, 12, err);
	assert_non_null(st);
	assert_int_equal(store_exec(st, "INSERT INTO conflicts (table_name, record_id, field,"
	    " local_value, cloud_value, local_version, cloud_version, winner, detected_at,"
	    " resolved_at) VALUES"
	    " ('cognitive_commits', 'c1', 'title', '\"A\"', '\"B\"', 2, 3, NULL,"
	    "  '2026-01-01T00:00:00.000Z', NULL),"
	    " ('cognitive_commits', 'c1', 'hidden', 'true', 'false', 4, 5, 'cloud',"
	    "  '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z')", err), 0);
	store_close(st);
	st = store_open(path, err);
	assert_non_null(st);
	assert_int_equal(count(st, "SELECT count(*) FROM conflicts WHERE field = 'title'"
	    " AND local_value = '\"A\"' AND cloud_value = '\"B\"' AND local_row_version = 2"
	    " AND cloud_row_version = 3 AND winner IS NULL AND state = 'open'"
	    " AND resolved_at IS NULL AND sync_status = 'pending' AND local_machine IS NULL"
	    " AND updated_at = detected_at AND version = 1"), 1);
	assert_int_equal(count(st, "SELECT count(*) FROM conflicts WHERE field = 'hidden'"
	    " AND local_row_version = 4 AND cloud_row_version = 5 AND winner = 'cloud'"
	    " AND state = 'resolved' AND resolved_at = '2026-01-03T00:00:00.000Z'"
	    " AND sync_status = 'synced'"), 1);
	/* Ids: two distinct lowercase UUIDs, version 4, variant 8. */
	assert_int_equal(count(st, "SELECT count(DISTINCT id) FROM conflicts WHERE length(id) = 36"
	    " AND id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-"
	    "[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-4[0-9a-f][0-9a-f][0-9a-f]-8[0-9a-f][0-9a-f][0-9a-f]-*'"),
	    2);
	store_close(st);
	unlink(path);
	free(path);
}

static void
open_twice_changes_nothing(void **state)
{
	char err[ERRLEN], *path = db_path("twice.db"), *a, *b;
	struct store *st;
	long long applied;

	(void)state;
	unlink(path);
	st = store_open(path, err);
	assert_non_null(st);
	a = schema_dump(st);
	applied = count(st, "SELECT count(*) FROM schema_migrations");
	assert_int_equal(applied, migrations_count);
	assert_string_equal(count(st, "SELECT count(*) FROM pragma_journal_mode"
	    " WHERE journal_mode = 'wal'") == 1 ? "wal" : "other", "wal");
	store_close(st);

	st = store_open(path, err);
	assert_non_null(st);
	b = schema_dump(st);
	assert_int_equal(count(st, "SELECT count(*) FROM schema_migrations"), applied);
	store_close(st);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(path);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	buf = xmalloc(*len + 1);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

static void
newer_database_is_refused_untouched(void **state)
{
	char err[ERRLEN], *path = db_path("newer.db"), *before, *after;
	struct store *st;
	size_t blen, alen;

	(void)state;
	unlink(path);
	st = store_open(path, err);
	assert_non_null(st);
	assert_int_equal(store_exec(st, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99",
	    err), 0);
	store_close(st);
	before = read_file(path, &blen);

	st = store_open(path, err);
	assert_null(st);
	assert_non_null(strstr(err, "v99"));
	assert_non_null(strstr(err, "upgrade agentlogs"));
	after = read_file(path, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	free(before);
	free(after);
	free(path);
}

static void
corrupt_file_is_refused_untouched(void **state)
{
	char err[ERRLEN], *path = db_path("corrupt.db"), *after, *wal;
	const char junk[] = "this is not a database, it is a note about one\n";
	struct store *st;
	FILE *f;
	size_t len;

	(void)state;
	f = fopen(path, "wb");
	assert_non_null(f);
	/* More than a page, so SQLite reads a header that is not its own. */
	for (int i = 0; i < 200; i++)
		fputs(junk, f);
	fclose(f);

	st = store_open(path, err);
	assert_null(st);
	assert_non_null(strstr(err, "not an agentlogs database"));
	after = read_file(path, &len);
	assert_int_equal(len, 200 * strlen(junk));
	assert_memory_equal(after, junk, strlen(junk));
	wal = xprintf("%s-wal", path);
	assert_int_not_equal(access(wal, F_OK), 0);
	free(wal);
	free(after);
	free(path);
}

static void
foreign_database_is_refused_untouched(void **state)
{
	char err[ERRLEN], *path = db_path("foreign.db");
	struct store *st;
	sqlite3 *db;

	(void)state;
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE notes(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, err);
	assert_null(st);
	assert_non_null(strstr(err, "another program"));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "SELECT count(*) FROM schema_migrations", NULL, NULL,
	    NULL), SQLITE_ERROR);
	sqlite3_close(db);
	free(path);
}

static void
new_database_has_large_pages(void **state)
{
	char err[ERRLEN], *path = db_path("pages.db");
	struct store *st;

	(void)state;
	unlink(path);
	st = store_open(path, err);
	assert_non_null(st);
	assert_int_equal(count(st, "PRAGMA page_size"), 16384);
	store_close(st);
	free(path);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char *cmd = xprintf("rm -rf '%s'", tmpdir);

	(void)state;
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	free(cmd);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(upgraded_equals_fresh),
		cmocka_unit_test(open_twice_changes_nothing),
		cmocka_unit_test(conflicts_survive_v13),
		cmocka_unit_test(newer_database_is_refused_untouched),
		cmocka_unit_test(corrupt_file_is_refused_untouched),
		cmocka_unit_test(foreign_database_is_refused_untouched),
		cmocka_unit_test(new_database_has_large_pages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
