#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "privacy/analytics-cloud.h"
#include "sync/cloud.h"
#include "util/log.h"
#include "util/timeutil.h"

/* One request that must answer 2xx; what names it in the error. */
static int
call(struct cloud *c, const char *method, const char *path, const char *body,
    const char *const *headers, struct cloud_response *r, const char *what, char *err)
{
	int rc = cloud_call(c, method, path, body, body != NULL ? strlen(body) : 0, headers, r,
	    err);

	if (rc == 0 && (r->status < 200 || r->status > 299))
		rc = cloud_refused(r, what, err);
	return rc;
}

int
analytics_profile_read(struct cloud *c, const char *user_id, int *opt_in, char *err)
{
	struct cloud_response r = { 0 };
	char path[160];
	cJSON *j = NULL, *v;
	int rc;

	snprintf(path, sizeof path, "/rest/v1/user_profiles?id=eq.%s&select=analytics_opt_in",
	    user_id);
	rc = call(c, "GET", path, NULL, NULL, &r, "cannot read the analytics choice", err);
	if (rc == 0 && ((j = cJSON_ParseWithLength(r.body.buf, r.body.len)) == NULL ||
	    !cJSON_IsArray(j)))
		rc = seterr(err, "the cloud answered the profile with something other than a list");
	if (rc == 0) {
		v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(j, 0), "analytics_opt_in");
		*opt_in = cJSON_IsTrue(v);
	}
	cJSON_Delete(j);
	cloud_response_free(&r);
	return rc;
}

int
analytics_profile_write(struct cloud *c, const char *user_id, int opt_in, char *err)
{
	static const char *const prefer[] = {
		"Prefer: resolution=merge-duplicates,return=minimal", NULL
	};
	struct cloud_response r = { 0 };
	char body[200], now[32], path[160];
	int rc;

	time_now_iso(now);
	snprintf(body, sizeof body, "{\"id\":\"%s\",\"analytics_opt_in\":%s,\"updated_at\":\"%s\"}",
	    user_id, opt_in ? "true" : "false", now);
	rc = call(c, "POST", "/rest/v1/user_profiles?on_conflict=id", body, prefer, &r,
	    "cannot record the analytics choice in your profile", err);
	cloud_response_free(&r);
	if (rc != 0 || opt_in)
		return rc;
	/* Out means out: what this person uploaded before leaves the totals too. */
	snprintf(path, sizeof path, "/rest/v1/analytics_uploads?user_id=eq.%s", user_id);
	rc = call(c, "DELETE", path, NULL, NULL, &r, "cannot delete your analytics uploads", err);
	cloud_response_free(&r);
	return rc;
}

int
analytics_upload_send(struct cloud *c, const char *body, char *err)
{
	static const char *const prefer[] = {
		"Prefer: resolution=merge-duplicates,return=minimal", NULL
	};
	struct cloud_response r = { 0 };
	int rc;

	/* user_id and day are the row's defaults (auth.uid(), today in UTC): never sent. */
	rc = call(c, "POST", "/rest/v1/analytics_uploads?on_conflict=user_id,day", body, prefer,
	    &r, "cannot upload the analytics", err);
	cloud_response_free(&r);
	return rc;
}
