#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config/config.h"
#include "privacy/aggregate.h"
#include "privacy/analytics-cloud.h"
#include "privacy/analytics-daily.h"
#include "store/sync-state.h"
#include "sync/account.h"
#include "sync/auth-session.h"
#include "sync/cloud.h"
#include "util/log.h"
#include "util/timeutil.h"

#define KEY_UPLOAD "analytics_last_upload"
#define KEY_CHOICE "analytics_choice"

static long long
state_time(struct store *st, const char *key)
{
	char *v = sync_state_get(st, key);
	long long t = v != NULL ? atoll(v) : 0;

	free(v);
	return t;
}

static int
set_time(struct store *st, const char *key, long long t, char *err)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld", t);
	return sync_state_set(st, key, buf, err);
}

/* The choice waiting for the profile: 1, 0, or -1 for none. */
static int
pending_choice(struct store *st)
{
	char *v = sync_state_get(st, KEY_CHOICE);
	int choice = v == NULL ? -1 : strcmp(v, "true") == 0;

	free(v);
	return choice;
}

static int
opted_in(const char *home, int *opt_in, char *err)
{
	struct config *cfg = config_load(home, err);

	if (cfg == NULL)
		return -1;
	*opt_in = config_get_bool(cfg, "analytics.opt-in");
	config_free(cfg);
	return 0;
}

int
analytics_choose(const char *home, struct store *st, int opt_in, char *why)
{
	struct auth_session s;
	struct config *cfg;
	struct cloud *c;
	int rc, cloud;

	if (config_set_analytics(home, opt_in, why) != 0 ||
	    sync_state_set(st, KEY_CHOICE, opt_in ? "true" : "false", why) != 0 ||
	    (cfg = config_load(home, why)) == NULL)
		return -1;
	cloud = config_storage_cloud(cfg);
	config_free(cfg);
	/* storage = local: no request at all, the way sync makes none. */
	if (!cloud) {
		seterr(why, "storage = local");
		return 1;
	}
	if ((c = account_cloud(home, why)) == NULL)
		return 1;
	if ((rc = auth_session_attach(home, &s, c, why)) == 0) {
		rc = analytics_profile_write(c, s.user_id, opt_in, why) == 0 ? 0 : 1;
		auth_session_free(&s);
	} else if (rc > 0)
		seterr(why, "not logged in");
	else
		rc = 1;
	cloud_free(c);
	if (rc == 0 && sync_state_set(st, KEY_CHOICE, NULL, why) != 0)
		return -1;
	return rc;
}

char *
analytics_upload_body(struct store *st, char *err)
{
	struct noise_source src;
	struct aggregate a;
	cJSON *j;
	char *body;

	if (noise_source_system(&src) != 0) {
		seterr(err, "no random source for the analytics noise (libsodium)");
		return NULL;
	}
	if (aggregate_collect(st, &a, err) != 0)
		return NULL;
	aggregate_add_noise(&a, &src);
	j = aggregate_json(&a);
	body = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return body;
}

/*
 * Before anything is sent: a choice made here goes to the profile; else, when
 * an upload is due, the profile is read and an opt-out made elsewhere is
 * adopted (see analytics-daily.h). An opted-out machine makes no request.
 */
static int
settle_choice(const char *home, struct store *st, struct cloud *c, const char *user_id,
    int due, char *err)
{
	int choice = pending_choice(st), remote;

	if (choice != -1) {
		if (analytics_profile_write(c, user_id, choice, err) != 0)
			return -1;
		return sync_state_set(st, KEY_CHOICE, NULL, err);
	}
	if (!due)
		return 0;
	if (analytics_profile_read(c, user_id, &remote, err) != 0)
		return -1;
	return remote ? 0 : config_set_analytics(home, 0, err);
}

int
analytics_daily(const char *home, struct store *st, struct cloud *c, const char *user_id,
    enum analytics_done *done, char *err)
{
	long long now = (long long)time_now();
	int in, due;
	char *body;

	*done = ANALYTICS_OFF;
	if (opted_in(home, &in, err) != 0)
		return -1;
	due = in && now - state_time(st, KEY_UPLOAD) >= ANALYTICS_PERIOD;
	if (settle_choice(home, st, c, user_id, due, err) != 0 ||
	    opted_in(home, &in, err) != 0)
		return -1;
	if (!in)
		return 0;
	*done = ANALYTICS_NOT_DUE;
	if (!due)
		return 0;
	if ((body = analytics_upload_body(st, err)) == NULL)
		return -1;
	if (analytics_upload_send(c, body, err) != 0) {
		free(body);
		return -1;
	}
	free(body);
	*done = ANALYTICS_SENT;
	return set_time(st, KEY_UPLOAD, now, err);
}
