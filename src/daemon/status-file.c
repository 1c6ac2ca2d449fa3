#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/status-file.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

char *
daemon_status_path(const char *home)
{
	return xprintf("%s/daemon.json", home);
}

static void
add_time(cJSON *o, const char *name, time_t t)
{
	char iso[32];
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, name, iso);
}

static void
add_count(cJSON *o, const char *name, long long n)
{
	if (n < 0)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, (double)n);
}

int
daemon_status_write(const char *home, const struct daemon_status *s, char *err)
{
	cJSON *o = cJSON_CreateObject();
	char *path = daemon_status_path(home), *tmp = xprintf("%s.tmp", path), *json;
	FILE *f;
	int rc = 0;

	cJSON_AddNumberToObject(o, "pid", (double)s->pid);
	add_time(o, "started", s->started);
	cJSON_AddNumberToObject(o, "started_unix", (double)s->started);
	cJSON_AddNumberToObject(o, "folders", s->folders);
	cJSON_AddStringToObject(o, "watching", s->watching);
	add_time(o, "last_import", s->last_import);
	cJSON_AddNumberToObject(o, "imports", (double)s->imports);
	cJSON_AddNumberToObject(o, "lines", (double)s->lines);
	cJSON_AddNumberToObject(o, "turns", (double)s->turns);
	cJSON_AddStringToObject(o, "storage", s->storage);
	cJSON_AddStringToObject(o, "sync", s->sync);
	add_time(o, "last_sync", s->last_sync);
	cJSON_AddNumberToObject(o, "syncs", (double)s->syncs);
	cJSON_AddStringToObject(o, "user", s->user != NULL ? s->user : "");
	add_count(o, "pending", s->pending);
	add_count(o, "conflicts", s->conflicts);
	add_count(o, "settled", s->settled);
	cJSON_AddStringToObject(o, "last_error", s->last_error);
	if ((json = cJSON_Print(o)) == NULL)
		fatalx("out of memory printing JSON");
	cJSON_Delete(o);
	if ((f = fopen(tmp, "w")) == NULL || fprintf(f, "%s\n", json) < 0 || fclose(f) != 0) {
		rc = seterr(err, "cannot write %s: %s", tmp, strerror(errno));
	} else if (rename(tmp, path) != 0)
		rc = seterr(err, "cannot rename %s: %s", tmp, strerror(errno));
	cJSON_free(json);
	free(tmp);
	free(path);
	return rc;
}

cJSON *
daemon_status_load(const char *home)
{
	char *path = daemon_status_path(home), buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	free(path);
	if (f == NULL)
		return NULL;
	/* Written whole by one rename: a few hundred bytes, never half a file. */
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return cJSON_Parse(buf);
}

double
daemon_status_number(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

const char *
daemon_status_string(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}
