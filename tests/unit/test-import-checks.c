/*
 * A bulk import writes without the schema's CHECK constraints (capture/
 * import.c): the connection must have them back afterwards, since the
 * daemon keeps it for its later imports and other writes. And an import's
 * own statements find rows by their keys: none reads a whole table of turns
 * (the daemon imports a few lines into a store of millions).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <limits.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch-dir.h"
#include "capture/import.h"
#include "store/internal.h"
#include "store/writeback.h"
#include "util/log.h"
#include "util/xmalloc.h"

static char tmpdir[] = "/tmp/agentlogs-test-import-checks-XXXXXX";

static void
write_transcript(const char *path)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("{\"type\":\"user\",\"uuid\":\"u1\",\"sessionId\":\"s1\",\"cwd\":\"/nowhere/app\","
	    "\"timestamp\":\"2026-01-02T03:04:05.000Z\",\"message\":{\"role\":\"user\","
	    "\"content\":\"hello\"}}\n"
	    "{\"type\":\"assistant\",\"uuid\":\"a1\",\"sessionId\":\"s1\",\"cwd\":\"/nowhere/app\","
	    "\"timestamp\":\"2026-01-02T03:04:06.000Z\",\"message\":{\"id\":\"m1\",\"role\":"
	    "\"assistant\",\"model\":\"m\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],"
	    "\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}}\n", f);
	assert_int_equal(fclose(f), 0);
}

/* A row the schema refuses: closed_by is one of three words. */
static int
bad_row_refused(struct store *st)
{
	char err[ERRLEN];

	return store_exec(st, "INSERT INTO cognitive_commits (id, started_at, closed_at,"
	    " closed_by) VALUES ('bad', 'x', 'x', 'no such reason')", err) != 0 &&
	    strstr(err, "CHECK constraint failed") != NULL;
}

static void
checks_hold_after_a_bulk_import(void **state)
{
	char err[ERRLEN] = "", *claude = xprintf("%s/claude", tmpdir);
	char *dir = xprintf("%s/projects", claude), *proj = xprintf("%s/-nowhere-app", dir);
	char *file = xprintf("%s/s1.jsonl", proj), *db = xprintf("%s/data.db", tmpdir);
	struct import_opts o = { .claude_dir = claude, .idle_minutes = 60, .quiet = 1 };
	struct import_stats stats;
	struct store *st;

	(void)state;
	assert_int_equal(mkdir(claude, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(proj, 0700), 0);
	write_transcript(file);
	st = store_open(db, err);
	assert_non_null(st);
	assert_true(bad_row_refused(st));
	/* A store's first import is a bulk one, however small. */
	if (import_run(st, tmpdir, &o, &stats, err) != 0)
		fail_msg("import: %s", err);
	assert_int_equal(stats.turns_new, 2);
	assert_true(bad_row_refused(st));
	store_close(st);
	free(claude);
	free(dir);
	free(proj);
	free(file);
	free(db);
}

/* A transcript of one session of TURNS user lines, each a turn of its own. */
static void
write_long_transcript(const char *path, const char *session, int turns)
{
	FILE *f = fopen(path, "w");
	int i;

	assert_non_null(f);
	for (i = 0; i < turns; i++)
		fprintf(f, "{\"type\":\"user\",\"uuid\":\"%s-%d\",\"sessionId\":\"%s\","
		    "\"cwd\":\"/nowhere/app\",\"timestamp\":\"2026-01-02T03:%02d:%02d.000Z\","
		    "\"message\":{\"role\":\"user\",\"content\":\"line %d\"}}\n", session, i,
		    session, i / 60 % 60, i % 60, i);
	assert_int_equal(fclose(f), 0);
}

/* The most rows one statement stepped through in a full table scan, and its text. */
struct scans {
	int most;
	char sql[200];
};

static int
note_scans(unsigned type, void *arg, void *p, void *x)
{
	struct scans *sc = arg;
	sqlite3_stmt *stmt = p;
	int n = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);

	(void)type;
	(void)x;
	if (n > sc->most) {
		sc->most = n;
		snprintf(sc->sql, sizeof sc->sql, "%s", sqlite3_sql(stmt));
	}
	return 0;
}

#define STORED_TURNS 400

