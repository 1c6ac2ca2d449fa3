/*
 * pull_apply_rows: a page applied in bulk (sessions, turns and visuals new
 * here or newer than a synced row, one statement a table) and the same page
 * applied row by row give the same store, and both the store each row's
 * decision calls for (sync/decide.h), written out here by hand: new rows,
 * newer versions, a later updated_at, older versions, ties with the same and
 * with other content, and rows with local pending edits.
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
#include "sync/pull-page.h"
#include "sync/tables.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

static char tmpdir[] = "/tmp/agentlogs-test-pull-bulk-XXXXXX";

#define T1 "2026-02-01T10:00:00.000Z"
#define T2 "2026-02-01T10:00:05.000Z"

/* A turn of session s-old as the store or the cloud has it. */
static cJSON *
turn(const char *id, const char *content, int version, const char *updated_at)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "id", id);
	cJSON_AddStringToObject(r, "session_id", "s-old");
	cJSON_AddNumberToObject(r, "seq", 1);
	cJSON_AddStringToObject(r, "role", "user");
	cJSON_AddStringToObject(r, "content", content);
	cJSON_AddNullToObject(r, "thinking");
	cJSON_AddStringToObject(r, "timestamp", T1);
	cJSON_AddStringToObject(r, "tool_calls", "[]");
	cJSON_AddNullToObject(r, "model");
	cJSON_AddNullToObject(r, "message_id");
	cJSON_AddNumberToObject(r, "input_tokens", version * 10);
	cJSON_AddNumberToObject(r, "output_tokens", 1);
	cJSON_AddNumberToObject(r, "cache_read_tokens", 0);
	cJSON_AddNumberToObject(r, "cache_creation_tokens", 0);
	cJSON_AddNumberToObject(r, "version", version);
	cJSON_AddStringToObject(r, "updated_at", updated_at);
	cJSON_AddNullToObject(r, "deleted_at");
	return r;
}

static void
seed_turn(struct store *st, const char *id, const char *content, int version,
    const char *updated_at, const char *status, int cloud_version)
{
	cJSON *r = turn(id, content, version, updated_at);
	char err[ERRLEN];

	assert_int_equal(synced_row_write(st, &sync_tables[T_TURNS], r, status, cloud_version,
	    err), 0);
	cJSON_Delete(r);
}

static int
store_exec_or_say(struct store *st, const char *sql, char *err)
{
	int rc = store_exec(st, sql, err);

	if (rc != 0)
		print_error("%s\n", err);
	return rc;
}

/* Both stores hold the same rows before the page. */
static struct store *
seeded_store(const char *name)
{
	char err[ERRLEN], *path = xprintf("%s/%s.db", tmpdir, name);
	struct store *st = store_open(path, err);

	free(path);
	assert_non_null(st);
	/* Only the synced rows matter here, not their commit. */
	assert_int_equal(store_foreign_keys(st, 0, err), 0);
	assert_int_equal(store_exec_or_say(st, "INSERT INTO sessions (id, commit_id, claude_session_id,"
	    " started_at, ended_at, version, updated_at, sync_status, cloud_version)"
	    " VALUES ('s-old', 'c', 'x', '" T1 "', '" T1 "', 1, '" T1 "', 'synced', 1)", err), 0);
	seed_turn(st, "t-newer", "old", 1, T1, "synced", 1);
	seed_turn(st, "t-later-time", "old", 2, T1, "synced", 2);
	seed_turn(st, "t-older", "mine", 3, T1, "synced", 3);
	seed_turn(st, "t-tie-same", "same", 2, T1, "synced", 2);
	seed_turn(st, "t-tie-other", "ours", 2, T1, "synced", 2);
	seed_turn(st, "t-pending-newer", "edit", 1, T1, "pending", 1);
	seed_turn(st, "t-pending-older", "edit", 3, T1, "pending", 1);
	seed_turn(st, "t-pending-same", "same", 2, T1, "pending", 1);
	seed_turn(st, "t-untouched", "kept", 1, T1, "synced", 1);
	return st;
}

static void
add_to_page(cJSON *page, const char *table, cJSON *record)
{
	cJSON *row = cJSON_CreateObject();

	cJSON_AddStringToObject(row, "table", table);
	cJSON_AddItemToObject(row, "record", record);
	cJSON_AddItemToArray(page, row);
}

