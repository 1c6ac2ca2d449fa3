#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/import.h"
#include "capture/jsonl.h"
#include "capture/project.h"
#include "capture/reader.h"
#include "capture/record.h"
#include "capture/segment.h"
#include "capture/writer.h"
#include "store/checkpointer.h"
#include "store/import-track.h"
#include "store/samples.h"
#include "store/turn-stats.h"
#include "store/turn-stats-batch.h"
#include "store/writeback.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* Commit to SQLite (and save the offset) this often, so a crash loses little work. */
#define CHECKPOINT_BYTES (16 << 20)
/*
 * A store's first import commits less often: it has no WAL to grow, and each
 * commit costs the same whatever its size (the insert triggers made again,
 * every statement compiled again after they are dropped for the next one:
 * about 5.5 M instructions, 0.6% of a 16 MB batch's writing), and waits for
 * the disk while the reading thread, a few batches ahead, soon waits too.
 * At 64 MB those waits were a fifth of a 512 MB import. 256 MB is about half
 * a second of reading: what a crash can cost.
 */
#define FIRST_CHECKPOINT_BYTES ((int64_t)256 << 20)
/* How often a first import starts its written pages to disk (store_writeback). */
#define WRITEBACK_BYTES (4 << 20)
/* From this much to read, an import is a bulk one (import_run). */
#define BULK_BYTES (1 << 20)
struct transcript {
	char *path;
	int64_t size, mtime, inode;
	struct file_state fs;	/* where the last import stopped, then where this one is */
	int writer_gone;	/* not modified for import.idle-minutes */
	long skipped, bad_values;	/* this run's, for the closing summary */
	int rewritten;		/* shorter than imported, or replaced: read again from the start */
	struct strset session_ids;	/* the Claude sessions recorded for it this run */
};

struct import_run {
	const struct import_opts *o;
	struct import_stats *stats;
	struct writer w;
	struct progress progress;
	struct transcript *files;
	int nfiles;
	int64_t total_bytes, done_bytes;
	int64_t todo_bytes;		/* what plan() found to read */
	int known_files;		/* transcripts an earlier import read */
	/* The transcripts the reader reads, in order, and their plan entries. */
	struct reader_file *reads;
	struct transcript **read_of;
	int nreads;
	/* The transcript being imported. */
	struct transcript *t;
	int64_t line_no, offset;
	struct segmenter seg;
	int fatal;
	char *err;
	int64_t uncommitted;	/* bytes read since the last commit */
	long warned;		/* warnings so far, shown or not */
	char *rewrite_session;	/* the rewritten transcript's own session id, or NULL */
	struct checkpointer *checkpointer;
	int rollback_journal;	/* a store's first import: no WAL (store_first_import_journal) */
	int from_start;		/* every transcript from its first line (asked, or wanted once) */
	int reread_wanted;	/* the store asked for that once (import_reread_wanted) */
	int64_t written_back;	/* done_bytes at the last store_writeback */
};

static int
compare_transcripts(const void *a, const void *b)
{
	return strcmp(((const struct transcript *)a)->path, ((const struct transcript *)b)->path);
}

/*
 * <projects>/<encoded cwd>/<session>.jsonl, sorted so every run sees the same
 * order. Quiet: no warning for a directory it cannot read (the import lists
 * them again and warns).
 */
static int
list_transcripts(const char *projects, int quiet, struct transcript **out, int *count,
    char *err)
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
			if (errno != ENOTDIR && !quiet)
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
			memset(&v[n], 0, sizeof v[n]);
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

/* One warning of the first few; the rest are only counted, per file, for the summary. */
static void
warn_once(struct import_run *r, const char *fmt, const char *why)
{
	if (r->o->quiet || ++r->warned > IMPORT_MAX_WARNINGS)
		return;
	progress_done(&r->progress);
	log_warn(fmt, r->t->path, (long long)r->line_no, why);
}

static void
skip_line(struct import_run *r, const char *why)
{
	r->stats->skipped++;
	r->t->skipped++;
	warn_once(r, "%s:%lld: %s; line skipped", why);
}

/* A session id the transcript uses, recorded once (it may change mid-file). */
static int
note_session_id(struct import_run *r, const char *id)
{
	int before = r->t->session_ids.n;

	strset_add(&r->t->session_ids, id);
	return r->t->session_ids.n == before ||
	    import_file_session(r->w.st, r->t->path, id, r->err) == 0;
}

