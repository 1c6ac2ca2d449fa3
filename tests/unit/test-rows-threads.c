/*
 * The browser's UI thread and its sync thread each have a store connection
 * of their own, and both read and write synced rows. The row code's prepared
 * statements must belong to one connection: shared between two, one thread
 * steps a statement of the other's database (wrong rows, or a crash).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch-dir.h"
#include "store/db.h"
#include "store/synced-rows.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define ROUNDS 400

static char tmpdir[] = "/tmp/agentlogs-test-rows-threads-XXXXXX";

struct worker {
	const char *name;	/* "a" or "b": every row it writes carries it */
	struct store *st;
	pthread_barrier_t *start;
	int wrong;		/* rows read back that were not the ones written */
	int failed;		/* calls that returned an error */
};

static cJSON *
project_row(const char *id, const char *name)
{
	cJSON *row = cJSON_CreateObject();

	cJSON_AddStringToObject(row, "id", id);
	cJSON_AddStringToObject(row, "name", name);
	cJSON_AddNullToObject(row, "local_path");
	cJSON_AddNullToObject(row, "remote_url");
	cJSON_AddStringToObject(row, "created_at", "2026-01-01T00:00:00.000Z");
	cJSON_AddNumberToObject(row, "version", 1);
	cJSON_AddStringToObject(row, "updated_at", "2026-01-01T00:00:00.000Z");
	cJSON_AddNullToObject(row, "deleted_at");
	return row;
}

/* Writes a row, reads it back, and checks it is the one this thread wrote. */
static void *
work(void *arg)
{
	struct worker *w = arg;
	const struct sync_table *t = &sync_tables[T_PROJECTS];
	char err[ERRLEN], id[64], name[64], status[16];
	int i;

	pthread_barrier_wait(w->start);
	for (i = 0; i < ROUNDS; i++) {
		cJSON *row, *back;
		const cJSON *got;

		snprintf(id, sizeof id, "%s-%d", w->name, i);
		snprintf(name, sizeof name, "project %s %d", w->name, i);
		row = project_row(id, name);
		err[0] = '\0';
		if (synced_row_write(w->st, t, row, "synced", 1, err) != 0)
			w->failed++;
		cJSON_Delete(row);
		back = synced_row_read(w->st, t, id, status, err);
		got = cJSON_GetObjectItemCaseSensitive(back, "name");
		if (!cJSON_IsString(got) || strcmp(got->valuestring, name) != 0 ||
		    strcmp(status, "synced") != 0)
			w->wrong++;
		cJSON_Delete(back);
	}
	return NULL;
}

static void
two_connections_two_threads(void **state)
{
	struct worker w[2] = { { .name = "a" }, { .name = "b" } };
	pthread_barrier_t start;
	pthread_t th[2];
	char err[ERRLEN];
	int i;

	(void)state;
	pthread_barrier_init(&start, NULL, 2);
	for (i = 0; i < 2; i++) {
		char *path = xprintf("%s/%s.db", tmpdir, w[i].name);
		w[i].st = store_open(path, err);
		free(path);
		assert_non_null(w[i].st);
		w[i].start = &start;
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++) {
		assert_int_equal(w[i].failed, 0);
		assert_int_equal(w[i].wrong, 0);
		store_close(w[i].st);
	}
	pthread_barrier_destroy(&start);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_connections_two_threads),
	};
	return run_tests_in_scratch_dir(tmpdir, tests);
}