/* The page: times as PostgreSQL writes them, normalised on the way in. */
static cJSON *
page(void)
{
	cJSON *p = cJSON_CreateArray(), *s = cJSON_CreateObject(), *t;
	const char *pg1 = "2026-02-01T10:00:00+00:00", *pg2 = "2026-02-01T10:00:05+00:00";

	add_to_page(p, "turns", turn("t-newer", "new", 2, pg1));
	add_to_page(p, "turns", turn("t-later-time", "later", 2, pg2));
	add_to_page(p, "turns", turn("t-older", "theirs", 2, pg2));
	add_to_page(p, "turns", turn("t-tie-same", "same", 2, pg1));
	add_to_page(p, "turns", turn("t-tie-other", "theirs", 2, pg1));
	add_to_page(p, "turns", turn("t-pending-newer", "cloud", 2, pg1));
	add_to_page(p, "turns", turn("t-pending-older", "cloud", 2, pg1));
	add_to_page(p, "turns", turn("t-pending-same", "same", 2, pg1));
	t = turn("t-new", "fresh", 1, pg1);
	cJSON_ReplaceItemInObjectCaseSensitive(t, "session_id", cJSON_CreateString("s-new"));
	cJSON_ReplaceItemInObjectCaseSensitive(t, "tool_calls",
	    cJSON_CreateString("[{\"name\":\"Bash\",\"is_error\":true}]"));
	add_to_page(p, "turns", t);
	/* A child before its parent, as the feed may send it. */
	cJSON_AddStringToObject(s, "id", "s-new");
	cJSON_AddStringToObject(s, "commit_id", "c");
	cJSON_AddStringToObject(s, "claude_session_id", "y");
	cJSON_AddStringToObject(s, "started_at", pg1);
	cJSON_AddStringToObject(s, "ended_at", pg2);
	cJSON_AddNullToObject(s, "cwd");
	cJSON_AddNullToObject(s, "git_branch");
	cJSON_AddNullToObject(s, "cli_version");
	cJSON_AddNumberToObject(s, "version", 1);
	cJSON_AddStringToObject(s, "updated_at", pg1);
	cJSON_AddNullToObject(s, "deleted_at");
	add_to_page(p, "sessions", s);
	return p;
}

/* Every row of a query, columns joined by '|', rows by '\n'. */
static char *
dump(struct store *st, const char *sql)
{
	struct strbuf sb = STRBUF_INIT;
	sqlite3_stmt *s;
	int i;

	assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(s); i++) {
			const char *v = (const char *)sqlite3_column_text(s, i);
			strbuf_addf(&sb, "%s%s", i ? "|" : "", v != NULL ? v : "NULL");
		}
		strbuf_addc(&sb, '\n');
	}
	sqlite3_finalize(s);
	return strbuf_detach(&sb);
}

/* The page applied to a fresh seeded store; the rows pulled per table in n. */
static struct store *
applied(const char *name, int bulk, struct sync_counts *n)
{
	struct sync_ctx sc = { 0 };
	cJSON *p = page();
	char err[ERRLEN];

	sc.st = seeded_store(name);
	memset(n, 0, sizeof *n);
	assert_int_equal(store_begin(sc.st, err), 0);
	assert_int_equal(pull_apply_rows(&sc, p, bulk, n, err), 0);
	assert_int_equal(store_commit(sc.st, err), 0);
	cJSON_Delete(p);
	return sc.st;
}

#define TURNS "SELECT id, content, sync_status, cloud_version, version, updated_at," \
	" input_tokens, tool_summary, typed FROM turns ORDER BY id"
/* Everything but last_synced_at, which is each write's own time. */
static const char *const whole[] = {
	"SELECT id, session_id, seq, role, content, thinking, timestamp, tool_calls, model,"
	" message_id, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,"
	" version, updated_at, deleted_at, sync_status, cloud_version, local_version,"
	" tool_summary, typed FROM turns ORDER BY id",
	"SELECT id, commit_id, claude_session_id, started_at, version, updated_at, sync_status,"
	" cloud_version FROM sessions ORDER BY id",
	"SELECT * FROM turn_stats ORDER BY session_id",
	"SELECT * FROM tool_stats ORDER BY session_id, name",
	"SELECT * FROM tool_totals ORDER BY name",
	NULL
};