static int
feed_record(struct import_run *r, const struct parsed *p)
{
	if (p->error != NULL)
		skip_line(r, p->error);
	else {
		if (p->rec.bad_numbers > 0) {
			r->stats->bad_values += p->rec.bad_numbers;
			r->t->bad_values += p->rec.bad_numbers;
			warn_once(r, "%s:%lld: %s; value skipped",
			    "a usage figure that is not a whole number from 0 to 2^53");
		}
		if (p->rec.kind != RECORD_SKIP && !note_session_id(r, p->rec.session_id))
			r->fatal = 1;
		else if (seg_feed(&r->seg, &p->rec, r->err) != 0)
			r->fatal = 1;
	}
	return r->fatal ? -1 : 0;
}

/* After the first few warnings: how many more, and which files held what was skipped. */
static void
warn_summary(struct import_run *r)
{
	const struct transcript *t;
	int i;

	if (r->o->quiet || r->warned <= IMPORT_MAX_WARNINGS)
		return;
	progress_done(&r->progress);
	log_warn("%ld more warnings; what was skipped, per file:",
	    r->warned - IMPORT_MAX_WARNINGS);
	for (i = 0; i < r->nfiles; i++) {
		t = &r->files[i];
		if (t->skipped > 0 || t->bad_values > 0)
			log_warn("  %s: %ld line%s, %ld usage value%s", t->path, t->skipped,
			    t->skipped == 1 ? "" : "s", t->bad_values,
			    t->bad_values == 1 ? "" : "s");
	}
}

static void
show_progress(struct import_run *r, int force)
{
	char detail[160];
	double total = (double)(r->total_bytes > 0 ? r->total_bytes : 1);

	if (!r->progress.enabled)
		return;
	snprintf(detail, sizeof detail, "files %ld/%d, %.1f/%.1f MB, %ld commits",
	    r->stats->files_read, r->nreads, (double)r->done_bytes / 1e6,
	    (double)r->total_bytes / 1e6, r->w.commits_new);
	progress_update(&r->progress, "Importing", (double)r->done_bytes / total, detail, force);
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
		if (cJSON_IsString(cwd)) {
			struct project_identity id;
			project_identify(cwd->valuestring, &id);
			name = xstrdup(id.name);
			project_identity_free(&id);
		}
		cJSON_Delete(obj);
	}
	jsonl_close(&rd);
	return name;
}

static int
wanted(struct import_run *r, const struct transcript *t)
{
	char *project;
	int ok;

	if (r->o->project == NULL)
		return 1;
	project = t->fs.last_commit_id[0] != '\0' ?
	    import_commit_project(r->w.st, t->fs.last_commit_id) : peek_project(t->path);
	ok = project != NULL && strcmp(project, r->o->project) == 0;
	free(project);
	return ok;
}

/* Quiet for idle_minutes (import.idle-minutes) since when_ms: the session has ended. */
static int
idle_since(int idle_minutes, int64_t when_ms)
{
	return when_ms >= 0 &&
	    (int64_t)time_now() * 1000 - when_ms >= (int64_t)idle_minutes * 60000;
}

static int
is_idle(const struct import_run *r, int64_t when_ms)
{
	return idle_since(r->o->idle_minutes, when_ms);
}

/*
 * A transaction of the import: the new turns' analytics figures are summed
 * as they come and written once before it commits. Foreign keys are checked
 * at COMMIT: a commit and its session row are written once, when the commit
 * closes or the batch ends (seg_flush), after their first turns.
 */
static int
begin(struct store *st, char *err)
{
	return store_begin(st, err) != 0 || turn_stats_batch_open(st, err) != 0 ||
	    store_defer_foreign_keys(st, err) != 0 ? -1 : 0;
}

/*
 * Writes what the segmenter holds and where reading stopped. With commit
 * set, also commits: the offset and the rows it covers land together.
 */
static int
save_position(struct import_run *r, int commit)
{
	struct transcript *t = r->t;
	struct file_state *fs = &t->fs;

	fs->known = 1;
	fs->size = t->size;
	fs->mtime = t->mtime;
	fs->inode = t->inode;
	fs->offset = r->offset;
	fs->line_no = r->line_no;
	memcpy(fs->last_commit_id, r->seg.last_commit_id, sizeof fs->last_commit_id);
	if (seg_flush(&r->seg, r->err) != 0 ||
	    import_save_file_state(r->w.st, t->path, fs, r->w.now, r->err) != 0)
		return -1;
	if (!commit)
		return 0;
	r->uncommitted = 0;
	if (turn_stats_batch_write(r->w.st, r->err) != 0 ||
	    turn_stats_count_prompts(r->w.st, r->err) != 0 || store_commit(r->w.st, r->err) != 0)
		return -1;
	checkpointer_nudge(r->checkpointer);
	return begin(r->w.st, r->err);
}

