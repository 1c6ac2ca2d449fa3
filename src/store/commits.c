/*
 * The read side of the store: commits, sessions, turns and projects as the
 * views show them. Every list follows an index: idx_commits_started or
 * idx_commits_project for commit lists, idx_sessions_commit for a commit's
 * sessions, idx_turns_session for a session's turns.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store/commits.h"
#include "store/internal.h"
#include "util/log.h"
#include "util/strbuf.h"

#define COMMIT_SELECT \
	"SELECT c.id, coalesce(p.name, c.project_name), p.local_path, c.title," \
	" c.first_prompt, c.git_subject, c.git_hash, c.started_at, c.closed_at," \
	" c.closed_by, c.files_read, c.files_changed, c.parallel, c.published," \
	" c.hidden, c.display_order, c.turn_count," \
	" (SELECT count(*) FROM sessions s" \
	"   WHERE s.commit_id = c.id AND s.deleted_at IS NULL), c.git_elsewhere" \
	" FROM cognitive_commits c LEFT JOIN projects p ON p.id = c.project_id"

/* How many candidates an ambiguous prefix error names. */
#define AMBIGUOUS_SHOWN 4

static const char *
text(sqlite3_stmt *stmt, int col)
{
	return (const char *)sqlite3_column_text(stmt, col);
}

static void
commit_fill(sqlite3_stmt *stmt, struct commit_row *c)
{
	c->id = text(stmt, 0);
	c->project = text(stmt, 1);
	c->project_path = text(stmt, 2);
	c->title = text(stmt, 3);
	c->first_prompt = text(stmt, 4);
	c->git_subject = text(stmt, 5);
	c->git_hash = text(stmt, 6);
	c->started_at = text(stmt, 7);
	c->closed_at = text(stmt, 8);
	c->closed_by = text(stmt, 9);
	c->files_read = text(stmt, 10);
	c->files_changed = text(stmt, 11);
	c->parallel = sqlite3_column_int(stmt, 12);
	c->published = sqlite3_column_int(stmt, 13);
	c->hidden = sqlite3_column_int(stmt, 14);
	c->display_order = sqlite3_column_int64(stmt, 15);
	c->turns = sqlite3_column_int64(stmt, 16);
	c->sessions = sqlite3_column_int64(stmt, 17);
	c->git_elsewhere = text(stmt, 18);
}

