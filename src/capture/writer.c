#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/evp.h>

#include "capture/gitcommit.h"
#include "capture/writer.h"
#include "util/json.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

enum {
	S_PROJECT,
	S_COMMIT_INSERT,
	S_COMMIT_UPDATE,
	S_SESSION_INSERT,
	S_SESSION_UPDATE,
	S_TURN_INSERT,
	S_TURN_UPDATE,
	S_TOOL_CALLS_GET,
	S_TOOL_CALLS_SET,
	S_VISUAL,
	S_COUNT
};

/* Updates touch a row only when a value really changed, so re-import marks nothing pending. */
static const char *const sql[S_COUNT] = {
	[S_PROJECT] =
	    "INSERT INTO projects (id, name, local_path, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO NOTHING",
	[S_COMMIT_INSERT] =
	    "INSERT INTO cognitive_commits (id, project_id, project_name, git_hash, git_subject,"
	    " started_at, closed_at, closed_by, files_read, files_changed, source, first_prompt,"
	    " turn_count, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
	    " ON CONFLICT DO NOTHING",
	[S_COMMIT_UPDATE] =
	    "UPDATE cognitive_commits SET git_hash = ?4, git_subject = ?5, closed_at = ?7,"
	    " closed_by = ?8, files_read = ?9, files_changed = ?10, first_prompt = ?12,"
	    " turn_count = ?13, updated_at = ?14, sync_status = 'pending',"
	    " local_version = local_version + 1"
	    " WHERE id = ?1 AND (git_hash IS NOT ?4 OR git_subject IS NOT ?5 OR"
	    " closed_at IS NOT ?7 OR closed_by IS NOT ?8 OR files_read IS NOT ?9 OR"
	    " files_changed IS NOT ?10 OR first_prompt IS NOT ?12 OR turn_count IS NOT ?13)",
	[S_SESSION_INSERT] =
	    "INSERT INTO sessions (id, commit_id, claude_session_id, started_at, ended_at, cwd,"
	    " git_branch, cli_version, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	    " ON CONFLICT DO NOTHING",
	[S_SESSION_UPDATE] =
	    "UPDATE sessions SET ended_at = ?5, git_branch = ?7, cli_version = ?8,"
	    " updated_at = ?9, sync_status = 'pending',"
	    " local_version = local_version + 1"
	    " WHERE id = ?1 AND (ended_at IS NOT ?5 OR git_branch IS NOT ?7 OR"
	    " cli_version IS NOT ?8)",
	[S_TURN_INSERT] =
	    "INSERT INTO turns (id, session_id, seq, role, content, thinking, timestamp,"
	    " tool_calls, model, message_id, input_tokens, output_tokens, cache_read_tokens,"
	    " cache_creation_tokens, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
	    " ON CONFLICT DO NOTHING",
	[S_TURN_UPDATE] =
	    "UPDATE turns SET session_id = ?2, seq = ?3, content = ?5, thinking = ?6,"
	    " tool_calls = ?8, model = ?9,"
	    " input_tokens = ?11, output_tokens = ?12, cache_read_tokens = ?13,"
	    " cache_creation_tokens = ?14, updated_at = ?15, sync_status = 'pending',"
	    " local_version = local_version + 1"
	    " WHERE id = ?1 AND (session_id IS NOT ?2 OR seq IS NOT ?3 OR"
	    " content IS NOT ?5 OR thinking IS NOT ?6 OR tool_calls IS NOT ?8"
	    " OR model IS NOT ?9 OR input_tokens IS NOT ?11 OR output_tokens IS NOT ?12 OR"
	    " cache_read_tokens IS NOT ?13 OR cache_creation_tokens IS NOT ?14)",
	[S_TOOL_CALLS_GET] = "SELECT tool_calls FROM turns WHERE id = ?1",
	[S_TOOL_CALLS_SET] =
	    "UPDATE turns SET tool_calls = ?2, updated_at = ?3, sync_status = 'pending',"
	    " local_version = local_version + 1"
	    " WHERE id = ?1",
	[S_VISUAL] =
	    "INSERT INTO visuals (id, commit_id, turn_id, type, sha256, path, captured_at,"
	    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
};

static void
bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
}

/* Steps a write statement and resets it; returns the rows it changed, -1 on error. */
static int
step_write(struct writer *w, sqlite3_stmt *stmt, char *err)
{
	int rc = sqlite3_step(stmt), changed;

	changed = sqlite3_changes(w->st->db);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE)
		return seterr(err, "%s: %s", w->st->path, sqlite3_errmsg(w->st->db));
	return changed;
}