/* A transcript's own Claude session: Claude Code names the file after it. */
static char *
transcript_session(const char *path)
{
	const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	size_t len = strlen(base);

	return xstrndup(base, len > 6 ? len - 6 : len);
}

/* Starts on a transcript: the segmenter back where its last import left it. */
static int
begin_transcript(struct import_run *r, struct transcript *t)
{
	r->t = t;
	r->offset = t->fs.offset;
	r->line_no = t->fs.line_no;
	seg_init(&r->seg, &writer_sink_ops, &r->w);
	/* Its old rows are replaced: what this reading no longer finds goes. */
	free(r->rewrite_session);
	r->rewrite_session = t->rewritten ? transcript_session(t->path) : NULL;
	r->w.rewrite_session = r->rewrite_session;
	return writer_resume(&r->w, &t->fs, &r->seg, r->err);
}

/* Ends a transcript: a session gone quiet ends, and the position is saved. */
static int
end_transcript(struct import_run *r)
{
	int rc = 0;

	if ((r->t->writer_gone || is_idle(r, time_parse_iso_ms(r->seg.last_activity))) &&
	    seg_end_session(&r->seg, r->err) != 0)
		rc = -1;
	if (rc == 0)
		rc = save_position(r, 0);
	if (rc == 0 && r->w.rewrite_session != NULL)
		rc = writer_end_rewrite(&r->w, r->err);
	seg_free(&r->seg);
	return rc;
}

/*
 * Decides, per transcript, whether to read it and from where. Unchanged
 * transcripts are not read; one whose session has gone quiet since the last
 * import has that session ended here.
 */
static int
plan(struct import_run *r)
{
	struct transcript *t;
	char last[32];
	int i;

	r->reads = xcalloc((size_t)r->nfiles + 1, sizeof *r->reads);
	r->read_of = xcalloc((size_t)r->nfiles + 1, sizeof *r->read_of);
	for (i = 0; i < r->nfiles; i++) {
		t = &r->files[i];
		if (import_file_state(r->w.st, t->path, &t->fs, r->err) != 0)
			return -1;
		t->writer_gone = is_idle(r, t->mtime * 1000);
		r->known_files += t->fs.known;
		if (r->from_start || !t->fs.known || t->fs.inode != t->inode ||
		    t->size < t->fs.offset) {
			/*
			 * New, replaced, truncated or asked for: read from the start
			 * (ids make it idempotent, and a commit is derived afresh, not
			 * resumed from what the store holds).
			 */
			t->rewritten = t->fs.known && (t->fs.inode != t->inode ||
			    t->size < t->fs.offset);
			memset(&t->fs, 0, sizeof t->fs);
		} else if (t->size == t->fs.offset && t->mtime == t->fs.mtime) {
			r->stats->files_unchanged++;
			r->done_bytes += t->size;
			last[0] = '\0';
			if (import_commit_is_open(r->w.st, t->fs.last_commit_id, last) &&
			    (t->writer_gone || is_idle(r, time_parse_iso_ms(last))) &&
			    (begin_transcript(r, t) != 0 || end_transcript(r) != 0))
				return -1;
			continue;
		}
		if (!wanted(r, t)) {
			r->stats->files_filtered++;
			r->done_bytes += t->size;
			continue;
		}
		r->todo_bytes += t->size - t->fs.offset;
		r->reads[r->nreads].path = t->path;
		r->reads[r->nreads].offset = t->fs.offset;
		r->reads[r->nreads].writer_gone = t->writer_gone;
		r->read_of[r->nreads++] = t;
		r->done_bytes += t->fs.offset;
	}
	return 0;
}

/* One item from the reader: a line to feed, or a transcript starting or ending. */
static int
consume(struct import_run *r, const struct item *it)
{
	int i;

	switch (it->kind) {
	case ITEM_FILE_BEGIN:
		r->stats->files_read++;
		return begin_transcript(r, r->read_of[it->file]);
	case ITEM_FILE_END:
		if (it->io_error != NULL) {
			progress_done(&r->progress);
			log_warn("%s: %s", r->t->path, it->io_error);
			r->stats->files_failed++;
		}
		r->done_bytes += r->t->size - r->offset;
		return end_transcript(r);
	case ITEM_BLANK:
		break;
	default:
		r->line_no++;
		r->stats->lines++;
		for (i = 0; i < it->nobjs; i++) {
			if (feed_record(r, &it->parsed[i]) != 0)
				return -1;
		}
		if (it->kind == ITEM_MALFORMED)
			skip_line(r, "malformed JSON");
		else if (it->kind == ITEM_TOO_LONG)
			skip_line(r, "line longer than 256 MB");
		break;
	}
	r->stats->bytes += it->end - r->offset;
	r->uncommitted += it->end - r->offset;
	r->done_bytes += it->end - r->offset;
	r->offset = it->end;
	if (r->rollback_journal > 0 && r->done_bytes - r->written_back >= WRITEBACK_BYTES) {
		store_writeback(r->w.st);
		r->written_back = r->done_bytes;
	}
	if (r->uncommitted >= (r->rollback_journal > 0 ? FIRST_CHECKPOINT_BYTES :
	    CHECKPOINT_BYTES)) {
		if (save_position(r, 1) != 0)
			return -1;
		fault_point("import-after-checkpoint");	/* killed mid-import (tests) */
	}
	return 0;
}

