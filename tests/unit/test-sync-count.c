/*
 * The sync thread's counts (ui/sync-thread.c) when its own connection to the
 * store could not be opened as it started (in the daemon, a first import
 * holding the store at that moment): a later count opens it then. Before,
 * every count with no sync under way was skipped for good, so daemon.json's
 * pending stayed at 0 while commits waited (daemon-outage.sh, now and then).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch-dir.h"
#include "store/db.h"
#include "store/internal.h"
#include "ui/sync-thread.h"
#include "util/log.h"
#include "util/xmalloc.h"

static char tmpdir[] = "/tmp/agentlogs-test-sync-count-XXXXXX";

/* Waits (up to 60 s) for the thread's next snapshot, and empties the pipe. */
static void
wait_snapshot(struct sync_thread *t)
{
	struct pollfd p = { .fd = sync_thread_fd(t), .events = POLLIN };

	if (poll(&p, 1, 60000) <= 0)
		fail_msg("no snapshot from the sync thread in 60 s");
	sync_thread_drain(t);
}

/* Waits until the thread says pending is want; fails after 20 s of silence. */
static void
wait_pending(struct sync_thread *t, long long want)
{
	struct sync_status s;

	for (;;) {
		sync_thread_snapshot(t, &s);
		if (s.pending == want)
			return;
		wait_snapshot(t);
	}
}

static void
counts_once_the_store_opens(void **state)
{
	char err[ERRLEN], *db = xprintf("%s/data.db", tmpdir);
	struct sync_thread *t;
	struct store *st;

	(void)state;
	/* A directory where the store should be: the thread's open fails. */
	assert_int_equal(mkdir(db, 0700), 0);
	t = sync_thread_start(tmpdir, err);
	assert_non_null(t);
	/* Its first snapshot comes after it tried to open the store. */
	wait_snapshot(t);
	assert_int_equal(rmdir(db), 0);
	st = store_open(db, err);
	assert_non_null(st);
	assert_int_equal(store_exec(st, "INSERT INTO cognitive_commits (id, started_at,"
	    " closed_at, closed_by) VALUES ('c1', 'x', 'y', 'open')", err), 0);
	store_close(st);
	sync_thread_send(t, SYNC_CMD_RECOUNT);
	wait_pending(t, 1);
	sync_thread_stop(t);
	free(db);
}

/*
 * The same through the store's own locks: a first import (a rollback journal,
 * store_first_import_journal) holds the store in an exclusive transaction as
 * the thread starts, so the thread's open fails; once the import commits, a
 * count opens it and sees the import's pending commit.
 */
static void
counts_after_a_first_import_held_the_store(void **state)
{
	char err[ERRLEN], *home = xprintf("%s/held", tmpdir);
	char *db = xprintf("%s/data.db", home);
	struct sync_thread *t;
	struct store *st;
	struct sync_status s;

	(void)state;
	assert_int_equal(mkdir(home, 0700), 0);
	st = store_open(db, err);
	assert_non_null(st);
	assert_int_equal(store_first_import_journal(st, err), 1);
	assert_int_equal(store_exec(st, "BEGIN EXCLUSIVE", err), 0);
	assert_int_equal(store_exec(st, "INSERT INTO cognitive_commits (id, started_at,"
	    " closed_at, closed_by) VALUES ('c1', 'x', 'y', 'open')", err), 0);
	t = sync_thread_start(home, err);
	assert_non_null(t);
	/* Its first snapshot comes after its open failed (up to the 10 s busy wait). */
	wait_snapshot(t);
	sync_thread_snapshot(t, &s);
	assert_int_equal(s.pending, 0);
	assert_int_equal(store_commit(st, err), 0);
	assert_int_equal(store_journal_mode(st, "wal", err), 1);
	store_close(st);
	sync_thread_send(t, SYNC_CMD_RECOUNT);
	wait_pending(t, 1);
	sync_thread_stop(t);
	free(db);
	free(home);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_once_the_store_opens),
		cmocka_unit_test(counts_after_a_first_import_held_the_store),
	};
	return run_tests_in_scratch_dir(tmpdir, tests);
}
