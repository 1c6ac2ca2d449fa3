/*
 * Pull: the cloud's change feed since the saved cursor, applied page by page
 * (see pull.c).
 */
#ifndef AL_SYNC_PULL_H
#define AL_SYNC_PULL_H

#include "sync/engine.h"

int sync_pull(struct sync_ctx *sc, struct sync_counts *n, char *err);

/* The pull cursor's sync_state key for this login's cloud and user. */
char *sync_cursor_key(const struct sync_ctx *sc);
/* The same for a login read from auth.json. */
char *sync_cursor_key_of(const struct auth_session *a);

#endif
