/*
 * The store side of transcript import: rows of projects, commits, sessions,
 * turns and visuals written from the segmenter's records, where each
 * transcript's last import stopped (import_files), what a resumed import
 * needs back, and the parallel flag. Updates touch a row only when a value
 * really changed, so a re-import marks nothing pending.
 */
#ifndef AL_STORE_IMPORT_ROWS_H
#define AL_STORE_IMPORT_ROWS_H

#include <stdint.h>

#include "capture/segment.h"
#include "util/uuid.h"

struct store;

/* What a write did; -1 is an error. */
enum import_change {
	IMPORT_SAME,		/* the row was there, as it is */
	IMPORT_NEW,		/* inserted */
	IMPORT_CHANGED,		/* updated, now pending */
	IMPORT_ELSEWHERE,	/* a turn that another session keeps (a shared line) */
};

/* The commit's project, when missing, under the shortest free name: 1 when
 * inserted, or when a pulled project took this checkout as its path (what
 * import_known_project finds changed either way), 0, or -1. */
int import_project(struct store *st, const struct seg_commit *c, const char *now, char *err);
/* A directory that is no checkout here belongs to the known project whose path holds it
 * (the longest): id becomes that project, when there is one. */
int import_known_project(struct store *st, struct project_identity *id, char *err);
/*
 * The commit; files_read and files_changed as JSON arrays. known: this import
 * wrote the row before, so only an update is tried.
 */
int import_commit(struct store *st, const struct seg_commit *c, const char *files_read,
    const char *files_changed, const char *now, int known, char *err);
/*
 * The commit's part of its Claude session; known as for import_commit.
 * commit_written: import_commit has just inserted or changed the commit (so
 * it is pending): a pending session row is then updated without marking the
 * commit once more.
 */
int import_session(struct store *st, const struct seg_commit *c, const char *now, int known,
    int commit_written, char *err);
/*
 * Writes the turn's commit and session rows when they may not be there yet:
 * a turn already stored (a shared line, a re-read) is ranked by them.
 */
struct import_turn_owner {
	int (*write)(void *arg, const struct seg_commit *c, char *err);
	void *arg;
};
/*
 * A turn of the commit's session; tool_calls as a JSON array (its text and
 * length). A new turn may come before its session row (the import defers
 * foreign keys to COMMIT); owner, when set, writes that row before an
 * existing turn is updated.
 */
int import_turn(struct store *st, const struct seg_commit *c, const struct seg_turn *t,
    const struct strbuf *tool_calls, const char *now, const struct import_turn_owner *owner,
    char *err);

/* Sets a commit's turn_count to the turns it holds (when it differs). */
int import_recount_turns(struct store *st, const char *commit_id, const char *now, char *err);
/*
 * A transcript rewritten shorter: tombstones the turns of a Claude session
 * that keep() refuses, recounts their commits and tombstones one left empty.
 */
int import_drop_turns(struct store *st, const char *claude_session_id,
    int (*keep)(const char *turn_id, void *arg), void *arg, const char *now, char *err);

/* A turn's tool calls (JSON), newly allocated; NULL when the turn is gone. */
char *import_tool_calls(struct store *st, const char *turn_id);
/* calls: the parsed tool_calls, for the summary analytics counts (store/turn-stats.h). */
int import_set_tool_calls(struct store *st, const char *turn_id, const cJSON *calls,
    const char *tool_calls, const char *now, char *err);

/* A visual of a commit; sha256 names the bytes, path is relative to the home. */
struct import_visual {
	const char *id, *commit_id, *turn_id, *type, *sha256, *path, *captured_at;
};
/* Returns 1 when inserted, 0 when it was there, -1 on error. */
int import_visual(struct store *st, const struct import_visual *v, const char *now, char *err);

/* Where a transcript's last import stopped. */
struct file_state {
	int known;
	int64_t size, mtime, inode, offset, line_no;
	char last_commit_id[UUID_STRLEN];
};

int import_file_state(struct store *st, const char *path, struct file_state *fs, char *err);

/*
 * Whether a migration asked the next import to read every transcript again
 * from the start, once (import derives more than it did): 1, 0, or -1 with
 * err. import_reread_done, in the import's transaction, says it did.
 */
int import_reread_wanted(struct store *st, char *err);
int import_reread_done(struct store *st, char *err);
int import_save_file_state(struct store *st, const char *path, const struct file_state *fs,
    const char *now, char *err);

/* Records that the transcript at path uses a Claude session id. */
int import_file_session(struct store *st, const char *path, const char *claude_session_id,
    char *err);

/* The project name of a commit (NULL when unknown). Newly allocated. */
char *import_commit_project(struct store *st, const char *commit_id);
/* Whether the commit exists and is still open (not closed by git or by session end),
 * with the time of its last activity. */
int import_commit_is_open(struct store *st, const char *commit_id, char last_activity[32]);

/*
 * When the next import would close an open commit as idle (import.idle-minutes,
 * idle_ms here): the earliest time, in ms since the epoch, later than now_ms, at
 * which one has been quiet for idle_ms since its last turn or its transcript's
 * last write (the older of the two, as the import decides). -1 in *due_ms: none
 * (an open commit already due was not closed by the import just run: its
 * transcript is gone, and no import will close it). 0, or -1 with err.
 */
int import_next_idle(struct store *st, int64_t idle_ms, int64_t now_ms, int64_t *due_ms,
    char *err);

/*
 * A commit as the segmenter left it, to go on with: NULL and err empty when
 * it was deleted since, NULL with err on error.
 */
struct seg_commit *import_resume_commit(struct store *st, const char *commit_id, char *err);
/* The session's last turn when an assistant message could continue over the boundary. */
struct seg_turn *import_last_turn(struct store *st, const char *session_id);
/* The last turns of a session with tool calls: cb gets each one's id and calls (JSON). */
int import_recent_calls(struct store *st, const char *session_id,
    void (*cb)(const char *turn_id, const char *tool_calls, void *arg), void *arg, char *err);

/*
 * Re-keying stores from before projects were repositories: cb gets each live
 * commit imported on this machine of a folder-name project (one whose id
 * derives from its name) with a working directory of its sessions (NULL when
 * none). Those projects are then tombstoned, renamed out of the way of the
 * names their successors take, unless they still hold commits pulled from
 * other machines (those machines re-key them).
 */
int import_unkeyed_commits(struct store *st,
    void (*cb)(const char *commit_id, const char *cwd, void *arg), void *arg,
    const char *now, char *err);
/* Moves a commit to another project (re-keying): it turns pending, to sync. */
int import_move_commit(struct store *st, const char *commit_id, const struct seg_commit *to,
    const char *now, char *err);

/* Recomputes `parallel` for the commits of one project. */
int import_update_parallel(struct store *st, const char *project_id, const char *now,
    char *err);

#endif
