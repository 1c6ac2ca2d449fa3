#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/import-rows.h"
#include "store/internal.h"
#include "store/turn-stats.h"
#include "store/turn-stats-batch.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* Each write is an insert, and when the row was there, an update of what changed. */
static const char *const commit_sql[2] = {
	"INSERT INTO cognitive_commits (id, project_id, project_name, git_hash, git_subject,"
	" started_at, closed_at, closed_by, files_read, files_changed, source, first_prompt,"
	" turn_count, updated_at, first_prompt_kind, git_elsewhere, checkout)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
	" ON CONFLICT DO NOTHING",
	"UPDATE cognitive_commits SET git_hash = ?4, git_subject = ?5, closed_at = ?7,"
	" closed_by = ?8, files_read = ?9, files_changed = ?10, first_prompt = ?12,"
	" turn_count = ?13, updated_at = ?14, first_prompt_kind = ?15, git_elsewhere = ?16,"
	" sync_status = 'pending',"
	" local_version = local_version + 1"
	" WHERE id = ?1 AND (git_hash IS NOT ?4 OR git_subject IS NOT ?5 OR"
	" closed_at IS NOT ?7 OR closed_by IS NOT ?8 OR files_read IS NOT ?9 OR"
	" files_changed IS NOT ?10 OR first_prompt IS NOT ?12 OR turn_count IS NOT ?13 OR"
	" git_elsewhere IS NOT ?16)",
};

static const char *const session_sql[2] = {
	"INSERT INTO sessions (id, commit_id, claude_session_id, started_at, ended_at, cwd,"
	" git_branch, cli_version, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	" ON CONFLICT DO NOTHING",
	"UPDATE sessions SET ended_at = ?5, git_branch = ?7, cli_version = ?8,"
	" updated_at = ?9, sync_status = 'pending',"
	" local_version = local_version + 1"
	" WHERE id = ?1 AND (ended_at IS NOT ?5 OR git_branch IS NOT ?7 OR"
	" cli_version IS NOT ?8)",
};

/*
 * session_sql's update for a row already pending, the commit having been
 * written just before: sync_status stays out of SET, so sessions_mark_commit
 * (which marks the commit pending) does not write the commit row again.
 */
static const char session_pending_sql[] =
	"UPDATE sessions SET ended_at = ?5, git_branch = ?7, cli_version = ?8,"
	" updated_at = ?9, local_version = local_version + 1"
	" WHERE id = ?1 AND sync_status = 'pending' AND (ended_at IS NOT ?5 OR"
	" git_branch IS NOT ?7 OR cli_version IS NOT ?8)";

/*
 * A line two transcripts share (Claude Code copies the opening lines of a
 * resumed or forked session) is one turn, kept by one session whatever the
 * import order: the session of the earliest commit, then the smallest id.
 */
#define TURN_OWNER_RANK(sid) \
	"(SELECT c.started_at || ' ' || s.id FROM sessions s" \
	" JOIN cognitive_commits c ON c.id = s.commit_id WHERE s.id = " sid ")"

static const char *const turn_sql[2] = {
	"INSERT INTO turns (id, session_id, seq, role, content, thinking, timestamp,"
	" tool_calls, model, message_id, input_tokens, output_tokens, cache_read_tokens,"
	" cache_creation_tokens, updated_at, tool_summary, typed)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
	" ON CONFLICT DO NOTHING",
	"UPDATE turns SET session_id = ?2, seq = ?3, content = ?5, typed = ?17, thinking = ?6,"
	" tool_calls = ?8, tool_summary = ?16, model = ?9,"
	" input_tokens = ?11, output_tokens = ?12, cache_read_tokens = ?13,"
	" cache_creation_tokens = ?14, updated_at = ?15, sync_status = 'pending',"
	" local_version = local_version + 1"
	" WHERE id = ?1 AND (session_id IS NOT ?2 OR seq IS NOT ?3 OR"
	" content IS NOT ?5 OR thinking IS NOT ?6 OR tool_calls IS NOT ?8"
	" OR model IS NOT ?9 OR input_tokens IS NOT ?11 OR output_tokens IS NOT ?12 OR"
	" cache_read_tokens IS NOT ?13 OR cache_creation_tokens IS NOT ?14)"
	" AND (session_id = ?2 OR " TURN_OWNER_RANK("?2") " < " TURN_OWNER_RANK("session_id") ")",
};


typedef void (*bind_fn)(sqlite3_stmt *stmt, const void *arg);

/*
 * One statement: the rows it changed, or -1. sql is one of this file's
 * static texts: found by its address, not hashed and compared, once per row.
 */
static int
write_row(struct store *st, const char *sql, bind_fn bind, const void *arg, char *err)
{
	sqlite3_stmt *s = store_cached_static(st, sql, err);

	if (s == NULL)
		return -1;
	bind(s, arg);
	return store_step_write(st, s, st->path, err);
}

