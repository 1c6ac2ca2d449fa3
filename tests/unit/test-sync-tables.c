/*
 * src/sync/tables.c, the synced tables as both sides see them: every table
 * starts with its id, counts its columns right, and marks only text columns
 * as content. With --content-columns it prints "table col col..." for each
 * table, which sql-rls.sh compares with the cloud's own copy of those marks
 * (public.agentlogs_content_columns, which push_batch's end-to-end check
 * reads): the two lists are written twice, once in C and once in SQL.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sync/tables.h"

static void
every_table_well_formed(void **state)
{
	int t, i;

	(void)state;
	for (t = 0; t < NTABLES; t++) {
		const struct sync_table *tb = &sync_tables[t];
		assert_string_equal(tb->columns[0].name, "id");
		for (i = 0; tb->columns[i].name != NULL; i++) {
			if (tb->columns[i].content && tb->columns[i].kind != COL_TEXT)
				fail_msg("%s.%s: content but not text", tb->name, tb->columns[i].name);
		}
		assert_int_equal(i, tb->ncolumns);
		assert_ptr_equal(sync_table_find(tb->name), tb);
	}
	assert_null(sync_table_find("nothing"));
}

/* "table col col ...", one line a table, in the tables' order. */
static void
print_content_columns(void)
{
	int t, i;

	for (t = 0; t < NTABLES; t++) {
		fputs(sync_tables[t].name, stdout);
		for (i = 0; sync_tables[t].columns[i].name != NULL; i++) {
			if (sync_tables[t].columns[i].content)
				printf(" %s", sync_tables[t].columns[i].name);
		}
		putchar('\n');
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_table_well_formed),
	};

	if (argc == 2 && strcmp(argv[1], "--content-columns") == 0) {
		print_content_columns();
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
