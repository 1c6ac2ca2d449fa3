/*
 * A postgres_changes filter as Supabase Realtime takes it: column=op.value,
 * op one of eq, neq, lt, lte, gt, gte, in ("in.(a,b)"). Parsed into SQL on
 * the row t with the value bound, never spliced: the column may only hold
 * identifier characters, so quoting it is enough.
 */
#ifndef AGENTLOGS_SERVER_REALTIME_FILTER_H
#define AGENTLOGS_SERVER_REALTIME_FILTER_H

#include <stddef.h>

#include "util/strbuf.h"

/* Which column an eq filter names, for matching a change without reading its row. */
enum rt_filter_col { RT_FILTER_OTHER, RT_FILTER_USER_ID, RT_FILTER_ID };

struct rt_filter {
	enum rt_filter_col col;	/* RT_FILTER_OTHER unless op is eq */
	char *value;		/* the value as written (in: "(a,b)") */
	char *sql;		/* "t.\"column\" <op>" */
	int in;			/* op is in: sql takes "any($n)" */
	char *param;		/* the value to bind (in: an array literal {"a","b"}) */
};

/* f into out: 0, or -1 with why (a one-line message, as Supabase words it). */
int rt_filter_parse(const char *f, struct rt_filter *out, char *why, size_t whylen);

/* Appends the filter's condition on row t with its value as parameter $n. */
void rt_filter_sql(const struct rt_filter *f, int n, struct strbuf *sb);

/* dst a copy of src, sharing nothing with it. */
void rt_filter_copy(struct rt_filter *dst, const struct rt_filter *src);
void rt_filter_free(struct rt_filter *f);

#endif