int
writer_init(struct writer *w, struct store *st, const char *home, char *err)
{
	int i;

	memset(w, 0, sizeof *w);
	w->st = st;
	w->visual_dir = paths_in_home(home, "visual-cache");
	time_now_iso(w->now);
	for (i = 0; i < S_COUNT; i++) {
		if ((w->stmts[i] = store_prepare(st, sql[i], err)) == NULL) {
			writer_free(w);
			return -1;
		}
	}
	return 0;
}

void
writer_free(struct writer *w)
{
	int i;

	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(w->stmts[i]);
	free(w->visual_dir);
	strbuf_free(&w->json);
	strset_free(&w->touched_projects);
	memset(w, 0, sizeof *w);
}

/* ---------------------------------------------------------------- sink */

static int
sink_commit(void *arg, const struct seg_commit *c, char *err)
{
	struct writer *w = arg;
	sqlite3_stmt *stmt;
	const char *pid = c->project_id;
	char *read_json, *changed_json;
	int i, n, rc = 0;

	if (c->is_new) {
		stmt = w->stmts[S_PROJECT];
		bind_text(stmt, 1, pid);
		bind_text(stmt, 2, c->project_name);
		bind_text(stmt, 3, c->project_path);
		bind_text(stmt, 4, w->now);
		if (step_write(w, stmt, err) < 0)
			return -1;
		strset_add(&w->touched_projects, pid);
	}

	read_json = strset_to_json(&c->files_read);
	changed_json = strset_to_json(&c->files_changed);
	for (i = S_COMMIT_INSERT; i <= S_COMMIT_UPDATE && rc == 0; i++) {
		stmt = w->stmts[i];
		bind_text(stmt, 1, c->id);
		bind_text(stmt, 2, pid);
		bind_text(stmt, 3, c->project_name);
		bind_text(stmt, 4, c->git_hash);
		bind_text(stmt, 5, c->git_subject);
		bind_text(stmt, 6, c->started_at);
		bind_text(stmt, 7, c->closed_at);
		bind_text(stmt, 8, c->closed_by);
		bind_text(stmt, 9, read_json);
		bind_text(stmt, 10, changed_json);
		bind_text(stmt, 11, SEG_SOURCE);
		bind_text(stmt, 12, c->first_prompt);
		sqlite3_bind_int(stmt, 13, c->turn_count);
		bind_text(stmt, 14, w->now);
		if ((n = step_write(w, stmt, err)) < 0)
			rc = -1;
		else if (i == S_COMMIT_INSERT && n > 0) {
			w->commits_new++;
			break;
		} else if (n > 0)
			strset_add(&w->touched_projects, pid);
	}
	free(read_json);
	free(changed_json);
	if (rc != 0)
		return -1;

	for (i = S_SESSION_INSERT; i <= S_SESSION_UPDATE; i++) {
		stmt = w->stmts[i];
		bind_text(stmt, 1, c->session_id);
		bind_text(stmt, 2, c->id);
		bind_text(stmt, 3, c->claude_session_id);
		bind_text(stmt, 4, c->started_at);
		bind_text(stmt, 5, c->closed_at);
		bind_text(stmt, 6, c->cwd);
		bind_text(stmt, 7, c->git_branch);
		bind_text(stmt, 8, c->cli_version);
		bind_text(stmt, 9, w->now);
		if ((n = step_write(w, stmt, err)) < 0)
			return -1;
		if (i == S_SESSION_INSERT && n > 0) {
			w->sessions_new++;
			break;
		}
	}
	return 0;
}