/*
 * The insert, then the update when nothing was inserted: an enum
 * import_change, or -1. With known (the row is there: this import wrote it),
 * only the update.
 */
static int
insert_or_update(struct store *st, const char *const sql[2], bind_fn bind, const void *arg,
    int known, char *err)
{
	int i, n;

	for (i = known ? 1 : 0; i < 2; i++) {
		if ((n = write_row(st, sql[i], bind, arg, err)) < 0)
			return -1;
		if (n > 0)
			return i == 0 ? IMPORT_NEW : IMPORT_CHANGED;
	}
	return IMPORT_SAME;
}

static int
project_exists(struct store *st, const char *id)
{
	char *found = store_query_text(st, "SELECT id FROM projects WHERE id = ?1", id, NULL);

	free(found);
	return found != NULL;
}

/*
 * A project pulled from another machine (no key here yet) that this machine
 * has a checkout of: its path here is that checkout. Both columns are this
 * machine's own (sync/tables.h), so nothing new goes up.
 */
static int
adopt_pulled_project(struct store *st, const struct seg_commit *c, char *err)
{
	sqlite3_stmt *s = store_cached(st, "UPDATE projects SET local_path = ?2,"
	    " identity_key = ?3 WHERE id = ?1 AND identity_key IS NULL", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, c->project_id);
	store_bind_text(s, 2, c->project_path);
	store_bind_text(s, 3, c->project_key);
	return store_step_write(st, s, st->path, err);
}

/*
 * A new project at a path takes in the projects made earlier for its
 * subdirectories (their transcripts came first): the same whatever the order.
 */
static int
adopt_subprojects(struct store *st, const struct seg_commit *c, const char *now, char *err)
{
#define UNDER " FROM projects WHERE deleted_at IS NULL AND identity_key LIKE 'path:%'" \
	" AND substr(local_path, 1, length(?4) + 1) = ?4 || '/'"
	static const char *const sql[2] = {
		"UPDATE cognitive_commits SET project_id = ?1, project_name = ?2, checkout = ?4,"
		" updated_at = ?3, sync_status = 'pending', local_version = local_version + 1"
		" WHERE project_id IN (SELECT id" UNDER ")",
		"UPDATE projects SET name = name || ' (' || id || ')', deleted_at = ?3,"
		" updated_at = ?3, sync_status = 'pending', local_version = local_version + 1"
		" WHERE id IN (SELECT id" UNDER ")",
	};
#undef UNDER
	sqlite3_stmt *s;
	int i;

	for (i = 0; i < 2; i++) {
		if ((s = store_cached(st, sql[i], err)) == NULL)
			return -1;
		store_bind_text(s, 1, c->project_id);
		store_bind_text(s, 2, c->project_name);
		store_bind_text(s, 3, now);
		store_bind_text(s, 4, c->project_path);
		if (store_step_write(st, s, st->path, err) < 0)
			return -1;
	}
	return 0;
}

int
import_project(struct store *st, const struct seg_commit *c, const char *now, char *err)
{
	struct project_identity id = {
		.key = c->project_key, .name = c->project_name, .root = c->project_path,
		.remote = c->project_remote,
	};
	sqlite3_stmt *s;
	char *name;
	int level, n = 0;

	if (project_exists(st, c->project_id))
		return adopt_pulled_project(st, c, err);
	/* Names are unique: two repositories called "cli" get longer ones. */
	for (level = 0; n == 0 && (name = project_name_candidate(&id, level)) != NULL; level++) {
		if ((s = store_cached(st, "INSERT INTO projects (id, name, local_path, remote_url,"
		    " identity_key, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
		    " ON CONFLICT DO NOTHING", err)) == NULL) {
			free(name);
			return -1;
		}
		store_bind_text(s, 1, c->project_id);
		store_bind_text(s, 2, name);
		store_bind_text(s, 3, c->project_path);
		store_bind_text(s, 4, c->project_remote);
		store_bind_text(s, 5, c->project_key);
		store_bind_text(s, 6, now);
		n = store_step_write(st, s, st->path, err);
		free(name);
		if (n < 0)
			return -1;
	}
	if (n > 0 && c->project_remote == NULL && project_may_contain(c->project_path) &&
	    adopt_subprojects(st, c, now, err) != 0)
		return -1;
	return n;
}

int
import_known_project(struct store *st, struct project_identity *id, char *err)
{
	sqlite3_stmt *s = store_cached(st, "SELECT id, name, local_path, remote_url,"
	    " identity_key FROM projects WHERE deleted_at IS NULL AND identity_key IS NOT NULL"
	    " AND length(local_path) < length(?1)"
	    " AND substr(?1, 1, length(local_path) + 1) = local_path || '/'"
	    " ORDER BY length(local_path) DESC LIMIT 1", err);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, id->root);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	    project_may_contain((const char *)sqlite3_column_text(s, 2))) {
		project_identity_free(id);
		snprintf(id->id, sizeof id->id, "%s", sqlite3_column_text(s, 0));
		id->name = store_column_dup(s, 1);
		id->root = store_column_dup(s, 2);
		id->remote = store_column_dup(s, 3);
		id->key = store_column_dup(s, 4);
	} else if (rc != SQLITE_DONE)
		store_fail(st, st->path, err);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

