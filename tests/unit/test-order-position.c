/*
 * An order conflict read as a position (src/store/order-position.c): the
 * wording ("4th of 12, after ..."), and the place a display_order value gives
 * a commit among its project's shown commits, in the browser's order
 * (display_order, then started_at, newest first). The expected places are
 * worked out by hand from the rows inserted here.
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

#include "store/db.h"
#include "store/internal.h"
#include "store/order-position.h"
#include "util/log.h"
#include "util/xmalloc.h"

static void
words(void **state)
{
	static const struct {
		long long pos;
		const char *want;
	} cases[] = {
		{ 1, "1st" }, { 2, "2nd" }, { 3, "3rd" }, { 4, "4th" }, { 11, "11th" },
		{ 12, "12th" }, { 13, "13th" }, { 21, "21st" }, { 22, "22nd" }, { 23, "23rd" },
		{ 101, "101st" }, { 111, "111th" }, { 112, "112th" },
	};
	char out[128], want[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		order_position_words(out, sizeof out, cases[i].pos, 200, "Fix the parser");
		snprintf(want, sizeof want, "%s of 200, after Fix the parser", cases[i].want);
		assert_string_equal(out, want);
	}
	order_position_words(out, sizeof out, 1, 12, NULL);
	assert_string_equal(out, "1st of 12, at the top");
}

/*
 * Project p: commits a (order 1), b (2), c (3), d (4), and h (5, hidden);
 * e in another project. Shown newest first: d, c, b, a.
 */
static const char rows[] =
	"INSERT INTO projects (id, name, created_at) VALUES"
	" ('p', 'p', '2026-01-01T00:00:00.000Z'), ('q', 'q', '2026-01-01T00:00:00.000Z');"
	"INSERT INTO cognitive_commits (id, project_id, started_at, closed_at, closed_by,"
	" display_order, title, hidden) VALUES"
	" ('a', 'p', '2026-01-01T01:00:00.000Z', '2026-01-01T01:00:00.000Z', 'session_end', 1, 'Alpha', 0),"
	" ('b', 'p', '2026-01-01T02:00:00.000Z', '2026-01-01T02:00:00.000Z', 'session_end', 2, 'Bravo', 0),"
	" ('c', 'p', '2026-01-01T03:00:00.000Z', '2026-01-01T03:00:00.000Z', 'session_end', 3, 'Charlie', 0),"
	" ('d', 'p', '2026-01-01T04:00:00.000Z', '2026-01-01T04:00:00.000Z', 'session_end', 4, 'Delta', 0),"
	" ('h', 'p', '2026-01-01T05:00:00.000Z', '2026-01-01T05:00:00.000Z', 'session_end', 5, 'Hidden', 1),"
	" ('e', 'q', '2026-01-01T06:00:00.000Z', '2026-01-01T06:00:00.000Z', 'session_end', 9, 'Echo', 0);";

static void
check(struct store *st, const char *id, long long order, const char *want)
{
	char err[ERRLEN];
	char *got = order_position(st, id, order, err);

	if (want == NULL) {
		assert_null(got);
		assert_string_equal(err, "");
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
positions(void **state)
{
	char dir[] = "/tmp/agentlogs-test-order-XXXXXX", err[ERRLEN];
	char *path;
	struct store *st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xprintf("%s/data.db", dir);
	st = store_open(path, err);
	assert_non_null(st);
	assert_int_equal(store_exec(st, rows, err), 0);
	/* b at its own order 2: below c (d, c, b, a). */
	check(st, "b", 2, "3rd of 4, after Charlie");
	/* b moved to 10: above everything. */
	check(st, "b", 10, "1st of 4, at the top");
	/* b at 0: below a, the last. */
	check(st, "b", 0, "4th of 4, after Alpha");
	/* b at 3, tied with c: the later start (c) first. */
	check(st, "b", 3, "3rd of 4, after Charlie");
	/* c at 2, tied with b: c started later, so above it. */
	check(st, "c", 2, "2nd of 4, after Delta");
	/* a commit alone in its project */
	check(st, "e", 1, "1st of 1, at the top");
	/* a commit not in this store: no position */
	check(st, "nope", 1, NULL);
	store_close(st);
	unlink(path);
	free(path);
	{
		char *wal = xprintf("%s/data.db-wal", dir), *shm = xprintf("%s/data.db-shm", dir);
		unlink(wal);
		unlink(shm);
		free(wal);
		free(shm);
	}
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words),
		cmocka_unit_test(positions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