static int
sink_turn(void *arg, const struct seg_commit *c, const struct seg_turn *t, char *err)
{
	struct writer *w = arg;
	sqlite3_stmt *stmt;
	const char *calls;
	int i, n, rc = 0;

	strbuf_reset(&w->json);
	json_add(&w->json, t->tool_calls);
	calls = w->json.buf;
	for (i = S_TURN_INSERT; i <= S_TURN_UPDATE; i++) {
		stmt = w->stmts[i];
		bind_text(stmt, 1, t->id);
		bind_text(stmt, 2, c->session_id);
		sqlite3_bind_int(stmt, 3, t->seq);
		bind_text(stmt, 4, t->is_assistant ? "assistant" : "user");
		bind_text(stmt, 5, t->content.len > 0 ? t->content.buf : "");
		bind_text(stmt, 6, t->thinking.len > 0 ? t->thinking.buf : NULL);
		bind_text(stmt, 7, t->timestamp);
		bind_text(stmt, 8, calls);
		bind_text(stmt, 9, t->model);
		bind_text(stmt, 10, t->message_id);
		sqlite3_bind_int64(stmt, 11, t->usage.input);
		sqlite3_bind_int64(stmt, 12, t->usage.output);
		sqlite3_bind_int64(stmt, 13, t->usage.cache_read);
		sqlite3_bind_int64(stmt, 14, t->usage.cache_creation);
		bind_text(stmt, 15, w->now);
		if ((n = step_write(w, stmt, err)) < 0) {
			rc = -1;
			break;
		}
		if (i == S_TURN_INSERT && n > 0) {
			w->turns_new++;
			break;
		}
	}
	return rc;
}

static int
sink_tool_result(void *arg, const char *turn_id, const char *tool_use_id,
    const char *content, int is_error, char *err)
{
	struct writer *w = arg;
	sqlite3_stmt *get = w->stmts[S_TOOL_CALLS_GET], *set = w->stmts[S_TOOL_CALLS_SET];
	cJSON *calls = NULL, *call;
	char *json;
	int rc = 0;

	bind_text(get, 1, turn_id);
	if (sqlite3_step(get) == SQLITE_ROW)
		calls = cJSON_Parse((const char *)sqlite3_column_text(get, 0));
	sqlite3_reset(get);
	if (calls == NULL)
		return 0;	/* the turn went (a tombstone purge): nothing to pair */
	cJSON_ArrayForEach(call, calls) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
		if (!cJSON_IsString(id) || strcmp(id->valuestring, tool_use_id) != 0)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(call, "result");
		cJSON_DeleteItemFromObjectCaseSensitive(call, "is_error");
		cJSON_AddStringToObject(call, "result", content);
		cJSON_AddBoolToObject(call, "is_error", is_error);
		if ((json = cJSON_PrintUnformatted(calls)) == NULL)
			fatalx("out of memory printing JSON");
		bind_text(set, 1, turn_id);
		bind_text(set, 2, json);
		bind_text(set, 3, w->now);
		rc = step_write(w, set, err) < 0 ? -1 : 0;
		cJSON_free(json);
		break;
	}
	cJSON_Delete(calls);
	return rc;
}

static const char *
image_ext(const char *media_type)
{
	if (media_type == NULL)
		return "bin";
	if (strcmp(media_type, "image/png") == 0)
		return "png";
	if (strcmp(media_type, "image/jpeg") == 0)
		return "jpg";
	if (strcmp(media_type, "image/gif") == 0)
		return "gif";
	if (strcmp(media_type, "image/webp") == 0)
		return "webp";
	return "bin";
}

