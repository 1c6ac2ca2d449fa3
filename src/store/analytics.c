/*
 * The analytics figures. Each is one aggregate query; turns are read in one
 * pass (totals and tokens together) and tool calls are counted inside SQLite
 * with json_each, so no row is ever copied out for counting.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/prompt.h"
#include "store/analytics.h"
#include "store/internal.h"
#include "util/log.h"
#include "util/xmalloc.h"

/*
 * Turns that belong to live commits. The set of sessions under tombstoned
 * commits is usually empty, so excluding it costs one lookup per turn instead
 * of a join from every turn through its session to its commit.
 */
#define LIVE_TURNS \
	" FROM turns t WHERE t.deleted_at IS NULL AND t.session_id NOT IN" \
	" (SELECT s.id FROM sessions s JOIN cognitive_commits c ON c.id = s.commit_id" \
	"  WHERE c.deleted_at IS NOT NULL OR s.deleted_at IS NOT NULL OR" \
	"  c.project_id IN (SELECT id FROM sample_projects))"

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

/* typed_prompt(content): 1 when a user turn's text holds something a person typed. */
static void
typed_prompt_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char *typed = prompt_typed((const char *)sqlite3_value_text(argv[0]), NULL);

	(void)argc;
	sqlite3_result_int(ctx, typed != NULL);
	free(typed);
}

static int
turn_figures(struct store *st, struct analytics *a, char *err)
{
	long long *const out[] = { &a->turns, &a->prompts, &a->input_tokens,
		&a->output_tokens, &a->cache_read_tokens, &a->cache_creation_tokens };
	long long *const sessions[] = { &a->sessions };

	if (sqlite3_create_function(st->db, "typed_prompt", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
	    NULL, typed_prompt_sql, NULL, NULL) != SQLITE_OK)
		return store_fail(st, st->path, err);
	/* Prompts: what people typed, not the markup and notices Claude Code adds. */
	if (query_ints(st,
	    "SELECT count(*),"
	    " coalesce(sum(CASE WHEN t.role = 'user' THEN typed_prompt(t.content) END), 0),"
	    " coalesce(sum(t.input_tokens), 0), coalesce(sum(t.output_tokens), 0),"
	    " coalesce(sum(t.cache_read_tokens), 0), coalesce(sum(t.cache_creation_tokens), 0)"
	    LIVE_TURNS, out, 6, err) != 0)
		return -1;
	return query_ints(st,
	    "SELECT count(DISTINCT s.claude_session_id)"
	    " FROM sessions s JOIN cognitive_commits c ON c.id = s.commit_id"
	    " WHERE" LIVE_COMMITS("c.") " AND s.deleted_at IS NULL", sessions, 1, err);
}

static int
tool_figures(struct store *st, struct analytics *a, char *err)
{
	sqlite3_stmt *stmt;
	const char *name;
	int rc;

	/*
	 * One pass over the tool calls gives the top tools and (as a window over
	 * the groups) the total. json_valid keeps one malformed array from failing
	 * the whole query.
	 */
	if ((stmt = store_prepare(st,
	    "SELECT json_extract(j.value, '$.name') AS name, count(*) AS calls,"
	    " coalesce(sum(json_extract(j.value, '$.is_error') = 1), 0),"
	    " sum(count(*)) OVER ()"
	    " FROM (SELECT t.tool_calls" LIVE_TURNS
	    "   AND t.tool_calls <> '[]' AND json_valid(t.tool_calls)) t,"
	    " json_each(t.tool_calls) j"
	    " GROUP BY name ORDER BY calls DESC, name LIMIT ?", err)) == NULL)
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
