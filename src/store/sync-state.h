/*
 * The sync_state table: small named values the sync keeps in the store (the
 * pull cursor, the last sync and its error, the last purge), written in the
 * same transaction as the data they describe when there is one.
 */
#ifndef AL_STORE_SYNC_STATE_H
#define AL_STORE_SYNC_STATE_H

struct store;

/* The value of key, newly allocated, or NULL when unset. */
char *sync_state_get(struct store *st, const char *key);
/* Sets key to value; NULL deletes it. */
int sync_state_set(struct store *st, const char *key, const char *value, char *err);

#endif
