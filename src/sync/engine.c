#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "store/curate.h"
#include "privacy/redact.h"
#include "store/db.h"
#include "store/redact-fn.h"
#include "store/sync-state.h"
#include "sync/account.h"
#include "sync/cloud.h"
#include "sync/e2e-account.h"
#include "sync/engine.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* A few MB a request: big enough to amortise the round trip, small enough to retry. */
#define BATCH_BYTES (4u << 20)
/* The most pull_changes hands out in one page (hosted Supabase's read cap). */
#define PAGE_ROWS 1000

int
sync_open(struct sync_ctx *sc, const char *home, char *err)
{
	return sync_open_abortable(sc, home, NULL, err);
}

int
sync_open_abortable(struct sync_ctx *sc, const char *home, const atomic_int *abort_flag,
    char *err)
{
	struct config *cfg;
	const char *env;
	char *path;
	int rc, e2e_on;

	memset(sc, 0, sizeof *sc);
	sc->home = home;
	sc->batch_bytes = BATCH_BYTES;
	sc->page_rows = PAGE_ROWS;
	/* Tests make batches and pages small, to have many of them. */
	if ((env = getenv("AGENTLOGS_PUSH_BATCH_BYTES")) != NULL && atol(env) > 0)
		sc->batch_bytes = (size_t)atol(env);
	if ((env = getenv("AGENTLOGS_PULL_PAGE_ROWS")) != NULL && atoi(env) > 0 &&
	    atoi(env) < PAGE_ROWS)
		sc->page_rows = atoi(env);
	if ((cfg = config_load(home, err)) == NULL)
		return -1;
	if (!config_storage_cloud(cfg)) {
		config_free(cfg);
		seterr(err, "%s", SYNC_STORAGE_LOCAL_MSG);
		return SYNC_OPEN_LOCAL;
	}
	sc->manual = strcmp(config_get(cfg, "sync.conflicts"), "manual") == 0;
	e2e_on = config_get_bool(cfg, "e2e");
	/* Fail closed: a redactor the config breaks means no sync at all. */
	if ((sc->redactor = redactor_from_config(cfg, err)) == NULL) {
		config_free(cfg);
		return -1;
	}
	sc->cloud = cloud_new(config_get(cfg, "cloud.url"), config_get(cfg, "cloud.anon-key"), err);
	config_free(cfg);
	if (sc->cloud == NULL) {
		redactor_free(sc->redactor);
		sc->redactor = NULL;
		return -1;
	}
	cloud_set_abort(sc->cloud, abort_flag);
	if ((rc = auth_session_attach(home, &sc->auth, sc->cloud, err)) != 0) {
		cloud_free(sc->cloud);
		sc->cloud = NULL;
		redactor_free(sc->redactor);
		sc->redactor = NULL;
		return rc;
	}
	if (account_machine_id(home, sc->machine_id, err) != 0) {
		sync_close(sc);
		return -1;
	}
	path = paths_in_home(home, "data.db");
	sc->st = store_open(path, err);
	free(path);
	/* Before anything is read from or sent to the cloud's synced tables. */
	if (sc->st == NULL || store_set_redactor(sc->st, sc->redactor, err) != 0 ||
	    e2e_gate(sc, e2e_on, err) != 0) {
		sync_close(sc);
		return -1;
	}
	return 0;
}

void
sync_close(struct sync_ctx *sc)
{
	store_close(sc->st);
	cloud_free(sc->cloud);
	auth_session_free(&sc->auth);
	if (sc->e2e != NULL)
		e2e_key_wipe(sc->e2e, sizeof *sc->e2e);
	free(sc->e2e);
	redactor_free(sc->redactor);
	memset(sc, 0, sizeof *sc);
}

/*
 * The cloud's answer to a purge: the cut-off it used, in the store's time
 * format, into horizon. The store's tombstones carry the cloud's deleted_at,
 * so both sides purge by the cloud's clock, whatever this machine's says.
 */
static int
purge_horizon(const struct cloud_response *r, char horizon[32], char *err)
{
	cJSON *answer = cJSON_ParseWithLength(r->body.buf, r->body.len);
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(answer, "horizon");
	long long ms = cJSON_IsString(h) ? time_parse_iso_ms(h->valuestring) : -1;

	cJSON_Delete(answer);
	if (ms < 0)
		return seterr(err, "the cloud answered a purge without its cut-off"
		    " (are its migrations applied?)");
	time_format_iso_ms(ms, horizon);
	return 0;
}

/*
 * Tombstones the cloud deleted more than 30 days ago go, there and here, at
 * most once a day (the day's first sync), so a sync with nothing to do stays
 * cheap. Only "once a day" goes by this machine's clock.
 */
int
sync_purge(struct sync_ctx *sc, long *purged, char *err)
{
	struct cloud_response r = { 0 };
	long long now = (long long)time_now(), last;
	char horizon[32], *v = sync_state_get(sc->st, "last_purge");
	int rc;

	*purged = 0;
	last = v != NULL ? atoll(v) : 0;
	free(v);
	if (now - last < 86400 && now >= last)
		return 0;
	rc = cloud_call(sc->cloud, "POST", "/rest/v1/rpc/purge_tombstones", "{}", 2, NULL, &r,
	    err);
	if (rc == 0 && r.status != 200)
		rc = cloud_refused(&r, "the cloud refused to purge tombstones", err);
	if (rc == 0)
		rc = purge_horizon(&r, horizon, err);
	cloud_response_free(&r);
	if (rc == 0)
		rc = curate_purge(sc->st, horizon, purged, err);
	if (rc == 0) {
		char stamp[32];
		snprintf(stamp, sizeof stamp, "%lld", now);
		rc = sync_state_set(sc->st, "last_purge", stamp, err);
	}
	return rc;
}
