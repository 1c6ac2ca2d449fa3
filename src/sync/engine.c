#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "store/db.h"
#include "sync/account.h"
#include "sync/cloud.h"
#include "sync/engine.h"
#include "sync/rows.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/xmalloc.h"

/* A few MB a request: big enough to amortise the round trip, small enough to retry. */
#define BATCH_BYTES (4u << 20)

int
sync_open(struct sync_ctx *sc, const char *home, char *err)
{
	struct config *cfg;
	char *path;
	int rc;

	memset(sc, 0, sizeof *sc);
	sc->home = home;
	sc->batch_bytes = BATCH_BYTES;
	if (getenv("AGENTLOGS_PUSH_BATCH_BYTES") != NULL && atol(getenv("AGENTLOGS_PUSH_BATCH_BYTES")) > 0)
		sc->batch_bytes = (size_t)atol(getenv("AGENTLOGS_PUSH_BATCH_BYTES"));
	if ((cfg = config_load(home, err)) == NULL)
		return -1;
	sc->manual = strcmp(config_get(cfg, "sync.conflicts"), "manual") == 0;
	sc->cloud = cloud_new(config_get(cfg, "cloud.url"), config_get(cfg, "cloud.anon-key"), err);
	config_free(cfg);
	if (sc->cloud == NULL)
		return -1;
	if ((rc = session_attach(home, &sc->session, sc->cloud, err)) != 0) {
		cloud_free(sc->cloud);
		sc->cloud = NULL;
		return rc;
	}
	if (account_machine_id(home, sc->machine_id, err) != 0) {
		sync_close(sc);
		return -1;
	}
	path = paths_in_home(home, "data.db");
	sc->st = store_open(path, err);
	free(path);
	if (sc->st == NULL) {
		sync_close(sc);
		return -1;
	}
	return 0;
}

void
sync_close(struct sync_ctx *sc)
{
	if (sc->st != NULL) {
		rows_finish(sc->st);
		store_close(sc->st);
	}
	cloud_free(sc->cloud);
	session_free(&sc->session);
	memset(sc, 0, sizeof *sc);
}

long
sync_open_conflicts(struct store *st, char *err)
{
	long long n = 0;

	if (store_query_int(st, &n, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL"
	    " AND winner IS NULL", err) != 0)
		return -1;
	return (long)n;
}
