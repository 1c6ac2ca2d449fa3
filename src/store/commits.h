/*
 * Reading cognitive commits, their sessions and turns, and projects: every
 * query the read-only views need. Rows are handed to a callback one at a time
 * as SQLite steps, so nothing loads a whole table; lists are bounded with a
 * LIMIT and paged with a keyset cursor (the TUI scrolls with it).
 *
 * Strings in a row point into SQLite's row buffer: they are valid only during
 * the callback (copy what must outlive it) and NULL where the column is NULL.
 * A callback returns 0 to go on, non-zero to stop early.
 */
#ifndef AL_COMMITS_H
#define AL_COMMITS_H

#include <cjson/cJSON.h>

#include "store/db.h"
#include "util/uuid.h"

struct commit_row {
	const char *id;
	const char *project;		/* projects.name, else the name recorded at import */
	const char *project_path;
	const char *title;
	const char *first_prompt;
	const char *git_subject;
	const char *git_hash;
	const char *started_at;
	const char *closed_at;
	const char *closed_by;		/* git_commit, session_end or open */
	const char *files_read;		/* JSON arrays of paths, as stored */
	const char *files_changed;
	const char *git_elsewhere;	/* JSON array: git commits made in other repositories */
	int parallel;
	int published;
	int hidden;
	long long display_order;
	long long turns;
	long long sessions;
};

/*
 * A row of the sessions table: one Claude Code session's part of a commit.
 * (The cloud login is struct auth_session, sync/auth-session.h.)
 */
struct session_row {
	const char *id;
	const char *commit_id;
	const char *claude_session_id;
	const char *started_at;
	const char *ended_at;
	const char *cwd;
	const char *git_branch;
	const char *cli_version;
	long long turns;
};

struct turn_row {
	const char *id;
	const char *session_id;
	long long seq;
	const char *role;		/* user or assistant */
	const char *content;
	const char *thinking;
	const char *timestamp;
	const char *tool_calls;		/* JSON array of {id, name, input, result, is_error} */
	const char *model;
	const char *message_id;
	long long input_tokens;
	long long output_tokens;
	long long cache_read_tokens;
	long long cache_creation_tokens;
};

struct project_row {
	const char *id;
	const char *name;
	const char *local_path;
	const char *remote_url;
	long long commits;		/* not tombstoned, hidden ones included */
	long long sessions;		/* distinct Claude sessions */
	long long turns;
	const char *last_activity;	/* latest closed_at; NULL without commits */
};

/* Which commits a list shows, newest first by (started_at, id). */
struct commit_query {
	const char *project;		/* a project name; NULL for every project */
	int include_hidden;		/* tombstoned commits are never listed */
	long long limit;		/* <= 0: no limit */
	/* Keyset cursor: only commits after this one in list order (older). */
	const char *after_started_at;
	const char *after_id;
};

typedef int (*commit_cb)(const struct commit_row *, void *);
typedef int (*session_cb)(const struct session_row *, void *);
typedef int (*turn_cb)(const struct turn_row *, void *);
typedef int (*project_cb)(const struct project_row *, void *);

/* Each returns the number of rows handed to the callback, or -1 with err filled. */
int commits_list(struct store *st, const struct commit_query *q, commit_cb cb, void *arg,
    char *err);
/* One commit by its full id (tombstoned ones are not found): 1, 0 when missing, -1. */
int commits_get(struct store *st, const char *id, commit_cb cb, void *arg, char *err);
/* A commit's sessions by start time. */
int sessions_list(struct store *st, const char *commit_id, session_cb cb, void *arg,
    char *err);
/* A session's turns in transcript order. */
int turns_list(struct store *st, const char *session_id, turn_cb cb, void *arg, char *err);
/* Every project, most recently active first. */
int projects_list(struct store *st, project_cb cb, void *arg, char *err);

/*
 * The full id of the one live commit whose id starts with prefix (hex digits
 * and dashes, any case). Returns 0, or -1 with err saying why: invalid,
 * unknown, or ambiguous (naming the candidates).
 */
int commits_resolve(struct store *st, const char *prefix, char id[UUID_STRLEN], char *err);
/* 1 when a project of that name exists, 0 when not, -1 on error. */
int projects_exists(struct store *st, const char *name, char *err);
/* The name of the project with this id, newly allocated; NULL with err when there is none. */
char *projects_name_of(struct store *st, const char *id, char *err);
/* Display length in characters of the longest project name (for column layout). */
int projects_name_width(struct store *st, long long *width, char *err);

/* JSON objects for --json output, with a fixed key order. Nested arrays stored
 * as JSON text (files, tool calls) come out parsed. */
cJSON *commit_row_json(const struct commit_row *c);
cJSON *session_row_json(const struct session_row *s);
cJSON *turn_row_json(const struct turn_row *t);
cJSON *project_row_json(const struct project_row *p);

#endif
