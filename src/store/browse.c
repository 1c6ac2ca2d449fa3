/*
 * Every query here reads a page: commit lists follow idx_commits_started (all
 * projects) or idx_commits_project (one), turns idx_turns_session, conflicts
 * idx_conflicts_open and pending counts idx_commits_sync_status. A filter or
 * an order by turns, tokens or duration (the browser's f and s) has no index:
 * SQLite reads every commit for each page and hands back only the page, so the
 * browser still holds only a page (on 100,000 commits a page by turns or
 * duration costs about 1.5 times one by date, by tokens or tool: 4 to 5 times).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/browse.h"
#include "store/browse-filter-sql.h"
#include "store/conflicts.h"
#include "store/internal.h"
#include "store/synced-rows.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define BROWSE_COLUMNS_SQL \
	"SELECT c.id, c.started_at, coalesce(p.name, c.project_name, '?'), c.project_id," \
	" c.title, c.git_subject, substr(c.first_prompt, 1, 400), c.closed_by, c.git_hash," \
	" c.turn_count, c.display_order, c.published, c.hidden, c.parallel," \
	" c.sync_status = 'pending'," \
	" EXISTS (SELECT 1 FROM conflicts k WHERE k.resolved_at IS NULL AND k.record_id = c.id)," \
	" c.closed_at"
#define BROWSE_FROM " FROM cognitive_commits c LEFT JOIN projects p ON p.id = c.project_id"
#define BROWSE_SELECT BROWSE_COLUMNS_SQL BROWSE_FROM
#define BROWSE_COLUMNS 17	/* the sort key, when there is one, comes after them */

static void
commit_fill(sqlite3_stmt *s, struct browse_commit *c)
{
	const char *t;

	memset(c, 0, sizeof *c);
	t = (const char *)sqlite3_column_text(s, 0);
	snprintf(c->id, sizeof c->id, "%s", t != NULL ? t : "");
	t = (const char *)sqlite3_column_text(s, 1);
	snprintf(c->started_at, sizeof c->started_at, "%s", t != NULL ? t : "");
	c->project = store_column_dup(s, 2);
	c->project_id = store_column_dup(s, 3);
	c->title = store_column_dup(s, 4);
	c->git_subject = store_column_dup(s, 5);
	c->first_prompt = store_column_dup(s, 6);
	c->closed_by = store_column_dup(s, 7);
	c->git_hash = store_column_dup(s, 8);
	c->turns = sqlite3_column_int64(s, 9);
	c->display_order = sqlite3_column_int64(s, 10);
	c->published = sqlite3_column_int(s, 11);
	c->hidden = sqlite3_column_int(s, 12);
	c->parallel = sqlite3_column_int(s, 13);
	c->pending = sqlite3_column_int(s, 14);
	c->conflict = sqlite3_column_int(s, 15);
	t = (const char *)sqlite3_column_text(s, 16);
	snprintf(c->closed_at, sizeof c->closed_at, "%s", t != NULL ? t : "");
}

