/*
 * Full-text search (store/search.h): a person's words made into an FTS5
 * expression, and the two FTS5 tables of v16 read newest hit first.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/search.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

/* A character FTS5 takes as part of a bare word (fts5_expr.c's sqlite3Fts5IsBareword). */
static int
bare_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == 0x1a || c >= 0x80;
}

/* Whether n bytes of s are all bare-word characters (and there is one at least). */
static int
all_bare(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!bare_char((unsigned char)s[i]))
			return 0;
	return n > 0;
}

static int
is_operator(const char *w, size_t n)
{
	return (n == 3 && (memcmp(w, "AND", 3) == 0 || memcmp(w, "NOT", 3) == 0)) ||
	    (n == 2 && memcmp(w, "OR", 2) == 0);
}

/*
 * One word, as FTS5 should read it: a bare word (with ^ before or * after)
 * as it is; one with other characters quoted, so "foo.bar" is the phrase
 * foo bar and "can't" can t; a word of punctuation alone, which would be an
 * empty phrase, is left out.
 */
static void
add_word(struct strbuf *sb, const char *w, size_t n)
{
	size_t body = n, i;
	int any = 0;

	if (n > 0 && w[n - 1] == '*')
		body--;
	if (is_operator(w, n) || (w[0] == '^' && all_bare(w + 1, body - 1)) || all_bare(w, body)) {
		strbuf_add(sb, w, n);
		strbuf_addc(sb, ' ');
		return;
	}
	for (i = 0; i < n; i++)
		any |= bare_char((unsigned char)w[i]);
	if (!any)
		return;
	strbuf_addc(sb, '"');
	strbuf_add(sb, w, body);
	/* "foo.bar*": the phrase's last word as a prefix */
	strbuf_adds(sb, body < n ? "\" * " : "\" ");
}

/*
 * text with the apostrophe of each n't (ASCII or typographic; "n't" or
 * "N'T") made SEARCH_GLUE, as v18's index holds it (migrations.c,
 * SEARCH_WORDS): "can't" is then one word, not the phrase "can t" of two of
 * the commonest words. Newly allocated.
 */
static char *
glue_contractions(const char *text)
{
	static const char *const apostrophes[] = { "'", SEARCH_CURLY };
	struct strbuf sb = STRBUF_INIT;
	const char *p = text;

	while (*p != '\0') {
		size_t i, n = 0;

		for (i = 0; i < sizeof apostrophes / sizeof apostrophes[0] && n == 0; i++) {
			size_t len = strlen(apostrophes[i]);

			if ((p[0] == 'n' || p[0] == 'N') && strncmp(p + 1, apostrophes[i], len) == 0 &&
			    p[1 + len] == (p[0] == 'n' ? 't' : 'T'))
				n = len;
		}
		strbuf_addc(&sb, *p++);
		if (n > 0) {
			strbuf_adds(&sb, SEARCH_GLUE);
			p += n;
		}
	}
	return strbuf_detach(&sb);
}

char *
search_expression(const char *typed)
{
	struct strbuf sb = STRBUF_INIT;
	char *text = glue_contractions(typed);
	const char *p = text;
	int depth = 0;		/* parentheses open */
	int near_depth = 0;	/* the depth inside NEAR( ... ), where a comma is syntax */

	while (*p != '\0') {
		size_t n;

		if (strchr(" \t\n\r\f\v", *p) != NULL) {
			p++;
			continue;
		}
		if (*p == '"') {
			/* A quoted phrase, "" inside for a quote, as FTS5 spells it. */
			const char *q = p + 1;

			for (;;) {
				q += strcspn(q, "\"");
				if (*q == '"' && q[1] == '"')
					q += 2;
				else
					break;
			}
			if (*q == '"')
				q++;
			if (*q == '*')
				q++;
			strbuf_add(&sb, p, (size_t)(q - p));
			strbuf_addc(&sb, ' ');
			p = q;
			continue;
		}
		/*
		 * A parenthesis is syntax where it opens a word, or ends one inside
		 * a group; elsewhere it is part of the word (printf(x), foo()).
		 */
		if (*p == '(' || (*p == ')' && depth > 0) || (*p == ',' && near_depth > 0)) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && depth-- == near_depth)
				near_depth = 0;
			strbuf_addc(&sb, *p++);
			strbuf_addc(&sb, ' ');
			continue;
		}
		if (strncmp(p, "NEAR(", 5) == 0) {
			strbuf_adds(&sb, "NEAR");
			near_depth = depth + 1;
			p += 4;
			continue;
		}
		for (n = 0; p[n] != '\0' && strchr(" \t\n\r\f\v\"", p[n]) == NULL; n++)
			if ((p[n] == ')' && depth > 0) || (p[n] == ',' && near_depth > 0))
				break;
		add_word(&sb, p, n);
		p += n;
	}
	while (sb.len > 0 && sb.buf[sb.len - 1] == ' ')
		sb.buf[--sb.len] = '\0';
	free(text);
	return strbuf_detach(&sb);
}

