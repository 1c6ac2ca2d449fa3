/*
 * The browser's queries: pages of commits in both directions from a keyset
 * cursor (the TUI never loads a whole list), projects with their figures
 * counted only when shown, a session's turns paged by seq, search within a
 * session, and the figures of the status bar. Every list follows an index.
 */
#ifndef AL_STORE_BROWSE_H
#define AL_STORE_BROWSE_H

#include "store/browse-filter.h"
#include "store/commits.h"
#include "util/uuid.h"

struct store;

/* A commit as a list shows it; the strings are the row's own copies. */
struct browse_commit {
	char id[UUID_STRLEN];
	char started_at[32];
	char closed_at[32];	/* an open commit's latest record so far */
	char *project;		/* the project's name */
	char *project_id;	/* or NULL */
	char *title;		/* the curated title, or NULL */
	char *git_subject;	/* or NULL */
	char *first_prompt;	/* its first 400 bytes, or NULL */
	char *closed_by;
	char *git_hash;		/* or NULL */
	long long turns;
	long long display_order;
	int published, hidden, parallel;
	int pending;		/* sync_status pending: waits to go up */
	int conflict;		/* an open conflict names it */
	long long sort_key;	/* what a turns, tokens or duration order compares */
};

void browse_commit_clear(struct browse_commit *c);
void browse_commit_copy(struct browse_commit *dst, const struct browse_commit *src);
/* What a list shows as its title: the title, else the git subject, else the first prompt. */
const char *browse_commit_label(const struct browse_commit *c);

/*
 * Which commits, in which order. The filter and sort go into the query, so a
 * filtered or sorted list is still read a page at a time from a keyset cursor.
 * Every project: newest first, by (started_at,
 * id). One project: its curated order (curate_move's display_order, then
 * started_at, then id), last first, so an unordered project is newest first
 * too and moving a commit up puts it after the one above in curate_move's terms.
 */
struct browse_query {
	const char *project_id;	/* NULL: every project */
	int include_hidden;	/* (a filter's is:hidden or not:hidden wins) */
	const struct browse_filter *filter;	/* or NULL */
	/* Another order than the default one, by that then (started_at, id);
	 * ascending turns the list round (oldest, fewest first). */
	enum browse_sort sort;
	int ascending;
	const char *only_id;	/* or the one commit, if it is listed */
	/* Rows after (dir > 0) or before (dir < 0) from in list order; with from
	 * NULL, the first rows (dir > 0) or the last ones (dir < 0). */
	const struct browse_commit *from;
	int dir;
	int limit;
};

/* Fills out[0..n) in list order (whatever dir) and returns n, or -1 with err. */
int browse_commits(struct store *st, const struct browse_query *q, struct browse_commit *out,
    char *err);
/* How many commits q lists (from, dir and limit ignored); -1 on error. */
long long browse_commit_count(struct store *st, const struct browse_query *q, char *err);
/* The one commit id (not tombstoned): 1 found, 0 gone, -1 error. */
int browse_commit_get(struct store *st, const char *id, struct browse_commit *out, char *err);

/* A project; the figures are -1 until browse_project_figures fills them. */
struct browse_project {
	char *id;
	char *name;
	char *path;		/* or NULL */
	char *remote;		/* or NULL */
	long long commits, sessions, turns, hidden;
	char last_activity[32];	/* latest closed_at; "" without commits */
};

/* Every project (there are few), most recently started commit first. */
int browse_projects(struct store *st, struct browse_project **out, size_t *n, char *err);
int browse_project_figures(struct store *st, struct browse_project *p, char *err);
void browse_projects_free(struct browse_project *p, size_t n);
/* Frees what one project row owns. */
void browse_project_clear(struct browse_project *p);

/*
 * A session's turns after (dir > 0, ascending) or before (dir < 0, descending)
 * seq, at most limit, handed to cb as turns_list does.
 */
int browse_turns(struct store *st, const char *session_id, long long seq, int dir, int limit,
    turn_cb cb, void *arg, char *err);
/* A session's turns, and how many come before seq (for "turn 3 of 54"). */
long long browse_turn_count(struct store *st, const char *session_id, char *err);
long long browse_turn_rank(struct store *st, const char *session_id, long long seq, char *err);
/*
 * The first turn after (dir > 0) or before (dir < 0) seq whose text, tool calls
 * (or thinking, with_thinking) hold needle, ignoring ASCII case: 1 with *found
 * set, 0 when none does, -1 on error.
 */
int browse_turn_search(struct store *st, const char *session_id, long long seq, int dir,
    const char *needle, int with_thinking, long long *found, char *err);

/* Commits waiting to go up, and open conflicts: held ones, and settled ones to review. */
int browse_sync_counts(struct store *st, long long *pending, long long *held, long long *settled,
    char *err);
/* SQLite's data_version: it changes when another connection commits. */
long long browse_data_version(struct store *st);

#endif