struct import_ahead {
	struct transcript *files;
	int nfiles;
	struct reader_file *reads;
	struct reader rd;
	int running;		/* rd is reading, and not taken over */
	int taken;		/* import_run read through it */
};

struct import_ahead *
import_read_ahead(const char *claude_dir, int idle_minutes)
{
	struct import_ahead *a = xcalloc(1, sizeof *a);
	char *projects = xprintf("%s/projects", claude_dir), err[ERRLEN];
	int i, rc;

	rc = list_transcripts(projects, 1, &a->files, &a->nfiles, err);
	free(projects);
	if (rc != 0 || a->nfiles == 0) {
		import_ahead_free(a);
		return NULL;
	}
	a->reads = xcalloc((size_t)a->nfiles, sizeof *a->reads);
	for (i = 0; i < a->nfiles; i++) {
		a->reads[i].path = a->files[i].path;
		a->reads[i].writer_gone = idle_since(idle_minutes, a->files[i].mtime * 1000);
	}
	if (reader_start(&a->rd, a->reads, a->nfiles, err) != 0) {
		log_debug("no read-ahead: %s", err);
		import_ahead_free(a);
		return NULL;
	}
	a->running = 1;
	return a;
}

void
import_ahead_free(struct import_ahead *a)
{
	int i;

	if (a == NULL)
		return;
	if (a->running)
		reader_stop(&a->rd);
	for (i = 0; i < a->nfiles; i++)
		free(a->files[i].path);
	free(a->files);
	free(a->reads);
	free(a);
}

/*
 * The read-ahead's reader when it reads what the plan says, in its order and
 * from the same places; else NULL, and a read-ahead that read something else
 * is stopped.
 */
static struct reader *
take_ahead(struct import_run *r)
{
	struct import_ahead *a = r->o->ahead;
	int i, same;

	if (a == NULL || !a->running)
		return NULL;
	same = a->nfiles == r->nreads;
	for (i = 0; same && i < r->nreads; i++)
		same = strcmp(a->reads[i].path, r->reads[i].path) == 0 &&
		    a->reads[i].offset == r->reads[i].offset &&
		    a->reads[i].writer_gone == r->reads[i].writer_gone;
	a->running = 0;
	if (same) {
		a->taken = 1;
		return &a->rd;
	}
	log_debug("the read-ahead read other transcripts than the plan: stopped");
	reader_stop(&a->rd);
	return NULL;
}

int
import_ahead_taken(const struct import_ahead *a)
{
	return a != NULL && a->taken;
}

/* Reads on the reader thread while this one segments and writes. */
static int
import_all(struct import_run *r)
{
	struct reader own, *rd = take_ahead(r);
	struct batch *b;
	int i, rc = 0;

	if (rd == NULL && reader_start(rd = &own, r->reads, r->nreads, r->err) != 0)
		return -1;
	/* Without it the import still works, only slower. Without a WAL, nothing to do. */
	if (r->nreads > 0 && !r->rollback_journal && (r->checkpointer = checkpointer_start(r->w.st, NULL)) == NULL)
		log_debug("no background checkpoints");
	while (rc == 0 && (b = reader_next(rd)) != NULL) {
		for (i = 0; rc == 0 && i < b->n; i++)
			rc = consume(r, &b->items[i]);
		reader_release(rd, b);
		show_progress(r, 0);
	}
	if (rc != 0) {
		reader_stop(rd);
		if (r->t != NULL)
			seg_free(&r->seg);
	} else
		reader_finish(rd);
	checkpointer_stop(r->checkpointer);
	r->checkpointer = NULL;
	return rc;
}

/* Every project this run wrote (the store was empty before it) is a sample. */
static int
mark_samples(struct import_run *r)
{
	int i;

	for (i = 0; i < r->w.touched_projects.n; i++) {
		if (samples_mark(r->w.st, r->w.touched_projects.items[i], r->err) != 0)
			return -1;
	}
	return 0;
}

