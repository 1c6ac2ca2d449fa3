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
	long long local_version, cloud_version;	/* of the commit, when the sync saw it */
};

typedef int (*conflict_cb)(const struct conflict_row *, void *);

/*
 * Records the conflict c (its record_id, field, values, versions and winner;
 * id and detected_at are ignored: detected now). A record's field has one
 * open conflict: a repeat updates it. 0, or -1 with err.
 */
int conflicts_record(struct store *st, const struct conflict_row *c, char *err);

/* Open conflicts, counted: all of them, or with commit_id those of one commit. */
struct conflict_counts {
	long long held;		/* waiting for the person's decision (winner NULL) */
	long long settled;	/* settled by the last write, waiting for review */
	long long commits;	/* commits with either */
};

int conflicts_count(struct store *st, const char *commit_id, struct conflict_counts *n,
    char *err);

/* The open conflicts (resolved_at NULL), oldest first. */
int conflicts_list(struct store *st, conflict_cb cb, void *arg, char *err);

/*
 * Settles the open conflicts of a commit: field NULL means all of them. side
 * is "local" or "cloud". Returns how many were settled, or -1.
 */
int conflicts_resolve(struct store *st, const char *commit_id, const char *field,
    const char *side, char *err);

/* The fields that can conflict (curation and tombstones), in the resolve pane's order. */
#define CONFLICT_FIELDS 5
extern const char *const conflict_fields[CONFLICT_FIELDS];

/* One field of a commit as both sides have it; the values are JSON text. */
struct conflict_side {
	const char *field;
	char *local;		/* this machine's; NULL when the commit is not here */
	char *cloud;		/* the cloud's; NULL when it never synced */
	long long conflict;	/* the open conflict's id, 0 when none */
	char winner[8];		/* with a conflict: "" held, "local" or "cloud" settled */
};

/*
 * Both sides of every field of conflict_fields for a commit: for a field in
 * conflict the two values the sync saw, else the commit here and its last
 * synced state (the cloud's, as the last pull left it). 0, or -1 with err.
 */
int conflicts_sides(struct store *st, const char *commit_id,
    struct conflict_side out[CONFLICT_FIELDS], char *err);
void conflicts_sides_free(struct conflict_side out[CONFLICT_FIELDS]);

/*
 * Marks the settled (last-write) open conflicts of a commit reviewed, field
 * NULL meaning all of them, leaving the commit as the last write made it: no
 * new version. Returns how many, or -1.
 */
int conflicts_review(struct store *st, const char *commit_id, const char *field, char *err);

#endif
