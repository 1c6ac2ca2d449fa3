/*
 * Commit segmentation: turns a stream of records from one transcript into
 * cognitive commits. A commit starts at the first turn after the previous one
 * closed and closes on a successful `git commit` (or when the session ends).
 * The agent's words right after the commit (messages without tool calls,
 * before the next prompt) still belong to the commit they report on.
 * Assistant lines sharing message.id are one turn; tool results are paired
 * with their calls by id. Memory is bounded by one commit's metadata and one
 * turn, so a transcript of any size streams through.
 *
 * The segmenter never touches storage: it calls a sink (the SQLite writer,
 * or a test's recorder) whenever a row must be written.
 */
#ifndef AL_SEGMENT_H
#define AL_SEGMENT_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "capture/project.h"
#include "capture/record.h"
#include "util/strbuf.h"
#include "util/uuid.h"

#define SEG_SOURCE "claude_code"
/* Tool calls waiting for their result at most; past it the oldest is forgotten. */
#define SEG_MAX_PENDING 4096

/* A sorted set of strings (file paths), serialised as a JSON array. */
struct strset {
	char **items;
	int n, cap;
};

void strset_add(struct strset *s, const char *item);
int strset_has(const struct strset *s, const char *item);
char *strset_to_json(const struct strset *s);
void strset_from_json(struct strset *s, const char *json);
void strset_free(struct strset *s);

struct seg_turn {
	char *id;
	int seq;
	int is_assistant;
	struct strbuf content;
	struct strbuf thinking;
	char timestamp[32];
	cJSON *tool_calls;	/* array of {id, name, input, result, is_error} */
	char *model;
	char *message_id;
	struct record_usage usage;
	int is_new;		/* not yet written even once */
	int closing_words;	/* begun after a git commit, in that commit */
};

struct seg_commit {
	char id[UUID_STRLEN];
	char session_id[UUID_STRLEN];	/* the sessions row: one per (commit, Claude session) */
	char project_id[UUID_STRLEN];
	char *claude_session_id;
	char *project_name, *project_path;
	char *project_remote;		/* normalised remote URL, or NULL */
	char *project_key;		/* what project_id is derived from (project.h) */
	char *cwd, *git_branch, *cli_version;
	char started_at[32], closed_at[32];
	const char *closed_by;		/* "open", "git_commit" or "session_end" */
	char *git_hash, *git_subject;
	char *first_prompt;		/* the first typed prompt, else the agent's first sentence */
	int first_prompt_kind;		/* an enum prompt_kind: a better title replaces it */
	int turn_count;
	int next_seq;
	struct strset files_read, files_changed;
	/* Git commits made in other repositories meanwhile: "[branch hash] subject". */
	struct strset git_elsewhere;
	int is_new;
};

struct seg_sink_ops {
	/*
	 * Insert or update the commit, its project and its session row: when the
	 * commit closes and at seg_flush, so after its first turns (the store
	 * checks their foreign keys at COMMIT).
	 */
	int (*commit)(void *arg, const struct seg_commit *c, char *err);
	/* Insert or update one turn of the commit. */
	int (*turn)(void *arg, const struct seg_commit *c, const struct seg_turn *t, char *err);
	/* A result for a call in a turn already written and no longer in memory. */
	int (*tool_result)(void *arg, const char *turn_id, const char *tool_use_id,
	    const char *content, int is_error, char *err);
	/* The project of a working directory (project.h). May be NULL: then
	 * project_identify alone decides. */
	int (*project)(void *arg, const char *cwd, struct project_identity *id, char *err);
	/* A pasted image in a user turn. May be NULL. */
	int (*image)(void *arg, const struct seg_commit *c, const char *turn_id,
	    const struct record_image *img, const char *timestamp, char *err);
};

struct seg_pending_use {
	char *tool_use_id;
	char *turn_id;
	char *git_command;	/* a Bash `git commit`'s command, else NULL */
	/* A file tool's path, counted once its call succeeds, in the commit it was made in. */
	char *file;
	int file_changed;
	char commit_id[UUID_STRLEN];
};

struct segmenter {
	const struct seg_sink_ops *ops;
	void *arg;
	struct seg_commit *commit;	/* the open commit, or NULL between commits */
	int trailing;			/* commit is closed by git: only closing words join it */
	struct seg_turn *cur;		/* the assistant turn still receiving lines */
	struct seg_pending_use *pending;
	int npending, cappending;
	char *last_cwd;
	char last_commit_id[UUID_STRLEN];	/* the commit opened last, "" before any */
	char last_activity[32];			/* the newest record's timestamp */
};

void seg_init(struct segmenter *s, const struct seg_sink_ops *ops, void *arg);
void seg_free(struct segmenter *s);

/* Takes one record (kind user or assistant). */
int seg_feed(struct segmenter *s, const struct record *rec, char *err);
/* Writes whatever is held in memory, keeping it for further lines (a checkpoint). */
int seg_flush(struct segmenter *s, char *err);
/* The transcript is idle: close the open commit as session_end. */
int seg_end_session(struct segmenter *s, char *err);

/* Resuming a transcript: its last commit (open, or closed by git and still taking
 * closing words), the commit's last turn and unpaired calls. */
void seg_resume(struct segmenter *s, struct seg_commit *commit, struct seg_turn *last_turn);
/* A call of turn turn_id that waits for its result (input may be NULL). */
void seg_add_pending(struct segmenter *s, const char *tool_use_id, const char *turn_id,
    const char *name, const cJSON *input);

struct seg_commit *seg_commit_new(void);
void seg_commit_free(struct seg_commit *c);
struct seg_turn *seg_turn_new(const char *id, int seq, int is_assistant);
void seg_turn_free(struct seg_turn *t);

/* A working directory's folder name, worktrees folded in (project.h decides projects). */
char *seg_project_name(const char *cwd);
/* The directory named as the project's path (cwd with any worktree suffix removed). */
char *seg_project_path(const char *cwd);

#endif