int
import_run(struct store *st, const char *home, const struct import_opts *o,
    struct import_stats *stats, char *err)
{
	struct import_run r;
	char *projects, unchecked_err[ERRLEN], wal_err[ERRLEN] = "";
	int i, rc = 0, unchecked = 0;

	memset(stats, 0, sizeof *stats);
	memset(&r, 0, sizeof r);
	r.o = o;
	r.stats = stats;
	r.err = err;
	projects = xprintf("%s/projects", o->claude_dir);
	rc = list_transcripts(projects, 0, &r.files, &r.nfiles, err);
	free(projects);
	if (rc != 0)
		return -1;
	for (i = 0; i < r.nfiles; i++)
		r.total_bytes += r.files[i].size;
	stats->files = r.nfiles;
	if (writer_init(&r.w, st, home, err) != 0)
		rc = -1;
	if (o->progress)
		progress_init(&r.progress);
	/*
	 * A bulk write: a larger page cache and rarer WAL checkpoints write each
	 * page fewer times (both bounded, for the memory target).
	 */
	if (rc == 0 && store_tune_for_import(st, err) != 0)
		rc = -1;
	/* A new store's pages are written once, not to the WAL and then over. */
	if (rc == 0 && (r.rollback_journal = store_first_import_journal(st, err)) < 0)
		rc = -1;
	if (rc == 0 && import_track_begin(st, err) != 0)
		rc = -1;
	/* One transaction, committed every CHECKPOINT_BYTES: a crash keeps what was committed. */
	if (rc == 0 && begin(st, err) != 0)
		rc = -1;
	/* The first real transcript replaces the samples. */
	if (rc == 0 && !o->samples && r.nfiles > 0 &&
	    (stats->samples_removed = samples_remove(st, err)) < 0)
		rc = -1;
	if (rc == 0 && (r.reread_wanted = import_reread_wanted(st, err)) < 0)
		rc = -1;
	r.from_start = o->from_start || r.reread_wanted > 0;
	if (rc == 0)
		rc = writer_rekey_projects(&r.w, err);
	if (rc == 0)
		rc = plan(&r);
	/*
	 * A bulk import writes its rows without the schema's CHECKs: the
	 * checked columns it writes (closed_by, role, sync_status) hold
	 * constants of this code, never a transcript's values, and SQLite 3.40
	 * builds a temporary table for the IN list of each check of each row
	 * (a tenth of a bulk import's CPU). A small one (the daemon's, every
	 * few seconds) keeps them: turning them off compiles every statement
	 * again. A store's first import is a bulk one whatever its size.
	 */
	if (rc == 0 && r.nreads > 0 && (r.todo_bytes >= BULK_BYTES || r.known_files == 0)) {
		if (store_check_constraints(st, 0, err) != 0)
			rc = -1;
		else
			unchecked = 1;
	}
	if (rc == 0)
		rc = import_all(&r);
	if (rc == 0) {
		show_progress(&r, 1);
		if (writer_update_parallel(&r.w, err) != 0 ||
		    import_track_settle(st, err) != 0 || (o->samples && mark_samples(&r) != 0) ||
		    turn_stats_batch_write(st, err) != 0 ||
		    turn_stats_count_prompts(st, err) != 0 ||
		    /* Only a whole import has read everything again. */
		    (r.reread_wanted > 0 && o->project == NULL && import_reread_done(st, err) != 0) ||
		    store_commit(st, err) != 0)
			rc = -1;
	}
	if (rc != 0)
		store_rollback(st);
	if (unchecked && store_check_constraints(st, 1, unchecked_err) != 0 && rc == 0) {
		snprintf(err, ERRLEN, "%s", unchecked_err);
		rc = -1;
	}
	import_track_end(st);
	/* WAL again for what comes next (store_open asks for it too). */
	if (r.rollback_journal > 0 && store_journal_mode(st, "wal", wal_err) != 1)
		log_warn("the store stays without its WAL until it is opened again%s%s",
		    *wal_err != '\0' ? ": " : "", wal_err);
	progress_done(&r.progress);
	warn_summary(&r);
	stats->commits_new = r.w.commits_new;
	stats->sessions_new = r.w.sessions_new;
	stats->turns_new = r.w.turns_new;
	stats->visuals_new = r.w.visuals_new;
	if (r.w.st != NULL)
		writer_free(&r.w);
	for (i = 0; i < r.nfiles; i++) {
		free(r.files[i].path);
		strset_free(&r.files[i].session_ids);
	}
	free(r.files);
	free(r.reads);
	free(r.read_of);
	free(r.rewrite_session);
	return rc;
}
