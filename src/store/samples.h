/*
 * The bundled samples in a store: imported on a first run only (an empty
 * store, no account, no transcripts), marked by project, never pushed nor
 * counted in analytics, and removed when the first real transcript arrives
 * or on `agentlogs samples --remove`.
 */
#ifndef AL_STORE_SAMPLES_H
#define AL_STORE_SAMPLES_H

struct store;

/* 1 when the store holds no project and no commit (tombstones count), 0, or -1. */
int samples_store_is_empty(struct store *st, char *err);
/* 1 when the store holds samples, 0, or -1. */
int samples_present(struct store *st, char *err);
/* Marks a project (the samples' import just wrote it) and its rows as samples. */
int samples_mark(struct store *st, const char *project_id, char *err);
/* Deletes every sample row, and what import remembers of their transcripts:
 * the commits removed (0 when there were none), or -1. In the caller's transaction. */
long samples_remove(struct store *st, char *err);

#endif
