#include "config.h"

#include "privacy/redact.h"
#include "store/import-track.h"
#include "store/internal.h"

/*
 * A temporary copy of each table's rows, filled by a temporary trigger the
 * first time the import updates a row that was not pending (a pending row
 * stays pending whatever happens, and a fresh import writes only those, so
 * it copies nothing). Temporary: only this connection's import sees them,
 * and they vanish with it.
 */
#define TRACK(t) \
	"CREATE TEMP TABLE was_" t " AS SELECT * FROM main." t " WHERE 0;" \
	"CREATE UNIQUE INDEX temp.was_" t "_id ON was_" t "(id);" \
	"CREATE TEMP TRIGGER was_" t " BEFORE UPDATE ON main." t \
	" WHEN old.sync_status <> 'pending' AND" \
	" NOT EXISTS (SELECT 1 FROM temp.was_" t " WHERE id = old.id) BEGIN" \
	"  INSERT INTO was_" t " SELECT * FROM main." t " WHERE id = old.id;" \
	" END;"

#define UNTRIGGER(t) "DROP TRIGGER IF EXISTS temp.was_" t ";"
#define UNTRACK(t) UNTRIGGER(t) "DROP TABLE IF EXISTS temp.was_" t ";"

/*
 * Back as it was when nothing a sync writes moved meanwhile (a push or a
 * pull by another process between two of the import's checkpoints) and
 * every column the import writes is what it was. "= +w.id": the copies are
 * read one by one and each row found by its id; without the +, SQLite (no
 * statistics, two tables alike to it) reads the whole main table instead.
 */
#define RESTORE(t) \
	"UPDATE main." t " SET sync_status = w.sync_status, local_version = w.local_version," \
	" updated_at = w.updated_at FROM temp.was_" t " w WHERE " t ".id = +w.id" \
	" AND " t ".version = w.version AND " t ".cloud_version = w.cloud_version" \
	" AND " t ".last_synced_at IS w.last_synced_at AND " t ".deleted_at IS w.deleted_at" \
	" AND (" t ".sync_status <> w.sync_status OR " t ".updated_at IS NOT w.updated_at)"

#define SAME(t, c) " AND " t "." c " IS w." c
/*
 * A content column also counts as the same where it held the redaction of
 * what the import wrote: a row pulled from the cloud (which has only
 * redacted copies, store/redact-fn.h) takes the original back without
 * going pending, for the cloud already has what it would send.
 */
#define SAME_CONTENT(t, c) " AND (" t "." c " IS w." c " OR (instr(w." c ", '" REDACT_OPEN "') > 0" \
	" AND w." c " IS agentlogs_redact(" t "." c ")))"

static const char settle_sql[] =
	/* Restoring is no first change to remember. */
	UNTRIGGER("turns") UNTRIGGER("sessions") UNTRIGGER("cognitive_commits")
	RESTORE("turns")
	SAME("turns", "session_id") SAME("turns", "seq") SAME_CONTENT("turns", "content")
	SAME_CONTENT("turns", "thinking") SAME_CONTENT("turns", "tool_calls") SAME("turns", "model")
	SAME("turns", "input_tokens") SAME("turns", "output_tokens")
	SAME("turns", "cache_read_tokens") SAME("turns", "cache_creation_tokens") ";"
	RESTORE("sessions")
	SAME("sessions", "ended_at") SAME("sessions", "git_branch")
	SAME("sessions", "cli_version") ";"
	/* Push finds a family's pending rows through its commit: it stays pending with them. */
	RESTORE("cognitive_commits")
	SAME("cognitive_commits", "git_hash") SAME_CONTENT("cognitive_commits", "git_subject")
	SAME("cognitive_commits", "closed_at") SAME("cognitive_commits", "closed_by")
	SAME_CONTENT("cognitive_commits", "files_read") SAME_CONTENT("cognitive_commits", "files_changed")
	SAME_CONTENT("cognitive_commits", "first_prompt") SAME("cognitive_commits", "turn_count")
	SAME("cognitive_commits", "parallel")
	/* Re-keying moves commits to their repository's project (import_move_commit). */
	SAME("cognitive_commits", "project_id") SAME("cognitive_commits", "project_name")
	" AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.commit_id = w.id"
	"  AND s.sync_status = 'pending')"
	" AND NOT EXISTS (SELECT 1 FROM sessions s JOIN turns t ON t.session_id = s.id"
	"  WHERE s.commit_id = w.id AND t.sync_status = 'pending')"
	" AND NOT EXISTS (SELECT 1 FROM visuals v WHERE v.commit_id = w.id"
	"  AND v.sync_status = 'pending');";

int
import_track_begin(struct store *st, char *err)
{
	import_track_end(st);
	return store_exec(st, TRACK("cognitive_commits") TRACK("sessions") TRACK("turns"), err);
}

int
import_track_settle(struct store *st, char *err)
{
	return store_exec(st, settle_sql, err);
}

void
import_track_end(struct store *st)
{
	(void)sqlite3_exec(st->db, UNTRACK("turns") UNTRACK("sessions")
	    UNTRACK("cognitive_commits"), NULL, NULL, NULL);
}
