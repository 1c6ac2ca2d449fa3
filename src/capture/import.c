#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/import.h"
#include "capture/jsonl.h"
#include "capture/record.h"
#include "capture/segment.h"
#include "capture/writer.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* Commit to SQLite (and save the offset) this often, so a crash loses little work. */
#define CHECKPOINT_BYTES (16 << 20)
#ifndef IMPORT_PRAGMAS
#define IMPORT_PRAGMAS "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 8192;"
#endif

struct transcript {
	char *path;
	int64_t size, mtime, inode;
};

struct import_run {
	const struct import_opts *o;
	struct import_stats *stats;
	struct writer w;
	struct progress progress;
	int64_t total_bytes, done_bytes;
	int nfiles, file_index;
	/* Per file. */
	const char *path;
	int64_t line_no;
	struct segmenter seg;
	int fatal;
	char *err;
	int64_t uncommitted;	/* bytes read since the last commit */
};

static int
compare_transcripts(const void *a, const void *b)
{
	return strcmp(((const struct transcript *)a)->path, ((const struct transcript *)b)->path);
}

/* <projects>/<encoded cwd>/<session>.jsonl, sorted so every run sees the same order. */
static int
list_transcripts(const char *projects, struct transcript **out, int *count, char *err)
{
	DIR *top, *sub;
	struct dirent *de, *fe;
	struct transcript *v = NULL;
	int n = 0, cap = 0;
	struct stat st;
	char *dir, *path;
	size_t len;

	if ((top = opendir(projects)) == NULL)
		return seterr(err, "cannot read %s: %s", projects, strerror(errno));
	while ((de = readdir(top)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		dir = xprintf("%s/%s", projects, de->d_name);
		if ((sub = opendir(dir)) == NULL) {
			if (errno != ENOTDIR)
				log_warn("cannot read %s: %s", dir, strerror(errno));
			free(dir);
			continue;
		}
		while ((fe = readdir(sub)) != NULL) {
			len = strlen(fe->d_name);
			if (fe->d_name[0] == '.' || len < 7 ||
			    strcmp(fe->d_name + len - 6, ".jsonl") != 0)
				continue;
			path = xprintf("%s/%s", dir, fe->d_name);
			if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
				free(path);
				continue;
			}
			if (n == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				v = xreallocarray(v, (size_t)cap, sizeof *v);
			}
			v[n].path = path;
			v[n].size = (int64_t)st.st_size;
			v[n].mtime = (int64_t)st.st_mtime;
			v[n].inode = (int64_t)st.st_ino;
			n++;
		}
		closedir(sub);
		free(dir);
	}
	closedir(top);
	if (n > 0)
		qsort(v, (size_t)n, sizeof *v, compare_transcripts);
	*out = v;
	*count = n;
	return 0;
}

static void
skip_line(struct import_run *r, const char *why)
{
	r->stats->skipped++;
	if (!r->o->quiet && r->stats->skipped <= IMPORT_MAX_WARNINGS) {
		progress_done(&r->progress);
		log_warn("%s:%lld: %s; line skipped", r->path, (long long)r->line_no, why);
	}
}

static int
on_object(cJSON *obj, void *arg)
{
	struct import_run *r = arg;
	struct record rec;
	char why[ERRLEN];

	if (record_from_json(&rec, obj, why) != 0) {
		skip_line(r, why);
		record_free(&rec);
		return 0;
	}
	if (seg_feed(&r->seg, &rec, r->err) != 0)
		r->fatal = 1;
	record_free(&rec);
	return r->fatal;
}

/* One line: skipped cheaply when its type is one we drop, else parsed and fed. */
static int
import_line(struct import_run *r, const char *line, size_t len)
{
	char type[32];
	int single;

	while (len > 0 && (*line == ' ' || *line == '\t' || *line == '\r')) {
		line++;
		len--;
	}
	if (len == 0)
		return 0;	/* a blank line, e.g. the newline after a tail read earlier */
	r->stats->lines++;
	if (jsonl_peek_type(line, len, type, sizeof type, &single, record_type_is_kept) > 0 &&
	    single == 1 && record_type_is_skipped(type))
		return 0;
	if (jsonl_parse_line(line, len, on_object, r) < 0 && !r->fatal)
		skip_line(r, "malformed JSON");
	return r->fatal ? -1 : 0;
}

