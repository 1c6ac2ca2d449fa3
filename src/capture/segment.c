#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/gitcommit.h"
#include "capture/prompt.h"
#include "capture/segment.h"
#include "util/json.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/xmalloc.h"

/* First prompts are for listings and previews; the turn keeps the whole text. */
#define FIRST_PROMPT_MAX 500

/* ---------------------------------------------------------------- strset */

static int
strset_find(const struct strset *s, const char *item, int *pos)
{
	int lo = 0, hi = s->n, mid, c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(s->items[mid], item)) == 0) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return 0;
}

void
strset_add(struct strset *s, const char *item)
{
	int pos;

	if (strset_find(s, item, &pos))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 8 : s->cap * 2;
		s->items = xreallocarray(s->items, (size_t)s->cap, sizeof *s->items);
	}
	memmove(s->items + pos + 1, s->items + pos, (size_t)(s->n - pos) * sizeof *s->items);
	s->items[pos] = xstrdup(item);
	s->n++;
}

int
strset_has(const struct strset *s, const char *item)
{
	int pos;

	return strset_find(s, item, &pos);
}

char *
strset_to_json(const struct strset *s)
{
	cJSON *arr = cJSON_CreateArray();
	char *json, *out;
	int i;

	for (i = 0; i < s->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(s->items[i]));
	json = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	if (json == NULL)
		fatalx("out of memory printing JSON");
	out = xstrdup(json);
	cJSON_free(json);
	return out;
}

void
strset_from_json(struct strset *s, const char *json)
{
	cJSON *arr = json != NULL ? cJSON_Parse(json) : NULL, *v;

	cJSON_ArrayForEach(v, arr) {
		if (cJSON_IsString(v))
			strset_add(s, v->valuestring);
	}
	cJSON_Delete(arr);
}

