#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sync/tables.h"
#include "util/log.h"

/* A content column (struct sync_column). */
#define CONTENT(name) { name, COL_TEXT, 1 }

#define SYNC_CLOCK { "version", COL_INT, 0 }, { "updated_at", COL_TIME, 0 }, { "deleted_at", COL_TIME, 0 }

static const struct sync_column projects[] = {
	{ "id", COL_TEXT, 0 }, { "name", COL_TEXT, 0 }, { "local_path", COL_TEXT, 0 },
	{ "remote_url", COL_TEXT, 0 }, { "created_at", COL_TIME, 0 }, SYNC_CLOCK, { NULL, 0, 0 }
};

static const char *const projects_here[] = { "name", "local_path", NULL };

static const struct sync_column commits[] = {
	{ "id", COL_TEXT, 0 }, { "project_id", COL_TEXT, 0 }, { "git_hash", COL_TEXT, 0 },
	CONTENT("git_subject"), { "started_at", COL_TIME, 0 }, { "closed_at", COL_TIME, 0 },
	{ "closed_by", COL_TEXT, 0 }, { "parallel", COL_BOOL, 0 }, CONTENT("files_read"),
	CONTENT("files_changed"), { "source", COL_TEXT, 0 }, { "project_name", COL_TEXT, 0 },
	CONTENT("first_prompt"), { "turn_count", COL_INT, 0 }, { "published", COL_BOOL, 0 },
	{ "hidden", COL_BOOL, 0 }, { "display_order", COL_INT, 0 }, CONTENT("title"),
	SYNC_CLOCK, { NULL, 0, 0 }
};

static const struct sync_column sessions[] = {
	{ "id", COL_TEXT, 0 }, { "commit_id", COL_TEXT, 0 }, { "claude_session_id", COL_TEXT, 0 },
	{ "started_at", COL_TIME, 0 }, { "ended_at", COL_TIME, 0 }, { "cwd", COL_TEXT, 0 },
	{ "git_branch", COL_TEXT, 0 }, { "cli_version", COL_TEXT, 0 }, SYNC_CLOCK, { NULL, 0, 0 }
};

static const struct sync_column turns[] = {
	{ "id", COL_TEXT, 0 }, { "session_id", COL_TEXT, 0 }, { "seq", COL_INT, 0 }, { "role", COL_TEXT, 0 },
	CONTENT("content"), CONTENT("thinking"), { "timestamp", COL_TIME, 0 },
	CONTENT("tool_calls"), { "model", COL_TEXT, 0 }, { "message_id", COL_TEXT, 0 },
	{ "input_tokens", COL_INT, 0 }, { "output_tokens", COL_INT, 0 },
	{ "cache_read_tokens", COL_INT, 0 }, { "cache_creation_tokens", COL_INT, 0 }, SYNC_CLOCK,
	{ NULL, 0, 0 }
};

static const struct sync_column visuals[] = {
	{ "id", COL_TEXT, 0 }, { "commit_id", COL_TEXT, 0 }, { "turn_id", COL_TEXT, 0 }, { "type", COL_TEXT, 0 },
	{ "sha256", COL_TEXT, 0 }, { "path", COL_TEXT, 0 }, { "captured_at", COL_TIME, 0 },
	CONTENT("caption"), { "cloud_path", COL_TEXT, 0 }, SYNC_CLOCK, { NULL, 0, 0 }
};

/* Written from the view of the machine that found it (store/conflicts.h). */
static const struct sync_column conflicts[] = {
	{ "id", COL_TEXT, 0 }, { "table_name", COL_TEXT, 0 }, { "record_id", COL_TEXT, 0 },
	{ "field", COL_TEXT, 0 }, CONTENT("local_value"), CONTENT("cloud_value"),
	{ "local_row_version", COL_INT, 0 }, { "cloud_row_version", COL_INT, 0 },
	{ "local_machine", COL_TEXT, 0 }, { "cloud_machine", COL_TEXT, 0 }, { "winner", COL_TEXT, 0 },
	{ "detected_at", COL_TIME, 0 }, { "state", COL_TEXT, 0 }, { "resolved_at", COL_TIME, 0 },
	{ "resolved_by", COL_TEXT, 0 }, SYNC_CLOCK, { NULL, 0, 0 }
};

#define N(a) ((int)(sizeof a / sizeof a[0]) - 1)

const struct sync_table sync_tables[NTABLES] = {
	{ "projects", projects, N(projects), projects_here },
	{ "cognitive_commits", commits, N(commits), NULL },
	{ "sessions", sessions, N(sessions), NULL },
	{ "turns", turns, N(turns), NULL },
	{ "visuals", visuals, N(visuals), NULL },
	{ "conflicts", conflicts, N(conflicts), NULL },
};

int
sync_column_here(const struct sync_table *t, const char *column)
{
	int i;

	for (i = 0; t->here != NULL && t->here[i] != NULL; i++) {
		if (strcmp(t->here[i], column) == 0)
			return 1;
	}
	return 0;
}

const struct sync_table *
sync_table_find(const char *name)
{
	int i;

	for (i = 0; i < NTABLES; i++) {
		if (strcmp(sync_tables[i].name, name) == 0)
			return &sync_tables[i];
	}
	return NULL;
}
