#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sync/cloud.h"
#include "sync/auth-session.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* Refresh this long before the access token expires. */
#define REFRESH_MARGIN 60

void
auth_session_free(struct auth_session *s)
{
	free(s->home);
	free(s->url);
	free(s->access_token);
	free(s->refresh_token);
	free(s->user_id);
	free(s->email);
	free(s->user_name);
	memset(s, 0, sizeof *s);
}

static char *
dup_string(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) && v->valuestring[0] != '\0' ? xstrdup(v->valuestring) : NULL;
}

int
auth_session_load(const char *home, struct auth_session *s, char *err)
{
	char *path = paths_in_home(home, "auth.json"), *text = NULL;
	FILE *f;
	long size;
	cJSON *j;
	const cJSON *exp;

	memset(s, 0, sizeof *s);
	if ((f = fopen(path, "r")) == NULL) {
		int missing = errno == ENOENT;
		if (!missing)
			seterr(err, "cannot read %s: %s", path, strerror(errno));
		free(path);
		return missing ? 1 : -1;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && size < 1 << 20 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		text = xmalloc((size_t)size + 1);
		text[fread(text, 1, (size_t)size, f)] = '\0';
	}
	fclose(f);
	j = text != NULL ? cJSON_Parse(text) : NULL;
	free(text);
	if (j == NULL || (s->access_token = dup_string(j, "access_token")) == NULL ||
	    (s->refresh_token = dup_string(j, "refresh_token")) == NULL ||
	    (s->url = dup_string(j, "url")) == NULL ||
	    (s->user_id = dup_string(j, "user_id")) == NULL) {
		cJSON_Delete(j);
		auth_session_free(s);
		seterr(err, "%s is damaged: log in again (agentlogs login)", path);
		free(path);
		return -1;
	}
	exp = cJSON_GetObjectItemCaseSensitive(j, "expires_at");
	s->expires_at = cJSON_IsNumber(exp) ? (long long)exp->valuedouble : 0;
	exp = cJSON_GetObjectItemCaseSensitive(j, "clock_ahead");
	s->clock_ahead = cJSON_IsNumber(exp) ? (long long)exp->valuedouble : 0;
	time_set_cloud_ahead(s->clock_ahead);
	s->email = dup_string(j, "email");
	s->user_name = dup_string(j, "user_name");
	s->home = xstrdup(home);
	cJSON_Delete(j);
	free(path);
	return 0;
}

int
auth_session_save(const char *home, const struct auth_session *s, char *err)
{
	char *path = paths_in_home(home, "auth.json"), *text;
	cJSON *j = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(j, "url", s->url);
	cJSON_AddStringToObject(j, "user_id", s->user_id);
	if (s->email != NULL)
		cJSON_AddStringToObject(j, "email", s->email);
	if (s->user_name != NULL)
		cJSON_AddStringToObject(j, "user_name", s->user_name);
	cJSON_AddStringToObject(j, "access_token", s->access_token);
	cJSON_AddStringToObject(j, "refresh_token", s->refresh_token);
	cJSON_AddNumberToObject(j, "expires_at", (double)s->expires_at);
	cJSON_AddNumberToObject(j, "clock_ahead", (double)s->clock_ahead);
	text = cJSON_Print(j);
	cJSON_Delete(j);
	rc = paths_ensure_home(home, err) == 0 &&
	    paths_write_atomic(path, text, strlen(text), 0600, err) == 0 ? 0 : -1;
	free(text);
	free(path);
	return rc;
}

int
auth_session_remove(const char *home, char *err)
{
	char *path = paths_in_home(home, "auth.json");
	int rc = 0;

	if (unlink(path) != 0 && errno != ENOENT)
		rc = seterr(err, "cannot remove %s: %s", path, strerror(errno));
	free(path);
	return rc;
}

int
auth_session_from_token_response(struct auth_session *s, const char *url, const cJSON *j, char *err)
{
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(j, "user"), *meta, *v;
	char *access = dup_string(j, "access_token"), *refresh = dup_string(j, "refresh_token");
	char *uid = dup_string(user, "id"), *u;

	if (access == NULL || refresh == NULL || uid == NULL) {
		free(access);
		free(refresh);
		free(uid);
		return seterr(err, "the cloud's token answer lacks the access token, refresh token or user");
	}
	/* url may be s->url itself (a refresh): copied before the old one goes. */
	u = xstrdup(url);
	free(s->url);
	free(s->access_token);
	free(s->refresh_token);
	free(s->user_id);
	s->url = u;
	s->access_token = access;
	s->refresh_token = refresh;
	s->user_id = uid;
	/*
	 * expires_at is the cloud's clock plus expires_in: with both, the answer
	 * tells how far ours runs ahead (time_stamp_iso sets its stamps back).
	 */
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "expires_at")) != NULL && cJSON_IsNumber(v)) {
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
		s->expires_at = (long long)v->valuedouble;
		if (cJSON_IsNumber(in)) {
			s->clock_ahead = (long long)time_now() + (long long)in->valuedouble -
			    s->expires_at;
			time_set_cloud_ahead(s->clock_ahead);
		}
	} else if ((v = cJSON_GetObjectItemCaseSensitive(j, "expires_in")) != NULL &&
	    cJSON_IsNumber(v))
		s->expires_at = (long long)time(NULL) + (long long)v->valuedouble;
	else
		s->expires_at = (long long)time(NULL) + 3600;
	free(s->email);
	s->email = dup_string(user, "email");
	meta = cJSON_GetObjectItemCaseSensitive(user, "user_metadata");
	free(s->user_name);
	s->user_name = dup_string(meta, "user_name");
	if (s->user_name == NULL)
		s->user_name = dup_string(meta, "preferred_username");
	return 0;
}

