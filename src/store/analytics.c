/*
 * The analytics figures. Each is one aggregate query over commits, or over
 * the per-session figures that triggers keep as turns are written, so no
 * turn is read and no tool call parsed here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/analytics.h"
#include "store/internal.h"
#include "util/log.h"
#include "util/xmalloc.h"

/*
 * The turns' figures are kept per session (turn_stats, tool_stats: migration
 * v14) and the tools' also store-wide (tool_totals), so a run sums one narrow
 * row per session and a few per tool, and takes back what lies under
 * tombstones or belongs to the samples, which is usually nothing; no turn is
 * read. Each dead set is found through an index (partial ones for the
 * tombstones).
 */
#define DEAD_COMMITS \
	" (SELECT id FROM cognitive_commits WHERE deleted_at IS NOT NULL UNION" \
	"  SELECT id FROM cognitive_commits WHERE project_id IN (SELECT id FROM sample_projects))"
#define DEAD_SESSIONS \
	" (SELECT id FROM sessions WHERE deleted_at IS NOT NULL UNION" \
	"  SELECT id FROM sessions WHERE commit_id IN" DEAD_COMMITS ")"

/*
 * A session's typed prompts, counted here when the count is unknown (its
 * turns were written by something other than import or pull). A narrow
 * column of one row per session: summing it is cheap.
 */
#define PROMPTS_OF(a) \
	"coalesce(" a ".prompts, (SELECT count(*) FROM turns x WHERE x.session_id = " a ".session_id" \
	" AND x.deleted_at IS NULL AND x.role = 'user' AND typed_prompt(x.content)))"
/* The sessions' figures summed, over the rows "from" picks (as a). */
#define SESSION_SUMS(from) \
	"SELECT coalesce(sum(a.turns), 0) AS turns, coalesce(sum(" PROMPTS_OF("a") "), 0) AS prompts," \
	" coalesce(sum(a.input_tokens), 0) AS input_tokens," \
	" coalesce(sum(a.output_tokens), 0) AS output_tokens," \
	" coalesce(sum(a.cache_read_tokens), 0) AS cache_read_tokens," \
	" coalesce(sum(a.cache_creation_tokens), 0) AS cache_creation_tokens" from

/* Live commits that are not the bundled samples (never counted). */
#define LIVE_COMMITS(c) \
	" " c "deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM sample_projects sp" \
	" WHERE sp.id = " c "project_id)"

/* Runs a one-row query and stores its integer columns in out[0..n-1]. */
static int
query_ints(struct store *st, const char *sql, long long *const out[], int n, char *err)
{
	sqlite3_stmt *stmt;
	int rc, i;

	if ((stmt = store_prepare(st, sql, err)) == NULL)
		return -1;
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		for (i = 0; i < n; i++)
			*out[i] = sqlite3_column_int64(stmt, i);
		rc = 0;
	} else
		rc = store_fail(st, st->path, err);
	sqlite3_finalize(stmt);
	return rc;
}

