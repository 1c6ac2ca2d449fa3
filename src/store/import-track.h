/*
 * An import rebuilds each commit it reads from the transcript's first line,
 * so a row already in the store (from an earlier import, or pulled from the
 * cloud) passes through intermediate states on its way back to what it was:
 * each of those writes marks it pending. Tracking remembers every row as it
 * was before the import first changed it; settling puts back the version,
 * sync state and update time of each row that ended exactly as it began, so
 * an import never dirties what the cloud already has.
 */
#ifndef AL_STORE_IMPORT_TRACK_H
#define AL_STORE_IMPORT_TRACK_H

struct store;

/* Starts remembering rows (outside a transaction; on this connection only). */
int import_track_begin(struct store *st, char *err);
/* Inside the import's last transaction: unchanged rows are as they were. */
int import_track_settle(struct store *st, char *err);
/* Stops remembering (after commit or rollback; safe when never begun). */
void import_track_end(struct store *st);

#endif