static void
show_progress(struct import_run *r, int64_t file_done, int force)
{
	char detail[160];
	double total = (double)(r->total_bytes > 0 ? r->total_bytes : 1);

	if (!r->progress.enabled)
		return;
	snprintf(detail, sizeof detail, "files %d/%d, %.1f/%.1f MB, %ld commits",
	    r->file_index, r->nfiles, (double)(r->done_bytes + file_done) / 1e6,
	    (double)r->total_bytes / 1e6, r->w.commits_new);
	progress_update(&r->progress, "Importing", (double)(r->done_bytes + file_done) / total,
	    detail, force);
}

/* The project of a transcript not seen before: from the first record naming a cwd. */
static char *
peek_project(const char *path)
{
	struct jsonl_reader rd;
	const char *line;
	size_t len;
	int64_t end;
	int i;
	char *name = NULL;

	if (jsonl_open(&rd, path, 0, NULL) != 0)
		return NULL;
	for (i = 0; i < 1000 && name == NULL &&
	    jsonl_next(&rd, &line, &len, &end, NULL) == JSONL_LINE; i++) {
		cJSON *obj = cJSON_ParseWithLength(line, len);
		const cJSON *cwd = cJSON_GetObjectItemCaseSensitive(obj, "cwd");
		if (cJSON_IsString(cwd))
			name = seg_project_name(cwd->valuestring);
		cJSON_Delete(obj);
	}
	jsonl_close(&rd);
	return name;
}

static int
wanted(struct import_run *r, const struct file_state *fs)
{
	char *project;
	int ok;

	if (r->o->project == NULL)
		return 1;
	project = fs->last_commit_id[0] != '\0' ?
	    writer_commit_project(&r->w, fs->last_commit_id) : peek_project(r->path);
	ok = project != NULL && strcmp(project, r->o->project) == 0;
	free(project);
	return ok;
}

/*
 * Writes what the segmenter holds and where reading stopped. With commit
 * set, also commits: the offset and the rows it covers land together.
 */
static int
save_position(struct import_run *r, struct file_state *fs, const struct transcript *t,
    int64_t offset, int commit)
{
	fs->size = t->size;
	fs->mtime = t->mtime;
	fs->inode = t->inode;
	fs->offset = offset;
	fs->line_no = r->line_no;
	memcpy(fs->last_commit_id, r->seg.last_commit_id, sizeof fs->last_commit_id);
	if (seg_flush(&r->seg, r->err) != 0 ||
	    writer_save_file_state(&r->w, r->path, fs, r->err) != 0)
		return -1;
	if (!commit)
		return 0;
	r->uncommitted = 0;
	if (store_commit(r->w.st, r->err) != 0)
		return -1;
	return store_begin(r->w.st, r->err);
}

/* Quiet for import.idle-minutes since when_ms: the session has ended. */
static int
is_idle(const struct import_run *r, int64_t when_ms)
{
	return when_ms >= 0 &&
	    (int64_t)time_now() * 1000 - when_ms >= (int64_t)r->o->idle_minutes * 60000;
}

