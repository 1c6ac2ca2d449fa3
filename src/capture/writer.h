/*
 * The SQLite side of import: the segmenter's sink, per-file resume state, and
 * the parallel flag. Every statement on the import's tables lives here.
 */
#ifndef AL_WRITER_H
#define AL_WRITER_H

#include <stdint.h>
#include <sqlite3.h>

#include "capture/segment.h"
#include "store/db.h"

struct writer {
	struct store *st;
	char *visual_dir;	/* where pasted images are stored by sha256 */
	sqlite3_stmt *stmts[16];
	char now[32];
	struct strset touched_projects;
	struct strbuf json;	/* reused for each turn's tool calls */
	long commits_new, sessions_new, turns_new, visuals_new;
};

/* Where a transcript's last import stopped. */
struct file_state {
	int known;
	int64_t size, mtime, inode, offset, line_no;
	char last_commit_id[UUID_STRLEN];
};

extern const struct seg_sink_ops writer_sink_ops;

int writer_init(struct writer *w, struct store *st, const char *home, char *err);
void writer_free(struct writer *w);

int writer_file_state(struct writer *w, const char *path, struct file_state *fs, char *err);
int writer_save_file_state(struct writer *w, const char *path, const struct file_state *fs,
    char *err);
/* Puts the segmenter back where the file's last import left it. */
int writer_resume(struct writer *w, const struct file_state *fs, struct segmenter *seg,
    char *err);
/* The project name of the file's last commit (NULL when unknown). Newly allocated. */
char *writer_commit_project(struct writer *w, const char *commit_id);
/* Whether the commit exists and is still open (not closed by git or by session end),
 * with the time of its last activity. */
int writer_commit_is_open(struct writer *w, const char *commit_id, char last_activity[32]);
/* Recomputes `parallel` for every project touched since writer_init. */
int writer_update_parallel(struct writer *w, char *err);

#endif