/*
 * The filters both searches share. The FTS5 table leads the join (CROSS
 * JOIN keeps it outer), so the rows come in its rowid order, ORDER BY costs
 * no sort and the search stops at the limit.
 */
static void
add_filters(struct strbuf *sql, const struct search_query *q, const char *fts, const char *when,
    const char *live)
{
	strbuf_addf(sql, " LEFT JOIN projects p ON p.id = c.project_id"
	    " WHERE %s MATCH :expr AND %s", fts, live);
	if (!q->include_hidden)
		strbuf_adds(sql, " AND c.hidden = 0");
	if (q->project != NULL)
		strbuf_adds(sql, " AND c.project_id ="
		    " (SELECT id FROM projects WHERE name = :project AND deleted_at IS NULL)");
	if (q->since != NULL)
		strbuf_addf(sql, " AND %s >= :since", when);
	strbuf_addf(sql, " ORDER BY %s.rowid DESC LIMIT :limit", fts);
}

/* The words around a hit, n't with an apostrophe again (a typographic one shows as '). */
#define SNIPPET(table) \
	"replace(replace(snippet(" table ", -1, '" SEARCH_MARK_OPEN "', '" SEARCH_MARK_CLOSE "'," \
	" '…', 16), 'n" SEARCH_GLUE "t', 'n''t'), 'N" SEARCH_GLUE "T', 'N''T')"

static const char *
col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* One of the two searches: its hits to cb; the count, or as search_run. */
static int
run_one(struct store *st, const char *sql, const char *expr, const struct search_query *q,
    long limit, search_cb cb, void *arg, char *err)
{
	sqlite3_stmt *s = store_prepare(st, sql, err);
	int rc, n = 0;

	if (s == NULL)
		return -1;
	store_bind_text(s, sqlite3_bind_parameter_index(s, ":expr"), expr);
	store_bind_text(s, sqlite3_bind_parameter_index(s, ":project"), q->project);
	store_bind_text(s, sqlite3_bind_parameter_index(s, ":since"), q->since);
	sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":limit"), limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct search_hit h = {
			.commit_id = col(s, 0), .session_id = col(s, 1), .turn_id = col(s, 2),
			.seq = sqlite3_column_type(s, 3) == SQLITE_NULL ? -1 :
			    sqlite3_column_int64(s, 3),
			.role = col(s, 4), .when = col(s, 5), .project = col(s, 6),
			.snippet = col(s, 7),
		};
		int stop;

		if (h.snippet == NULL)
			h.snippet = "";
		if ((stop = cb(&h, arg)) != 0) {
			sqlite3_finalize(s);
			return stop;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		/* The expression is read when the search starts: a plain error is the query's. */
		int bad = sqlite3_errcode(st->db) == SQLITE_ERROR;

		seterr(err, "%s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return bad ? SEARCH_BAD_QUERY : -1;
	}
	sqlite3_finalize(s);
	return n;
}