static int
import_transcript(struct import_run *r, const struct transcript *t)
{
	struct file_state fs;
	struct jsonl_reader rd;
	enum jsonl_status status;
	const char *line;
	size_t len;
	int64_t end, offset, start, done_before = r->done_bytes;
	int idle, restart, rc = -1;
	char ioerr[ERRLEN];

	r->path = t->path;
	if (writer_file_state(&r->w, t->path, &fs, r->err) != 0)
		return -1;
	/* The file's writer is gone; the session may have ended long before. */
	idle = is_idle(r, t->mtime * 1000);
	restart = !fs.known || fs.inode != t->inode || t->size < fs.offset;
	r->done_bytes += t->size;
	if (!restart && t->size == fs.offset && t->mtime == fs.mtime) {
		char last[32] = "";
		r->stats->files_unchanged++;
		/* Nothing new, but a session that has gone quiet ends now. */
		if (!writer_commit_is_open(&r->w, fs.last_commit_id, last) ||
		    !(idle || is_idle(r, time_parse_iso_ms(last))))
			return 0;
	}
	if (!wanted(r, &fs)) {
		r->stats->files_filtered++;
		return 0;
	}
	r->done_bytes = done_before;
	if (restart)
		memset(&fs, 0, sizeof fs);
	start = offset = fs.offset;
	r->line_no = fs.line_no;
	r->done_bytes += offset;
	r->stats->files_read++;

	seg_init(&r->seg, &writer_sink_ops, &r->w);
	if (writer_resume(&r->w, &fs, &r->seg, r->err) != 0)
		goto out;
	if (jsonl_open(&rd, t->path, offset, ioerr) != 0) {
		log_warn("%s", ioerr);
		r->stats->files_failed++;
		seg_free(&r->seg);
		r->done_bytes = done_before + t->size;
		return 0;
	}
	for (;;) {
		status = jsonl_next(&rd, &line, &len, &end, ioerr);
		if (status == JSONL_LINE || status == JSONL_TOO_LONG) {
			r->line_no++;
			if (status == JSONL_TOO_LONG)
				skip_line(r, "line longer than 256 MB");
			else if (import_line(r, line, len) != 0)
				goto close;
			r->stats->bytes += end - offset;
			r->uncommitted += end - offset;
			offset = end;
			if (r->uncommitted >= CHECKPOINT_BYTES &&
			    save_position(r, &fs, t, offset, 1) != 0)
				goto close;
			show_progress(r, offset - start, 0);
			continue;
		}
		if (status == JSONL_ERROR) {
			log_warn("%s: %s", t->path, ioerr);
			r->stats->files_failed++;
		} else if (len > 0 && (idle || jsonl_parse_line(line, len, NULL, NULL) > 0)) {
			/*
			 * A last line without its newline: complete JSON (the writer will
			 * only add the newline) or a writer long gone. A partial line waits.
			 */
			r->line_no++;
			if (import_line(r, line, len) != 0)
				goto close;
			r->stats->bytes += end + (int64_t)len - offset;
			offset = end + (int64_t)len;
		}
		break;
	}
	if ((idle || is_idle(r, time_parse_iso_ms(r->seg.last_activity))) &&
	    seg_end_session(&r->seg, r->err) != 0)
		goto close;
	rc = save_position(r, &fs, t, offset, 0);
close:
	jsonl_close(&rd);
out:
	seg_free(&r->seg);
	r->done_bytes = done_before + t->size;
	return rc;
}

int
import_run(struct store *st, const char *home, const struct import_opts *o,
    struct import_stats *stats, char *err)
{
	struct import_run r;
	struct transcript *files = NULL;
	char *projects;
	int i, rc = 0;

	memset(stats, 0, sizeof *stats);
	memset(&r, 0, sizeof r);
	r.o = o;
	r.stats = stats;
	r.err = err;
	projects = xprintf("%s/projects", o->claude_dir);
	rc = list_transcripts(projects, &files, &r.nfiles, err);
	free(projects);
	if (rc != 0)
		return -1;
	for (i = 0; i < r.nfiles; i++)
		r.total_bytes += files[i].size;
	stats->files = r.nfiles;
	if (writer_init(&r.w, st, home, err) != 0)
		rc = -1;
	if (o->progress)
		progress_init(&r.progress);
	/*
	 * A bulk write: a larger page cache and rarer WAL checkpoints write each
	 * page fewer times (both bounded, for the memory target).
	 */
	if (rc == 0 && store_exec(st, IMPORT_PRAGMAS, err) != 0)
		rc = -1;
	/* One transaction, committed every CHECKPOINT_BYTES: a crash keeps what was committed. */
	if (rc == 0 && store_begin(st, err) != 0)
		rc = -1;
	for (i = 0; rc == 0 && i < r.nfiles; i++) {
		r.file_index = i + 1;
		rc = import_transcript(&r, &files[i]);
	}
	if (rc == 0) {
		show_progress(&r, 0, 1);
		if (writer_update_parallel(&r.w, err) != 0 || store_commit(st, err) != 0)
			rc = -1;
	}
	if (rc != 0)
		store_rollback(st);
	progress_done(&r.progress);
	stats->commits_new = r.w.commits_new;
	stats->sessions_new = r.w.sessions_new;
	stats->turns_new = r.w.turns_new;
	stats->visuals_new = r.w.visuals_new;
	if (r.w.st != NULL)
		writer_free(&r.w);
	for (i = 0; i < r.nfiles; i++)
		free(files[i].path);
	free(files);
	return rc;
}
