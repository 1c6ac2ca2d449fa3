#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/gitcommit.h"
#include "capture/writer.h"
#include "util/json.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

int
writer_init(struct writer *w, struct store *st, const char *home, char *err)
{
	(void)err;
	memset(w, 0, sizeof *w);
	w->st = st;
	w->visual_dir = paths_in_home(home, "visual-cache");
	time_stamp_iso(w->now);
	return 0;
}

static void
forget_projects(struct writer *w)
{
	size_t i;

	for (i = 0; i < w->nprojects; i++) {
		free(w->projects[i].cwd);
		project_identity_free(&w->projects[i].id);
	}
	free(w->projects);
	w->projects = NULL;
	w->nprojects = 0;
}

void
writer_free(struct writer *w)
{
	forget_projects(w);
	free(w->visual_dir);
	strbuf_free(&w->json);
	strset_free(&w->touched_projects);
	strset_free(&w->ensured_projects);
	strset_free(&w->touched_commits);
	strset_free(&w->new_commits);
	strset_free(&w->disturbed_commits);
	strset_free(&w->rewrite_turns);
	memset(w, 0, sizeof *w);
}

/* ---------------------------------------------------------------- sink */

static int
sink_commit(void *arg, const struct seg_commit *c, char *err)
{
	struct writer *w = arg;
	char *read_json, *changed_json;
	int n;

	if (c->is_new && !strset_has(&w->ensured_projects, c->project_id)) {
		if ((n = import_project(w->st, c, w->now, err)) < 0)
			return -1;
		/* A directory's longest known project may be another now. */
		if (n > 0)
			forget_projects(w);
		strset_add(&w->ensured_projects, c->project_id);
	}
	if (c->is_new)
		strset_add(&w->touched_projects, c->project_id);
	strset_add(&w->touched_commits, c->id);
	read_json = strset_to_json(&c->files_read);
	changed_json = strset_to_json(&c->files_changed);
	n = import_commit(w->st, c, read_json, changed_json, w->now,
	    strcmp(w->written_commit, c->id) == 0, err);
	free(read_json);
	free(changed_json);
	if (n < 0)
		return -1;
	memcpy(w->written_commit, c->id, sizeof w->written_commit);
	if (n == IMPORT_NEW) {
		w->commits_new++;
		strset_add(&w->new_commits, c->id);
	} else if (n == IMPORT_CHANGED)
		strset_add(&w->touched_projects, c->project_id);
	if ((n = import_session(w->st, c, w->now, strcmp(w->written_session, c->session_id) == 0,
	    n == IMPORT_NEW || n == IMPORT_CHANGED, err)) < 0)
		return -1;
	memcpy(w->written_session, c->session_id, sizeof w->written_session);
	if (n == IMPORT_NEW)
		w->sessions_new++;
	return 0;
}

/* The segmenter writes a commit once it closes or the batch ends: a turn may come first. */
static int
write_owner(void *arg, const struct seg_commit *c, char *err)
{
	struct writer *w = arg;

	if (strcmp(w->written_commit, c->id) == 0 && strcmp(w->written_session, c->session_id) == 0)
		return 0;
	return sink_commit(w, c, err);
}

static int
sink_turn(void *arg, const struct seg_commit *c, const struct seg_turn *t, char *err)
{
	struct writer *w = arg;
	struct import_turn_owner owner = { write_owner, w };
	int n;

	strbuf_reset(&w->json);
	json_add(&w->json, t->tool_calls);
	if ((n = import_turn(w->st, c, t, &w->json, w->now, &owner, err)) < 0)
		return -1;
	if (w->rewrite_session != NULL && strcmp(c->claude_session_id, w->rewrite_session) == 0)
		strset_add(&w->rewrite_turns, t->id);
	if (n == IMPORT_NEW)
		w->turns_new++;
	/*
	 * A turn the commit counts but does not hold (kept by another session,
	 * or a second turn with the same id): its count needs checking. The
	 * same turn written again as it grows changes nothing.
	 */
	else if (t->is_new || n == IMPORT_ELSEWHERE)
		strset_add(&w->disturbed_commits, c->id);
	return 0;
}