static void
an_import_reads_no_table_of_turns_whole(void **state)
{
	char err[ERRLEN] = "", *claude = xprintf("%s/daemon", tmpdir);
	char *dir = xprintf("%s/projects", claude), *proj = xprintf("%s/-nowhere-app", dir);
	char *first = xprintf("%s/s1.jsonl", proj), *second = xprintf("%s/s2.jsonl", proj);
	char *db = xprintf("%s/daemon.db", tmpdir);
	struct import_opts o = { .claude_dir = claude, .idle_minutes = 60, .quiet = 1 };
	struct import_stats stats;
	struct scans sc = { 0, "" };
	struct store *st;

	(void)state;
	assert_int_equal(mkdir(claude, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(proj, 0700), 0);
	write_long_transcript(first, "s1", STORED_TURNS);
	st = store_open(db, err);
	assert_non_null(st);
	if (import_run(st, tmpdir, &o, &stats, err) != 0)
		fail_msg("first import: %s", err);
	assert_int_equal(stats.turns_new, STORED_TURNS);
	/* Then a few lines more, as the daemon imports them, no search between. */
	write_long_transcript(second, "s2", 2);
	sqlite3_trace_v2(st->db, SQLITE_TRACE_PROFILE, note_scans, &sc);
	if (import_run(st, tmpdir, &o, &stats, err) != 0)
		fail_msg("second import: %s", err);
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	assert_int_equal(stats.turns_new, 2);
	/* The schema's own table (85 rows) is read whole to drop a trigger: not half the turns. */
	if (sc.most >= STORED_TURNS / 2)
		fail_msg("%d rows scanned by: %s", sc.most, sc.sql);
	store_close(st);
	free(claude);
	free(dir);
	free(proj);
	free(first);
	free(second);
	free(db);
}

/* The size of the store's WAL file, 0 when there is none. */
static long long
wal_size(const char *db)
{
	char *wal = xprintf("%s-wal", db);
	struct stat sb;
	long long n = stat(wal, &sb) == 0 ? (long long)sb.st_size : 0;

	free(wal);
	return n;
}

static char *
journal_mode(struct store *st)
{
	char err[ERRLEN];

	return store_query_text(st, "PRAGMA journal_mode", NULL, err);
}

/*
 * A store's first import writes its pages into the file, not into the WAL
 * (a rollback journal, store_first_import_journal), and leaves the store in
 * WAL mode; while another connection has the store open, the WAL stays.
 */
static void
a_first_import_writes_past_the_wal(void **state)
{
	char err[ERRLEN] = "", *claude = xprintf("%s/first", tmpdir);
	char *dir = xprintf("%s/projects", claude), *proj = xprintf("%s/-nowhere-app", dir);
	char *file = xprintf("%s/s1.jsonl", proj), *db = xprintf("%s/first.db", tmpdir);
	char *db2 = xprintf("%s/second.db", tmpdir), *mode;
	struct import_opts o = { .claude_dir = claude, .idle_minutes = 60, .quiet = 1 };
	struct import_stats stats;
	struct store *st, *other;

	(void)state;
	assert_int_equal(mkdir(claude, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(proj, 0700), 0);
	write_long_transcript(file, "s1", STORED_TURNS);
	st = store_open(db, err);
	assert_non_null(st);
	if (import_run(st, tmpdir, &o, &stats, err) != 0)
		fail_msg("import: %s", err);
	assert_int_equal(stats.turns_new, STORED_TURNS);
	assert_int_equal(wal_size(db), 0);
	assert_string_equal(mode = journal_mode(st), "wal");
	free(mode);
	store_close(st);

	/* The same with another connection reading the store: the WAL stays, and holds the rows. */
	st = store_open(db2, err);
	assert_non_null(st);
	other = store_open(db2, err);
	assert_non_null(other);
	if (import_run(st, tmpdir, &o, &stats, err) != 0)
		fail_msg("import beside another connection: %s", err);
	assert_int_equal(stats.turns_new, STORED_TURNS);
	assert_true(wal_size(db2) > 0);
	assert_string_equal(mode = journal_mode(st), "wal");
	free(mode);
	store_close(other);
	store_close(st);
	free(claude);
	free(dir);
	free(proj);
	free(file);
	free(db);
	free(db2);
}

/* The descriptors this process has open on path. */
static int
fds_on(const char *path)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char link[300], target[PATH_MAX];
	ssize_t n;
	int count = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		snprintf(link, sizeof link, "/proc/self/fd/%s", de->d_name);
		if ((n = readlink(link, target, sizeof target - 1)) > 0) {
			target[n] = '\0';
			count += strcmp(target, path) == 0;
		}
	}
	closedir(d);
	return count;
}

/*
 * A first import keeps fewer pages back (a smaller cache), and starts the
 * written ones to disk through one descriptor of its own, opened once and
 * closed with the store; a later import keeps the bulk cache.
 */
