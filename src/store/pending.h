/*
 * What waits to go up: pending commits in the order push sends them
 * (started_at, id), paged from a keyset cursor in both directions, with the
 * pending sessions, turns and visuals of each counted only when asked for, and
 * the projects waiting on their own. The browser's pending view reads these.
 */
#ifndef AL_STORE_PENDING_H
#define AL_STORE_PENDING_H

#include "store/browse-filter.h"
#include "util/strbuf.h"
#include "util/uuid.h"

struct store;

struct pending_commit {
	char id[UUID_STRLEN];
	char started_at[32];
	char *project;		/* the project's name, "?" when unknown */
	char *label;		/* title, else git subject, else the first prompt's start; or NULL */
	int project_pending;	/* its project goes up too */
	int deleted;		/* a tombstone waiting to go up */
	/* The rows of the commit that go up with it; -1 until pending_figures. */
	long long sessions, turns, visuals;
};

void pending_commit_clear(struct pending_commit *c);

/*
 * How pages are read. Without an index on (sync_status, started_at), either
 * the pending commits are found through idx_commits_sync_status and sorted
 * (cheap while they are few), or every commit is walked in order through
 * idx_commits_started (cheap while most are pending, as after a first import
 * that never went up).
 */
enum pending_plan {
	PENDING_SPARSE,
	PENDING_DENSE,
};

/* The plan for this many pending commits; PENDING_SPARSE on error. */
enum pending_plan pending_plan(struct store *st, long long pending);

/*
 * Fills out[0..n) in push order with the pending commits f keeps (f NULL:
 * all) after (dir > 0) or before (dir < 0) from, from itself too with
 * inclusive; with from NULL, the first (dir > 0) or the last (dir < 0) ones.
 * Returns n, or -1 with err.
 */
int pending_commits(struct store *st, enum pending_plan plan, const struct browse_filter *f,
    const struct pending_commit *from, int inclusive, int dir, int limit,
    struct pending_commit *out, char *err);
/* How many pending commits f keeps; with before, how many come before it. -1 on error. */
long long pending_count(struct store *st, enum pending_plan plan, const struct browse_filter *f,
    const struct pending_commit *before, char *err);
/* Counts c's pending sessions, turns and visuals. */
int pending_figures(struct store *st, struct pending_commit *c, char *err);
/* The names of the pending projects, ", " between them, into names (at most max); how many
 * there are in *n. */
int pending_projects(struct store *st, struct strbuf *names, int max, long long *n, char *err);

#endif
