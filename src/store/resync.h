/*
 * A full re-pull after a purge the machine may have missed (src/sync/pull.c):
 * the cloud purged tombstones this machine never pulled, so the feed can no
 * longer tell it those rows went. It pulls everything again, noting each id
 * it sees, and at the end drops the rows it had from the cloud
 * (cloud_version > 0) that the cloud no longer has, or they would come back
 * with its next edit.
 */
#ifndef AL_STORE_RESYNC_H
#define AL_STORE_RESYNC_H

struct store;

/* Forgets the ids seen by an earlier re-pull. Inside the caller's transaction. */
int resync_reset(struct store *st, char *err);
/* Notes that the cloud has the n ids. Inside the caller's transaction. */
int resync_seen(struct store *st, const char *const *ids, int n, char *err);
/*
 * Drops the rows the re-pull never saw, with their children, and forgets the
 * ids. Inside the caller's transaction. *commits: the commits dropped.
 */
int resync_sweep(struct store *st, long *commits, char *err);

#endif