struct commit_args {
	const struct seg_commit *c;
	const char *files_read, *files_changed, *now;
	char *git_elsewhere;
};

static void
bind_commit(sqlite3_stmt *s, const void *arg)
{
	const struct commit_args *a = arg;
	const struct seg_commit *c = a->c;

	store_bind_text(s, 1, c->id);
	store_bind_text(s, 2, c->project_id);
	store_bind_text(s, 3, c->project_name);
	store_bind_text(s, 4, c->git_hash);
	store_bind_text(s, 5, c->git_subject);
	store_bind_text(s, 6, c->started_at);
	store_bind_text(s, 7, c->closed_at);
	store_bind_text(s, 8, c->closed_by);
	store_bind_text(s, 9, a->files_read);
	store_bind_text(s, 10, a->files_changed);
	store_bind_text(s, 11, SEG_SOURCE);
	store_bind_text(s, 12, c->first_prompt);
	sqlite3_bind_int(s, 13, c->turn_count);
	store_bind_text(s, 14, a->now);
	sqlite3_bind_int(s, 15, c->first_prompt_kind);
	store_bind_text(s, 16, a->git_elsewhere);
	store_bind_text(s, 17, c->project_path);	/* the checkout, for `parallel` */
}

int
import_commit(struct store *st, const struct seg_commit *c, const char *files_read,
    const char *files_changed, const char *now, int known, char *err)
{
	struct commit_args a = { c, files_read, files_changed, now,
		strset_to_json(&c->git_elsewhere) };
	int rc = insert_or_update(st, commit_sql, bind_commit, &a, known, err);

	free(a.git_elsewhere);
	return rc;
}

struct session_args {
	const struct seg_commit *c;
	const char *now;
};

static void
bind_session(sqlite3_stmt *s, const void *arg)
{
	const struct session_args *a = arg;
	const struct seg_commit *c = a->c;

	store_bind_text(s, 1, c->session_id);
	store_bind_text(s, 2, c->id);
	store_bind_text(s, 3, c->claude_session_id);
	store_bind_text(s, 4, c->started_at);
	store_bind_text(s, 5, c->closed_at);
	store_bind_text(s, 6, c->cwd);
	store_bind_text(s, 7, c->git_branch);
	store_bind_text(s, 8, c->cli_version);
	store_bind_text(s, 9, a->now);
}

int
import_session(struct store *st, const struct seg_commit *c, const char *now, int known,
    int commit_written, char *err)
{
	struct session_args a = { c, now };
	int n;

	if (commit_written) {
		if (!known && (n = write_row(st, session_sql[0], bind_session, &a, err)) != 0)
			return n < 0 ? -1 : IMPORT_NEW;
		if ((n = write_row(st, session_pending_sql, bind_session, &a, err)) != 0)
			return n < 0 ? -1 : IMPORT_CHANGED;
		known = 1;	/* there, and not pending or unchanged: the usual update */
	}
	return insert_or_update(st, session_sql, bind_session, &a, known, err);
}

struct turn_args {
	const struct seg_commit *c;
	const struct seg_turn *t;
	const struct strbuf *tool_calls;
	const char *now;
	struct strbuf summary;	/* turn_tool_summary of t's calls */
	int typed;		/* a user turn's words were typed (turn_typed) */
};

/*
 * A turn's long texts (13 KB on average) with their lengths: SQLite would
 * otherwise measure each with strlen. They hold no NUL (built by
 * strbuf_adds and the JSON printer), so the text stored is the same.
 */
static void
bind_long_text(sqlite3_stmt *s, int i, const struct strbuf *sb, const char *empty)
{
	if (sb->len > 0)
		sqlite3_bind_text(s, i, sb->buf, (int)sb->len, SQLITE_STATIC);
	else
		store_bind_text(s, i, empty);
}

static void
bind_turn(sqlite3_stmt *s, const void *arg)
{
	const struct turn_args *a = arg;
	const struct seg_turn *t = a->t;

	store_bind_text(s, 1, t->id);
	store_bind_text(s, 2, a->c->session_id);
	sqlite3_bind_int(s, 3, t->seq);
	store_bind_text(s, 4, t->is_assistant ? "assistant" : "user");
	bind_long_text(s, 5, &t->content, "");
	bind_long_text(s, 6, &t->thinking, NULL);
	store_bind_text(s, 7, t->timestamp);
	bind_long_text(s, 8, a->tool_calls, NULL);
	store_bind_text(s, 9, t->model);
	store_bind_text(s, 10, t->message_id);
	sqlite3_bind_int64(s, 11, t->usage.input);
	sqlite3_bind_int64(s, 12, t->usage.output);
	sqlite3_bind_int64(s, 13, t->usage.cache_read);
	sqlite3_bind_int64(s, 14, t->usage.cache_creation);
	store_bind_text(s, 15, a->now);
	store_bind_text(s, 16, a->summary.buf);
	if (!t->is_assistant)
		sqlite3_bind_int(s, 17, a->typed);
}