/* Pasted images are kept once per content hash in the visual cache. */
static int
sink_image(void *arg, const struct seg_commit *c, const char *turn_id,
    const struct record_image *img, const char *timestamp, char *err)
{
	struct writer *w = arg;
	sqlite3_stmt *stmt = w->stmts[S_VISUAL];
	size_t b64len = strlen(img->data), len;
	unsigned char *bytes = xmalloc(b64len / 4 * 3 + 3), digest[32];
	char hex[65], id[UUID_STRLEN], *rel, *path;
	int n, i, rc = 0;
	struct stat st;

	if ((n = EVP_DecodeBlock(bytes, (const unsigned char *)img->data, (int)b64len)) < 0) {
		free(bytes);
		log_warn("an image in turn %s is not valid base64; skipped", turn_id);
		return 0;
	}
	len = (size_t)n;
	/* EVP_DecodeBlock counts the '=' padding as zero bytes. */
	for (i = (int)b64len - 1; i >= 0 && img->data[i] == '=' && len > 0; i--)
		len--;
	EVP_Digest(bytes, len, digest, NULL, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(hex + i * 2, 3, "%02x", digest[i]);
	rel = xprintf("visual-cache/%s.%s", hex, image_ext(img->media_type));
	path = xprintf("%s/%s.%s", w->visual_dir, hex, image_ext(img->media_type));
	if (stat(path, &st) != 0) {
		if (mkdir(w->visual_dir, 0700) != 0 && errno != EEXIST)
			rc = seterr(err, "cannot create %s: %s", w->visual_dir, strerror(errno));
		else
			rc = paths_write_atomic(path, (const char *)bytes, len, 0600, err);
	}
	if (rc == 0) {
		uuid_v5_join(id, c->id, hex, (char *)NULL);
		bind_text(stmt, 1, id);
		bind_text(stmt, 2, c->id);
		bind_text(stmt, 3, turn_id);
		bind_text(stmt, 4, "image");
		bind_text(stmt, 5, hex);
		bind_text(stmt, 6, rel);
		bind_text(stmt, 7, timestamp);
		bind_text(stmt, 8, w->now);
		if ((n = step_write(w, stmt, err)) < 0)
			rc = -1;
		else
			w->visuals_new += n;
	}
	free(rel);
	free(path);
	free(bytes);
	return rc;
}

const struct seg_sink_ops writer_sink_ops = {
	.commit = sink_commit,
	.turn = sink_turn,
	.tool_result = sink_tool_result,
	.image = sink_image,
};

/* ---------------------------------------------------------------- file state */

int
writer_file_state(struct writer *w, const char *path, struct file_state *fs, char *err)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(fs, 0, sizeof *fs);
	stmt = store_prepare(w->st, "SELECT size, mtime, inode, offset, line_no, last_commit_id"
	    " FROM import_files WHERE path = ?1", err);
	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, path);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *last = (const char *)sqlite3_column_text(stmt, 5);
		fs->known = 1;
		fs->size = sqlite3_column_int64(stmt, 0);
		fs->mtime = sqlite3_column_int64(stmt, 1);
		fs->inode = sqlite3_column_int64(stmt, 2);
		fs->offset = sqlite3_column_int64(stmt, 3);
		fs->line_no = sqlite3_column_int64(stmt, 4);
		if (last != NULL && uuid_valid(last))
			memcpy(fs->last_commit_id, last, UUID_STRLEN);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return seterr(err, "%s: %s", w->st->path, sqlite3_errmsg(w->st->db));
	return 0;
}

int
writer_save_file_state(struct writer *w, const char *path, const struct file_state *fs,
    char *err)
{
	sqlite3_stmt *stmt;
	int rc;

	stmt = store_prepare(w->st, "INSERT OR REPLACE INTO import_files (path, size, mtime,"
	    " inode, offset, line_no, last_commit_id, imported_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, path);
	sqlite3_bind_int64(stmt, 2, fs->size);
	sqlite3_bind_int64(stmt, 3, fs->mtime);
	sqlite3_bind_int64(stmt, 4, fs->inode);
	sqlite3_bind_int64(stmt, 5, fs->offset);
	sqlite3_bind_int64(stmt, 6, fs->line_no);
	bind_text(stmt, 7, fs->last_commit_id[0] != '\0' ? fs->last_commit_id : NULL);
	bind_text(stmt, 8, w->now);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return seterr(err, "%s: %s", w->st->path, sqlite3_errmsg(w->st->db));
	return 0;
}

static char *
col_dup(sqlite3_stmt *stmt, int i)
{
	const char *s = (const char *)sqlite3_column_text(stmt, i);

	return s != NULL ? xstrdup(s) : NULL;
}

static void
col_copy_ts(sqlite3_stmt *stmt, int i, char out[32])
{
	const char *s = (const char *)sqlite3_column_text(stmt, i);

	snprintf(out, 32, "%s", s != NULL ? s : "");
}

char *
writer_commit_project(struct writer *w, const char *commit_id)
{
	sqlite3_stmt *stmt;
	char *name = NULL;

	stmt = store_prepare(w->st, "SELECT project_name FROM cognitive_commits WHERE id = ?1",
	    NULL);
	if (stmt == NULL)
		return NULL;
	bind_text(stmt, 1, commit_id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		name = col_dup(stmt, 0);
	sqlite3_finalize(stmt);
	return name;
}

int
writer_commit_is_open(struct writer *w, const char *commit_id, char last_activity[32])
{
	sqlite3_stmt *stmt;
	int open = 0;

	stmt = store_prepare(w->st, "SELECT closed_by = 'open', closed_at FROM cognitive_commits"
	    " WHERE id = ?1", NULL);
	if (stmt == NULL)
		return 0;
	bind_text(stmt, 1, commit_id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		open = sqlite3_column_int(stmt, 0);
		col_copy_ts(stmt, 1, last_activity);
	}
	sqlite3_finalize(stmt);
	return open;
}

/* Calls still waiting for their result, from the last turns of the session. */
static void
load_pending(struct segmenter *seg, sqlite3_stmt *stmt)
{
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *turn_id = (const char *)sqlite3_column_text(stmt, 0);
		cJSON *calls = cJSON_Parse((const char *)sqlite3_column_text(stmt, 1)), *call;

		cJSON_ArrayForEach(call, calls) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(call, "name");
			const cJSON *input = cJSON_GetObjectItemCaseSensitive(call, "input");
			const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(input, "command");
			int git;

			if (!cJSON_IsString(id) || cJSON_HasObjectItem(call, "result"))
				continue;
			git = cJSON_IsString(name) && strcmp(name->valuestring, "Bash") == 0 &&
			    cJSON_IsString(cmd) && gitcommit_is_command(cmd->valuestring);
			seg_add_pending(seg, id->valuestring, turn_id, git);
		}
		cJSON_Delete(calls);
	}
}

