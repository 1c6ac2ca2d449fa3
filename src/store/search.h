/*
 * Full-text search over the store (v16's FTS5 tables): the turns' text and
 * tool calls, and the commits' titles and git subjects. Hits come newest
 * first (by when they were written to the store), which FTS5 reads in index
 * order and stops after the limit: a search of a common word on a million
 * turns costs no more than one of a rare one.
 */
#ifndef AL_SEARCH_H
#define AL_SEARCH_H

#include "store/db.h"

/* search_run's result for a query FTS5 cannot read (err says why). */
#define SEARCH_BAD_QUERY (-2)

/* Where a snippet's matched words start and end, before the caller marks them. */
#define SEARCH_MARK_OPEN "\xee\x80\x80"		/* U+E000, a private-use character */
#define SEARCH_MARK_CLOSE "\xee\x80\x81"	/* U+E001 */

/*
 * The apostrophe of a contraction's n't as the index holds it (v18): U+02BC,
 * a letter to unicode61, so "can't" is one word; a query's is glued the same
 * way. SEARCH_CURLY is the typographic apostrophe, U+2019, glued the same.
 */
#define SEARCH_GLUE "\xca\xbc"
#define SEARCH_CURLY "\xe2\x80\x99"

struct search_query {
	const char *text;	/* what the person typed (search_expression) */
	const char *project;	/* a project's name, or NULL for all */
	const char *since;	/* an ISO date or time ("2026-01-19"), or NULL */
	long limit;		/* at most this many hits; > 0 */
	int include_hidden;	/* also hidden commits */
};

struct search_hit {
	const char *commit_id;
	const char *session_id;	/* NULL for a title hit */
	const char *turn_id;	/* NULL for a title hit */
	long long seq;		/* the turn's place in its session; -1 for a title hit */
	const char *role;	/* "user", "assistant"; "title" for a title hit */
	const char *when;	/* the turn's timestamp, or the commit's start */
	const char *project;	/* NULL when the commit has none */
	/* The matched words between SEARCH_MARK_OPEN and SEARCH_MARK_CLOSE; may span lines. */
	const char *snippet;
};

/* Called per hit; a non-zero return stops the search and is returned. */
typedef int (*search_cb)(const struct search_hit *hit, void *arg);

/*
 * The FTS5 expression for text: n't glued as the index holds it (can't is
 * one word); words holding characters FTS5 reads as syntax (foo.bar, it's,
 * a-b, path/to) become quoted phrases, so plain words never fail; quotes,
 * parentheses, AND, OR, NOT, NEAR and a trailing * keep their FTS5 meaning.
 * Newly allocated.
 */
char *search_expression(const char *text);

/*
 * Title hits, then turn hits, newest first, at most q->limit in all; what
 * lies under a tombstone is never a hit. Returns the number of hits, the
 * callback's non-zero value, SEARCH_BAD_QUERY with err ("syntax error near
 * ..."), or -1 with err.
 */
int search_run(struct store *st, const struct search_query *q, search_cb cb, void *arg,
    char *err);

/*
 * An import's or a pull's turns are indexed by the next search, in bulk: open
 * (store/turn-stats-batch.c calls it as a batch begins, sync/pull.c as a page
 * does) notes where the pending turns start, unless some already are; catch_up indexes every pending turn
 * as it is now, in one statement and its own transaction (search_run calls it
 * first, so a search always sees every turn). 0 or -1 with err.
 */
int search_batch_open(struct store *st, char *err);
int search_catch_up(struct store *st, char *err);

/* Call after deleting turns, in the same transaction: keeps every turn added after them pending. */
int search_batch_after_delete(struct store *st, char *err);

/* Makes both indexes again from the rows (FTS5 'rebuild'), in one transaction. */
int search_rebuild(struct store *st, long long *turns, long long *commits, char *err);

#endif
