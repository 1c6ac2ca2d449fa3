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

#include "scratch-dir.h"
#include "store/fresh-schema.h"
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

/* A store taken through the migrations one version at a time, never created at once. */
static struct store *
open_step_by_step(const char *path, char *err)
{
	struct store *st = NULL;
	int i;

	unlink(path);
	for (i = 0; i < migrations_count; i++) {
		store_close(st);
		if ((st = store_open_version(path, migrations[i].version, err)) == NULL)
			return NULL;
	}
	return st;
}

/* sqlite_master with blanks collapsed, the versions recorded, the page size. */
static char *
master_dump(struct store *st)
{
	struct strbuf sb = STRBUF_INIT;
	sqlite3_stmt *stmt;
	const char *p;

	stmt = store_prepare(st, "SELECT type || ' ' || name || ' ' || tbl_name || ' ' ||"
	    " coalesce(sql, '-') FROM sqlite_master ORDER BY type, name", NULL);
	assert_non_null(stmt);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		for (p = (const char *)sqlite3_column_text(stmt, 0); *p != '\0'; p++) {
			if (strchr(" \t\n\r", *p) == NULL)
				strbuf_addc(&sb, *p);
			else if (sb.len > 0 && sb.buf[sb.len - 1] != ' ')
				strbuf_addc(&sb, ' ');
		}
		strbuf_addc(&sb, '\n');
	}
	sqlite3_finalize(stmt);
	stmt = store_prepare(st, "SELECT version || ' ' || name FROM schema_migrations"
	    " ORDER BY version", NULL);
	assert_non_null(stmt);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		strbuf_addf(&sb, "migration %s\n", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	strbuf_addf(&sb, "user_version %lld page_size %lld\n", count(st, "PRAGMA user_version"),
	    count(st, "PRAGMA page_size"));
	return strbuf_detach(&sb);
}

#define REGENERATE "regenerate src/store/fresh-schema.c: " \
	"tests/unit/test-migrations --print-fresh-schema > ../src/store/fresh-schema.c (in build/)"

/*
 * A new store is created with the final schema at once (store/fresh-schema.h):
 * it must be the store the migrations make, object for object, so that the
 * list stays the one source of truth for upgrades.
 */
static void
created_at_once_equals_migrated(void **state)
{
	char err[ERRLEN], *step_path = db_path("step.db"), *once_path = db_path("once.db");
	char *step, *once;
	struct store *st;

	(void)state;
	if (fresh_schema_version != store_latest_version())
		fail_msg("the fresh schema is v%d, the migrations go to v%d: " REGENERATE,
		    fresh_schema_version, store_latest_version());
	st = open_step_by_step(step_path, err);
	assert_non_null(st);
	step = master_dump(st);
	store_close(st);
	unlink(once_path);
	st = store_open(once_path, err);
	assert_non_null(st);
	once = master_dump(st);
	/* Nothing else in it: the migrations leave every other table empty. */
	assert_int_equal(count(st, "SELECT count(*) FROM schema_migrations"), migrations_count);
	store_close(st);
	if (strcmp(step, once) != 0)
		fprintf(stderr, "migrated step by step:\n%s\ncreated at once:\n%s\n" REGENERATE "\n",
		    step, once);
	assert_string_equal(step, once);
	free(step);
	free(once);
	free(step_path);
	free(once_path);
}

/* One statement as C string literals of at most about 90 columns. */
static void
print_c_string(const char *sql)
{
	int col = 0;
	const char *p;

	printf("\t\"");
	for (p = sql; *p != '\0'; p++) {
		if (col >= 84 && *p == ' ') {
			printf("\"\n\t\"");
			col = 0;
		}
		if (*p == '"' || *p == '\\')
			col += printf("\\%c", *p);
		else if (*p == '\n')
			col += printf("\\n");
		else if (*p == '\t')
			col += printf("\\t");
		else
			col += printf("%c", *p);
	}
	printf(";\"\n");
}

/* Writes src/store/fresh-schema.c from a store migrated step by step. */
static int
print_fresh_schema(void)
{
	char err[ERRLEN], *path = db_path("print.db");
	struct store *st = open_step_by_step(path, err);
	sqlite3_stmt *stmt;

	if (st == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("/*\n * Generated by tests/unit/test-migrations --print-fresh-schema from\n"
	    " * src/store/migrations.c; do not edit (store/fresh-schema.h).\n */\n"
	    "#include \"config.h\"\n\n#include \"store/fresh-schema.h\"\n\n"
	    "const int fresh_schema_version = %d;\n\nconst char fresh_schema_sql[] =\n",
	    store_version(st));
	/*
	 * Autoindexes come with their tables. sqlite_sequence outlives the
	 * AUTOINCREMENT table that made it (v12's conflicts) and cannot be
	 * created by name: a table of the kind made and dropped leaves it.
	 * An FTS5 table makes its shadow tables itself (v16's search).
	 */
	stmt = store_prepare(st, "SELECT CASE WHEN name = 'sqlite_sequence' THEN"
	    " 'CREATE TABLE fresh_sequence (id INTEGER PRIMARY KEY AUTOINCREMENT);"
	    " DROP TABLE fresh_sequence' ELSE sql END FROM sqlite_master WHERE sql IS NOT NULL"
	    " AND (name NOT LIKE 'sqlite_%' OR name = 'sqlite_sequence') AND NOT EXISTS (SELECT 1"
	    " FROM sqlite_master v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE % USING fts5%'"
	    " AND sqlite_master.name IN (v.name || '_data', v.name || '_idx', v.name || '_content',"
	    " v.name || '_docsize', v.name || '_config')) ORDER BY rowid", NULL);
	while (stmt != NULL && sqlite3_step(stmt) == SQLITE_ROW)
		print_c_string((const char *)sqlite3_column_text(stmt, 0));
	printf("\t;\n");
	sqlite3_finalize(stmt);
	store_close(st);
	unlink(path);
	free(path);
	return 0;
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

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(created_at_once_equals_migrated),
		cmocka_unit_test(upgraded_equals_fresh),
		cmocka_unit_test(open_twice_changes_nothing),
		cmocka_unit_test(conflicts_survive_v13),
		cmocka_unit_test(newer_database_is_refused_untouched),
		cmocka_unit_test(corrupt_file_is_refused_untouched),
		cmocka_unit_test(foreign_database_is_refused_untouched),
		cmocka_unit_test(new_database_has_large_pages),
	};

	if (argc == 2 && strcmp(argv[1], "--print-fresh-schema") == 0) {
		int rc = scratch_dir_make(tmpdir) != 0 ? 1 : print_fresh_schema();
		scratch_dir_remove(tmpdir);
		return rc;
	}
	return run_tests_in_scratch_dir(tmpdir, tests);
}