static void
bulk_and_row_by_row_agree(void **state)
{
	struct sync_counts nr, nb;
	struct store *one = applied("one-by-one", 0, &nr), *bulk = applied("bulk", 1, &nb);
	char *got;
	int i;

	(void)state;
	for (i = 0; whole[i] != NULL; i++) {
		char *a = dump(one, whole[i]), *b = dump(bulk, whole[i]);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	/* What each row's decision calls for, with either path. */
	got = dump(bulk, TURNS);
	/* By id. */
	assert_string_equal(got,
	    /* same version, later updated_at: taken */
	    "t-later-time|later|synced|2|2|" T2 "|20|[]|1\n"
	    /* new: taken, its tool call and typed prompt counted for the analytics */
	    "t-new|fresh|synced|1|1|" T1 "|10|[\"xBash\"]|1\n"
	    /* newer version: taken */
	    "t-newer|new|synced|2|2|" T1 "|20|[]|1\n"
	    /* older version: ours kept, the cloud's version noted */
	    "t-older|mine|synced|2|3|" T1 "|30|[]|1\n"
	    /* pending, the cloud newer: the cloud's taken */
	    "t-pending-newer|cloud|synced|2|2|" T1 "|20|[]|1\n"
	    /* pending, ours newer: kept pending, based on the cloud's version */
	    "t-pending-older|edit|pending|2|3|" T1 "|30|[]|1\n"
	    /* pending, the cloud holds the very same: now synced */
	    "t-pending-same|same|synced|2|2|" T1 "|20|[]|1\n"
	    /* tie, other content: the cloud's taken */
	    "t-tie-other|theirs|synced|2|2|" T1 "|20|[]|1\n"
	    /* tie, same content: nothing written */
	    "t-tie-same|same|synced|2|2|" T1 "|20|[]|1\n"
	    "t-untouched|kept|synced|1|1|" T1 "|10|[]|1\n");
	free(got);
	got = dump(bulk, "SELECT id, sync_status, cloud_version FROM sessions ORDER BY id");
	assert_string_equal(got, "s-new|synced|1\ns-old|synced|1\n");
	free(got);
	/* Taken and counted: new, newer, later, pending-newer, tie-other; one session. */
	assert_int_equal(nb.pulled[T_TURNS], 5);
	assert_int_equal(nr.pulled[T_TURNS], 5);
	assert_int_equal(nb.pulled[T_SESSIONS], 1);
	assert_int_equal(nr.pulled[T_SESSIONS], 1);
	store_close(one);
	store_close(bulk);
}

/*
 * A page of more rows than one bulk statement takes (1,024, then the
 * smallest of 2^k rows that holds the rest, its slots left over padded with
 * the last row): every row lands, with its own content, is counted once (the
 * copies write nothing), and twice in a row (the statements are kept and
 * bound again; the second round updates).
 */
static void
many_rows_each_written_once(void **state)
{
	enum { N = 1500 };
	struct sync_counts n;
	struct sync_ctx sc = { 0 };
	char err[ERRLEN], id[32], content[32], *got;
	int i, round;

	(void)state;
	sc.st = seeded_store("many");
	for (round = 1; round <= 2; round++) {
		cJSON *p = cJSON_CreateArray();

		for (i = 0; i < N; i++) {
			snprintf(id, sizeof id, "t-many-%04d", i);
			snprintf(content, sizeof content, "content %d of round %d", i, round);
			add_to_page(p, "turns", turn(id, content, round,
			    round == 1 ? "2026-02-01T10:00:00+00:00" : "2026-02-01T10:00:05+00:00"));
		}
		memset(&n, 0, sizeof n);
		assert_int_equal(store_begin(sc.st, err), 0);
		assert_int_equal(pull_apply_rows(&sc, p, 1, &n, err), 0);
		assert_int_equal(store_commit(sc.st, err), 0);
		cJSON_Delete(p);
		assert_int_equal(n.pulled[T_TURNS], N);
	}
	/* Each row's content names its own number and the second round. */
	got = dump(sc.st, "SELECT count(*), sum(content = 'content ' ||"
	    " CAST(substr(id, 8) AS INTEGER) || ' of round 2'), sum(version = 2),"
	    " count(DISTINCT id) FROM turns WHERE id LIKE 't-many-%'");
	assert_string_equal(got, "1500|1500|1500|1500\n");
	free(got);
	store_close(sc.st);
}

/*
 * A pull writes with the store's CHECKs off (sync_pull): a turn whose role the
 * store refuses, in bulk or row by row, fails the page with one line naming
 * the table and the column, and nothing of the page is written.
 */
static void
refused_values_refused_with_checks_off(void **state)
{
	struct sync_ctx sc = { 0 };
	struct sync_counts n = { 0 };
	char err[ERRLEN], *got;
	int bulk;

	(void)state;
	sc.st = seeded_store("refused");
	assert_int_equal(store_check_constraints(sc.st, 0, err), 0);
	for (bulk = 0; bulk <= 1; bulk++) {
		cJSON *p = cJSON_CreateArray(), *bad = turn("t-system", "system", 1, T1);

		add_to_page(p, "turns", turn("t-fine", "fine", 1, T1));
		cJSON_ReplaceItemInObjectCaseSensitive(bad, "role", cJSON_CreateString("system"));
		add_to_page(p, "turns", bad);
		assert_int_equal(store_begin(sc.st, err), 0);
		assert_int_equal(pull_apply_rows(&sc, p, bulk, &n, err), -1);
		store_rollback(sc.st);
		assert_string_equal(err, "the cloud sent a turns row whose role is not one this"
		    " store accepts");
		cJSON_Delete(p);
	}
	got = dump(sc.st, "SELECT count(*) FROM turns WHERE id IN ('t-fine', 't-system')"
	    " OR role NOT IN ('user', 'assistant')");
	assert_string_equal(got, "0\n");
	free(got);
	store_close(sc.st);
}

/* The quoted values of "CHECK (column IN ('a', ...))" in sql, as "a|b|...", or NULL. */
static char *
schema_check_values(const char *sql, const char *column)
{
	char pat[96];
	const char *p, *q;
	struct strbuf sb = STRBUF_INIT;

	snprintf(pat, sizeof pat, "CHECK (%s IN (", column);
	if ((p = strstr(sql, pat)) == NULL)
		return NULL;
	for (p += strlen(pat); *p != ')' && *p != '\0'; p = q + 1) {
		while (*p == ' ' || *p == ',')
			p++;
		assert_int_equal(*p, '\'');
		q = strchr(++p, '\'');
		assert_non_null(q);
		if (sb.len > 0)
			strbuf_addc(&sb, '|');
		strbuf_add(&sb, p, (size_t)(q - p));
	}
	return strbuf_detach(&sb);
}

/* Whether column's definition in the CREATE TABLE text sql says NOT NULL. */
static int
schema_not_null(const char *sql, const char *column)
{
	size_t n = strlen(column);
	const char *p, *end, *before;
	int depth = 0;

	for (p = strstr(sql, column); p != NULL; p = strstr(p + 1, column)) {
		for (before = p; before > sql && (before[-1] == ' ' || before[-1] == '\n'); before--)
			;
		if (before > sql && (before[-1] == '(' || before[-1] == ',') && p[n] == ' ')
			break;
	}
	assert_non_null(p);
	for (end = p; *end != '\0' && !(depth == 0 && (*end == ',' || *end == ')')); end++)
		depth += *end == '(' ? 1 : *end == ')' ? -1 : 0;
	for (; p + 8 <= end; p++)
		if (strncmp(p, "NOT NULL", 8) == 0)
			return 1;
	return 0;
}

/*
 * The values a pull accepts in each CHECKed column of a cloud row
 * (pull_checked_column, written down in sync/pull-page.c because a pull
 * writes with the CHECKs off) are the store's own: the same values, the same
 * NULL or not, and no CHECKed column the cloud fills missing from the list.
 */
static void
pull_checks_the_stores_values(void **state)
{
	struct store *st = seeded_store("checks");
	const struct pull_checked_column *c;
	int t, i, k, listed;

	(void)state;
	for (t = 0; t < NTABLES; t++) {
		char *sql = store_query_text(st, "SELECT group_concat(sql, ';') FROM sqlite_schema"
		    " WHERE type = 'table' AND name = ?1", sync_tables[t].name, NULL);

		assert_non_null(sql);
		for (i = 0; sync_tables[t].columns[i].name != NULL; i++) {
			const char *col = sync_tables[t].columns[i].name;
			char *schema = schema_check_values(sql, col);
			struct strbuf ours = STRBUF_INIT;

			listed = 0;
			for (k = 0; (c = pull_checked_column(k)) != NULL; k++) {
				int v;
				if (c->table != t || strcmp(c->column, col) != 0)
					continue;
				listed = 1;
				for (v = 0; c->allowed[v] != NULL; v++) {
					if (v > 0)
						strbuf_addc(&ours, '|');
					strbuf_adds(&ours, c->allowed[v]);
				}
				if (schema == NULL)
					fail_msg("%s.%s: checked by a pull, not by the store",
					    sync_tables[t].name, col);
				assert_string_equal(ours.buf, schema);
				assert_int_equal(c->nullable, !schema_not_null(sql, col));
			}
			if (schema != NULL && !listed)
				fail_msg("%s.%s: the store checks it (%s), a pull does not",
				    sync_tables[t].name, col, schema);
			free(schema);
			strbuf_free(&ours);
		}
		free(sql);
	}
	/* The parse above finds what it looks for: one known check, one known column. */
	{
		char *sql = store_query_text(st, "SELECT sql FROM sqlite_schema WHERE name ="
		    " 'turns'", NULL, NULL), *v = schema_check_values(sql, "sync_status");

		assert_string_equal(v, "pending|synced|conflict|error");
		assert_true(schema_not_null(sql, "role"));
		assert_false(schema_not_null(sql, "thinking"));
		free(v);
		free(sql);
	}
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bulk_and_row_by_row_agree),
		cmocka_unit_test(many_rows_each_written_once),
		cmocka_unit_test(refused_values_refused_with_checks_off),
		cmocka_unit_test(pull_checks_the_stores_values),
	};
	return run_tests_in_scratch_dir(tmpdir, tests);
}
