/*
 * The sync core shared by the CLI (push, pull, sync, --sync-once) and the
 * TUI's sync thread (ARCHITECTURE §5): what a sync works with, opened and
 * closed here; its steps are sync/push.h, sync/pull.h and sync/merge.h. It owns no threads: the caller gives
 * it a store connection of its own and a logged-in cloud client.
 */
#ifndef AL_SYNC_ENGINE_H
#define AL_SYNC_ENGINE_H

#include <stdatomic.h>

#include "sync/auth-session.h"
#include "sync/tables.h"
#include "util/uuid.h"

struct store;
struct cloud;
struct progress;
struct e2e_keyring;
struct redactor;

struct sync_ctx {
	const char *home;
	struct store *st;
	struct cloud *cloud;
	struct auth_session auth;	/* the login: tokens and user (not a Claude session) */
	char machine_id[UUID_STRLEN];
	int manual;		/* sync.conflicts = manual: hold conflicts for the person */
	size_t batch_bytes;	/* push batches stop growing past this */
	int page_rows;		/* rows a pull asks for per page (1..1000) */
	struct progress *progress;	/* or NULL */
	struct e2e_keyring *e2e;	/* end-to-end encryption on: the keys; else NULL */
	struct redactor *redactor;	/* what leaves redacted (privacy/redact.h) */
};

/* A push or pull shows its progress bar once it has run this long. */
#define PROGRESS_AFTER_MS 1000

struct sync_counts {
	long pushed[NTABLES];	/* rows the cloud took */
	long unchanged;		/* rows the cloud already had */
	long stale;		/* rows the cloud had newer (settled by the next pull) */
	long pulled[NTABLES];	/* rows written here from the cloud */
	long merged;		/* commits merged field by field */
	long conflicts;		/* true conflicts found */
	long held;		/* of those, held for the person (manual mode) */
	/*
	 * The pull's last page said rows of ours wait behind an older
	 * transaction in the cloud's database: they come with a later pull.
	 */
	int held_back;
};

/* sync_open's answer when the config says storage = local: no request at all. */
#define SYNC_OPEN_LOCAL 2
#define SYNC_STORAGE_LOCAL_MSG \
	"storage = local: nothing goes to the cloud (agentlogs config set storage cloud turns sync on)"

/*
 * Opens everything a sync needs for home: store, config, cloud client and the
 * session (refreshed when due). Returns 0, 1 when logged out, SYNC_OPEN_LOCAL
 * (err filled) when storage = local, before anything touches the network;
 * -1 on error.
 */
int sync_open(struct sync_ctx *sc, const char *home, char *err);
/*
 * The same, with the cloud client's abort flag (cloud_set_abort) set before
 * the session is refreshed, so that nothing it does waits on the network once
 * the flag is up (the TUI's quit).
 */
int sync_open_abortable(struct sync_ctx *sc, const char *home, const atomic_int *abort_flag,
    char *err);
void sync_close(struct sync_ctx *sc);

/* Purges tombstones older than 30 days by the cloud's clock, there and here, once a day. */
int sync_purge(struct sync_ctx *sc, long *purged, char *err);

#endif