void
browse_commit_clear(struct browse_commit *c)
{
	free(c->project);
	free(c->project_id);
	free(c->title);
	free(c->git_subject);
	free(c->first_prompt);
	free(c->closed_by);
	free(c->git_hash);
	memset(c, 0, sizeof *c);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
browse_commit_copy(struct browse_commit *dst, const struct browse_commit *src)
{
	*dst = *src;
	dst->project = dup_or_null(src->project);
	dst->project_id = dup_or_null(src->project_id);
	dst->title = dup_or_null(src->title);
	dst->git_subject = dup_or_null(src->git_subject);
	dst->first_prompt = dup_or_null(src->first_prompt);
	dst->closed_by = dup_or_null(src->closed_by);
	dst->git_hash = dup_or_null(src->git_hash);
}

const char *
browse_commit_label(const struct browse_commit *c)
{
	if (c->title != NULL && *c->title != '\0')
		return c->title;
	if (c->git_subject != NULL && *c->git_subject != '\0')
		return c->git_subject;
	return c->first_prompt != NULL ? c->first_prompt : "";
}

/* What a sort other than by date compares: the sort_key column. */
static const char *
sort_expr(enum browse_sort sort)
{
	switch (sort) {
	case BROWSE_SORT_TURNS:
		return "c.turn_count";
	case BROWSE_SORT_TOKENS:
		/* As the conversation counts them: input (cache included) and output. */
		return "(SELECT coalesce(sum(ts.input_tokens + ts.output_tokens + ts.cache_read_tokens"
		    " + ts.cache_creation_tokens), 0) FROM sessions s JOIN turn_stats ts"
		    " ON ts.session_id = s.id WHERE s.commit_id = c.id AND s.deleted_at IS NULL)";
	case BROWSE_SORT_DURATION:
		return "CAST(round((julianday(c.closed_at) - julianday(c.started_at)) * 86400)"
		    " AS INTEGER)";
	default:
		return NULL;
	}
}

/* The WHERE clause; every value typed in a filter is a parameter bind_filters binds. */
static void
add_filters(struct strbuf *sql, const struct browse_query *q)
{
	const struct browse_filter *f = q->filter;

	/*
	 * "+": never through idx_commits_figures, whose first column every live
	 * commit shares. An unanalysed store (SQLite guesses) read a page by
	 * sorting every commit there: 75 s for a / through 100,000 commits.
	 */
	strbuf_adds(sql, " WHERE +c.deleted_at IS NULL");
	if (q->project_id != NULL)
		strbuf_adds(sql, " AND c.project_id = :project");
	if (q->only_id != NULL)
		strbuf_adds(sql, " AND c.id = :only");
	if (!q->include_hidden && (f == NULL || f->hidden < 0))
		strbuf_adds(sql, " AND c.hidden = 0");
	browse_filter_sql(sql, f);
}

/* The values of add_filters' terms. */
static void
bind_filters(sqlite3_stmt *s, const struct browse_query *q)
{
	browse_bind_text(s, ":project", q->project_id);
	browse_bind_text(s, ":only", q->only_id);
	browse_filter_bind(s, q->filter);
}

/* The keyset bound and ORDER BY of q's order, read backwards when fetching upwards. */
static void
add_order(struct strbuf *sql, const struct browse_query *q)
{
	/* The list's order is descending unless ascending; upwards reads it backwards. */
	int desc = (q->dir >= 0) == !q->ascending;
	const char *dir = desc ? "DESC" : "ASC", *cmp = desc ? "<" : ">";
	const char *key = sort_expr(q->sort);

	if (key != NULL) {
		if (q->from != NULL)
			strbuf_addf(sql, " AND (%s, c.started_at, c.id) %s (:key, :started, :id)",
			    key, cmp);
		strbuf_addf(sql, " ORDER BY %s %s, c.started_at %s, c.id %s", key, dir, dir, dir);
	} else if (q->project_id == NULL || q->sort == BROWSE_SORT_DATE) {
		if (q->from != NULL) {
			/* The first term alone bounds the index range; the second breaks ties. */
			strbuf_addf(sql, " AND c.started_at %s= :started AND (c.started_at %s :started"
			    " OR c.id %s :id)", cmp, cmp, cmp);
		}
		strbuf_addf(sql, " ORDER BY c.started_at %s, c.id %s", dir, dir);
	} else {
		if (q->from != NULL)
			strbuf_addf(sql, " AND (c.display_order, c.started_at, c.id) %s"
			    " (:order, :started, :id)", cmp);
		strbuf_addf(sql, " ORDER BY c.display_order %s, c.started_at %s, c.id %s", dir,
		    dir, dir);
	}
}

int
browse_commits(struct store *st, const struct browse_query *q, struct browse_commit *out,
    char *err)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *s;
	int n = 0, rc, i, down = q->dir >= 0;
	const char *key = sort_expr(q->sort);

	if (q->limit <= 0)
		return 0;
	strbuf_adds(&sql, BROWSE_COLUMNS_SQL);
	if (key != NULL)
		strbuf_addf(&sql, ", %s", key);	/* column BROWSE_COLUMNS */
	strbuf_adds(&sql, BROWSE_FROM);
	add_filters(&sql, q);
	add_order(&sql, q);
	strbuf_adds(&sql, " LIMIT :limit");
	s = store_cached(st, sql.buf, err);
	strbuf_free(&sql);
	if (s == NULL)
		return -1;
	bind_filters(s, q);
	if (q->from != NULL) {
		browse_bind_text(s, ":started", q->from->started_at);
		browse_bind_text(s, ":id", q->from->id);
		browse_bind_int(s, ":order", q->from->display_order);
		browse_bind_int(s, ":key", q->from->sort_key);
	}
	browse_bind_int(s, ":limit", q->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < q->limit) {
		commit_fill(s, &out[n]);
		if (key != NULL)
			out[n].sort_key = sqlite3_column_int64(s, BROWSE_COLUMNS);
		n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		seterr(err, "reading commits: %s", sqlite3_errmsg(st->db));
		while (n > 0)
			browse_commit_clear(&out[--n]);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	if (!down) {
		for (i = 0; i < n / 2; i++) {
			struct browse_commit t = out[i];
			out[i] = out[n - 1 - i];
			out[n - 1 - i] = t;
		}
	}
	return n;
}

long long
browse_commit_count(struct store *st, const struct browse_query *q, char *err)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *s;
	long long n = -1;

	strbuf_adds(&sql, "SELECT count(*) FROM cognitive_commits c");
	add_filters(&sql, q);
	s = store_cached(st, sql.buf, err);
	strbuf_free(&sql);
	if (s == NULL)
		return -1;
	bind_filters(s, q);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	else
		seterr(err, "counting commits: %s", sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return n;
}

int
browse_commit_get(struct store *st, const char *id, struct browse_commit *out, char *err)
{
	sqlite3_stmt *s = store_cached(st, BROWSE_SELECT
	    " WHERE c.id = ?1 AND c.deleted_at IS NULL", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		commit_fill(s, out);
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = seterr(err, "reading commit %s: %s", id, sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return rc;
}

int
browse_projects(struct store *st, struct browse_project **out, size_t *n, char *err)
{
	/*
	 * The newest start of each project is the end of its idx_commits_project
	 * range: one probe per project, not a scan (so a tombstone counts too).
	 */
	sqlite3_stmt *s = store_cached(st, "SELECT p.id, p.name, p.local_path, p.remote_url,"
	    " (SELECT max(c.started_at) FROM cognitive_commits c"
	    "   WHERE c.project_id = p.id) AS last"
	    " FROM projects p WHERE p.deleted_at IS NULL"
	    " ORDER BY last IS NULL, last DESC, p.name", err);
	struct browse_project *p = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			p = xreallocarray(p, cap, sizeof *p);
		}
		memset(&p[*n], 0, sizeof p[*n]);
		p[*n].id = store_column_dup(s, 0);
		p[*n].name = store_column_dup(s, 1);
		p[*n].path = store_column_dup(s, 2);
		p[*n].remote = store_column_dup(s, 3);
		p[*n].commits = p[*n].sessions = p[*n].turns = p[*n].hidden = -1;
		(*n)++;
	}
	sqlite3_reset(s);
	*out = p;
	if (rc != SQLITE_DONE) {
		browse_projects_free(p, *n);
		*out = NULL;
		*n = 0;
		return seterr(err, "reading projects: %s", sqlite3_errmsg(st->db));
	}
	return 0;
}

int
browse_project_figures(struct store *st, struct browse_project *p, char *err)
{
	sqlite3_stmt *s = store_cached(st, "SELECT count(*), coalesce(sum(c.turn_count), 0),"
	    " coalesce(sum(c.hidden), 0), max(c.closed_at),"
	    " (SELECT count(DISTINCT s.claude_session_id) FROM cognitive_commits c2"
	    "   JOIN sessions s ON s.commit_id = c2.id"
	    "   WHERE c2.project_id = ?1 AND c2.deleted_at IS NULL AND s.deleted_at IS NULL)"
	    " FROM cognitive_commits c WHERE c.project_id = ?1 AND c.deleted_at IS NULL", err);
	const char *last;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, p->id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		p->commits = sqlite3_column_int64(s, 0);
		p->turns = sqlite3_column_int64(s, 1);
		p->hidden = sqlite3_column_int64(s, 2);
		last = (const char *)sqlite3_column_text(s, 3);
		snprintf(p->last_activity, sizeof p->last_activity, "%s", last != NULL ? last : "");
		p->sessions = sqlite3_column_int64(s, 4);
		rc = 0;
	} else
		rc = seterr(err, "reading project %s: %s", p->name, sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return rc;
}

void
browse_project_clear(struct browse_project *p)
{
	free(p->id);
	free(p->name);
	free(p->path);
	free(p->remote);
}

void
browse_projects_free(struct browse_project *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		browse_project_clear(&p[i]);
	free(p);
}

int
browse_turns(struct store *st, const char *session_id, long long seq, int dir, int limit,
    turn_cb cb, void *arg, char *err)
{
	struct turn_row t;
	sqlite3_stmt *s;
	int n = 0, rc;

	s = store_cached(st, dir >= 0 ?
	    "SELECT id, session_id, seq, role, content, thinking, timestamp, tool_calls,"
	    " model, message_id, input_tokens, output_tokens, cache_read_tokens,"
	    " cache_creation_tokens FROM turns"
	    " WHERE session_id = ?1 AND seq > ?2 AND deleted_at IS NULL ORDER BY seq LIMIT ?3" :
	    "SELECT id, session_id, seq, role, content, thinking, timestamp, tool_calls,"
	    " model, message_id, input_tokens, output_tokens, cache_read_tokens,"
	    " cache_creation_tokens FROM turns"
	    " WHERE session_id = ?1 AND seq < ?2 AND deleted_at IS NULL ORDER BY seq DESC"
	    " LIMIT ?3", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, session_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, seq);
	sqlite3_bind_int(s, 3, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		t.id = (const char *)sqlite3_column_text(s, 0);
		t.session_id = (const char *)sqlite3_column_text(s, 1);
		t.seq = sqlite3_column_int64(s, 2);
		t.role = (const char *)sqlite3_column_text(s, 3);
		t.content = (const char *)sqlite3_column_text(s, 4);
		t.thinking = (const char *)sqlite3_column_text(s, 5);
		t.timestamp = (const char *)sqlite3_column_text(s, 6);
		t.tool_calls = (const char *)sqlite3_column_text(s, 7);
		t.model = (const char *)sqlite3_column_text(s, 8);
		t.message_id = (const char *)sqlite3_column_text(s, 9);
		t.input_tokens = sqlite3_column_int64(s, 10);
		t.output_tokens = sqlite3_column_int64(s, 11);
		t.cache_read_tokens = sqlite3_column_int64(s, 12);
		t.cache_creation_tokens = sqlite3_column_int64(s, 13);
		n++;
		if (cb(&t, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		n = seterr(err, "reading turns: %s", sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return n;
}

static long long
turn_count(struct store *st, const char *session_id, long long before, char *err)
{
	sqlite3_stmt *s = store_cached(st, "SELECT count(*) FROM turns WHERE session_id = ?1"
	    " AND seq < ?2 AND deleted_at IS NULL", err);
	long long n = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, session_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, before);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	else
		seterr(err, "counting turns: %s", sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return n;
}

long long
browse_turn_count(struct store *st, const char *session_id, char *err)
{
	return turn_count(st, session_id, LLONG_MAX, err);
}

long long
browse_turn_rank(struct store *st, const char *session_id, long long seq, char *err)
{
	return turn_count(st, session_id, seq, err);
}

int
browse_turn_search(struct store *st, const char *session_id, long long seq, int dir,
    const char *needle, int with_thinking, long long *found, char *err)
{
	char *sql, *pattern;
	sqlite3_stmt *s;
	int rc;

	sql = xprintf("SELECT seq FROM turns WHERE session_id = ?1 AND seq %s ?2"
	    " AND deleted_at IS NULL AND (content LIKE ?3 ESCAPE '\\'"
	    " OR tool_calls LIKE ?3 ESCAPE '\\'%s) ORDER BY seq %s LIMIT 1",
	    dir >= 0 ? ">" : "<",
	    with_thinking ? " OR thinking LIKE ?3 ESCAPE '\\'" : "",
	    dir >= 0 ? "ASC" : "DESC");
	s = store_cached(st, sql, err);
	free(sql);
	if (s == NULL)
		return -1;
	pattern = browse_like_pattern(needle);
	sqlite3_bind_text(s, 1, session_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, seq);
	sqlite3_bind_text(s, 3, pattern, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = sqlite3_column_int64(s, 0);
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = seterr(err, "searching turns: %s", sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	free(pattern);
	return rc;
}

int
browse_sync_counts(struct store *st, long long *pending, long long *held, long long *settled,
    char *err)
{
	struct conflict_counts n;

	if ((*pending = synced_pending_count(st, &sync_tables[T_COMMITS], err)) < 0 ||
	    conflicts_count(st, NULL, &n, err) != 0)
		return -1;
	*held = n.held;
	*settled = n.settled;
	return 0;
}

long long
browse_data_version(struct store *st)
{
	char err[ERRLEN];
	long long v = 0;

	if (store_query_int(st, &v, "PRAGMA data_version", err) != 0)
		return -1;
	return v;
}