int
import_turn(struct store *st, const struct seg_commit *c, const struct seg_turn *t,
    const struct strbuf *tool_calls, const char *now, const struct import_turn_owner *owner,
    char *err)
{
	struct turn_args a = { c, t, tool_calls, now, STRBUF_INIT, 0 };
	char *from;
	int n;

	turn_tool_summary(t->tool_calls, &a.summary);
	if (!t->is_assistant)
		a.typed = turn_typed(t->content.len > 0 ? t->content.buf : "");
	n = write_row(st, turn_sql[0], bind_turn, &a, err);
	if (n > 0 && turn_stats_batch_is_open(st))
		turn_stats_batch_add(st, c->session_id, !t->is_assistant, a.typed, t->usage.input,
		    t->usage.output, t->usage.cache_read, t->usage.cache_creation, t->tool_calls);
	if (n != 0) {
		strbuf_free(&a.summary);
		return n < 0 ? -1 : IMPORT_NEW;
	}
	/* There already, maybe kept by another commit's session (a shared line). */
	if (owner != NULL && owner->write(owner->arg, c, err) != 0) {
		strbuf_free(&a.summary);
		return -1;
	}
	from = store_query_text(st, "SELECT s.commit_id FROM turns t JOIN sessions s"
	    " ON s.id = t.session_id WHERE t.id = ?1", t->id, NULL);
	if (from != NULL && strcmp(from, c->id) == 0) {
		free(from);
		from = NULL;
	}
	if ((n = write_row(st, turn_sql[1], bind_turn, &a, err)) < 0)
		n = -1;
	else if (n > 0)
		/* Moved here: the commit that kept it counts one turn less. */
		n = from != NULL && import_recount_turns(st, from, now, err) != 0 ? -1 :
		    IMPORT_CHANGED;
	else
		n = from != NULL ? IMPORT_ELSEWHERE : IMPORT_SAME;
	free(from);
	strbuf_free(&a.summary);
	return n;
}

int
import_recount_turns(struct store *st, const char *commit_id, const char *now, char *err)
{
	sqlite3_stmt *s = store_cached(st, "UPDATE cognitive_commits SET turn_count = n,"
	    " updated_at = ?2, sync_status = 'pending', local_version = local_version + 1"
	    " FROM (SELECT count(*) AS n FROM turns t JOIN sessions s ON s.id = t.session_id"
	    "  WHERE s.commit_id = ?1 AND t.deleted_at IS NULL)"
	    " WHERE id = ?1 AND turn_count <> n", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, commit_id);
	store_bind_text(s, 2, now);
	return store_step_write(st, s, st->path, err) < 0 ? -1 : 0;
}

int
import_drop_turns(struct store *st, const char *claude_session_id,
    int (*keep)(const char *turn_id, void *arg), void *arg, const char *now, char *err)
{
	sqlite3_stmt *sel = store_prepare(st, "SELECT t.id FROM turns t JOIN sessions s"
	    " ON s.id = t.session_id WHERE s.claude_session_id = ?1 AND t.deleted_at IS NULL",
	    err), *del = NULL;
	struct strset gone = { 0 };
	int i, rc = 0;

	if (sel == NULL)
		return -1;
	store_bind_text(sel, 1, claude_session_id);
	while (sqlite3_step(sel) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(sel, 0);
		if (id != NULL && !keep(id, arg))
			strset_add(&gone, id);
	}
	sqlite3_finalize(sel);
	/* Tombstones, so that sync removes them from the cloud too. */
	if (gone.n > 0 && (del = store_cached(st, "UPDATE turns SET deleted_at = ?2,"
	    " updated_at = ?2, sync_status = 'pending', local_version = local_version + 1"
	    " WHERE id = ?1", err)) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < gone.n; i++) {
		store_bind_text(del, 1, gone.items[i]);
		store_bind_text(del, 2, now);
		if (store_step_write(st, del, st->path, err) < 0)
			rc = -1;
	}
	strset_free(&gone);
	if (rc != 0)
		return -1;
	/* Their commits hold fewer turns now; one left with none is gone too. */
	if ((sel = store_prepare(st, "SELECT DISTINCT commit_id FROM sessions"
	    " WHERE claude_session_id = ?1", err)) == NULL)
		return -1;
	store_bind_text(sel, 1, claude_session_id);
	while (rc == 0 && sqlite3_step(sel) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(sel, 0);
		strset_add(&gone, id != NULL ? id : "");
	}
	sqlite3_finalize(sel);
	del = store_cached(st, "UPDATE cognitive_commits SET deleted_at = ?2, updated_at = ?2,"
	    " sync_status = 'pending', local_version = local_version + 1"
	    " WHERE id = ?1 AND turn_count = 0 AND deleted_at IS NULL", err);
	for (i = 0; rc == 0 && i < gone.n; i++) {
		if (del == NULL || import_recount_turns(st, gone.items[i], now, err) != 0)
			rc = -1;
		else {
			store_bind_text(del, 1, gone.items[i]);
			store_bind_text(del, 2, now);
			if (store_step_write(st, del, st->path, err) < 0)
				rc = -1;
		}
	}
	strset_free(&gone);
	return rc;
}

