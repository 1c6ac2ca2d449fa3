/*
 * The decisions of a pull and of a merge, apart from the store and the
 * network that carry them out (pull.c, merge.c), so they can be tested on
 * their own (tests/unit/test-decide.c).
 */
#ifndef AL_SYNC_DECIDE_H
#define AL_SYNC_DECIDE_H

#include <cjson/cJSON.h>

/* What a pull does with one cloud row. */
enum pull_step {
	PULL_TAKE,		/* new here, or newer in the cloud: written, synced */
	PULL_MERGE,		/* a commit edited here too: merged field by field */
	PULL_HAVE,		/* the very row held here: nothing */
	PULL_TAKE_TIE,		/* same clock, other content: the one the cloud kept */
	PULL_KEEP_OURS,		/* ours is newer: kept, the cloud's version noted as its base */
	PULL_NOW_SYNCED,	/* the cloud holds exactly our pending edit */
};

/*
 * have_local: the row exists here; synced: its sync_status is 'synced';
 * commit: a cognitive_commits row; cmp: rows_clock_cmp(cloud, local);
 * identical: every field equal.
 */
enum pull_step pull_decide(int have_local, int synced, int commit, int cmp, int identical);

/* What a merge does with one field of a commit edited on both sides. */
enum merge_step {
	MERGE_SAME,		/* nothing to do: equal, or a clock field */
	MERGE_TAKE_CLOUD,	/* only the cloud changed it, or a newer transcript value */
	MERGE_KEEP_LOCAL,	/* only this machine changed it, or an older transcript value */
	MERGE_CONFLICT_CLOUD,	/* both changed a curation field: the cloud's later write wins */
	MERGE_CONFLICT_LOCAL,	/* the same, this machine's later write wins */
	MERGE_CONFLICT_HELD,	/* the same, held for the person (sync.conflicts manual) */
};

/*
 * Field f of the local row, the cloud row and the base (the last state both
 * agreed on; NULL when there is none: everything counts as changed), given
 * whether the cloud's clock is newer and whether conflicts are held.
 */
enum merge_step merge_decide(const char *f, const cJSON *local, const cJSON *cloud,
    const cJSON *base, int cloud_newer, int manual);

/* Whether a person edits the field (a true conflict is possible), not the transcript. */
int merge_is_curation(const char *f);

#endif
