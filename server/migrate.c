#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "migrate.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

/* Two migrates at once (several instances starting) must not both apply a file. */
#define MIGRATE_LOCK "7311843"

static char *
read_file(const char *path, char *err)
{
	FILE *f = fopen(path, "r");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;

	if (f == NULL) {
		seterr(err, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb);
}

static int
exec_script(PGconn *pg, const char *sql, const char *what, char *err)
{
	PGresult *res = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		seterr(err, "%s: %s", what, msg != NULL ? msg : PQerrorMessage(pg));
		err[strcspn(err, "\n")] = '\0';
		rc = -1;
	}
	PQclear(res);
	return rc;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .sql files of dir, sorted: their names start with the version. */
static char **
list_migrations(const char *dir, int *count, char *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	int n = 0;
	size_t len;

	if (d == NULL) {
		seterr(err, "cannot read %s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		v = xreallocarray(v, (size_t)n + 1, sizeof *v);
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(v, (size_t)n, sizeof *v, compare_names);
	*count = n;
	return v != NULL ? v : xcalloc(1, sizeof *v);
}

static int
apply_one(PGconn *pg, const char *dir, const char *file, int verbose, char *err)
{
	char version[64], *path, *sql;
	const char *params[2];
	PGresult *res;
	size_t vlen = strcspn(file, "_.");
	int applied, rc;

	snprintf(version, sizeof version, "%.*s", (int)vlen, file);
	params[0] = version;
	params[1] = file;
	res = db_exec(pg, "SELECT 1 FROM supabase_migrations.schema_migrations WHERE version = $1",
	    1, params, NULL, err);
	if (res == NULL)
		return -1;
	applied = PQntuples(res) > 0;
	PQclear(res);
	if (applied)
		return 0;
	path = xprintf("%s/%s", dir, file);
	sql = read_file(path, err);
	free(path);
	if (sql == NULL)
		return -1;
	/* The file and its record commit together, or neither does. */
	rc = exec_script(pg, "BEGIN", file, err);
	if (rc == 0)
		rc = exec_script(pg, sql, file, err);
	if (rc == 0) {
		res = db_exec(pg, "INSERT INTO supabase_migrations.schema_migrations"
		    " (version, name, applied_at) VALUES ($1, $2, now())", 2, params, NULL, err);
		rc = res != NULL ? 0 : -1;
		PQclear(res);
	}
	if (rc == 0)
		rc = exec_script(pg, "COMMIT", file, err);
	else
		db_rollback(pg);
	free(sql);
	if (rc == 0 && verbose)
		printf("applied %s\n", file);
	return rc;
}

int
migrate_run(PGconn *pg, const char *bootstrap, const char *dir, int verbose, char *err)
{
	char *sql, **files;
	int n = 0, i, rc;

	if (exec_script(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", "lock", err) != 0)
		return -1;
	if ((sql = read_file(bootstrap, err)) == NULL)
		rc = -1;
	else {
		rc = exec_script(pg, sql, "bootstrap.sql", err);
		free(sql);
	}
	files = rc == 0 ? list_migrations(dir, &n, err) : NULL;
	if (files == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++)
		rc = apply_one(pg, dir, files[i], verbose, err);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	PQclear(PQexec(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")"));
	return rc;
}
