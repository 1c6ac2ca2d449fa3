/*
 * The lists' filter and the commit list's sort (like neomutt's limit): a small
 * query language typed in the browser, parsed here into terms the list's SQL
 * binds (store/browse-filter-sql.c), so a filtered list is still read a page
 * at a time; the conflicts list (a few rows) is filtered as it is read.
 *
 *   words "a phrase"   the title, first prompt or git subject holds each (any case)
 *   project:NAME       the project's name holds NAME (any case)
 *   since:YYYY-MM-DD   started on or after that day (UTC)
 *   until:YYYY-MM-DD   started on or before that day (UTC)
 *   tool:NAME          a turn of the commit called the tool NAME (any case)
 *   is:STATE, not:STATE  published, hidden, pending or conflict (or not)
 *
 * Each list takes the terms that apply to it (enum browse_filter_list): the
 * pending list all but is:pending; the conflicts list words (its commit,
 * field and values), project:, since: and until: (when it was found),
 * field:NAME, table:NAME and is:held or is:settled.
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
	char *field, *table;	/* a conflict's; or NULL */
	/* 1: must be, 0: must not be, -1: either. */
	int published, hidden, pending, conflict;
	int held;		/* a conflict waiting for a decision (0: settled by the last write) */
};

/* The lists a filter is typed in, which take different terms. */
enum browse_filter_list {
	BROWSE_FILTER_COMMITS,
	BROWSE_FILTER_PENDING,
	BROWSE_FILTER_CONFLICTS,
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
/* The same for list's filter: a term list does not take is an error naming those it does. */
int browse_filter_parse_for(struct browse_filter *f, const char *text,
    enum browse_filter_list list, char *err);
/* f written back in the language (normalised), malloc'd; "" when empty. */
char *browse_filter_text(const struct browse_filter *f);
/* "date", "turns", "tokens", "duration" ("default" for DEFAULT). */
const char *browse_sort_name(enum browse_sort s);

#endif