/* Steps stmt to the end (or until cb stops), handing each commit row to cb. */
static int
commit_rows(struct store *st, sqlite3_stmt *stmt, commit_cb cb, void *arg, char *err)
{
	struct commit_row c;
	int n = 0, rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		commit_fill(stmt, &c);
		n++;
		if (cb(&c, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		n = store_fail(st, st->path, err);
	sqlite3_finalize(stmt);
	return n;
}

static void
bind_named_text(sqlite3_stmt *stmt, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(stmt, name);

	if (i > 0)
		sqlite3_bind_text(stmt, i, value, -1, SQLITE_STATIC);
}

int
commits_list(struct store *st, const struct commit_query *q, commit_cb cb, void *arg,
    char *err)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *stmt;
	int i;

	/*
	 * Each filter is added only when asked for rather than written as
	 * "(:p IS NULL OR ...)": SQLite cannot use an index through such an OR,
	 * and the project filter must reach idx_commits_project.
	 */
	strbuf_adds(&sql, COMMIT_SELECT " WHERE c.deleted_at IS NULL");
	if (q->project != NULL)
		strbuf_adds(&sql, " AND c.project_id ="
		    " (SELECT id FROM projects WHERE name = :project)");
	if (!q->include_hidden)
		strbuf_adds(&sql, " AND c.hidden = 0");
	if (q->after_started_at != NULL && q->after_id != NULL) {
		/* The first term alone bounds the index range; the second breaks ties. */
		strbuf_adds(&sql, " AND c.started_at <= :after_started"
		    " AND (c.started_at < :after_started OR c.id < :after_id)");
	}
	strbuf_adds(&sql, " ORDER BY c.started_at DESC, c.id DESC");
	if (q->limit > 0)
		strbuf_adds(&sql, " LIMIT :limit");

	stmt = store_prepare(st, sql.buf, err);
	strbuf_free(&sql);
	if (stmt == NULL)
		return -1;
	bind_named_text(stmt, ":project", q->project);
	bind_named_text(stmt, ":after_started", q->after_started_at);
	bind_named_text(stmt, ":after_id", q->after_id);
	if ((i = sqlite3_bind_parameter_index(stmt, ":limit")) > 0)
		sqlite3_bind_int64(stmt, i, q->limit);
	return commit_rows(st, stmt, cb, arg, err);
}

int
commits_get(struct store *st, const char *id, commit_cb cb, void *arg, char *err)
{
	sqlite3_stmt *stmt;

	stmt = store_prepare(st, COMMIT_SELECT " WHERE c.id = ? AND c.deleted_at IS NULL",
	    err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	return commit_rows(st, stmt, cb, arg, err);
}

int
sessions_list(struct store *st, const char *commit_id, session_cb cb, void *arg,
    char *err)
{
	struct session_row s;
	sqlite3_stmt *stmt;
	int n = 0, rc;

	stmt = store_prepare(st,
	    "SELECT s.id, s.commit_id, s.claude_session_id, s.started_at, s.ended_at,"
	    " s.cwd, s.git_branch, s.cli_version,"
	    " (SELECT count(*) FROM turns t"
	    "   WHERE t.session_id = s.id AND t.deleted_at IS NULL)"
	    " FROM sessions s WHERE s.commit_id = ? AND s.deleted_at IS NULL"
	    " ORDER BY s.started_at, s.id", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, commit_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		s.id = text(stmt, 0);
		s.commit_id = text(stmt, 1);
		s.claude_session_id = text(stmt, 2);
		s.started_at = text(stmt, 3);
		s.ended_at = text(stmt, 4);
		s.cwd = text(stmt, 5);
		s.git_branch = text(stmt, 6);
		s.cli_version = text(stmt, 7);
		s.turns = sqlite3_column_int64(stmt, 8);
		n++;
		if (cb(&s, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		n = store_fail(st, st->path, err);
	sqlite3_finalize(stmt);
	return n;
}

int
turns_list(struct store *st, const char *session_id, turn_cb cb, void *arg, char *err)
{
	struct turn_row t;
	sqlite3_stmt *stmt;
	int n = 0, rc;

	stmt = store_prepare(st,
	    "SELECT id, session_id, seq, role, content, thinking, timestamp, tool_calls,"
	    " model, message_id, input_tokens, output_tokens, cache_read_tokens,"
	    " cache_creation_tokens"
	    " FROM turns WHERE session_id = ? AND deleted_at IS NULL ORDER BY seq", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, session_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		t.id = text(stmt, 0);
		t.session_id = text(stmt, 1);
		t.seq = sqlite3_column_int64(stmt, 2);
		t.role = text(stmt, 3);
		t.content = text(stmt, 4);
		t.thinking = text(stmt, 5);
		t.timestamp = text(stmt, 6);
		t.tool_calls = text(stmt, 7);
		t.model = text(stmt, 8);
		t.message_id = text(stmt, 9);
		t.input_tokens = sqlite3_column_int64(stmt, 10);
		t.output_tokens = sqlite3_column_int64(stmt, 11);
		t.cache_read_tokens = sqlite3_column_int64(stmt, 12);
		t.cache_creation_tokens = sqlite3_column_int64(stmt, 13);
		n++;
		if (cb(&t, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		n = store_fail(st, st->path, err);
	sqlite3_finalize(stmt);
	return n;
}

int
projects_list(struct store *st, project_cb cb, void *arg, char *err)
{
	struct project_row p;
	sqlite3_stmt *stmt;
	int n = 0, rc;

	/*
	 * Two grouped passes joined to the (few) projects, rather than correlated
	 * subqueries per project: each commit and each session is read once.
	 * Turn counts come from turn_count, kept at import, not from the turns table.
	 */
	stmt = store_prepare(st,
	    "SELECT p.id, p.name, p.local_path, p.remote_url,"
	    " coalesce(c.n, 0), coalesce(s.n, 0), coalesce(c.turns, 0), c.last"
	    " FROM projects p"
	    " LEFT JOIN (SELECT project_id, count(*) AS n, sum(turn_count) AS turns,"
	    "     max(closed_at) AS last"
	    "   FROM cognitive_commits WHERE deleted_at IS NULL"
	    "   GROUP BY project_id) c ON c.project_id = p.id"
	    " LEFT JOIN (SELECT c.project_id, count(DISTINCT s.claude_session_id) AS n"
	    "   FROM cognitive_commits c JOIN sessions s ON s.commit_id = c.id"
	    "   WHERE c.deleted_at IS NULL AND s.deleted_at IS NULL"
	    "   GROUP BY c.project_id) s ON s.project_id = p.id"
	    " WHERE p.deleted_at IS NULL"
	    " ORDER BY c.last IS NULL, c.last DESC, p.name", err);
	if (stmt == NULL)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		p.id = text(stmt, 0);
		p.name = text(stmt, 1);
		p.local_path = text(stmt, 2);
		p.remote_url = text(stmt, 3);
		p.commits = sqlite3_column_int64(stmt, 4);
		p.sessions = sqlite3_column_int64(stmt, 5);
		p.turns = sqlite3_column_int64(stmt, 6);
		p.last_activity = text(stmt, 7);
		n++;
		if (cb(&p, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		n = store_fail(st, st->path, err);
	sqlite3_finalize(stmt);
	return n;
}

int
commits_resolve(struct store *st, const char *prefix, char id[UUID_STRLEN], char *err)
{
	char pattern[UUID_STRLEN + 1];
	struct strbuf names = STRBUF_INIT;
	sqlite3_stmt *stmt;
	size_t i, len = strlen(prefix);
	long long total = 0;
	int rc, n = 0;

	if (len == 0 || len > UUID_STRLEN - 1)
		return seterr(err, "'%s' is not a commit id", prefix);
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)prefix[i]) && prefix[i] != '-')
			return seterr(err, "'%s' is not a commit id (hex digits expected)",
			    prefix);
		pattern[i] = (char)tolower((unsigned char)prefix[i]);
	}
	/*
	 * GLOB, not LIKE: LIKE is case-insensitive by default and so cannot use
	 * the primary key's BINARY index, which turns every lookup into a scan.
	 * The prefix holds no GLOB metacharacters (checked above).
	 */
	pattern[len] = '*';
	pattern[len + 1] = '\0';

	stmt = store_prepare(st,
	    "SELECT id, count(*) OVER () FROM cognitive_commits"
	    " WHERE id GLOB ? AND deleted_at IS NULL ORDER BY id", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, pattern, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		total = sqlite3_column_int64(stmt, 1);
		if (n == 0)
			snprintf(id, UUID_STRLEN, "%s", text(stmt, 0));
		if (n < AMBIGUOUS_SHOWN)
			strbuf_addf(&names, "%s%s", n > 0 ? ", " : "", text(stmt, 0));
		if (++n >= AMBIGUOUS_SHOWN && total > 1)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = store_fail(st, st->path, err);
	else if (total == 0)
		rc = seterr(err, "no commit matches '%s'", prefix);
	else if (total > 1) {
		if (total > AMBIGUOUS_SHOWN)
			strbuf_addf(&names, " and %lld more", total - AMBIGUOUS_SHOWN);
		rc = seterr(err, "commit id '%s' is ambiguous: %s", prefix, names.buf);
	} else
		rc = 0;
	sqlite3_finalize(stmt);
	strbuf_free(&names);
	return rc;
}

int
projects_exists(struct store *st, const char *name, char *err)
{
	sqlite3_stmt *stmt;
	int rc;

	stmt = store_prepare(st,
	    "SELECT 1 FROM projects WHERE name = ? AND deleted_at IS NULL", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		rc = 1;
	else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = store_fail(st, st->path, err);
	sqlite3_finalize(stmt);
	return rc;
}

char *
projects_name_of(struct store *st, const char *id, char *err)
{
	char *name;

	err[0] = '\0';
	name = store_query_text(st, "SELECT name FROM projects WHERE id = ?1", id, err);
	if (name == NULL && err[0] == '\0')
		seterr(err, "no project %s", id);
	return name;
}

int
projects_name_width(struct store *st, long long *width, char *err)
{
	return store_query_int(st, width,
	    "SELECT coalesce(max(length(name)), 0) FROM projects WHERE deleted_at IS NULL",
	    err);
}

/* ---------------------------------------------------------------- JSON */

static void
add_str(cJSON *o, const char *key, const char *value)
{
	if (value != NULL)
		cJSON_AddStringToObject(o, key, value);
	else
		cJSON_AddNullToObject(o, key);
}

/* A column holding JSON text, parsed; kept as a string if it does not parse. */
static void
add_json(cJSON *o, const char *key, const char *value, int empty_array)
{
	cJSON *v;

	if (value == NULL)
		v = empty_array ? cJSON_CreateArray() : cJSON_CreateNull();
	else if ((v = cJSON_Parse(value)) == NULL)
		v = cJSON_CreateString(value);
	cJSON_AddItemToObject(o, key, v);
}

cJSON *
commit_row_json(const struct commit_row *c)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "id", c->id);
	add_str(o, "project", c->project);
	add_str(o, "title", c->title);
	add_str(o, "first_prompt", c->first_prompt);
	add_str(o, "git_subject", c->git_subject);
	add_str(o, "git_hash", c->git_hash);
	add_str(o, "started_at", c->started_at);
	add_str(o, "closed_at", c->closed_at);
	add_str(o, "closed_by", c->closed_by);
	cJSON_AddBoolToObject(o, "parallel", c->parallel);
	cJSON_AddBoolToObject(o, "published", c->published);
	cJSON_AddBoolToObject(o, "hidden", c->hidden);
	cJSON_AddNumberToObject(o, "display_order", (double)c->display_order);
	cJSON_AddNumberToObject(o, "turns", (double)c->turns);
	cJSON_AddNumberToObject(o, "sessions", (double)c->sessions);
	add_json(o, "files_read", c->files_read, 1);
	add_json(o, "files_changed", c->files_changed, 1);
	/* Git commits made in other repositories during this one ("[branch hash] subject"). */
	add_json(o, "git_elsewhere", c->git_elsewhere, 1);
	return o;
}

cJSON *
session_row_json(const struct session_row *s)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "id", s->id);
	add_str(o, "claude_session_id", s->claude_session_id);
	add_str(o, "started_at", s->started_at);
	add_str(o, "ended_at", s->ended_at);
	add_str(o, "cwd", s->cwd);
	add_str(o, "git_branch", s->git_branch);
	add_str(o, "cli_version", s->cli_version);
	return o;
}

cJSON *
turn_row_json(const struct turn_row *t)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "id", t->id);
	cJSON_AddNumberToObject(o, "seq", (double)t->seq);
	add_str(o, "role", t->role);
	add_str(o, "timestamp", t->timestamp);
	add_str(o, "model", t->model);
	add_str(o, "message_id", t->message_id);
	add_str(o, "content", t->content);
	add_str(o, "thinking", t->thinking);
	add_json(o, "tool_calls", t->tool_calls, 1);
	cJSON_AddNumberToObject(o, "input_tokens", (double)t->input_tokens);
	cJSON_AddNumberToObject(o, "output_tokens", (double)t->output_tokens);
	cJSON_AddNumberToObject(o, "cache_read_tokens", (double)t->cache_read_tokens);
	cJSON_AddNumberToObject(o, "cache_creation_tokens", (double)t->cache_creation_tokens);
	return o;
}

cJSON *
project_row_json(const struct project_row *p)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "id", p->id);
	add_str(o, "name", p->name);
	cJSON_AddNumberToObject(o, "commits", (double)p->commits);
	cJSON_AddNumberToObject(o, "sessions", (double)p->sessions);
	cJSON_AddNumberToObject(o, "turns", (double)p->turns);
	add_str(o, "last_activity", p->last_activity);
	add_str(o, "local_path", p->local_path);
	add_str(o, "remote_url", p->remote_url);
	return o;
}
