/*
 * synced_pending_rows: the object push sends for a pending row, written by
 * SQLite, is byte for byte the JSON push sent before (a cJSON tree printed
 * per row): texts escaped the same way (quotes, backslashes, newlines, tabs,
 * control characters, UTF-8 as is), booleans true/false, integers as
 * integers, NULL as null, then base_version; and positional (push_rows), the
 * same values as an array in the order of synced_push_columns.
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
#include "privacy/redact.h"
#include "store/db.h"
#include "store/internal.h"
#include "store/redact-fn.h"
#include "store/synced-rows.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

static char tmpdir[] = "/tmp/agentlogs-test-pending-json-XXXXXX";

struct seen {
	char json[2048];
	char id[64];
	long long version, local_version;
	int rows;
};

static int
keep(const struct sync_table *t, const struct pending_row *r, void *arg)
{
	struct seen *s = arg;

	(void)t;
	snprintf(s->json, sizeof s->json, "%s", r->json);
	snprintf(s->id, sizeof s->id, "%s", r->id);
	s->version = r->version;
	s->local_version = r->local_version;
	s->rows++;
	return 0;
}

static int
exec_or_say(struct store *st, const char *sql, char *err)
{
	int rc = store_exec(st, sql, err);

	if (rc != 0)
		print_error("%s\n", err);
	return rc;
}

static void
push_json_as_before(void **state)
{
	char err[ERRLEN], *path = xprintf("%s/data.db", tmpdir);
	struct store *st = store_open(path, err);
	struct seen s = { .rows = 0 };

	(void)state;
	free(path);
	assert_non_null(st);
	assert_int_equal(store_foreign_keys(st, 0, err), 0);
	assert_int_equal(exec_or_say(st, "INSERT INTO cognitive_commits (id, project_id, git_hash,"
	    " git_subject, started_at, closed_at, closed_by, parallel, files_read, files_changed,"
	    " source, project_name, first_prompt, turn_count, published, hidden, display_order,"
	    " title, version, updated_at, deleted_at, sync_status, cloud_version, local_version)"
	    " VALUES ('c1', 'p1', NULL, 'say \"hi\"\\', '2026-02-01T10:00:00.000Z', '2026-02-01T11:00:00.000Z',"
	    " 'open',"
	    " 1, '[\"a.c\"]', '[]', 'claude', 'caf\xc3\xa9', 'line one' || char(10) || 'two'"
	    " || char(9) || char(1) || '/', '12', 0, 1, 7, NULL, 4, '2026-02-02T00:00:00.000Z',"
	    " NULL, 'pending', 3, 2)", err), 0);
	assert_int_equal(synced_pending_rows(st, &sync_tables[T_COMMITS], "c1", 0, keep, &s, err), 0);
	assert_int_equal(s.rows, 1);
	assert_string_equal(s.json, "{\"id\":\"c1\",\"project_id\":\"p1\",\"git_hash\":null,"
	    "\"git_subject\":\"say \\\"hi\\\"\\\\\",\"started_at\":\"2026-02-01T10:00:00.000Z\","
	    "\"closed_at\":\"2026-02-01T11:00:00.000Z\",\"closed_by\":\"open\",\"parallel\":true,"
	    "\"files_read\":\"[\\\"a.c\\\"]\",\"files_changed\":\"[]\",\"source\":\"claude\","
	    "\"project_name\":\"caf\xc3\xa9\",\"first_prompt\":\"line one\\ntwo\\t\\u0001/\","
	    "\"turn_count\":12,\"published\":false,\"hidden\":true,\"display_order\":7,"
	    "\"title\":null,\"version\":4,\"updated_at\":\"2026-02-02T00:00:00.000Z\","
	    "\"deleted_at\":null,\"base_version\":3}");
	assert_string_equal(s.id, "c1");
	assert_int_equal(s.version, 4);
	assert_int_equal(s.local_version, 2);

	/* push_rows: the same values in the same order, as an array, under their names. */
	s.rows = 0;
	assert_int_equal(synced_pending_rows(st, &sync_tables[T_COMMITS], "c1", 1, keep, &s, err), 0);
	assert_int_equal(s.rows, 1);
	assert_string_equal(s.json, "[\"c1\",\"p1\",null,"
	    "\"say \\\"hi\\\"\\\\\",\"2026-02-01T10:00:00.000Z\","
	    "\"2026-02-01T11:00:00.000Z\",\"open\",true,"
	    "\"[\\\"a.c\\\"]\",\"[]\",\"claude\","
	    "\"caf\xc3\xa9\",\"line one\\ntwo\\t\\u0001/\","
	    "12,false,true,7,null,4,\"2026-02-02T00:00:00.000Z\",null,3]");
	assert_string_equal(s.id, "c1");
	assert_int_equal(s.local_version, 2);
	{
		struct strbuf cols = STRBUF_INIT;

		synced_push_columns(&sync_tables[T_COMMITS], &cols);
		assert_string_equal(cols.buf, "[\"id\",\"project_id\",\"git_hash\",\"git_subject\","
		    "\"started_at\",\"closed_at\",\"closed_by\",\"parallel\",\"files_read\","
		    "\"files_changed\",\"source\",\"project_name\",\"first_prompt\",\"turn_count\","
		    "\"published\",\"hidden\",\"display_order\",\"title\",\"version\","
		    "\"updated_at\",\"deleted_at\",\"base_version\"]");
		strbuf_free(&cols);
	}
	store_close(st);
}