char *
import_tool_calls(struct store *st, const char *turn_id)
{
	return store_query_text(st, "SELECT tool_calls FROM turns WHERE id = ?1", turn_id, NULL);
}

int
import_set_tool_calls(struct store *st, const char *turn_id, const cJSON *calls,
    const char *tool_calls, const char *now, char *err)
{
	sqlite3_stmt *s = store_cached(st, "UPDATE turns SET tool_calls = ?2, tool_summary = ?4,"
	    " updated_at = ?3, sync_status = 'pending', local_version = local_version + 1"
	    " WHERE id = ?1", err);
	struct strbuf summary = STRBUF_INIT;
	int rc;

	if (s == NULL)
		return -1;
	turn_tool_summary(calls, &summary);
	store_bind_text(s, 1, turn_id);
	store_bind_text(s, 2, tool_calls);
	store_bind_text(s, 3, now);
	store_bind_text(s, 4, summary.buf);
	rc = store_step_write(st, s, st->path, err) < 0 ? -1 : 0;
	strbuf_free(&summary);
	return rc;
}

int
import_visual(struct store *st, const struct import_visual *v, const char *now, char *err)
{
	sqlite3_stmt *s = store_cached(st, "INSERT INTO visuals (id, commit_id, turn_id, type,"
	    " sha256, path, captured_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT DO NOTHING", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, v->id);
	store_bind_text(s, 2, v->commit_id);
	store_bind_text(s, 3, v->turn_id);
	store_bind_text(s, 4, v->type);
	store_bind_text(s, 5, v->sha256);
	store_bind_text(s, 6, v->path);
	store_bind_text(s, 7, v->captured_at);
	store_bind_text(s, 8, now);
	return store_step_write(st, s, st->path, err);
}

/* ---------------------------------------------------------------- file state */

int
import_file_state(struct store *st, const char *path, struct file_state *fs, char *err)
{
	sqlite3_stmt *s = store_cached(st, "SELECT size, mtime, inode, offset, line_no,"
	    " last_commit_id FROM import_files WHERE path = ?1", err);
	int rc;

	memset(fs, 0, sizeof *fs);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, path);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *last = (const char *)sqlite3_column_text(s, 5);
		fs->known = 1;
		fs->size = sqlite3_column_int64(s, 0);
		fs->mtime = sqlite3_column_int64(s, 1);
		fs->inode = sqlite3_column_int64(s, 2);
		fs->offset = sqlite3_column_int64(s, 3);
		fs->line_no = sqlite3_column_int64(s, 4);
		if (last != NULL && uuid_valid(last))
			memcpy(fs->last_commit_id, last, UUID_STRLEN);
	} else if (rc != SQLITE_DONE)
		store_fail(st, st->path, err);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
import_reread_wanted(struct store *st, char *err)
{
	sqlite3_stmt *s = store_cached(st, "SELECT EXISTS (SELECT 1 FROM import_reread)", err);
	int wanted;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		store_fail(st, st->path, err);
		sqlite3_reset(s);
		return -1;
	}
	wanted = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return wanted;
}

int
import_reread_done(struct store *st, char *err)
{
	sqlite3_stmt *s = store_cached(st, "DELETE FROM import_reread", err);

	return s == NULL || store_step_write(st, s, st->path, err) < 0 ? -1 : 0;
}

