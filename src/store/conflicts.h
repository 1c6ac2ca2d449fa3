/*
 * The conflicts table: a curation field that two machines changed
 * differently. Settled ones (winner set by last-write-wins) wait for review;
 * held ones (winner NULL, sync.conflicts = manual) wait for a decision and
 * keep their commit out of pushes. Resolving writes a new version.
 */
#ifndef AL_STORE_CONFLICTS_H
#define AL_STORE_CONFLICTS_H

#include <cjson/cJSON.h>

struct store;

struct conflict_row {
	const char *id;			/* a UUID, derived (conflicts_record) */
	const char *record_id;
	const char *field;
	const char *local_value;	/* JSON */
	const char *cloud_value;	/* JSON */
	const char *winner;		/* "local", "cloud" or NULL (held) */
	const char *detected_at;
	long long local_version, cloud_version;	/* of the commit, when the sync saw it */
	const char *local_machine;	/* machine-ids: whose value each side was */
	const char *cloud_machine;
	const char *table;		/* the record's table: cognitive_commits (for now, always) */
};

/*
 * Every record is written from the view of the machine that found it, and
 * synced as it is (sync/tables.c). The functions below that take `me` (this
 * machine's id) show and take it from this machine's view: on any other
 * machine the sides swap, as the finder's value reached it through the cloud.
 * So on the machine whose value lost to the last write, its own value is
 * "local" and the winner "cloud". A record without local_machine (found
 * before conflicts synced) is this machine's.
 */

typedef int (*conflict_cb)(const struct conflict_row *, void *);

/*
 * Records the conflict c (its record_id, field, values, versions, machines
 * and winner; id and detected_at are ignored: derived, detected now). The id
 * comes from the commit, the field and the two values, whichever side holds
 * which: the same disagreement found again (or by the other machine) is the
 * same record, reopened if it was closed; a different one on the same field
 * is a record of its own, so no lost value is overwritten. It goes up with
 * the next push. 0, or -1 with err.
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

/* The open conflicts (resolved_at NULL), oldest first, from me's view. */
int conflicts_list(struct store *st, const char *me, conflict_cb cb, void *arg, char *err);

/*
 * Settles the open conflicts of a commit: field NULL means all of them. side
 * is "local" or "cloud", from me's view. The records turn resolved (by me)
 * and go up, so every machine closes them. Returns how many, or -1.
 */
int conflicts_resolve(struct store *st, const char *me, const char *commit_id,
    const char *field, const char *side, char *err);

/* The fields that can conflict (curation and tombstones), in the resolve pane's order. */
#define CONFLICT_FIELDS 5
extern const char *const conflict_fields[CONFLICT_FIELDS];

/* One field of a commit as both sides have it; the values are JSON text. */
struct conflict_side {
	const char *field;
	char *local;		/* this machine's; NULL when the commit is not here */
	char *cloud;		/* the cloud's; NULL when it never synced */
	char conflict[40];	/* the open conflict's id, "" when none */
	char winner[8];		/* with a conflict: "" held, "local" or "cloud" settled */
};

/*
 * Both sides of every field of conflict_fields for a commit: for a field in
 * conflict the two values the sync saw, else the commit here and its last
 * synced state (the cloud's, as the last pull left it). 0, or -1 with err.
 */
int conflicts_sides(struct store *st, const char *me, const char *commit_id,
    struct conflict_side out[CONFLICT_FIELDS], char *err);
void conflicts_sides_free(struct conflict_side out[CONFLICT_FIELDS]);

/*
 * Acknowledges the settled (last-write) open conflicts of a commit, field
 * NULL meaning all of them, commit_id NULL those of every commit, leaving the
 * commits as the last write made them: no new version of a commit. The
 * records turn acknowledged (by me) and go up. Returns how many, or -1.
 */
int conflicts_review(struct store *st, const char *me, const char *commit_id,
    const char *field, char *err);

/*
 * After a pull wrote the record row (its sync/tables.c columns): a conflict
 * closed on another machine. A commit held here for it, with no held conflict
 * left, is released: the chosen value (if one was chosen) goes into the
 * commit, which goes up again. 0, or -1 with err.
 */
int conflicts_closed_elsewhere(struct store *st, const cJSON *row, char *err);

#endif
