/* The watcher's pure parts: the debounce, the scan backoff, and what each inotify event asks. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <cmocka.h>

#include "capture/debounce.h"
#include "capture/watch.h"

/* A burst of changes 100 ms apart is one action, 500 ms after the last. */
static void
test_burst_is_one_action(void **state)
{
	struct debounce d;
	long long t;
	int fired = 0;

	(void)state;
	debounce_init(&d, 500, 0);
	assert_int_equal(debounce_wait(&d, 0), -1);
	for (t = 1000; t <= 3000; t += 100) {
		debounce_touch(&d, t);
		fired += debounce_fire(&d, t + 99);
	}
	assert_int_equal(fired, 0);
	assert_int_equal(debounce_wait(&d, 3000), 500);
	assert_int_equal(debounce_fire(&d, 3499), 0);
	assert_int_equal(debounce_fire(&d, 3500), 1);
	/* Once: nothing pending any more. */
	assert_int_equal(debounce_fire(&d, 9999), 0);
	assert_int_equal(debounce_wait(&d, 9999), -1);
}

/* A writer that never pauses is still followed: at most max after the first change. */
static void
test_cap_after_first(void **state)
{
	struct debounce d;
	long long t;

	(void)state;
	debounce_init(&d, 20, 200);
	for (t = 1000; t < 1200; t += 10) {
		debounce_touch(&d, t);
		assert_int_equal(debounce_fire(&d, t), 0);
	}
	debounce_touch(&d, 1200);
	assert_int_equal(debounce_wait(&d, 1200), 0);
	assert_int_equal(debounce_fire(&d, 1200), 1);
	/* The next burst starts its own cap. */
	debounce_touch(&d, 1205);
	assert_int_equal(debounce_wait(&d, 1205), 20);
}

/* Scans that find nothing back off 1, 2, 4 ... up to the cap; one that finds something starts over. */
static void
test_scan_backoff(void **state)
{
	struct backoff b;
	long long now = 0, expect[] = { 2000, 4000, 8000, 16000, 30000, 30000 };
	size_t i;

	(void)state;
	backoff_start(&b, 1000, 30000, now);
	assert_int_equal(backoff_wait(&b, now), 1000);
	for (i = 0; i < sizeof expect / sizeof expect[0]; i++) {
		now += 1;
		backoff_after_scan(&b, 0, now);
		assert_int_equal(backoff_wait(&b, now), expect[i]);
	}
	backoff_after_scan(&b, 1, now);
	assert_int_equal(backoff_wait(&b, now), 1000);
	assert_int_equal(backoff_wait(&b, now + 5000), 0);
	assert_int_equal(wait_min(-1, 7), 7);
	assert_int_equal(wait_min(3, -1), 3);
	assert_int_equal(wait_min(-1, -1), -1);
	assert_int_equal(wait_min(9, 4), 4);
}

/* The rescan decision: only a lost queue or projects/ itself going asks for a rescan. */
static void
test_decide(void **state)
{
	(void)state;
	assert_int_equal(watch_decide(IN_Q_OVERFLOW, NULL, 0), WATCH_RESCAN);
	assert_int_equal(watch_decide(IN_Q_OVERFLOW, NULL, 1), WATCH_RESCAN);
	/* A new project folder, made or moved in: watched, and imported. */
	assert_int_equal(watch_decide(IN_CREATE | IN_ISDIR, "-home-x", 1),
	    WATCH_ADD_DIR | WATCH_CHANGED);
	assert_int_equal(watch_decide(IN_MOVED_TO | IN_ISDIR, "-home-x", 1),
	    WATCH_ADD_DIR | WATCH_CHANGED);
	/* A file in projects/ itself is no transcript. */
	assert_int_equal(watch_decide(IN_CREATE, "x.jsonl", 1), WATCH_NOTHING);
	/* Appends, truncations, renames into place, deletes of transcripts. */
	assert_int_equal(watch_decide(IN_MODIFY, "s.jsonl", 0), WATCH_CHANGED);
	assert_int_equal(watch_decide(IN_CLOSE_WRITE, "s.jsonl", 0), WATCH_CHANGED);
	assert_int_equal(watch_decide(IN_MOVED_TO, "s.jsonl", 0), WATCH_CHANGED);
	assert_int_equal(watch_decide(IN_DELETE, "s.jsonl", 0), WATCH_CHANGED);
	/* Other files and folders in a project folder are not read. */
	assert_int_equal(watch_decide(IN_MODIFY, "s.jsonl.tmp", 0), WATCH_NOTHING);
	assert_int_equal(watch_decide(IN_MODIFY, ".jsonl", 0), WATCH_NOTHING);
	assert_int_equal(watch_decide(IN_CREATE | IN_ISDIR, "sub", 0), WATCH_NOTHING);
	/* Watches that end. */
	assert_int_equal(watch_decide(IN_IGNORED, NULL, 0), WATCH_DROP_DIR);
	assert_int_equal(watch_decide(IN_IGNORED, NULL, 1), WATCH_DROP_DIR | WATCH_RESCAN);
	assert_int_equal(watch_decide(IN_DELETE_SELF, NULL, 1), WATCH_RESCAN);
	assert_int_equal(watch_decide(IN_MOVE_SELF, NULL, 1), WATCH_RESCAN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_is_one_action),
		cmocka_unit_test(test_cap_after_first),
		cmocka_unit_test(test_scan_backoff),
		cmocka_unit_test(test_decide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