int
import_save_file_state(struct store *st, const char *path, const struct file_state *fs,
    const char *now, char *err)
{
	sqlite3_stmt *s = store_cached(st, "INSERT OR REPLACE INTO import_files (path, size,"
	    " mtime, inode, offset, line_no, last_commit_id, imported_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, path);
	sqlite3_bind_int64(s, 2, fs->size);
	sqlite3_bind_int64(s, 3, fs->mtime);
	sqlite3_bind_int64(s, 4, fs->inode);
	sqlite3_bind_int64(s, 5, fs->offset);
	sqlite3_bind_int64(s, 6, fs->line_no);
	store_bind_text(s, 7, fs->last_commit_id[0] != '\0' ? fs->last_commit_id : NULL);
	store_bind_text(s, 8, now);
	return store_step_write(st, s, st->path, err) < 0 ? -1 : 0;
}

int
import_file_session(struct store *st, const char *path, const char *claude_session_id,
    char *err)
{
	sqlite3_stmt *s = store_cached(st, "INSERT OR IGNORE INTO import_file_sessions"
	    " (path, claude_session_id) VALUES (?1, ?2)", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, path);
	store_bind_text(s, 2, claude_session_id);
	return store_step_write(st, s, st->path, err) < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- resume */

static void
col_copy_ts(sqlite3_stmt *stmt, int i, char out[32])
{
	const char *s = (const char *)sqlite3_column_text(stmt, i);

	snprintf(out, 32, "%s", s != NULL ? s : "");
}

char *
import_commit_project(struct store *st, const char *commit_id)
{
	return store_query_text(st, "SELECT coalesce(p.name, c.project_name) FROM"
	    " cognitive_commits c LEFT JOIN projects p ON p.id = c.project_id WHERE c.id = ?1",
	    commit_id, NULL);
}

int
import_commit_is_open(struct store *st, const char *commit_id, char last_activity[32])
{
	sqlite3_stmt *s = store_cached(st, "SELECT closed_by = 'open', closed_at"
	    " FROM cognitive_commits WHERE id = ?1", NULL);
	int open = 0;

	if (s == NULL)
		return 0;
	store_bind_text(s, 1, commit_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		open = sqlite3_column_int(s, 0);
		col_copy_ts(s, 1, last_activity);
	}
	sqlite3_reset(s);
	return open;
}

int
import_next_idle(struct store *st, int64_t idle_ms, int64_t now_ms, int64_t *due_ms, char *err)
{
	sqlite3_stmt *s = store_cached(st, "SELECT c.closed_at, f.mtime FROM import_files f"
	    " JOIN cognitive_commits c ON c.id = f.last_commit_id"
	    " WHERE c.closed_by = 'open'", err);
	char last[32];
	int64_t quiet, at, due;
	int rc;

	*due_ms = -1;
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* Quiet since its last turn or its file's last write, whichever is older. */
		quiet = sqlite3_column_int64(s, 1) * 1000;
		col_copy_ts(s, 0, last);
		if ((at = time_parse_iso_ms(last)) >= 0 && at < quiet)
			quiet = at;
		due = quiet + idle_ms;
		if (due > now_ms && (*due_ms < 0 || due < *due_ms))
			*due_ms = due;
	}
	if (rc != SQLITE_DONE)
		store_fail(st, st->path, err);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static struct seg_commit *
commit_from_row(sqlite3_stmt *s)
{
	struct seg_commit *c = seg_commit_new();

	snprintf(c->id, sizeof c->id, "%s", sqlite3_column_text(s, 0));
	snprintf(c->session_id, sizeof c->session_id, "%s", sqlite3_column_text(s, 1));
	c->claude_session_id = store_column_dup(s, 2);
	c->project_name = store_column_dup(s, 3);
	snprintf(c->project_id, sizeof c->project_id, "%s", sqlite3_column_type(s, 19) ==
	    SQLITE_NULL ? "" : (const char *)sqlite3_column_text(s, 19));
	c->cwd = store_column_dup(s, 4);
	c->project_path = store_column_dup(s, 20);
	c->git_branch = store_column_dup(s, 5);
	c->cli_version = store_column_dup(s, 6);
	col_copy_ts(s, 7, c->started_at);
	col_copy_ts(s, 8, c->closed_at);
	/* A session that ended and then grew again is one commit, reopened. */
	c->closed_by = strcmp((const char *)sqlite3_column_text(s, 9), "git_commit") == 0 ?
	    "git_commit" : "open";
	c->first_prompt = store_column_dup(s, 10);
	c->turn_count = sqlite3_column_int(s, 11);
	strset_from_json(&c->files_read, (const char *)sqlite3_column_text(s, 12));
	strset_from_json(&c->files_changed, (const char *)sqlite3_column_text(s, 13));
	c->next_seq = sqlite3_column_int(s, 14);
	c->git_hash = store_column_dup(s, 15);
	c->git_subject = store_column_dup(s, 16);
	c->first_prompt_kind = sqlite3_column_int(s, 17);
	strset_from_json(&c->git_elsewhere, (const char *)sqlite3_column_text(s, 18));
	return c;
}

struct seg_commit *
import_resume_commit(struct store *st, const char *commit_id, char *err)
{
	sqlite3_stmt *s;
	struct seg_commit *c = NULL;
	int rc;

	err[0] = '\0';
	s = store_cached(st, "SELECT c.id, s.id, s.claude_session_id,"
	    " c.project_name, s.cwd, s.git_branch, s.cli_version, c.started_at, c.closed_at,"
	    " c.closed_by, c.first_prompt, c.turn_count, c.files_read, c.files_changed,"
	    " (SELECT coalesce(max(seq), -1) + 1 FROM turns WHERE session_id = s.id),"
	    " c.git_hash, c.git_subject, c.first_prompt_kind, c.git_elsewhere, c.project_id,"
	    " (SELECT local_path FROM projects WHERE id = c.project_id)"
	    " FROM cognitive_commits c JOIN sessions s ON s.commit_id = c.id"
	    " WHERE c.id = ?1 ORDER BY s.rowid DESC LIMIT 1", err);
	if (s == NULL)
		return NULL;
	store_bind_text(s, 1, commit_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		c = commit_from_row(s);
	else if (rc != SQLITE_DONE)
		store_fail(st, st->path, err);
	sqlite3_reset(s);
	return c;
}

struct seg_turn *
import_last_turn(struct store *st, const char *session_id)
{
	sqlite3_stmt *s = store_cached(st, "SELECT id, role, seq, content, thinking, timestamp,"
	    " tool_calls, model, message_id, input_tokens, output_tokens, cache_read_tokens,"
	    " cache_creation_tokens FROM turns WHERE session_id = ?1 ORDER BY seq DESC LIMIT 1",
	    NULL);
	struct seg_turn *t = NULL;
	const char *v;

	if (s == NULL)
		return NULL;
	store_bind_text(s, 1, session_id);
	/* Only an assistant message can continue over the boundary. */
	if (sqlite3_step(s) != SQLITE_ROW || (v = (const char *)sqlite3_column_text(s, 1)) == NULL ||
	    strcmp(v, "assistant") != 0) {
		sqlite3_reset(s);
		return NULL;
	}
	t = seg_turn_new((const char *)sqlite3_column_text(s, 0), sqlite3_column_int(s, 2), 1);
	t->is_new = 0;
	if ((v = (const char *)sqlite3_column_text(s, 3)) != NULL)
		strbuf_adds(&t->content, v);
	if ((v = (const char *)sqlite3_column_text(s, 4)) != NULL)
		strbuf_adds(&t->thinking, v);
	col_copy_ts(s, 5, t->timestamp);
	cJSON_Delete(t->tool_calls);
	if ((t->tool_calls = cJSON_Parse((const char *)sqlite3_column_text(s, 6))) == NULL)
		t->tool_calls = cJSON_CreateArray();
	t->model = store_column_dup(s, 7);
	t->message_id = store_column_dup(s, 8);
	t->usage.input = sqlite3_column_int64(s, 9);
	t->usage.output = sqlite3_column_int64(s, 10);
	t->usage.cache_read = sqlite3_column_int64(s, 11);
	t->usage.cache_creation = sqlite3_column_int64(s, 12);
	sqlite3_reset(s);
	return t;
}

int
import_recent_calls(struct store *st, const char *session_id,
    void (*cb)(const char *turn_id, const char *tool_calls, void *arg), void *arg, char *err)
{
	sqlite3_stmt *s = store_cached(st, "SELECT id, tool_calls FROM turns WHERE session_id = ?1"
	    " AND tool_calls != '[]' ORDER BY seq DESC LIMIT 20", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, session_id);
	while (sqlite3_step(s) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1), arg);
	sqlite3_reset(s);
	return 0;
}

/* ---------------------------------------------------------------- re-keying */

int
import_unkeyed_commits(struct store *st,
    void (*cb)(const char *commit_id, const char *cwd, void *arg), void *arg,
    const char *now, char *err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, name FROM projects"
	    " WHERE identity_key IS NULL AND deleted_at IS NULL", err), *c = NULL;
	struct strset old = { 0 };
	char derived[UUID_STRLEN];
	int i, rc = 0;

	if (s == NULL)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);
		const char *name = (const char *)sqlite3_column_text(s, 1);
		/* Pulled projects of the new kind have no key here either: their id tells. */
		uuid_v5_join(derived, "project", name != NULL ? name : "", (char *)NULL);
		if (id != NULL && strcmp(id, derived) == 0)
			strset_add(&old, id);
	}
	sqlite3_finalize(s);
	/*
	 * Only commits imported here: their working directories are this
	 * machine's. One pulled from another machine names a directory that may
	 * be a checkout only there; that machine re-keys it and sync brings the
	 * move. An old project keeps such commits (and stays) until then.
	 */
	if (old.n > 0 && (c = store_prepare(st, "SELECT c.id, (SELECT s.cwd FROM sessions s"
	    "  WHERE s.commit_id = c.id AND s.cwd IS NOT NULL ORDER BY s.started_at LIMIT 1),"
	    " EXISTS (SELECT 1 FROM sessions s WHERE s.commit_id = c.id AND s.claude_session_id"
	    "  IN (SELECT claude_session_id FROM import_files UNION ALL"
	    "   SELECT claude_session_id FROM import_file_sessions))"
	    " FROM cognitive_commits c WHERE c.project_id = ?1 AND c.deleted_at IS NULL",
	    err)) == NULL)
		rc = -1;
	if (rc == 0 && old.n > 0 && (s = store_prepare(st, "UPDATE projects SET"
	    " name = name || ' (' || id || ')', deleted_at = ?2, updated_at = ?2,"
	    " identity_key = '', sync_status = 'pending', local_version = local_version + 1"
	    " WHERE id = ?1", err)) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < old.n; i++) {
		int foreign = 0;

		store_bind_text(c, 1, old.items[i]);
		while (sqlite3_step(c) == SQLITE_ROW) {
			if (sqlite3_column_int(c, 2))
				cb((const char *)sqlite3_column_text(c, 0),
				    (const char *)sqlite3_column_text(c, 1), arg);
			else
				foreign++;
		}
		sqlite3_reset(c);
		if (foreign > 0)
			continue;
		store_bind_text(s, 1, old.items[i]);
		store_bind_text(s, 2, now);
		if (store_step_write(st, s, st->path, err) < 0)
			rc = -1;
		sqlite3_reset(s);
	}
	if (old.n > 0) {
		sqlite3_finalize(c);
		sqlite3_finalize(s);
	}
	strset_free(&old);
	return rc;
}

