/*
 * The conflicts table: a curation field that two machines changed
 * differently. Settled ones (winner set by last-write-wins) wait for review;
 * held ones (winner NULL, sync.conflicts = manual) wait for a decision and
 * keep their commit out of pushes. Resolving writes a new version.
 */
#ifndef AL_STORE_CONFLICTS_H
#define AL_STORE_CONFLICTS_H

struct store;

struct conflict_row {
	long long id;
	const char *record_id;
	const char *field;
	const char *local_value;	/* JSON */
	const char *cloud_value;	/* JSON */
	const char *winner;		/* "local", "cloud" or NULL (held) */
	const char *detected_at;
};

typedef int (*conflict_cb)(const struct conflict_row *, void *);

/* The open conflicts (resolved_at NULL), oldest first. */
int conflicts_list(struct store *st, conflict_cb cb, void *arg, char *err);

/*
 * Settles the open conflicts of a commit: field NULL means all of them. side
 * is "local" or "cloud". Returns how many were settled, or -1.
 */
int conflicts_resolve(struct store *st, const char *commit_id, const char *field,
    const char *side, char *err);

#endif