static int
commit_figures(struct store *st, struct analytics *a, char *err)
{
	long long *const out[] = { &a->commits, &a->commits_git, &a->commits_session_end,
		&a->commits_open, &a->turns_max };
	sqlite3_stmt *stmt;
	long long sum = 0;
	int rc;

	if (store_query_int(st, &a->projects,
	    "SELECT count(*) FROM projects WHERE deleted_at IS NULL"
	    " AND id NOT IN (SELECT id FROM sample_projects)", err) != 0)
		return -1;
	if (query_ints(st,
	    "SELECT count(*), coalesce(sum(closed_by = 'git_commit'), 0),"
	    " coalesce(sum(closed_by = 'session_end'), 0), coalesce(sum(closed_by = 'open'), 0),"
	    " coalesce(max(turn_count), 0)"
	    " FROM cognitive_commits WHERE" LIVE_COMMITS(""), out, 5, err) != 0)
		return -1;
	if (a->commits == 0)
		return 0;

	if ((stmt = store_prepare(st,
	    "SELECT sum(turn_count), min(started_at), max(closed_at)"
	    " FROM cognitive_commits WHERE" LIVE_COMMITS(""), err)) == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		sum = sqlite3_column_int64(stmt, 0);
		snprintf(a->first_at, sizeof a->first_at, "%s",
		    sqlite3_column_type(stmt, 1) == SQLITE_NULL ? "" :
		    (const char *)sqlite3_column_text(stmt, 1));
		snprintf(a->last_at, sizeof a->last_at, "%s",
		    sqlite3_column_type(stmt, 2) == SQLITE_NULL ? "" :
		    (const char *)sqlite3_column_text(stmt, 2));
		rc = 0;
	} else
		rc = store_fail(st, st->path, err);
	sqlite3_finalize(stmt);
	if (rc != 0)
		return -1;
	a->turns_mean = (double)sum / (double)a->commits;

	/* The median: the middle value, or the mean of the two middle ones. */
	if ((stmt = store_prepare(st,
	    "SELECT avg(turn_count) FROM (SELECT turn_count FROM cognitive_commits"
	    " WHERE" LIVE_COMMITS("") " ORDER BY turn_count LIMIT 2 - ?1 % 2 OFFSET (?1 - 1) / 2)",
	    err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, a->commits);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		a->turns_median = sqlite3_column_double(stmt, 0);
		rc = 0;
	} else
		rc = store_fail(st, st->path, err);
	sqlite3_finalize(stmt);
	return rc;
}

static int
turn_figures(struct store *st, struct analytics *a, char *err)
{
	long long *const out[] = { &a->turns, &a->prompts, &a->input_tokens,
		&a->output_tokens, &a->cache_read_tokens, &a->cache_creation_tokens };
	long long *const sessions[] = { &a->sessions };

	/*
	 * Prompts: what people typed, not the markup and notices Claude Code adds.
	 * A session whose count is unknown (written by something other than
	 * import or pull) is counted here.
	 */
	if (query_ints(st,
	    "SELECT a.turns - d.turns, a.prompts - d.prompts, a.input_tokens - d.input_tokens,"
	    " a.output_tokens - d.output_tokens, a.cache_read_tokens - d.cache_read_tokens,"
	    " a.cache_creation_tokens - d.cache_creation_tokens"
	    " FROM (" SESSION_SUMS(" FROM turn_stats a") ") a,"
	    " (" SESSION_SUMS(" FROM turn_stats a WHERE a.session_id IN" DEAD_SESSIONS) ") d",
	    out, 6, err) != 0)
		return -1;
	return query_ints(st,
	    "SELECT count(DISTINCT claude_session_id) FROM sessions s WHERE deleted_at IS NULL"
	    " AND EXISTS (SELECT 1 FROM cognitive_commits c WHERE c.id = s.commit_id)"
	    " AND commit_id NOT IN" DEAD_COMMITS, sessions, 1, err);
}

static int
tool_figures(struct store *st, struct analytics *a, char *err)
{
	sqlite3_stmt *stmt;
	const char *name;
	int rc;

	/*
	 * The totals less the dead sessions' calls give the top tools and (as a
	 * window over the groups) the total. A name whose calls all went keeps a
	 * row of zeros: left out. Calls without a name keep a row each (NULL is
	 * no key), grouped here.
	 */
	if ((stmt = store_prepare(st,
	    "WITH dead AS (SELECT name, sum(calls) AS calls, sum(errors) AS errors FROM tool_stats"
	    "  WHERE session_id IN" DEAD_SESSIONS " GROUP BY name),"
	    " total AS (SELECT name, sum(calls) AS calls, sum(errors) AS errors FROM tool_totals"
	    "  GROUP BY name)"
	    " SELECT t.name, t.calls - coalesce(d.calls, 0) AS n, t.errors - coalesce(d.errors, 0),"
	    " sum(t.calls - coalesce(d.calls, 0)) OVER ()"
	    " FROM total t LEFT JOIN dead d ON d.name IS t.name"
	    " WHERE n > 0 ORDER BY n DESC, t.name LIMIT ?", err)) == NULL)
		return -1;
	sqlite3_bind_int(stmt, 1, ANALYTICS_TOP_TOOLS);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && a->ntools < ANALYTICS_TOP_TOOLS) {
		name = (const char *)sqlite3_column_text(stmt, 0);
		a->tools[a->ntools].name = xstrdup(name != NULL ? name : "(unnamed)");
		a->tools[a->ntools].calls = sqlite3_column_int64(stmt, 1);
		a->tools[a->ntools].errors = sqlite3_column_int64(stmt, 2);
		a->tool_calls = sqlite3_column_int64(stmt, 3);
		a->ntools++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = store_fail(st, st->path, err);
	else
		rc = 0;
	sqlite3_finalize(stmt);
	return rc;
}

int
analytics_collect(struct store *st, struct analytics *a, char *err)
{
	int rc;

	memset(a, 0, sizeof *a);
	/* One read transaction, so the figures agree with each other even while an
	 * import is writing. */
	if (store_exec(st, "BEGIN", err) != 0)
		return -1;
	rc = commit_figures(st, a, err);
	if (rc == 0)
		rc = turn_figures(st, a, err);
	if (rc == 0)
		rc = tool_figures(st, a, err);
	store_exec(st, rc == 0 ? "COMMIT" : "ROLLBACK", NULL);
	if (rc != 0)
		analytics_free(a);
	return rc;
}

void
analytics_free(struct analytics *a)
{
	int i;

	for (i = 0; i < a->ntools; i++)
		free(a->tools[i].name);
	a->ntools = 0;
}