/*
 * The turn's object as push wrote it before: each column through
 * synced_column_json into a cJSON object, printed by json_add, then
 * base_version appended.
 */
static char *
as_before(struct store *st, const char *id)
{
	const struct sync_table *t = &sync_tables[T_TURNS];
	struct strbuf sql = STRBUF_INIT, out = STRBUF_INIT;
	cJSON *row = cJSON_CreateObject();
	sqlite3_stmt *s;
	int i;

	strbuf_adds(&sql, "SELECT ");
	for (i = 0; i < t->ncolumns; i++)
		strbuf_addf(&sql, "%s\"%s\"", i ? ", " : "", t->columns[i].name);
	strbuf_adds(&sql, ", cloud_version FROM turns WHERE id = ?1");
	assert_int_equal(sqlite3_prepare_v2(st->db, sql.buf, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	for (i = 0; i < t->ncolumns; i++)
		cJSON_AddItemToObject(row, t->columns[i].name,
		    synced_column_json(&t->columns[i], s, i));
	json_add(&out, row);
	out.len--;
	strbuf_addf(&out, ",\"base_version\":%lld}", (long long)sqlite3_column_int64(s, i));
	sqlite3_finalize(s);
	cJSON_Delete(row);
	strbuf_free(&sql);
	return strbuf_detach(&out);
}

/* Every ASCII character but NUL, and UTF-8 of two, three and four bytes, as before. */
static void
every_character_as_before(void **state)
{
	char err[ERRLEN], *path = xprintf("%s/turns.db", tmpdir), content[200], *want;
	struct store *st = store_open(path, err);
	struct seen s = { .rows = 0 };
	sqlite3_stmt *ins;
	int i, n = 0;

	(void)state;
	free(path);
	assert_non_null(st);
	assert_int_equal(store_foreign_keys(st, 0, err), 0);
	for (i = 1; i < 128; i++)
		content[n++] = (char)i;
	memcpy(content + n, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
	content[n + 9] = '\0';
	assert_int_equal(exec_or_say(st, "INSERT INTO sessions (id, commit_id, claude_session_id,"
	    " started_at, ended_at) VALUES ('s1', 'c1', 'x', '2026-02-01T10:00:00.000Z',"
	    " '2026-02-01T10:00:00.000Z')", err), 0);
	assert_int_equal(sqlite3_prepare_v2(st->db, "INSERT INTO turns (id, session_id, seq, role,"
	    " content, thinking, timestamp, tool_calls, input_tokens, version, updated_at,"
	    " sync_status, cloud_version) VALUES ('t1', 's1', 3, 'assistant', ?1, ?1,"
	    " '2026-02-01T10:00:00.000Z', '[{\"name\":\"Bash\"}]', 1234567890123, 2, NULL,"
	    " 'pending', 0)", -1, &ins, NULL), SQLITE_OK);
	sqlite3_bind_text(ins, 1, content, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
	sqlite3_finalize(ins);
	assert_int_equal(synced_pending_rows(st, &sync_tables[T_TURNS], "c1", 0, keep, &s, err), 0);
	assert_int_equal(s.rows, 1);
	want = as_before(st, "t1");
	assert_string_equal(s.json, want);
	free(want);
	store_close(st);
}

/*
 * Content columns leave redacted (a screenshot's caption here), the others as
 * they are (the path); a redactor that fails makes the read fail: nothing
 * to send.
 */
static void
content_redacted(void **state)
{
	char err[ERRLEN], *path = xprintf("%s/visuals.db", tmpdir);
	struct store *st = store_open(path, err);
	struct redactor *bad = redactor_new("REDACTED|AKIA", NULL, err);
	struct seen s = { .rows = 0 };

	(void)state;
	free(path);
	assert_non_null(st);
	assert_non_null(bad);
	assert_int_equal(store_foreign_keys(st, 0, err), 0);
	assert_int_equal(exec_or_say(st, "INSERT INTO visuals (id, commit_id, type, sha256, path,"
	    " captured_at, caption, version, sync_status) VALUES ('v1', 'c1', 'screenshot', 'ab',"
	    " '/tmp/AKIAIOSFODNN7EXAMPLE.png', '2026-02-01T10:00:00.000Z',"
	    " 'key AKIAIOSFODNN7EXAMPLE in the console', 1, 'pending')", err), 0);
	assert_int_equal(synced_pending_rows(st, &sync_tables[T_VISUALS], "c1", 0, keep, &s, err), 0);
	assert_int_equal(s.rows, 1);
	assert_non_null(strstr(s.json, "\"caption\":\"key [REDACTED:AWS_ACCESS_KEY] in the console\""));
	assert_non_null(strstr(s.json, "\"path\":\"/tmp/AKIAIOSFODNN7EXAMPLE.png\""));

	assert_int_equal(store_set_redactor(st, bad, err), 0);
	s.rows = 0;
	assert_int_equal(synced_pending_rows(st, &sync_tables[T_VISUALS], "c1", 0, keep, &s, err), -1);
	assert_int_equal(s.rows, 0);
	assert_non_null(strstr(err, "redact.patterns"));
	store_close(st);
	redactor_free(bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(push_json_as_before),
		cmocka_unit_test(every_character_as_before),
		cmocka_unit_test(content_redacted),
	};
	return run_tests_in_scratch_dir(tmpdir, tests);
}
