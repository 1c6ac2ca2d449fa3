/*
 * A project's name and path are each machine's own (sync/tables.h): a pulled
 * project new here gets a name no other project here has, an update from the
 * cloud leaves the name and path alone, a tombstone takes the cloud's name
 * unless another project here has it, and pull compares rows without them.
 * The expected names are written out by hand from the rule in
 * store/project-names.h.
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

#include "scratch-dir.h"
#include "store/db.h"
#include "store/project-names.h"
#include "store/synced-rows.h"
#include "sync/rows.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define ID_A "00000000-0000-5000-8000-00000000000a"
#define ID_B "00000000-0000-5000-8000-00000000000b"
#define ID_C "00000000-0000-5000-8000-00000000000c"

static char tmpdir[] = "/tmp/agentlogs-test-project-names-XXXXXX";
static const struct sync_table *projects = &sync_tables[T_PROJECTS];

static cJSON *
row(const char *id, const char *name, const char *path, const char *remote, int version,
    const char *deleted_at)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "id", id);
	cJSON_AddStringToObject(r, "name", name);
	if (path != NULL)
		cJSON_AddStringToObject(r, "local_path", path);
	else
		cJSON_AddNullToObject(r, "local_path");
	if (remote != NULL)
		cJSON_AddStringToObject(r, "remote_url", remote);
	else
		cJSON_AddNullToObject(r, "remote_url");
	cJSON_AddStringToObject(r, "created_at", "2026-01-01T00:00:00.000Z");
	cJSON_AddNumberToObject(r, "version", version);
	cJSON_AddStringToObject(r, "updated_at", "2026-01-01T00:00:00.000Z");
	if (deleted_at != NULL)
		cJSON_AddStringToObject(r, "deleted_at", deleted_at);
	else
		cJSON_AddNullToObject(r, "deleted_at");
	return r;
}

static struct store *
fresh_store(const char *name)
{
	char err[ERRLEN], *path = xprintf("%s/%s.db", tmpdir, name);
	struct store *st = store_open(path, err);

	free(path);
	assert_non_null(st);
	return st;
}

static void
write_row(struct store *st, cJSON *r)
{
	char err[ERRLEN] = "";

	assert_int_equal(synced_row_write(st, projects, r, "synced", 1, err), 0);
	cJSON_Delete(r);
}

/* The field f of project id here. */
static char *
field_here(struct store *st, const char *id, const char *f)
{
	char err[ERRLEN] = "", status[16];
	cJSON *r = synced_row_read(st, projects, id, status, err);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, f);
	char *s = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;

	cJSON_Delete(r);
	return s;
}

static void
assert_free_name(struct store *st, const char *id, const char *name, const char *remote,
    const char *path, const char *want)
{
	char err[ERRLEN] = "", *got = project_free_name(st, id, name, remote, path, err);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
free_names(void **state)
{
	struct store *st = fresh_store("free");

	(void)state;
	assert_free_name(st, ID_B, "cli", NULL, "/home/b/code/cli", "cli");
	write_row(st, row(ID_A, "cli", "/home/a/work/cli", NULL, 1, NULL));
	write_row(st, row(ID_C, "o/r", "/home/a/app", "github.com/o/r", 1, NULL));
	/* Its own name is free to it. */
	assert_free_name(st, ID_A, "cli", NULL, "/home/a/work/cli", "cli");
	/* Taken: one leading path component more, then the host for a remote. */
	assert_free_name(st, ID_B, "cli", NULL, "/home/b/code/cli", "code/cli");
	assert_free_name(st, ID_B, "o/r", "gitlab.com/o/r", NULL, "gitlab.com/o/r");
	/* Nothing to lengthen it with: the name with its id. */
	assert_free_name(st, ID_B, "cli", NULL, NULL, "cli (" ID_B ")");
	store_close(st);
}

static void
pulled_row_fitted(void **state)
{
	struct store *st = fresh_store("fit");
	char err[ERRLEN] = "";
	cJSON *r;

	(void)state;
	write_row(st, row(ID_A, "lib", "/home/b/y/lib", NULL, 1, NULL));
	r = row(ID_B, "lib", "/home/a/x/lib", NULL, 1, NULL);
	assert_int_equal(project_fit_pulled(st, r, err), 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(r, "name")->valuestring, "x/lib");
	cJSON_Delete(r);
	store_close(st);
}

static void
update_keeps_name_and_path(void **state)
{
	struct store *st = fresh_store("update");
	char *s;

	(void)state;
	write_row(st, row(ID_A, "o/r", "/home/b/src/app", "github.com/o/r", 1, NULL));
	write_row(st, row(ID_A, "github.com/o/r", "/home/a/work/app", "github.com/o/r", 2, NULL));
	assert_string_equal(s = field_here(st, ID_A, "name"), "o/r");
	free(s);
	assert_string_equal(s = field_here(st, ID_A, "local_path"), "/home/b/src/app");
	free(s);
	/* A tombstone takes the cloud's name, out of the way... */
	write_row(st, row(ID_A, "o/r (" ID_A ")", "/home/a/work/app", "github.com/o/r", 3,
	    "2026-01-02T00:00:00.000Z"));
	assert_string_equal(s = field_here(st, ID_A, "name"), "o/r (" ID_A ")");
	free(s);
	/* ...unless another project here has it. */
	write_row(st, row(ID_B, "cli", "/home/b/cli", NULL, 1, NULL));
	write_row(st, row(ID_C, "lib", "/home/b/lib", NULL, 1, NULL));
	write_row(st, row(ID_C, "cli", "/home/b/lib", NULL, 2, "2026-01-02T00:00:00.000Z"));
	assert_string_equal(s = field_here(st, ID_C, "name"), "lib");
	free(s);
	store_close(st);
}

static void
compare_without_here_columns(void **state)
{
	cJSON *local = row(ID_A, "o/r", "/home/b/src/app", "github.com/o/r", 1, NULL);
	cJSON *cloud = row(ID_A, "github.com/o/r", "/home/a/work/app", "github.com/o/r", 1, NULL);

	(void)state;
	assert_false(cJSON_Compare(local, cloud, 1));
	rows_compare_shared(projects, local, cloud);
	assert_true(cJSON_Compare(local, cloud, 1));
	cJSON_ReplaceItemInObjectCaseSensitive(cloud, "remote_url", cJSON_CreateString("x/y/z"));
	rows_compare_shared(projects, local, cloud);
	assert_false(cJSON_Compare(local, cloud, 1));
	cJSON_Delete(local);
	cJSON_Delete(cloud);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(free_names),
		cmocka_unit_test(pulled_row_fitted),
		cmocka_unit_test(update_keeps_name_and_path),
		cmocka_unit_test(compare_without_here_columns),
	};
	return run_tests_in_scratch_dir(tmpdir, tests);
}
