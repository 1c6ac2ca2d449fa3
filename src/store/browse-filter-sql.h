/*
 * A commit filter (store/browse-filter.h) as SQL terms over cognitive_commits
 * aliased c, for every list of commits (the commit list, the pending list):
 * each typed value is a named parameter that browse_filter_bind binds, so no
 * text typed in the browser reaches the SQL itself.
 */
#ifndef AL_STORE_BROWSE_FILTER_SQL_H
#define AL_STORE_BROWSE_FILTER_SQL_H

#include <sqlite3.h>

#include "store/browse-filter.h"
#include "util/strbuf.h"

/* f's terms, each " AND (...)", onto sql (nothing for f NULL). */
void browse_filter_sql(struct strbuf *sql, const struct browse_filter *f);
/* The values of browse_filter_sql's terms (f NULL: none). */
void browse_filter_bind(sqlite3_stmt *s, const struct browse_filter *f);

/* needle as a LIKE pattern: %needle% with %, _ and \ escaped by \ (malloc'd). */
char *browse_like_pattern(const char *needle);
/* Binds value to the parameter called name, when the statement has one. */
void browse_bind_text(sqlite3_stmt *s, const char *name, const char *value);
void browse_bind_int(sqlite3_stmt *s, const char *name, long long value);

#endif