static int
sink_tool_result(void *arg, const char *turn_id, const char *tool_use_id,
    const char *content, int is_error, char *err)
{
	struct writer *w = arg;
	char *json = import_tool_calls(w->st, turn_id);
	cJSON *calls = json != NULL ? cJSON_Parse(json) : NULL, *call;
	int rc = 0;

	free(json);
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
		rc = import_set_tool_calls(w->st, turn_id, calls, json, w->now, err);
		cJSON_free(json);
		break;
	}
	cJSON_Delete(calls);
	return rc;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
identity_copy(struct project_identity *to, const struct project_identity *from)
{
	to->key = dup_or_null(from->key);
	to->name = dup_or_null(from->name);
	to->root = dup_or_null(from->root);
	to->remote = dup_or_null(from->remote);
	memcpy(to->id, from->id, sizeof to->id);
}

/* A directory that is no checkout here: a subdirectory of a known project belongs to it. */
static int
find_project(struct writer *w, const char *cwd, struct project_identity *id, char *err)
{
	if (project_identify(cwd, id) || cwd == NULL)
		return 0;
	return import_known_project(w->st, id, err);
}

static int
sink_project(void *arg, const char *cwd, struct project_identity *id, char *err)
{
	struct writer *w = arg;
	struct project_memo *m;
	size_t i;

	for (i = 0; cwd != NULL && i < w->nprojects; i++) {
		if (strcmp(w->projects[i].cwd, cwd) == 0) {
			identity_copy(id, &w->projects[i].id);
			return 0;
		}
	}
	if (find_project(w, cwd, id, err) != 0)
		return -1;
	if (cwd == NULL)
		return 0;
	w->projects = xreallocarray(w->projects, w->nprojects + 1, sizeof *w->projects);
	m = &w->projects[w->nprojects++];
	m->cwd = xstrdup(cwd);
	identity_copy(&m->id, id);
	return 0;
}

struct rekey {
	struct strset commits;		/* "commit id\ncwd" */
};

static void
collect_unkeyed(const char *commit_id, const char *cwd, void *arg)
{
	struct rekey *k = arg;
	char *item = xprintf("%s\n%s", commit_id, cwd != NULL ? cwd : "");

	strset_add(&k->commits, item);
	free(item);
}

int
writer_rekey_projects(struct writer *w, char *err)
{
	struct rekey k = { { 0 } };
	struct seg_commit *c;
	struct project_identity id;
	char *nl;
	int i, rc;

	rc = import_unkeyed_commits(w->st, collect_unkeyed, &k, w->now, err);
	for (i = 0; rc == 0 && i < k.commits.n; i++) {
		nl = strchr(k.commits.items[i], '\n');
		*nl = '\0';
		if (find_project(w, nl[1] != '\0' ? nl + 1 : NULL, &id, err) != 0) {
			rc = -1;
			break;
		}
		c = seg_commit_new();
		memcpy(c->project_id, id.id, sizeof c->project_id);
		c->project_name = id.name;
		c->project_path = id.root;
		c->project_remote = id.remote;
		c->project_key = id.key;
		if ((rc = import_project(w->st, c, w->now, err)) > 0)
			forget_projects(w);
		if (rc < 0 || import_move_commit(w->st, k.commits.items[i], c, w->now, err) != 0)
			rc = -1;
		else
			rc = 0;
		strset_add(&w->touched_projects, c->project_id);
		seg_commit_free(c);
	}
	strset_free(&k.commits);
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
	struct record_image own = *img;
	char id[UUID_STRLEN], *rel, *path;
	int n, rc = 0;
	struct stat st;

	/* The reader decodes and hashes them; a record made elsewhere may not be. */
	if (!own.decoded)
		record_image_decode(&own);
	if (own.bytes == NULL) {
		log_warn("an image in turn %s is not valid base64; skipped", turn_id);
		return 0;
	}
	rel = xprintf("visual-cache/%s.%s", own.sha256, image_ext(img->media_type));
	path = xprintf("%s/%s.%s", w->visual_dir, own.sha256, image_ext(img->media_type));
	if (stat(path, &st) != 0) {
		if (mkdir(w->visual_dir, 0700) != 0 && errno != EEXIST)
			rc = seterr(err, "cannot create %s: %s", w->visual_dir, strerror(errno));
		else
			rc = paths_write_atomic(path, (const char *)own.bytes, own.len, 0600, err);
	}
	if (rc == 0) {
		struct import_visual v = {
			.id = id, .commit_id = c->id, .turn_id = turn_id, .type = "image",
			.sha256 = own.sha256, .path = rel, .captured_at = timestamp,
		};
		uuid_v5_join(id, c->id, own.sha256, (char *)NULL);
		if ((n = import_visual(w->st, &v, w->now, err)) < 0)
			rc = -1;
		else
			w->visuals_new += n;
	}
	free(rel);
	free(path);
	if (!img->decoded)
		free(own.bytes);
	return rc;
}

