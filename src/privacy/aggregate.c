/*
 * The aggregate an opted-in machine uploads: per-session figures read from
 * the store, each clamped (privacy/aggregate.h says why), summed into fixed
 * categories; then noise, and the JSON body. The queries live here rather
 * than in store/ because the clamps apply per session: they are this
 * module's privacy rule, not a view of the store.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "privacy/aggregate.h"
#include "store/internal.h"

const char *const agg_bucket_names[AGG_BUCKETS] = {
	"0-1", "2-3", "4-7", "8-15", "16-31", "32-63", "64+"
};
/*
 * Claude Code's own tools: public names. Anything else is an MCP tool or
 * "other". The cloud accepts these names and no others
 * (analytics_figure_names in supabase/migrations/20261207000010_aggregate_analytics.sql):
 * a change here needs a migration there.
 */
const char *const agg_tool_names[AGG_TOOLS] = {
	"AskUserQuestion", "Bash", "BashOutput", "Edit", "ExitPlanMode", "Glob", "Grep",
	"KillShell", "LS", "MultiEdit", "NotebookEdit", "NotebookRead", "Read", "Skill",
	"SlashCommand", "Task", "TaskCreate", "TaskUpdate", "TodoWrite", "WebFetch", "WebSearch",
	"mcp", "other"
};
const char *const agg_model_names[AGG_MODELS] = { "opus", "sonnet", "haiku", "other" };
const char *const agg_token_names[AGG_TOKENS] = {
	"input", "output", "cache_read", "cache_creation"
};

/* The sessions counted: live, under a live commit that is not a bundled sample. */
#define LIVE_SESSIONS \
	"WITH live AS (SELECT s.id, s.claude_session_id FROM sessions s" \
	" JOIN cognitive_commits c ON c.id = s.commit_id" \
	" WHERE s.deleted_at IS NULL AND c.deleted_at IS NULL" \
	" AND NOT EXISTS (SELECT 1 FROM sample_projects sp WHERE sp.id = c.project_id)) "

int
aggregate_tool_index(const char *name)
{
	int i;

	if (name == NULL)
		return AGG_TOOLS - 1;
	if (strncmp(name, "mcp__", 5) == 0)
		return AGG_TOOLS - 2;
	for (i = 0; i < AGG_TOOLS - 2; i++) {
		if (strcmp(name, agg_tool_names[i]) == 0)
			return i;
	}
	return AGG_TOOLS - 1;
}

int
aggregate_model_index(const char *model)
{
	int i;

	for (i = 0; model != NULL && i < AGG_MODELS - 1; i++) {
		if (strstr(model, agg_model_names[i]) != NULL)
			return i;
	}
	return AGG_MODELS - 1;
}

static int
bucket_of(long long turns)
{
	int b = 0;

	/* 0-1 in bucket 0, then one bucket per power of two up to 64+. */
	while (turns >= 2 && b < AGG_BUCKETS - 1) {
		turns >>= 1;
		b++;
	}
	return b;
}

static long long
clamp(long long v, long long max)
{
	return v < 0 ? 0 : v > max ? max : v;
}

/*
 * Adds one session's vector to sum after scaling it down to at most max in
 * total (every entry by the same factor, rounded down): one session moves the
 * sum by at most max (L1).
 */
static void
add_clamped(long long *sum, const long long *v, int n, long long max)
{
	long long total = 0;
	int i;

	for (i = 0; i < n; i++)
		total += v[i];
	for (i = 0; i < n; i++)
		sum[i] += total > max ? (long long)((double)v[i] * (double)max / (double)total) : v[i];
}

/*
 * Rows (session, name, count) ordered by session: each session's counts
 * summed per category, then added clamped.
 */
static int
per_session_vectors(struct store *st, const char *sql, int (*index)(const char *),
    long long *sum, int n, long long max, char *err)
{
	long long v[AGG_TOOLS > AGG_MODELS ? AGG_TOOLS : AGG_MODELS];
	char last[64] = "";
	sqlite3_stmt *stmt;
	const char *sid;
	int rc;

	if ((stmt = store_prepare(st, sql, err)) == NULL)
		return -1;
	memset(v, 0, sizeof v);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		sid = (const char *)sqlite3_column_text(stmt, 0);
		if (strcmp(sid, last) != 0) {
			add_clamped(sum, v, n, max);
			memset(v, 0, sizeof v);
			snprintf(last, sizeof last, "%s", sid);
		}
		v[index((const char *)sqlite3_column_text(stmt, 1))] += sqlite3_column_int64(stmt, 2);
	}
	add_clamped(sum, v, n, max);
	rc = rc == SQLITE_DONE ? 0 : store_fail(st, st->path, err);
	sqlite3_finalize(stmt);
	return rc;
}

