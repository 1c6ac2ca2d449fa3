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

/* Waits (up to 20 s) for the thread's next snapshot, and empties the pipe. */
static void
wait_snapshot(struct sync_thread *t)
{
	struct pollfd p = { .fd = sync_thread_fd(t), .events = POLLIN };

	if (poll(&p, 1, 20000) <= 0)
		fail_msg("no snapshot from the sync thread in 20 s");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_once_the_store_opens),
	};
	return run_tests_in_scratch_dir(tmpdir, tests);
}