int
search_run(struct store *st, const struct search_query *q, search_cb cb, void *arg, char *err)
{
	struct strbuf sql = STRBUF_INIT;
	char *expr = search_expression(q->text);
	int titles, turns;

	if (*expr == '\0') {	/* punctuation alone: no word to look for */
		free(expr);
		return 0;
	}
	if (search_catch_up(st, err) != 0) {
		free(expr);
		return -1;
	}
	strbuf_adds(&sql, "SELECT c.id, NULL, NULL, NULL, 'title', c.started_at,"
	    " coalesce(p.name, c.project_name), " SNIPPET("commit_search") " FROM commit_search"
	    " CROSS JOIN cognitive_commits c ON c.rowid = commit_search.rowid");
	add_filters(&sql, q, "commit_search", "c.started_at", "c.deleted_at IS NULL");
	titles = run_one(st, sql.buf, expr, q, q->limit, cb, arg, err);
	strbuf_reset(&sql);
	strbuf_adds(&sql, "SELECT c.id, s.id, t.id, t.seq, t.role, t.timestamp,"
	    " coalesce(p.name, c.project_name), " SNIPPET("turn_search") " FROM turn_search"
	    " CROSS JOIN turns t ON t.rowid = turn_search.rowid CROSS JOIN sessions s ON s.id = t.session_id"
	    " CROSS JOIN cognitive_commits c ON c.id = s.commit_id");
	/* A turn or session under a tombstone is no hit, whatever its commit. */
	add_filters(&sql, q, "turn_search", "t.timestamp",
	    "t.deleted_at IS NULL AND s.deleted_at IS NULL AND c.deleted_at IS NULL");
	turns = titles < 0 || titles >= q->limit ? 0 :
	    run_one(st, sql.buf, expr, q, q->limit - titles, cb, arg, err);
	strbuf_free(&sql);
	free(expr);
	if (titles < 0 || titles >= q->limit)
		return titles;
	return turns < 0 ? turns : titles + turns;
}

int
search_batch_open(struct store *st, char *err)
{
	/*
	 * Pending already (an earlier import's turns): they stay pending from
	 * there, and no row is added. max(rowid) in a subquery of its own: an
	 * aggregate over turns with a WHERE of its own reads the whole table
	 * (no min/max seek) and yields a row (0) even when the WHERE is false.
	 */
	return store_exec(st, "INSERT INTO search_batch"
	    " SELECT coalesce((SELECT max(rowid) FROM turns), 0)"
	    " WHERE NOT EXISTS (SELECT 1 FROM search_batch)", err);
}

int
search_batch_after_delete(struct store *st, char *err)
{
	/*
	 * SQLite gives a new row the rowid after the largest: once the turns
	 * from some rowid up are gone, new turns take rowids at or under since,
	 * which the catch-up would never index (the samples searched, then
	 * removed by the first real import, whose turns then never showed).
	 * Every turn left at or under the new since was indexed.
	 */
	return store_exec(st, "UPDATE search_batch SET since ="
	    " min(since, coalesce((SELECT max(rowid) FROM turns), 0))", err);
}

int
search_catch_up(struct store *st, char *err)
{
	long long pending = 0;

	if (store_query_int(st, &pending, "SELECT count(*) FROM search_batch", err) != 0)
		return -1;
	if (pending == 0)
		return 0;
	if (store_begin(st, err) != 0)
		return -1;
	if (store_exec(st, "INSERT INTO turn_search(rowid, content, tools)"
	    " SELECT turn_rowid, content, tools FROM turn_search_text"
	    " WHERE turn_rowid > (SELECT since FROM search_batch);"
	    "DELETE FROM search_batch;", err) != 0 || store_commit(st, err) != 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int
search_rebuild(struct store *st, long long *turns, long long *commits, char *err)
{
	if (store_begin(st, err) != 0)
		return -1;
	if (store_exec(st, "DELETE FROM search_batch;"	/* nothing pending after it */
	    "INSERT INTO turn_search(turn_search) VALUES ('rebuild');"
	    "INSERT INTO commit_search(commit_search) VALUES ('rebuild');", err) != 0 ||
	    store_query_int(st, turns, "SELECT count(*) FROM turns", err) != 0 ||
	    store_query_int(st, commits, "SELECT count(*) FROM cognitive_commits", err) != 0 ||
	    store_commit(st, err) != 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}