static int
commit_figures(struct store *st, struct aggregate *a, char *err)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((stmt = store_prepare(st,
	    "SELECT turn_count FROM cognitive_commits c WHERE c.deleted_at IS NULL"
	    " AND NOT EXISTS (SELECT 1 FROM sample_projects sp WHERE sp.id = c.project_id)",
	    err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		a->commits++;
		a->turns_per_commit[bucket_of(sqlite3_column_int64(stmt, 0))]++;
	}
	rc = rc == SQLITE_DONE ? 0 : store_fail(st, st->path, err);
	sqlite3_finalize(stmt);
	return rc;
}

static int
session_figures(struct store *st, struct aggregate *a, char *err)
{
	static const long long max[AGG_TOKENS] = { AGG_CLAMP_INPUT, AGG_CLAMP_OUTPUT,
		AGG_CLAMP_CACHE_READ, AGG_CLAMP_CACHE_CREATION };
	sqlite3_stmt *stmt;
	int rc, i;

	if (store_query_int(st, &a->sessions,
	    LIVE_SESSIONS "SELECT count(DISTINCT claude_session_id) FROM live", err) != 0)
		return -1;
	if ((stmt = store_prepare(st, LIVE_SESSIONS
	    "SELECT t.turns, t.input_tokens, t.output_tokens, t.cache_read_tokens,"
	    " t.cache_creation_tokens FROM live JOIN turn_stats t ON t.session_id = live.id",
	    err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		a->turns += clamp(sqlite3_column_int64(stmt, 0), AGG_CLAMP_TURNS);
		for (i = 0; i < AGG_TOKENS; i++)
			a->tokens[i] += clamp(sqlite3_column_int64(stmt, i + 1), max[i]);
	}
	rc = rc == SQLITE_DONE ? 0 : store_fail(st, st->path, err);
	sqlite3_finalize(stmt);
	if (rc != 0)
		return -1;
	if (per_session_vectors(st, LIVE_SESSIONS
	    "SELECT ts.session_id, ts.name, ts.calls FROM tool_stats ts"
	    " JOIN live ON live.id = ts.session_id WHERE ts.calls > 0 ORDER BY ts.session_id",
	    aggregate_tool_index, a->tools, AGG_TOOLS, AGG_CLAMP_TOOL_CALLS, err) != 0)
		return -1;
	return per_session_vectors(st, LIVE_SESSIONS
	    "SELECT t.session_id, t.model, count(*) FROM turns t"
	    " JOIN live ON live.id = t.session_id"
	    " WHERE t.role = 'assistant' AND t.deleted_at IS NULL"
	    " GROUP BY t.session_id, t.model ORDER BY t.session_id",
	    aggregate_model_index, a->models, AGG_MODELS, AGG_CLAMP_MODEL_TURNS, err);
}

int
aggregate_collect(struct store *st, struct aggregate *a, char *err)
{
	int rc;

	memset(a, 0, sizeof *a);
	/* One read transaction: the figures agree with each other while an import writes. */
	if (store_exec(st, "BEGIN", err) != 0)
		return -1;
	rc = commit_figures(st, a, err);
	if (rc == 0)
		rc = session_figures(st, a, err);
	store_exec(st, rc == 0 ? "COMMIT" : "ROLLBACK", NULL);
	return rc;
}

double
aggregate_sensitivity(enum agg_group g)
{
	switch (g) {
	case AGG_G_SESSIONS:
	case AGG_G_COMMITS:
		return 1;	/* one session is at most one Claude session, one commit */
	case AGG_G_TURNS_PER_COMMIT:
		return 2;	/* its commit leaves one bucket and enters another */
	case AGG_G_TURNS:
		return AGG_CLAMP_TURNS;
	case AGG_G_TOOLS:
		return AGG_CLAMP_TOOL_CALLS;
	case AGG_G_MODELS:
		return AGG_CLAMP_MODEL_TURNS;
	case AGG_G_INPUT:
		return (double)AGG_CLAMP_INPUT;
	case AGG_G_OUTPUT:
		return (double)AGG_CLAMP_OUTPUT;
	case AGG_G_CACHE_READ:
		return (double)AGG_CLAMP_CACHE_READ;
	case AGG_G_CACHE_CREATION:
		return (double)AGG_CLAMP_CACHE_CREATION;
	case AGG_GROUPS:
		break;
	}
	return 0;
}

static void
noisy(long long *v, int n, enum agg_group g, const struct noise_source *src)
{
	double scale = aggregate_sensitivity(g) / (AGG_EPSILON / AGG_GROUPS), x;
	int i;

	for (i = 0; i < n; i++) {
		x = round((double)v[i] + laplace_draw(src, scale));
		v[i] = x < 0 ? 0 : (long long)x;
	}
}

void
aggregate_add_noise(struct aggregate *a, const struct noise_source *src)
{
	int i;

	noisy(&a->sessions, 1, AGG_G_SESSIONS, src);
	noisy(&a->commits, 1, AGG_G_COMMITS, src);
	noisy(&a->turns, 1, AGG_G_TURNS, src);
	noisy(a->turns_per_commit, AGG_BUCKETS, AGG_G_TURNS_PER_COMMIT, src);
	noisy(a->tools, AGG_TOOLS, AGG_G_TOOLS, src);
	noisy(a->models, AGG_MODELS, AGG_G_MODELS, src);
	for (i = 0; i < AGG_TOKENS; i++)
		noisy(&a->tokens[i], 1, (enum agg_group)(AGG_G_INPUT + i), src);
}

static void
add_counts(cJSON *o, const char *key, const long long *v, const char *const *names, int n)
{
	cJSON *sub = cJSON_AddObjectToObject(o, key);
	int i;

	for (i = 0; i < n; i++)
		cJSON_AddNumberToObject(sub, names[i], (double)v[i]);
}

cJSON *
aggregate_json(const struct aggregate *a)
{
	cJSON *o = cJSON_CreateObject(), *f;

	cJSON_AddNumberToObject(o, "version", AGG_VERSION);
	cJSON_AddNumberToObject(o, "epsilon", AGG_EPSILON);
	f = cJSON_AddObjectToObject(o, "figures");
	cJSON_AddNumberToObject(f, "sessions", (double)a->sessions);
	cJSON_AddNumberToObject(f, "commits", (double)a->commits);
	cJSON_AddNumberToObject(f, "turns", (double)a->turns);
	add_counts(f, "turns_per_commit", a->turns_per_commit, agg_bucket_names, AGG_BUCKETS);
	add_counts(f, "tools", a->tools, agg_tool_names, AGG_TOOLS);
	add_counts(f, "models", a->models, agg_model_names, AGG_MODELS);
	add_counts(f, "tokens", a->tokens, agg_token_names, AGG_TOKENS);
	return o;
}