static void
a_first_import_writes_back_as_it_goes(void **state)
{
	char err[ERRLEN] = "", *claude = xprintf("%s/writeback", tmpdir);
	char *dir = xprintf("%s/projects", claude), *proj = xprintf("%s/-nowhere-app", dir);
	char *file = xprintf("%s/s1.jsonl", proj), *db = xprintf("%s/writeback.db", tmpdir);
	char real[PATH_MAX];
	struct import_opts o = { .claude_dir = claude, .idle_minutes = 60, .quiet = 1 };
	struct import_stats stats;
	struct store *st;
	long long cache = 0;

	(void)state;
	assert_int_equal(mkdir(claude, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(proj, 0700), 0);
	write_transcript(file);
	st = store_open(db, err);
	assert_non_null(st);
	assert_non_null(realpath(db, real));
	if (import_run(st, tmpdir, &o, &stats, err) != 0)
		fail_msg("import: %s", err);
	assert_int_equal(store_query_int(st, &cache, "PRAGMA cache_size", err), 0);
	assert_int_equal(cache, -8192);

	assert_int_equal(fds_on(real), 1);	/* SQLite's own */
	store_writeback(st);
	store_writeback(st);
	assert_int_equal(fds_on(real), 2);
	store_close(st);
	assert_int_equal(fds_on(real), 0);

	/* Not a first import: the bulk import's larger cache. */
	write_long_transcript(file, "s1", STORED_TURNS);
	st = store_open(db, err);
	assert_non_null(st);
	if (import_run(st, tmpdir, &o, &stats, err) != 0)
		fail_msg("second import: %s", err);
	assert_int_equal(store_query_int(st, &cache, "PRAGMA cache_size", err), 0);
	assert_int_equal(cache, -16384);
	store_close(st);
	free(claude);
	free(dir);
	free(proj);
	free(file);
	free(db);
}

static struct import_stats
import_with(const char *db, const char *claude, struct import_ahead *ahead)
{
	char err[ERRLEN] = "";
	struct import_opts o = { .claude_dir = claude, .idle_minutes = 60, .quiet = 1,
	    .ahead = ahead };
	struct import_stats stats;
	struct store *st = store_open(db, err);

	assert_non_null(st);
	if (import_run(st, tmpdir, &o, &stats, err) != 0)
		fail_msg("import: %s", err);
	store_close(st);
	return stats;
}

/*
 * An import of claude into db through a read-ahead begun before it, with
 * added (4 turns of session s3) written in between when given; checks
 * whether the import took the read-ahead over.
 */
static struct import_stats
import_after_read_ahead(const char *db, const char *claude, const char *added, int taken)
{
	struct import_ahead *a = import_read_ahead(claude, 60);
	struct import_stats stats;

	assert_non_null(a);
	if (added != NULL)
		write_long_transcript(added, "s3", 4);
	stats = import_with(db, claude, a);
	assert_int_equal(import_ahead_taken(a), taken);
	import_ahead_free(a);
	return stats;
}

/*
 * Reading started before the store is open (import_read_ahead) is taken
 * over when the plan reads the same transcripts from their first lines, and
 * stopped, the plan read instead, when it does not: a transcript that came
 * after the read-ahead began, or a store that already holds them.
 */
static void
a_read_ahead_is_taken_over_only_when_it_reads_the_plan(void **state)
{
	char *claude = xprintf("%s/ahead", tmpdir), *dir = xprintf("%s/projects", claude);
	char *proj = xprintf("%s/-nowhere-app", dir), *f1 = xprintf("%s/s1.jsonl", proj);
	char *f2 = xprintf("%s/s2.jsonl", proj), *f3 = xprintf("%s/s3.jsonl", proj);
	char *db1 = xprintf("%s/ahead1.db", tmpdir), *db2 = xprintf("%s/ahead2.db", tmpdir);
	struct import_stats stats;

	(void)state;
	assert_int_equal(mkdir(claude, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(proj, 0700), 0);
	write_long_transcript(f1, "s1", 3);
	write_long_transcript(f2, "s2", 5);

	/* The same reading: taken over, everything imported once. */
	stats = import_after_read_ahead(db1, claude, NULL, 1);
	assert_int_equal(stats.files_read, 2);
	assert_int_equal(stats.turns_new, 8);

	/* A store that holds them: nothing to read, the read-ahead stopped. */
	stats = import_after_read_ahead(db1, claude, NULL, 0);
	assert_int_equal(stats.files_unchanged, 2);
	assert_int_equal(stats.turns_new, 0);

	/* A transcript that came after the read-ahead began: the plan's reading. */
	stats = import_after_read_ahead(db2, claude, f3, 0);
	assert_int_equal(stats.files_read, 3);
	assert_int_equal(stats.turns_new, 12);

	/* Nothing to read: no read-ahead. */
	assert_null(import_read_ahead(tmpdir, 60));
	free(claude);
	free(dir);
	free(proj);
	free(f1);
	free(f2);
	free(f3);
	free(db1);
	free(db2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checks_hold_after_a_bulk_import),
		cmocka_unit_test(an_import_reads_no_table_of_turns_whole),
		cmocka_unit_test(a_first_import_writes_past_the_wal),
		cmocka_unit_test(a_first_import_writes_back_as_it_goes),
		cmocka_unit_test(a_read_ahead_is_taken_over_only_when_it_reads_the_plan),
	};

	return run_tests_in_scratch_dir(tmpdir, tests);
}