/* An exclusive lock on AGENTLOGS_HOME/auth.lock; the descriptor, or -1. */
static int
lock_auth(const char *home, char *err)
{
	char *path = paths_in_home(home, "auth.lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd == -1) {
		seterr(err, "cannot open %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			seterr(err, "cannot lock %s: %s", path, strerror(errno));
			close(fd);
			free(path);
			return -1;
		}
	}
	free(path);
	return fd;
}

static int
refresh_locked(const char *home, struct auth_session *s, struct cloud *c, int force, char *err)
{
	struct auth_session disk;
	struct cloud_response r = { 0 };
	struct strbuf body = STRBUF_INIT;
	cJSON *j;
	int rc;

	/* Someone else may have refreshed while we waited for the lock. */
	rc = auth_session_load(home, &disk, err);
	if (rc == 1)
		return seterr(err, "not logged in (agentlogs login)");
	if (rc < 0)
		return -1;
	if (strcmp(disk.refresh_token, s->refresh_token) != 0 ||
	    (!force && disk.expires_at - REFRESH_MARGIN > (long long)time(NULL))) {
		auth_session_free(s);
		*s = disk;
		cloud_set_token(c, s->access_token);
		return 0;
	}
	auth_session_free(&disk);

	strbuf_adds(&body, "{\"refresh_token\":");
	{
		cJSON *t = cJSON_CreateString(s->refresh_token);
		char *q = cJSON_PrintUnformatted(t);
		strbuf_adds(&body, q);
		free(q);
		cJSON_Delete(t);
	}
	strbuf_addc(&body, '}');
	cloud_set_token(c, NULL);
	rc = cloud_call(c, "POST", "/auth/v1/token?grant_type=refresh_token", body.buf, body.len,
	    NULL, &r, err);
	strbuf_free(&body);
	if (rc != 0) {
		cloud_set_token(c, s->access_token);
		cloud_response_free(&r);
		return -1;
	}
	if (r.status != 200) {
		char msg[256];
		long status = r.status;
		cloud_describe_error(&r, msg, sizeof msg);
		cloud_response_free(&r);
		cloud_set_token(c, s->access_token);
		if (status == 400 || status == 401)
			return seterr(err, "the cloud session has ended (%s): log in again (agentlogs login)",
			    msg);
		return seterr(err, "cannot refresh the cloud session: %s", msg);
	}
	j = cJSON_ParseWithLength(r.body.buf, r.body.len);
	cloud_response_free(&r);
	rc = j != NULL ? auth_session_from_token_response(s, s->url, j, err) :
	    seterr(err, "the cloud answered the refresh with something other than JSON");
	cJSON_Delete(j);
	if (rc == 0)
		rc = auth_session_save(home, s, err);
	cloud_set_token(c, s->access_token);
	return rc;
}

int
auth_session_refresh(const char *home, struct auth_session *s, struct cloud *c, int force, char *err)
{
	int fd, rc;

	if (!force && s->expires_at - REFRESH_MARGIN > (long long)time(NULL)) {
		cloud_set_token(c, s->access_token);
		return 0;
	}
	if ((fd = lock_auth(home, err)) < 0)
		return -1;
	rc = refresh_locked(home, s, c, force, err);
	close(fd);
	return rc;
}

static int
refresh_after_401(struct cloud *c, void *arg, char *err)
{
	struct auth_session *s = arg;

	return auth_session_refresh(s->home, s, c, 1, err);
}

int
auth_session_attach(const char *home, struct auth_session *s, struct cloud *c, char *err)
{
	int rc = auth_session_load(home, s, err);

	if (rc == 1) {
		seterr(err, "not logged in: run agentlogs login");
		return 1;
	}
	if (rc < 0)
		return -1;
	if (strcmp(s->url, cloud_url(c)) != 0) {
		seterr(err, "logged in to %s, but cloud.url is %s: log in again (agentlogs login)",
		    s->url, cloud_url(c));
		auth_session_free(s);
		return -1;
	}
	cloud_set_refresh(c, refresh_after_401, s);
	if ((rc = auth_session_refresh(home, s, c, 0, err)) != 0) {
		cloud_set_refresh(c, NULL, NULL);
		auth_session_free(s);
	}
	return rc;
}
