/*
 * The pending list's queries. Commits come in push's order (started_at, id),
 * a page at a time from a keyset cursor (see pending_plan for the index it
 * follows); their children are counted one
 * commit at a time through idx_sessions_commit, idx_turns_session and
 * idx_visuals_commit, and only for the rows someone looks at.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/browse-filter-sql.h"
#include "store/internal.h"
#include "store/pending.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define PENDING_SELECT \
	"SELECT c.id, c.started_at, coalesce(p.name, c.project_name, '?')," \
	" coalesce(c.title, c.git_subject, substr(c.first_prompt, 1, 400))," \
	" coalesce(p.sync_status = 'pending', 0), c.deleted_at IS NOT NULL" \
	" FROM cognitive_commits c LEFT JOIN projects p ON p.id = c.project_id"

/* The unary + keeps SQLite off idx_commits_sync_status, so it walks idx_commits_started. */
static const char *
pending_term(enum pending_plan plan)
{
	return plan == PENDING_DENSE ? " WHERE +c.sync_status = 'pending'" :
	    " WHERE c.sync_status = 'pending'";
}

enum pending_plan
pending_plan(struct store *st, long long pending)
{
	char err[ERRLEN];
	long long all = 0;

	if (store_query_int(st, &all, "SELECT count(*) FROM cognitive_commits", err) != 0)
		return PENDING_SPARSE;
	return pending * 2 > all ? PENDING_DENSE : PENDING_SPARSE;
}

static void
fill(sqlite3_stmt *s, struct pending_commit *c)
{
	const char *t;

	memset(c, 0, sizeof *c);
	t = (const char *)sqlite3_column_text(s, 0);
	snprintf(c->id, sizeof c->id, "%s", t != NULL ? t : "");
	t = (const char *)sqlite3_column_text(s, 1);
	snprintf(c->started_at, sizeof c->started_at, "%s", t != NULL ? t : "");
	c->project = store_column_dup(s, 2);
	c->label = store_column_dup(s, 3);
	c->project_pending = sqlite3_column_int(s, 4);
	c->deleted = sqlite3_column_int(s, 5);
	c->sessions = c->turns = c->visuals = -1;
}

void
pending_commit_clear(struct pending_commit *c)
{
	free(c->project);
	free(c->label);
	memset(c, 0, sizeof *c);
}

static void
bind_key(sqlite3_stmt *s, const struct pending_commit *from)
{
	int i;

	if ((i = sqlite3_bind_parameter_index(s, ":started")) > 0)
		sqlite3_bind_text(s, i, from->started_at, -1, SQLITE_STATIC);
	if ((i = sqlite3_bind_parameter_index(s, ":id")) > 0)
		sqlite3_bind_text(s, i, from->id, -1, SQLITE_STATIC);
}

int
pending_commits(struct store *st, enum pending_plan plan, const struct browse_filter *f,
    const struct pending_commit *from, int inclusive, int dir, int limit,
    struct pending_commit *out, char *err)
{
	const char *cmp = dir >= 0 ? ">" : "<", *order = dir >= 0 ? "ASC" : "DESC";
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *s;
	int n = 0, rc = SQLITE_DONE, i;

	if (limit <= 0)
		return 0;
	strbuf_addf(&sql, PENDING_SELECT "%s", pending_term(plan));
	browse_filter_sql(&sql, f);
	/* The first term alone bounds the index range; the second breaks ties. */
	if (from != NULL)
		strbuf_addf(&sql, " AND c.started_at %s= :started AND (c.started_at %s :started OR"
		    " c.id %s%s :id)", cmp, cmp, cmp, inclusive ? "=" : "");
	strbuf_addf(&sql, " ORDER BY c.started_at %s, c.id %s LIMIT :limit", order, order);
	s = store_cached(st, sql.buf, err);
	strbuf_free(&sql);
	if (s == NULL)
		return -1;
	browse_filter_bind(s, f);
	if (from != NULL)
		bind_key(s, from);
	sqlite3_bind_int(s, sqlite3_bind_parameter_index(s, ":limit"), limit);
	while (n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW)
		fill(s, &out[n++]);
	if (n < limit && rc != SQLITE_DONE) {
		seterr(err, "reading pending commits: %s", sqlite3_errmsg(st->db));
		while (n > 0)
			pending_commit_clear(&out[--n]);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	/* Read backwards: turned round into list order. */
	for (i = 0; dir < 0 && i < n / 2; i++) {
		struct pending_commit t = out[i];
		out[i] = out[n - 1 - i];
		out[n - 1 - i] = t;
	}
	return n;
}

long long
pending_count(struct store *st, enum pending_plan plan, const struct browse_filter *f,
    const struct pending_commit *before, char *err)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *s;
	long long n = -1;

	/* The whole count follows idx_commits_sync_status, whatever the plan. */
	strbuf_addf(&sql, "SELECT count(*) FROM cognitive_commits c%s",
	    before == NULL ? pending_term(PENDING_SPARSE) : pending_term(plan));
	browse_filter_sql(&sql, f);
	if (before != NULL)
		strbuf_adds(&sql, " AND c.started_at <= :started AND (c.started_at < :started OR"
		    " c.id < :id)");
	s = store_cached(st, sql.buf, err);
	strbuf_free(&sql);
	if (s == NULL)
		return -1;
	browse_filter_bind(s, f);
	if (before != NULL)
		bind_key(s, before);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	else
		seterr(err, "counting pending commits: %s", sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return n;
}

static int
count_for(struct store *st, const char *sql, const char *id, long long *out, char *err)
{
	sqlite3_stmt *s = store_cached(st, sql, err);
	int rc = 0;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else
		rc = seterr(err, "counting pending rows: %s", sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return rc;
}

int
pending_figures(struct store *st, struct pending_commit *c, char *err)
{
	/* The unary + keeps SQLite on the commit's index, not every pending row's. */
	if (count_for(st, "SELECT count(*) FROM sessions WHERE commit_id = ?1"
	    " AND +sync_status = 'pending'", c->id, &c->sessions, err) != 0 ||
	    count_for(st, "SELECT count(*) FROM sessions s JOIN turns t ON t.session_id = s.id"
	    " WHERE s.commit_id = ?1 AND +t.sync_status = 'pending'", c->id, &c->turns, err) != 0 ||
	    count_for(st, "SELECT count(*) FROM visuals WHERE commit_id = ?1"
	    " AND +sync_status = 'pending'", c->id, &c->visuals, err) != 0) {
		c->sessions = c->turns = c->visuals = 0;
		return -1;
	}
	return 0;
}

int
pending_projects(struct store *st, struct strbuf *names, int max, long long *n, char *err)
{
	sqlite3_stmt *s = store_cached(st, "SELECT name FROM projects"
	    " WHERE sync_status = 'pending' ORDER BY name", err);
	int rc;

	*n = 0;
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n < max)
			strbuf_addf(names, "%s%s", *n > 0 ? ", " : "",
			    (const char *)sqlite3_column_text(s, 0));
		(*n)++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return seterr(err, "reading pending projects: %s", sqlite3_errmsg(st->db));
	return 0;
}
