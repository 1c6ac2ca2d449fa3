#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sync/tables.h"
#include "util/log.h"

#define SYNC_CLOCK { "version", COL_INT }, { "updated_at", COL_TIME }, { "deleted_at", COL_TIME }

static const struct sync_column projects[] = {
	{ "id", COL_TEXT }, { "name", COL_TEXT }, { "local_path", COL_TEXT },
	{ "remote_url", COL_TEXT }, { "created_at", COL_TIME }, SYNC_CLOCK, { NULL, 0 }
};

static const char *const projects_here[] = { "name", "local_path", NULL };

static const struct sync_column commits[] = {
	{ "id", COL_TEXT }, { "project_id", COL_TEXT }, { "git_hash", COL_TEXT },
	{ "git_subject", COL_TEXT }, { "started_at", COL_TIME }, { "closed_at", COL_TIME },
	{ "closed_by", COL_TEXT }, { "parallel", COL_BOOL }, { "files_read", COL_TEXT },
	{ "files_changed", COL_TEXT }, { "source", COL_TEXT }, { "project_name", COL_TEXT },
	{ "first_prompt", COL_TEXT }, { "turn_count", COL_INT }, { "published", COL_BOOL },
	{ "hidden", COL_BOOL }, { "display_order", COL_INT }, { "title", COL_TEXT },
	SYNC_CLOCK, { NULL, 0 }
};

static const struct sync_column sessions[] = {
	{ "id", COL_TEXT }, { "commit_id", COL_TEXT }, { "claude_session_id", COL_TEXT },
	{ "started_at", COL_TIME }, { "ended_at", COL_TIME }, { "cwd", COL_TEXT },
	{ "git_branch", COL_TEXT }, { "cli_version", COL_TEXT }, SYNC_CLOCK, { NULL, 0 }
};

static const struct sync_column turns[] = {
	{ "id", COL_TEXT }, { "session_id", COL_TEXT }, { "seq", COL_INT }, { "role", COL_TEXT },
	{ "content", COL_TEXT }, { "thinking", COL_TEXT }, { "timestamp", COL_TIME },
	{ "tool_calls", COL_TEXT }, { "model", COL_TEXT }, { "message_id", COL_TEXT },
	{ "input_tokens", COL_INT }, { "output_tokens", COL_INT },
	{ "cache_read_tokens", COL_INT }, { "cache_creation_tokens", COL_INT }, SYNC_CLOCK,
	{ NULL, 0 }
};

static const struct sync_column visuals[] = {
	{ "id", COL_TEXT }, { "commit_id", COL_TEXT }, { "turn_id", COL_TEXT }, { "type", COL_TEXT },
	{ "sha256", COL_TEXT }, { "path", COL_TEXT }, { "captured_at", COL_TIME },
	{ "caption", COL_TEXT }, { "cloud_path", COL_TEXT }, SYNC_CLOCK, { NULL, 0 }
};

/* Written from the view of the machine that found it (store/conflicts.h). */
static const struct sync_column conflicts[] = {
	{ "id", COL_TEXT }, { "table_name", COL_TEXT }, { "record_id", COL_TEXT },
	{ "field", COL_TEXT }, { "local_value", COL_TEXT }, { "cloud_value", COL_TEXT },
	{ "local_row_version", COL_INT }, { "cloud_row_version", COL_INT },
	{ "local_machine", COL_TEXT }, { "cloud_machine", COL_TEXT }, { "winner", COL_TEXT },
	{ "detected_at", COL_TIME }, { "state", COL_TEXT }, { "resolved_at", COL_TIME },
	{ "resolved_by", COL_TEXT }, SYNC_CLOCK, { NULL, 0 }
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