static struct seg_turn *
load_last_turn(sqlite3_stmt *stmt)
{
	struct seg_turn *t;
	const char *s;

	if (sqlite3_step(stmt) != SQLITE_ROW)
		return NULL;
	s = (const char *)sqlite3_column_text(stmt, 1);
	if (s == NULL || strcmp(s, "assistant") != 0)
		return NULL;	/* only an assistant message can continue over the boundary */
	t = seg_turn_new((const char *)sqlite3_column_text(stmt, 0),
	    sqlite3_column_int(stmt, 2), 1);
	t->is_new = 0;
	if ((s = (const char *)sqlite3_column_text(stmt, 3)) != NULL)
		strbuf_adds(&t->content, s);
	if ((s = (const char *)sqlite3_column_text(stmt, 4)) != NULL)
		strbuf_adds(&t->thinking, s);
	col_copy_ts(stmt, 5, t->timestamp);
	cJSON_Delete(t->tool_calls);
	if ((t->tool_calls = cJSON_Parse((const char *)sqlite3_column_text(stmt, 6))) == NULL)
		t->tool_calls = cJSON_CreateArray();
	t->model = col_dup(stmt, 7);
	t->message_id = col_dup(stmt, 8);
	t->usage.input = sqlite3_column_int64(stmt, 9);
	t->usage.output = sqlite3_column_int64(stmt, 10);
	t->usage.cache_read = sqlite3_column_int64(stmt, 11);
	t->usage.cache_creation = sqlite3_column_int64(stmt, 12);
	return t;
}

int
writer_resume(struct writer *w, const struct file_state *fs, struct segmenter *seg, char *err)
{
	sqlite3_stmt *stmt;
	struct seg_commit *c = NULL;
	struct seg_turn *last = NULL;
	int rc;

	if (fs->last_commit_id[0] == '\0')
		return 0;
	stmt = store_prepare(w->st, "SELECT c.id, s.id, s.claude_session_id, c.project_name,"
	    " s.cwd, s.git_branch, s.cli_version, c.started_at, c.closed_at, c.closed_by,"
	    " c.first_prompt, c.turn_count, c.files_read, c.files_changed,"
	    " (SELECT coalesce(max(seq), -1) + 1 FROM turns WHERE session_id = s.id),"
	    " c.git_hash, c.git_subject"
	    " FROM cognitive_commits c JOIN sessions s ON s.commit_id = c.id"
	    " WHERE c.id = ?1", err);
	if (stmt == NULL)
		return -1;
	bind_text(stmt, 1, fs->last_commit_id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		c = seg_commit_new();
		snprintf(c->id, sizeof c->id, "%s", sqlite3_column_text(stmt, 0));
		snprintf(c->session_id, sizeof c->session_id, "%s", sqlite3_column_text(stmt, 1));
		c->claude_session_id = col_dup(stmt, 2);
		c->project_name = col_dup(stmt, 3);
		seg_project_id(c->project_name, c->project_id);
		c->cwd = col_dup(stmt, 4);
		if (c->cwd != NULL)
			c->project_path = seg_project_path(c->cwd);
		c->git_branch = col_dup(stmt, 5);
		c->cli_version = col_dup(stmt, 6);
		col_copy_ts(stmt, 7, c->started_at);
		col_copy_ts(stmt, 8, c->closed_at);
		/* A session that ended and then grew again is one commit, reopened. */
		c->closed_by = strcmp((const char *)sqlite3_column_text(stmt, 9), "git_commit") == 0 ?
		    "git_commit" : "open";
		c->first_prompt = col_dup(stmt, 10);
		c->turn_count = sqlite3_column_int(stmt, 11);
		strset_from_json(&c->files_read, (const char *)sqlite3_column_text(stmt, 12));
		strset_from_json(&c->files_changed, (const char *)sqlite3_column_text(stmt, 13));
		c->next_seq = sqlite3_column_int(stmt, 14);
		c->git_hash = col_dup(stmt, 15);
		c->git_subject = col_dup(stmt, 16);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW) {
		seg_commit_free(c);
		if (rc == SQLITE_DONE)
			return 0;	/* deleted since: start afresh */
		return seterr(err, "%s: %s", w->st->path, sqlite3_errmsg(w->st->db));
	}

	stmt = store_prepare(w->st, "SELECT id, role, seq, content, thinking, timestamp,"
	    " tool_calls, model, message_id, input_tokens, output_tokens, cache_read_tokens,"
	    " cache_creation_tokens FROM turns WHERE session_id = ?1 ORDER BY seq DESC LIMIT 1",
	    err);
	if (stmt == NULL) {
		seg_commit_free(c);
		return -1;
	}
	bind_text(stmt, 1, c->session_id);
	last = load_last_turn(stmt);
	sqlite3_finalize(stmt);

	stmt = store_prepare(w->st, "SELECT id, tool_calls FROM turns WHERE session_id = ?1"
	    " AND tool_calls != '[]' ORDER BY seq DESC LIMIT 20", err);
	if (stmt == NULL) {
		seg_turn_free(last);
		seg_commit_free(c);
		return -1;
	}
	bind_text(stmt, 1, c->session_id);
	load_pending(seg, stmt);
	sqlite3_finalize(stmt);

	seg_resume(seg, c, last);
	return 0;
}

