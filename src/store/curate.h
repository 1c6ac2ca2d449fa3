/*
 * Curation: the edits people make to a commit (title, publish, hide, order,
 * delete). Each one bumps the commit's version and marks it pending, in one
 * transaction, so sync carries it and last-write-wins can order it. The CLI
 * and the TUI both call these.
 */
#ifndef AL_STORE_CURATE_H
#define AL_STORE_CURATE_H

struct store;

/* NULL clears the title. */
int curate_title(struct store *st, const char *id, const char *title, char *err);
/* field: "published" or "hidden". */
int curate_flag(struct store *st, const char *id, const char *field, int on, char *err);
/* Moves id just before (after = 0) or after other, among its project's commits. */
int curate_move(struct store *st, const char *id, const char *other, int after, char *err);
/* A tombstone: gone from every view and, after sync, from every machine. */
int curate_remove(struct store *st, const char *id, char *err);

/*
 * Deletes the synced tombstones deleted before horizon (the cloud's cut-off,
 * ISO 8601 as the store keeps times: deleted_at comes from the cloud's clock),
 * with their children. *purged: the commits deleted.
 */
int curate_purge(struct store *st, const char *horizon, long *purged, char *err);
/*
 * Inside the caller's transaction: deletes the commits matching where (SQL
 * over a table's own columns, ?1 bound to arg) with everything under them, and
 * the sessions, turns and visuals matching where. *commits: the commits deleted.
 */
int curate_drop(struct store *st, const char *where, const char *arg, long *commits,
    char *err);

#endif
