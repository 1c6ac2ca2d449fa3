/*
 * JSON: {"agentlogs_export": 1, "commits": [...]}, each commit as
 * `agentlogs show --json` prints it (every field, its "sessions" an array of
 * sessions each holding its "turns"), written out commit by commit.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "export/doc.h"

static void
j_begin(struct export_doc *d)
{
	strbuf_adds(&d->sb, "{\"agentlogs_export\": 1, \"commits\": [");
}

static void
j_commit(struct export_doc *d, const struct commit_row *c)
{
	d->json.commit = commit_row_json(c);
	d->json.sessions = cJSON_CreateArray();
	/* "sessions" (a count in the row) becomes the array of sessions. */
	cJSON_ReplaceItemInObjectCaseSensitive(d->json.commit, "sessions", d->json.sessions);
}

static void
j_session(struct export_doc *d, const struct session_row *s)
{
	cJSON *o = session_row_json(s);

	d->json.turns = cJSON_AddArrayToObject(o, "turns");
	cJSON_AddItemToArray(d->json.sessions, o);
}

static void
j_turn(struct export_doc *d, const struct turn_row *t)
{
	cJSON_AddItemToArray(d->json.turns, turn_row_json(t));
}

static void
j_end_commit(struct export_doc *d)
{
	char *s = cJSON_Print(d->json.commit);

	strbuf_adds(&d->sb, d->commits > 1 ? ",\n" : "\n");
	strbuf_adds(&d->sb, s);
	cJSON_free(s);
	cJSON_Delete(d->json.commit);
	d->json.commit = NULL;
}

static void
j_end(struct export_doc *d)
{
	strbuf_adds(&d->sb, "\n]}\n");
}

const struct export_writer export_json = {
	j_begin, j_commit, j_session, j_turn, j_end_commit, j_end,
};
