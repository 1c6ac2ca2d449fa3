#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/internal.h"
#include "store/order-position.h"
#include "util/xmalloc.h"

static const char *
ordinal_suffix(long long n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	switch (n % 10) {
	case 1:
		return "st";
	case 2:
		return "nd";
	case 3:
		return "rd";
	default:
		return "th";
	}
}

void
order_position_words(char *out, size_t size, long long pos, long long total, const char *after)
{
	if (after != NULL)
		snprintf(out, size, "%lld%s of %lld, after %s", pos, ordinal_suffix(pos), total,
		    after);
	else
		snprintf(out, size, "%lld%s of %lld, at the top", pos, ordinal_suffix(pos), total);
}

/*
 * The commit's project's other shown commits that the list puts above it
 * (?1 the commit, ?2 the order it would have): the list runs newest first.
 */
#define ABOVE " FROM cognitive_commits c JOIN cognitive_commits o" \
	" ON o.project_id IS c.project_id AND o.id <> c.id" \
	" WHERE c.id = ?1 AND o.deleted_at IS NULL AND o.hidden = 0" \
	" AND (o.display_order, o.started_at, o.id) > (?2, c.started_at, c.id)"

char *
order_position(struct store *st, const char *commit_id, long long order, char *err)
{
	sqlite3_stmt *s = store_cached(st, "SELECT (SELECT count(*)" ABOVE "),"
	    " (SELECT count(*) FROM cognitive_commits c JOIN cognitive_commits o"
	    "   ON o.project_id IS c.project_id AND o.id <> c.id"
	    "   WHERE c.id = ?1 AND o.deleted_at IS NULL AND o.hidden = 0),"
	    " (SELECT coalesce(nullif(o.title, ''), nullif(o.git_subject, ''), o.first_prompt, '')"
	    ABOVE " ORDER BY o.display_order, o.started_at, o.id LIMIT 1),"
	    " EXISTS (SELECT 1 FROM cognitive_commits WHERE id = ?1)", err);
	char words[512], *text = NULL;
	int rc;

	err[0] = '\0';
	if (s == NULL)
		return NULL;
	store_bind_text(s, 1, commit_id);
	sqlite3_bind_int64(s, 2, order);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW && sqlite3_column_int(s, 3)) {
		long long above = sqlite3_column_int64(s, 0);
		order_position_words(words, sizeof words, above + 1,
		    sqlite3_column_int64(s, 1) + 1, above > 0 ?
		    (const char *)sqlite3_column_text(s, 2) : NULL);
		text = xstrdup(words);
	} else if (rc != SQLITE_ROW)
		store_fail(st, "placing a commit in its project's order", err);
	sqlite3_reset(s);
	return text;
}
