/*
 * A scratch directory for a test program: made before its group of tests,
 * removed with everything in it after, and the group's result returned.
 */
#ifndef AGENTLOGS_TESTS_SCRATCH_DIR_H
#define AGENTLOGS_TESTS_SCRATCH_DIR_H

#include <stddef.h>

struct CMUnitTest;

/* mkdtemp(3) on tmpl ("...XXXXXX", rewritten in place); 0 or -1. */
int scratch_dir_make(char *tmpl);
/* rm -rf dir; 0, or -1 with a line on stderr. */
int scratch_dir_remove(const char *dir);
/* Makes tmpl, runs the group, removes it: the exit status for main(). */
int scratch_dir_run(char *tmpl, const char *group, const struct CMUnitTest *tests, size_t n);

#define run_tests_in_scratch_dir(tmpl, tests) \
	scratch_dir_run((tmpl), #tests, (tests), sizeof(tests) / sizeof((tests)[0]))

#endif
