/*
 * The import's background WAL checkpointer (store/checkpointer.h): once
 * nudged, the pages committed so far are in the database file, not only in
 * the WAL, so the writer's final checkpoint has little left to copy.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/checkpointer.h"
#include "store/db.h"
#include "store/internal.h"
#include "util/log.h"
#include "util/xmalloc.h"

static off_t
file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void
nudge_copies_the_wal_into_the_database(void **state)
{
	char dir[] = "/tmp/agentlogs-test-ckpt-XXXXXX", err[ERRLEN], *path, *cmd;
	struct checkpointer *cp;
	struct store *st;
	off_t before;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xprintf("%s/store.db", dir);
	st = store_open(path, err);
	assert_non_null(st);
	cp = checkpointer_start(st, err);
	assert_non_null(cp);
	/* 4 MB committed with the writer's own checkpoints off: all of it in the WAL. */
	assert_int_equal(store_exec(st, "CREATE TABLE ckpt_test (b BLOB);"
	    " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1024)"
	    " INSERT INTO ckpt_test SELECT zeroblob(4096) FROM n", err), 0);
	before = file_size(path);
	checkpointer_nudge(cp);
	checkpointer_stop(cp);	/* a nudge before the stop is still carried out */
	assert_true(file_size(path) >= before + (4 << 20));
	store_close(st);
	cmd = xprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nudge_copies_the_wal_into_the_database),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
