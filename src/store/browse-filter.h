/*
 * The commit list's filter and sort (like neomutt's limit): a small query
 * language typed in the browser, parsed here into terms the list's SQL binds
 * (store/browse.c), so a filtered list is still read a page at a time.
 *
 *   words "a phrase"   the title, first prompt or git subject holds each (any case)
 *   project:NAME       the project's name holds NAME (any case)
 *   since:YYYY-MM-DD   started on or after that day (UTC)
 *   until:YYYY-MM-DD   started on or before that day (UTC)
 *   tool:NAME          a turn of the commit called the tool NAME (any case)
 *   is:STATE, not:STATE  published, hidden, pending or conflict (or not)
 */
#ifndef AL_STORE_BROWSE_FILTER_H
#define AL_STORE_BROWSE_FILTER_H

#define BROWSE_FILTER_WORDS 8

struct browse_filter {
	char *words[BROWSE_FILTER_WORDS];
	int nwords;
	char *project;		/* or NULL */
	char *tool;		/* or NULL */
	char since[11], until[11];	/* YYYY-MM-DD or "" */
	/* 1: must be, 0: must not be, -1: either. */
	int published, hidden, pending, conflict;
};

/* The orders a commit list can take; DEFAULT is newest first, or a project's curated order. */
enum browse_sort {
	BROWSE_SORT_DEFAULT,
	BROWSE_SORT_DATE,
	BROWSE_SORT_TURNS,
	BROWSE_SORT_TOKENS,
	BROWSE_SORT_DURATION,
	BROWSE_SORT_COUNT
};

/* An empty filter: every term at "either". */
void browse_filter_init(struct browse_filter *f);
void browse_filter_free(struct browse_filter *f);
/* Whether f keeps every commit. */
int browse_filter_empty(const struct browse_filter *f);
/*
 * text into f (freed and set again): 0, or -1 with err naming the bad term and
 * f left empty. An empty or blank text is the empty filter.
 */
int browse_filter_parse(struct browse_filter *f, const char *text, char *err);
/* f written back in the language (normalised), malloc'd; "" when empty. */
char *browse_filter_text(const struct browse_filter *f);
/* "date", "turns", "tokens", "duration" ("default" for DEFAULT). */
const char *browse_sort_name(enum browse_sort s);

#endif
