#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config/config.h"
#include "sync/account.h"
#include "sync/cloud.h"
#include "sync/auth-session.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

struct cloud *
account_cloud(const char *home, char *err)
{
	struct config *cfg = config_load(home, err);
	struct cloud *c;

	if (cfg == NULL)
		return NULL;
	c = cloud_new(config_get(cfg, "cloud.url"), config_get(cfg, "cloud.anon-key"), err);
	config_free(cfg);
	return c;
}

int
account_machine_id(const char *home, char out[UUID_STRLEN], char *err)
{
	char *path = paths_in_home(home, "machine-id"), buf[64];
	FILE *f;
	size_t n;

	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = '\0';
		buf[strcspn(buf, " \r\n")] = '\0';
		if (uuid_valid(buf)) {
			memcpy(out, buf, UUID_STRLEN);
			free(path);
			return 0;
		}
		seterr(err, "%s does not hold a machine id; remove it to make a new one", path);
		free(path);
		return -1;
	}
	if (errno != ENOENT) {
		seterr(err, "cannot read %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	uuid_v4(out);
	snprintf(buf, sizeof buf, "%s\n", out);
	n = paths_ensure_home(home, err) == 0 &&
	    paths_write_atomic(path, buf, strlen(buf), 0644, err) == 0;
	free(path);
	return n ? 0 : -1;
}

static int
upsert(struct cloud *c, const char *path, cJSON *row, char *err)
{
	static const char *const prefer[] = {
		"Prefer: resolution=merge-duplicates,return=minimal", NULL
	};
	struct cloud_response r = { 0 };
	char *body = cJSON_PrintUnformatted(row);
	int rc = cloud_call(c, "POST", path, body, strlen(body), prefer, &r, err);

	free(body);
	if (rc == 0 && (r.status < 200 || r.status > 299))
		rc = cloud_refused(&r, "cannot register with the cloud", err);
	cloud_response_free(&r);
	return rc;
}

int
account_register(const char *home, struct cloud *c, const struct auth_session *s, char *err)
{
	char machine[UUID_STRLEN], host[256], now[32];
	cJSON *row;
	int rc;

	if (account_machine_id(home, machine, err) != 0)
		return -1;
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "unknown");
	host[sizeof host - 1] = '\0';
	time_now_iso(now);

	row = cJSON_CreateObject();
	cJSON_AddStringToObject(row, "id", s->user_id);
	if (s->user_name != NULL)
		cJSON_AddStringToObject(row, "github_username", s->user_name);
	if (s->email != NULL)
		cJSON_AddStringToObject(row, "email", s->email);
	cJSON_AddStringToObject(row, "updated_at", now);
	rc = upsert(c, "/rest/v1/user_profiles?on_conflict=id", row, err);
	cJSON_Delete(row);
	if (rc != 0)
		return -1;

	/* The machine's row id is derived from its machine id: re-logins upsert the same row. */
	{
		char id[UUID_STRLEN];
		uuid_v5_join(id, "machine", machine, (char *)NULL);
		row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "id", id);
		cJSON_AddStringToObject(row, "machine_id", machine);
		cJSON_AddStringToObject(row, "name", host);
		cJSON_AddStringToObject(row, "updated_at", now);
		rc = upsert(c, "/rest/v1/machines?on_conflict=user_id,machine_id", row, err);
		cJSON_Delete(row);
	}
	return rc;
}

int
account_finish_login(const char *home, struct cloud *c, const char *body, size_t len,
    struct auth_session *s, char *err)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	int rc;

	memset(s, 0, sizeof *s);
	if (j == NULL)
		return seterr(err, "the cloud answered the login with something other than JSON");
	rc = auth_session_from_token_response(s, cloud_url(c), j, err);
	cJSON_Delete(j);
	if (rc != 0)
		return -1;
	s->home = xstrdup(home);
	if (auth_session_save(home, s, err) != 0)
		return -1;
	cloud_set_token(c, s->access_token);
	return account_register(home, c, s, err);
}