int
import_move_commit(struct store *st, const char *commit_id, const struct seg_commit *to,
    const char *now, char *err)
{
	sqlite3_stmt *s = store_cached(st, "UPDATE cognitive_commits SET project_id = ?2,"
	    " project_name = ?3, checkout = ?4, updated_at = ?5, sync_status = 'pending',"
	    " local_version = local_version + 1 WHERE id = ?1 AND project_id IS NOT ?2", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, commit_id);
	store_bind_text(s, 2, to->project_id);
	store_bind_text(s, 3, to->project_name);
	store_bind_text(s, 4, to->project_path);
	store_bind_text(s, 5, now);
	return store_step_write(st, s, st->path, err) < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- parallel */

struct span {
	char *id;
	char *checkout;		/* NULL for commits pulled from other machines */
	char started[32], closed[32];
	int old, now;
};

static int
same_checkout(const struct span *a, const struct span *b)
{
	return a->checkout == NULL ? b->checkout == NULL :
	    b->checkout != NULL && strcmp(a->checkout, b->checkout) == 0;
}

/*
 * Commits of one project whose intervals overlap are parallel. Sorted by
 * start, a commit overlaps an earlier one when it starts before the latest
 * close so far, and a later one when the next commit starts before it closes.
 */
int
import_update_parallel(struct store *st, const char *pid, const char *now, char *err)
{
	sqlite3_stmt *sel, *upd;
	struct span *v = NULL;
	int n = 0, cap = 0, i, rc = 0;
	char max_closed[32] = "";

	/* Only commits of one checkout on one machine can run in parallel. */
	sel = store_cached(st, "SELECT id, started_at, closed_at, parallel, checkout"
	    " FROM cognitive_commits WHERE project_id = ?1 AND deleted_at IS NULL"
	    " ORDER BY checkout, started_at, id", err);
	if (sel == NULL)
		return -1;
	store_bind_text(sel, 1, pid);
	while (sqlite3_step(sel) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			v = xreallocarray(v, (size_t)cap, sizeof *v);
		}
		v[n].id = store_column_dup(sel, 0);
		col_copy_ts(sel, 1, v[n].started);
		col_copy_ts(sel, 2, v[n].closed);
		v[n].old = sqlite3_column_int(sel, 3);
		v[n].checkout = store_column_dup(sel, 4);
		v[n].now = 0;
		n++;
	}
	sqlite3_reset(sel);
	for (i = 0; i < n; i++) {
		if (i > 0 && !same_checkout(&v[i - 1], &v[i]))
			max_closed[0] = '\0';
		if (i > 0 && strcmp(v[i].started, max_closed) < 0)
			v[i].now = 1;
		if (i + 1 < n && same_checkout(&v[i], &v[i + 1]) &&
		    strcmp(v[i + 1].started, v[i].closed) < 0)
			v[i].now = 1;
		if (strcmp(v[i].closed, max_closed) > 0)
			memcpy(max_closed, v[i].closed, sizeof max_closed);
		/*
		 * Pulled from another machine (no checkout here): that machine
		 * knows its checkouts and decided. Commits of several machines
		 * or checkouts would all look alike here.
		 */
		if (v[i].checkout == NULL)
			v[i].now = v[i].old;
	}
	upd = store_cached(st, "UPDATE cognitive_commits SET parallel = ?2,"
	    " updated_at = ?3, sync_status = 'pending', local_version = local_version + 1"
	    " WHERE id = ?1", err);
	if (upd == NULL)
		rc = -1;
	for (i = 0; i < n; i++) {
		if (rc == 0 && v[i].now != v[i].old) {
			store_bind_text(upd, 1, v[i].id);
			sqlite3_bind_int(upd, 2, v[i].now);
			store_bind_text(upd, 3, now);
			if (store_step_write(st, upd, st->path, err) < 0)
				rc = -1;
		}
		free(v[i].id);
		free(v[i].checkout);
	}
	free(v);
	return rc;
}
