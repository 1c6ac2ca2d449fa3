/*
 * Every synced row with content marked to go up again, its version one
 * higher: what turning end-to-end encryption on, or rotating its key, needs
 * (the cloud's copies must be sealed again, and its last-write-wins rule
 * takes only a newer version).
 */
#ifndef AL_STORE_REPUSH_H
#define AL_STORE_REPUSH_H

struct store;

/*
 * In one transaction; *rows gets how many rows were marked. A screenshot
 * whose bytes are here (home's file at its path) is uploaded again as well.
 */
int repush_content_rows(struct store *st, const char *home, long long *rows, char *err);

#endif