const struct seg_sink_ops writer_sink_ops = {
	.commit = sink_commit,
	.turn = sink_turn,
	.tool_result = sink_tool_result,
	.project = sink_project,
	.image = sink_image,
};

/* ---------------------------------------------------------------- resume */

/* Calls of a recent turn still waiting for their result. */
static void
load_pending(const char *turn_id, const char *tool_calls, void *arg)
{
	struct segmenter *seg = arg;
	cJSON *calls = cJSON_Parse(tool_calls), *call;

	cJSON_ArrayForEach(call, calls) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(call, "name");
		const cJSON *input = cJSON_GetObjectItemCaseSensitive(call, "input");

		if (!cJSON_IsString(id) || !cJSON_IsString(name) ||
		    cJSON_HasObjectItem(call, "result"))
			continue;
		seg_add_pending(seg, id->valuestring, turn_id, name->valuestring, input);
	}
	cJSON_Delete(calls);
}

int
writer_resume(struct writer *w, const struct file_state *fs, struct segmenter *seg, char *err)
{
	struct seg_commit *c;

	if (fs->last_commit_id[0] == '\0')
		return 0;
	if ((c = import_resume_commit(w->st, fs->last_commit_id, err)) == NULL)
		return err[0] != '\0' ? -1 : 0;	/* deleted since: start afresh */
	/* Resumed first: the calls still waiting belong to this commit. */
	seg_resume(seg, c, import_last_turn(w->st, c->session_id));
	return import_recent_calls(w->st, c->session_id, load_pending, seg, err);
}

static int
rewritten_keeps(const char *turn_id, void *arg)
{
	return strset_has(arg, turn_id);
}

int
writer_end_rewrite(struct writer *w, char *err)
{
	int rc = import_drop_turns(w->st, w->rewrite_session, rewritten_keeps,
	    &w->rewrite_turns, w->now, err);

	strset_free(&w->rewrite_turns);
	w->rewrite_session = NULL;
	return rc;
}

int
writer_update_parallel(struct writer *w, char *err)
{
	int i;

	for (i = 0; i < w->touched_commits.n; i++) {
		const char *id = w->touched_commits.items[i];

		if (strset_has(&w->new_commits, id) && !strset_has(&w->disturbed_commits, id))
			continue;
		if (import_recount_turns(w->st, id, w->now, err) != 0)
			return -1;
	}
	for (i = 0; i < w->touched_projects.n; i++) {
		if (import_update_parallel(w->st, w->touched_projects.items[i], w->now, err) != 0)
			return -1;
	}
	return 0;
}