/* ---------------------------------------------------------------- parallel */

struct span {
	char *id;
	char started[32], closed[32];
	int old, now;
};

/*
 * Commits of one project whose intervals overlap are parallel. Sorted by
 * start, a commit overlaps an earlier one when it starts before the latest
 * close so far, and a later one when the next commit starts before it closes.
 */
static int
update_project_parallel(struct writer *w, const char *pid, char *err)
{
	sqlite3_stmt *sel, *upd;
	struct span *v = NULL;
	int n = 0, cap = 0, i, rc = 0;
	char max_closed[32] = "";

	sel = store_prepare(w->st, "SELECT id, started_at, closed_at, parallel"
	    " FROM cognitive_commits WHERE project_id = ?1 AND deleted_at IS NULL"
	    " ORDER BY started_at, id", err);
	if (sel == NULL)
		return -1;
	bind_text(sel, 1, pid);
	while (sqlite3_step(sel) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			v = xreallocarray(v, (size_t)cap, sizeof *v);
		}
		v[n].id = col_dup(sel, 0);
		col_copy_ts(sel, 1, v[n].started);
		col_copy_ts(sel, 2, v[n].closed);
		v[n].old = sqlite3_column_int(sel, 3);
		v[n].now = 0;
		n++;
	}
	sqlite3_finalize(sel);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i].started, max_closed) < 0)
			v[i].now = 1;
		if (i + 1 < n && strcmp(v[i + 1].started, v[i].closed) < 0)
			v[i].now = 1;
		if (strcmp(v[i].closed, max_closed) > 0)
			memcpy(max_closed, v[i].closed, sizeof max_closed);
	}
	upd = store_prepare(w->st, "UPDATE cognitive_commits SET parallel = ?2,"
	    " updated_at = ?3, sync_status = 'pending', local_version = local_version + 1"
	    " WHERE id = ?1", err);
	for (i = 0; i < n; i++) {
		if (upd != NULL && rc == 0 && v[i].now != v[i].old) {
			bind_text(upd, 1, v[i].id);
			sqlite3_bind_int(upd, 2, v[i].now);
			bind_text(upd, 3, w->now);
			if (step_write(w, upd, err) < 0)
				rc = -1;
		}
		free(v[i].id);
	}
	free(v);
	sqlite3_finalize(upd);
	return upd == NULL ? -1 : rc;
}

int
writer_update_parallel(struct writer *w, char *err)
{
	int i;

	for (i = 0; i < w->touched_projects.n; i++) {
		if (update_project_parallel(w, w->touched_projects.items[i], err) != 0)
			return -1;
	}
	return 0;
}
