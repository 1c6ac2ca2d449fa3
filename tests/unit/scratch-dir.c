/* The scratch directory of a unit test program (scratch-dir.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "scratch-dir.h"
#include "util/xmalloc.h"

int
scratch_dir_make(char *tmpl)
{
	return mkdtemp(tmpl) == NULL ? -1 : 0;
}

int
scratch_dir_remove(const char *dir)
{
	char *cmd = xprintf("rm -rf '%s'", dir);
	int rc = system(cmd) == 0 ? 0 : -1;

	if (rc != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	return rc;
}

int
scratch_dir_run(char *tmpl, const char *group, const struct CMUnitTest *tests, size_t n)
{
	int rc;

	if (scratch_dir_make(tmpl) != 0) {
		fprintf(stderr, "cannot make %s\n", tmpl);
		return 1;
	}
	rc = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	if (scratch_dir_remove(tmpl) != 0)
		rc = 1;
	return rc;
}