void
strset_free(struct strset *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------------- projects */

/* Worktrees of one repository are one project. */
static const char *const worktree_markers[] = { "/.worktrees/", "/.claude/worktrees/",
	"/.git/worktrees/" };

char *
seg_project_path(const char *cwd)
{
	size_t i, len = strlen(cwd);
	const char *m;

	for (i = 0; i < sizeof worktree_markers / sizeof worktree_markers[0]; i++) {
		if ((m = strstr(cwd, worktree_markers[i])) != NULL && m > cwd &&
		    (size_t)(m - cwd) < len)
			len = (size_t)(m - cwd);
	}
	while (len > 1 && cwd[len - 1] == '/')
		len--;
	return xstrndup(cwd, len);
}

char *
seg_project_name(const char *cwd)
{
	char *path = seg_project_path(cwd), *name = paths_basename(path);

	free(path);
	if (*name == '\0' || strcmp(name, "/") == 0) {
		free(name);
		return xstrdup("unknown");
	}
	return name;
}

/* ---------------------------------------------------------------- objects */

struct seg_commit *
seg_commit_new(void)
{
	struct seg_commit *c = xcalloc(1, sizeof *c);

	c->closed_by = "open";
	return c;
}

void
seg_commit_free(struct seg_commit *c)
{
	if (c == NULL)
		return;
	free(c->claude_session_id);
	free(c->project_name);
	free(c->project_path);
	free(c->project_remote);
	free(c->project_key);
	free(c->cwd);
	free(c->git_branch);
	free(c->cli_version);
	free(c->git_hash);
	free(c->git_subject);
	free(c->first_prompt);
	strset_free(&c->files_read);
	strset_free(&c->files_changed);
	strset_free(&c->git_elsewhere);
	free(c);
}

struct seg_turn *
seg_turn_new(const char *id, int seq, int is_assistant)
{
	struct seg_turn *t = xcalloc(1, sizeof *t);

	t->id = xstrdup(id);
	t->seq = seq;
	t->is_assistant = is_assistant;
	t->tool_calls = cJSON_CreateArray();
	t->is_new = 1;
	return t;
}

void
seg_turn_free(struct seg_turn *t)
{
	if (t == NULL)
		return;
	free(t->id);
	strbuf_free(&t->content);
	strbuf_free(&t->thinking);
	cJSON_Delete(t->tool_calls);
	free(t->model);
	free(t->message_id);
	free(t);
}

static void
replace(char **dst, const char *src)
{
	if (src == NULL)
		return;
	if (*dst != NULL && strcmp(*dst, src) == 0)
		return;
	free(*dst);
	*dst = xstrdup(src);
}

/* ---------------------------------------------------------------- segmenter */

void
seg_init(struct segmenter *s, const struct seg_sink_ops *ops, void *arg)
{
	memset(s, 0, sizeof *s);
	s->ops = ops;
	s->arg = arg;
}

static void
pending_remove(struct segmenter *s, int i)
{
	free(s->pending[i].tool_use_id);
	free(s->pending[i].turn_id);
	free(s->pending[i].file);
	free(s->pending[i].git_command);
	/* Keep the order of arrival: eviction takes slot 0, which must stay the oldest. */
	memmove(&s->pending[i], &s->pending[i + 1],
	    (size_t)(s->npending - i - 1) * sizeof *s->pending);
	s->npending--;
}

void
seg_free(struct segmenter *s)
{
	while (s->npending > 0)
		pending_remove(s, s->npending - 1);
	free(s->pending);
	seg_turn_free(s->cur);
	seg_commit_free(s->commit);
	free(s->last_cwd);
	memset(s, 0, sizeof *s);
}

static const char *
input_str(const cJSON *input, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(input, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * The file a file tool works on (files_read / files_changed), or NULL;
 * *changed says whether it writes.
 */
static const char *
tool_file(const char *name, const cJSON *input, int *changed)
{
	*changed = 1;
	if (strcmp(name, "Edit") == 0 || strcmp(name, "MultiEdit") == 0 ||
	    strcmp(name, "Write") == 0)
		return input_str(input, "file_path");
	if (strcmp(name, "NotebookEdit") == 0)
		return input_str(input, "notebook_path");
	*changed = 0;
	if (strcmp(name, "Read") == 0)
		return input_str(input, "file_path");
	return NULL;
}

void
seg_add_pending(struct segmenter *s, const char *tool_use_id, const char *turn_id,
    const char *name, const cJSON *input)
{
	struct seg_pending_use *p;
	const char *cmd, *file;
	int changed;

	/* Calls whose result never came (an interrupted turn) must not pile up forever. */
	if (s->npending >= SEG_MAX_PENDING)
		pending_remove(s, 0);
	if (s->npending == s->cappending) {
		s->cappending = s->cappending == 0 ? 16 : s->cappending * 2;
		s->pending = xreallocarray(s->pending, (size_t)s->cappending, sizeof *s->pending);
	}
	p = &s->pending[s->npending++];
	p->tool_use_id = xstrdup(tool_use_id);
	p->turn_id = xstrdup(turn_id);
	p->git_command = strcmp(name, "Bash") == 0 &&
	    (cmd = input_str(input, "command")) != NULL && gitcommit_is_command(cmd) ?
	    xstrdup(cmd) : NULL;
	file = tool_file(name, input, &changed);
	p->file = file != NULL ? xstrdup(file) : NULL;
	p->file_changed = changed;
	snprintf(p->commit_id, sizeof p->commit_id, "%s", s->commit != NULL ? s->commit->id : "");
}

void
seg_resume(struct segmenter *s, struct seg_commit *commit, struct seg_turn *last_turn)
{
	s->commit = commit;
	s->cur = last_turn;
	s->trailing = commit != NULL && strcmp(commit->closed_by, "git_commit") == 0;
	if (last_turn != NULL)
		memcpy(s->last_activity, last_turn->timestamp, sizeof s->last_activity);
	if (commit != NULL) {
		if (strcmp(commit->closed_at, s->last_activity) > 0)
			memcpy(s->last_activity, commit->closed_at, sizeof s->last_activity);
		memcpy(s->last_commit_id, commit->id, sizeof s->last_commit_id);
		if (commit->cwd != NULL)
			replace(&s->last_cwd, commit->cwd);
	}
}

static int
write_turn(struct segmenter *s, struct seg_turn *t, char *err)
{
	if (s->ops->turn(s->arg, s->commit, t, err) != 0)
		return -1;
	t->is_new = 0;
	return 0;
}

int
seg_flush(struct segmenter *s, char *err)
{
	if (s->commit == NULL)
		return 0;
	if (s->ops->commit(s->arg, s->commit, err) != 0)
		return -1;
	if (s->cur != NULL && write_turn(s, s->cur, err) != 0)
		return -1;
	return 0;
}

/* Writes the commit in its final state and forgets it; the next turn opens another. */
static int
close_commit(struct segmenter *s, const char *closed_by, char *err)
{
	int rc;

	if (s->commit == NULL)
		return 0;
	if (!s->trailing)
		s->commit->closed_by = closed_by;
	rc = seg_flush(s, err);
	seg_turn_free(s->cur);
	s->cur = NULL;
	seg_commit_free(s->commit);
	s->commit = NULL;
	s->trailing = 0;
	return rc;
}

int
seg_end_session(struct segmenter *s, char *err)
{
	return close_commit(s, "session_end", err);
}

/* The commit a new turn belongs to, opened (and written) if none is open. */
static int
ensure_commit(struct segmenter *s, const struct record *rec, const char *first_uuid,
    const char *first_ts, char *err)
{
	struct seg_commit *c;
	const char *cwd = rec->cwd != NULL ? rec->cwd : s->last_cwd;
	struct project_identity id;

	if (s->commit != NULL && !s->trailing)
		return 0;
	/* A prompt or new tool work after a git commit: that commit is done. */
	if (s->commit != NULL && close_commit(s, NULL, err) != 0)
		return -1;
	c = s->commit = seg_commit_new();
	c->is_new = 1;
	c->claude_session_id = xstrdup(rec->session_id);
	uuid_v5_join(c->id, SEG_SOURCE, rec->session_id, first_uuid, (char *)NULL);
	uuid_v5_join(c->session_id, c->id, rec->session_id, (char *)NULL);
	memcpy(s->last_commit_id, c->id, sizeof s->last_commit_id);
	if (cwd != NULL)
		c->cwd = xstrdup(cwd);
	if (s->ops->project != NULL) {
		if (s->ops->project(s->arg, cwd, &id, err) != 0)
			return -1;
	} else
		project_identify(cwd, &id);
	memcpy(c->project_id, id.id, sizeof c->project_id);
	c->project_name = id.name;
	c->project_path = id.root;
	c->project_remote = id.remote;
	c->project_key = id.key;
	replace(&c->git_branch, rec->git_branch);
	replace(&c->cli_version, rec->cli_version);
	memcpy(c->started_at, first_ts, sizeof c->started_at);
	memcpy(c->closed_at, first_ts, sizeof c->closed_at);
	/* Written when it closes or the batch ends (seg_flush), once, not as it grows. */
	return 0;
}

static void
touch_commit(struct segmenter *s, const struct record *rec)
{
	struct seg_commit *c = s->commit;

	if (c == NULL || s->trailing)
		return;
	if (strcmp(rec->timestamp, c->closed_at) > 0)
		memcpy(c->closed_at, rec->timestamp, sizeof c->closed_at);
	replace(&c->git_branch, rec->git_branch);
	replace(&c->cli_version, rec->cli_version);
}

static char *
one_prompt(const char *text)
{
	size_t len = strlen(text);

	if (len > FIRST_PROMPT_MAX) {
		len = FIRST_PROMPT_MAX;
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	return xstrndup(text, len);
}

/*
 * What names the commit when it has no title or git subject: the first
 * prompt a person typed (a slash command only until words come); until
 * either, the first sentence the agent wrote (the work after a git commit,
 * pushes and replies, has no prompt of its own).
 */
static void
note_first_prompt(struct seg_commit *c, const struct record *rec)
{
	enum prompt_kind kind = PROMPT_AGENT;
	char *typed;

	if (c->first_prompt != NULL && c->first_prompt_kind == PROMPT_TEXT)
		return;
	if (rec->kind == RECORD_ASSISTANT) {
		if (c->first_prompt == NULL &&
		    (c->first_prompt = prompt_first_sentence(rec->text)) != NULL)
			c->first_prompt_kind = PROMPT_AGENT;
		return;
	}
	if (rec->is_compact_summary || (typed = prompt_typed(rec->text, &kind)) == NULL)
		return;
	if (c->first_prompt == NULL || (int)kind > c->first_prompt_kind) {
		free(c->first_prompt);
		c->first_prompt = one_prompt(typed);
		c->first_prompt_kind = (int)kind;
	}
	free(typed);
}

static int
feed_assistant(struct segmenter *s, const struct record *rec, char *err)
{
	struct seg_turn *t = s->cur;
	int i;

	/* A new message.id (or none) starts a new turn; the previous one is complete. */
	if (t == NULL || rec->message_id == NULL || t->message_id == NULL ||
	    strcmp(t->message_id, rec->message_id) != 0) {
		if (t != NULL) {
			if (write_turn(s, t, err) != 0)
				return -1;
			seg_turn_free(t);
			s->cur = NULL;
		}
		/* The agent's closing words after a git commit still belong to it. */
		if (!(s->trailing && rec->nuses == 0) &&
		    ensure_commit(s, rec, rec->uuid, rec->timestamp, err) != 0)
			return -1;
		t = s->cur = seg_turn_new(rec->uuid, s->commit->next_seq++, 1);
		t->closing_words = s->trailing;
		memcpy(t->timestamp, rec->timestamp, sizeof t->timestamp);
		if (rec->message_id != NULL)
			t->message_id = xstrdup(rec->message_id);
		s->commit->turn_count++;
	} else if (t->closing_words && rec->nuses > 0) {
		/* What looked like closing words goes on to new work: it opens the next commit. */
		s->cur = NULL;
		s->commit->turn_count--;
		s->commit->next_seq--;
		if (close_commit(s, NULL, err) != 0 ||
		    ensure_commit(s, rec, t->id, t->timestamp, err) != 0) {
			seg_turn_free(t);
			return -1;
		}
		s->cur = t;
		t->closing_words = 0;
		t->seq = s->commit->next_seq++;
		s->commit->turn_count++;
	}
	if (rec->text != NULL) {
		if (t->content.len > 0)
			strbuf_adds(&t->content, "\n\n");
		strbuf_adds(&t->content, rec->text);
		note_first_prompt(s->commit, rec);
	}
	if (rec->thinking != NULL) {
		if (t->thinking.len > 0)
			strbuf_adds(&t->thinking, "\n\n");
		strbuf_adds(&t->thinking, rec->thinking);
	}
	replace(&t->model, rec->model);
	/* Streaming writes partial usage on early lines: the last line's is the total. */
	if (rec->has_usage)
		t->usage = rec->usage;
	for (i = 0; i < rec->nuses; i++) {
		const struct record_tool_use *u = &rec->uses[i];
		cJSON *call = cJSON_CreateObject();

		cJSON_AddStringToObject(call, "id", u->id);
		cJSON_AddStringToObject(call, "name", u->name);
		cJSON_AddItemToObject(call, "input", u->input_json != NULL ?
		    json_raw_new(u->input_json, u->input_json_len) : json_raw_new("{}", 2));
		cJSON_AddItemToArray(t->tool_calls, call);
		seg_add_pending(s, u->id, t->id, u->name, u->input);
	}
	return 0;
}

/*
 * A successful `git commit`: it closes the commit, unless it ran in another
 * repository (an experiment in /tmp): then it is only noted on the commit.
 */
static void
git_result(struct segmenter *s, const char *command, const char *output,
    const struct record *rec, int *closes, char **hash, char **subject)
{
	char *branch = NULL, *note;

	if (gitcommit_parse_result(output, hash, subject, &branch) != 0)
		return;
	if (!gitcommit_elsewhere(command, branch, rec->git_branch,
	    rec->cwd != NULL ? rec->cwd : s->last_cwd,
	    s->commit != NULL ? s->commit->project_path : NULL)) {
		*closes = 1;
		free(branch);
		return;
	}
	if (s->commit != NULL) {
		note = xprintf("[%s %s] %s", branch, *hash, *subject);
		strset_add(&s->commit->git_elsewhere, note);
		free(note);
	}
	free(branch);
	free(*hash);
	free(*subject);
	*hash = *subject = NULL;
}

static int
attach_result(struct segmenter *s, const struct record_tool_result *r,
    const struct record *rec, int *closes, char **hash, char **subject, char *err)
{
	const struct seg_pending_use *p;
	cJSON *call;
	int i;

	for (i = 0; i < s->npending; i++) {
		if (strcmp(s->pending[i].tool_use_id, r->tool_use_id) == 0)
			break;
	}
	if (i == s->npending)
		return 0;	/* a result for a call we never saw: nothing to pair */
	p = &s->pending[i];
	if (s->cur != NULL && strcmp(s->cur->id, s->pending[i].turn_id) == 0) {
		cJSON_ArrayForEach(call, s->cur->tool_calls) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
			if (cJSON_IsString(id) && strcmp(id->valuestring, r->tool_use_id) == 0) {
				cJSON_DeleteItemFromObjectCaseSensitive(call, "result");
				cJSON_DeleteItemFromObjectCaseSensitive(call, "is_error");
				/* Escaped by the reader when it could be: printed as it is. */
				cJSON_AddItemToObject(call, "result", r->content_json != NULL ?
				    json_raw_new(r->content_json, r->content_json_len) :
				    cJSON_CreateString(r->content));
				cJSON_AddBoolToObject(call, "is_error", r->is_error);
				break;
			}
		}
	} else if (s->ops->tool_result(s->arg, s->pending[i].turn_id, r->tool_use_id,
	    r->content, r->is_error, err) != 0)
		return -1;
	/* Only what a call really did counts: a failed Edit changed nothing. */
	if (p->file != NULL && !r->is_error && s->commit != NULL &&
	    strcmp(p->commit_id, s->commit->id) == 0)
		strset_add(p->file_changed ? &s->commit->files_changed : &s->commit->files_read,
		    p->file);
	if (p->git_command != NULL && !r->is_error && *closes == 0)
		git_result(s, p->git_command, r->content, rec, closes, hash, subject);
	pending_remove(s, i);
	return 0;
}

static int
feed_user(struct segmenter *s, const struct record *rec, char *err)
{
	struct seg_turn *t;
	char *hash = NULL, *subject = NULL;
	int i, closes = 0, rc = 0;

	for (i = 0; i < rec->nresults; i++) {
		if (attach_result(s, &rec->results[i], rec, &closes, &hash, &subject, err) != 0)
			return -1;
	}
	if (closes && s->commit != NULL && !s->trailing) {
		free(s->commit->git_hash);
		free(s->commit->git_subject);
		s->commit->git_hash = hash;
		s->commit->git_subject = subject;
		hash = subject = NULL;
		touch_commit(s, rec);
		s->commit->closed_by = "git_commit";
		s->trailing = 1;
		rc = seg_flush(s, err);
	}
	free(hash);
	free(subject);
	if (rc != 0 || rec->is_meta || (rec->text == NULL && rec->nimages == 0))
		return rc;

	/* A prompt: the assistant turn before it is complete. */
	if (s->cur != NULL) {
		if (write_turn(s, s->cur, err) != 0)
			return -1;
		seg_turn_free(s->cur);
		s->cur = NULL;
	}
	if (ensure_commit(s, rec, rec->uuid, rec->timestamp, err) != 0)
		return -1;
	t = seg_turn_new(rec->uuid, s->commit->next_seq++, 0);
	memcpy(t->timestamp, rec->timestamp, sizeof t->timestamp);
	if (rec->text != NULL)
		strbuf_adds(&t->content, rec->text);
	s->commit->turn_count++;
	note_first_prompt(s->commit, rec);
	rc = write_turn(s, t, err);
	for (i = 0; rc == 0 && i < rec->nimages && s->ops->image != NULL; i++)
		rc = s->ops->image(s->arg, s->commit, t->id, &rec->images[i], rec->timestamp, err);
	seg_turn_free(t);
	return rc;
}

/*
 * The session id changed mid-file (a resumed session goes on where the copy
 * of its predecessor's lines ends): the commit goes on in a session row of
 * its own, numbered from the start, so neither session's turns collide.
 */
static int
switch_session(struct segmenter *s, const struct record *rec, char *err)
{
	struct seg_commit *c = s->commit;

	if (s->cur != NULL) {
		if (write_turn(s, s->cur, err) != 0)
			return -1;
		seg_turn_free(s->cur);
		s->cur = NULL;
	}
	if (seg_flush(s, err) != 0)
		return -1;
	replace(&c->claude_session_id, rec->session_id);
	uuid_v5_join(c->session_id, c->id, rec->session_id, (char *)NULL);
	c->next_seq = 0;
	return 0;	/* the new session row: written with the commit, as in ensure_commit */
}

int
seg_feed(struct segmenter *s, const struct record *rec, char *err)
{
	int rc;

	if (rec->kind == RECORD_SKIP)
		return 0;
	if (s->commit != NULL && strcmp(rec->session_id, s->commit->claude_session_id) != 0 &&
	    switch_session(s, rec, err) != 0)
		return -1;
	if (rec->cwd != NULL)
		replace(&s->last_cwd, rec->cwd);
	if (strcmp(rec->timestamp, s->last_activity) > 0)
		memcpy(s->last_activity, rec->timestamp, sizeof s->last_activity);
	touch_commit(s, rec);
	if (rec->kind == RECORD_ASSISTANT)
		rc = feed_assistant(s, rec, err);
	else
		rc = feed_user(s, rec, err);
	if (rc == 0)
		touch_commit(s, rec);
	return rc;
}
