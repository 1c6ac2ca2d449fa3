/*
 * The segmenter's sink: what import makes of its records (rows through
 * store/import-rows.h, pasted images in the visual cache), how a transcript's
 * import resumes, and the parallel flag of the projects it touched.
 */
#ifndef AL_WRITER_H
#define AL_WRITER_H

#include "capture/segment.h"
#include "store/import-rows.h"

struct writer {
	struct store *st;
	char *visual_dir;	/* where pasted images are stored by sha256 */
	char now[32];
	struct strset touched_projects;
	/* Projects import_project wrote or found this run: a second call changes nothing. */
	struct strset ensured_projects;
	struct strset touched_commits;	/* recounted at the end: shared lines move turns */
	/*
	 * Commits this import made, and those of them a turn was not simply
	 * added to (a turn kept by another session, or an id seen twice): the
	 * others hold exactly the turns they count, and need no recount.
	 */
	struct strset new_commits, disturbed_commits;
	/* A transcript re-read from the start: its own session and the turns it wrote. */
	const char *rewrite_session;
	struct strset rewrite_turns;
	struct strbuf json;	/* reused for each turn's tool calls */
	/* The commit and session rows written last: a commit is written again
	 * as it grows, and its rows need only an update then. */
	char written_commit[UUID_STRLEN], written_session[UUID_STRLEN];
	long commits_new, sessions_new, turns_new, visuals_new;
	/*
	 * Each working directory's project as found this run (sink_project): a
	 * transcript's commits share a few directories, and finding one walks
	 * the file system and reads the projects table. Forgotten when the
	 * import adds a project or gives a pulled one its path here.
	 */
	struct project_memo {
		char *cwd;
		struct project_identity id;
	} *projects;
	size_t nprojects;
};

extern const struct seg_sink_ops writer_sink_ops;

int writer_init(struct writer *w, struct store *st, const char *home, char *err);
void writer_free(struct writer *w);

/* Puts the segmenter back where the file's last import left it. */
int writer_resume(struct writer *w, const struct file_state *fs, struct segmenter *seg,
    char *err);
/* Moves the commits of folder-name projects (stores from before projects were
 * repositories) to their repositories' projects. */
int writer_rekey_projects(struct writer *w, char *err);
/* Recounts the turns of every commit and `parallel` of every project touched since
 * writer_init. */
int writer_update_parallel(struct writer *w, char *err);
/* After a rewritten transcript: its session's turns it no longer holds are dropped. */
int writer_end_rewrite(struct writer *w, char *err);

#endif
