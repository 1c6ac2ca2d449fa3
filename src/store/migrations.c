/*
 * The local schema, as the seed's history built it (v1 to v6), then the tables
 * of our own design. Never edit an applied migration: add a new one.
 */
#include "config.h"

#include "store/migrations.h"
#include "store/search.h"

/* The tables that sync to the cloud carry the same tombstone and sync columns. */
#define SYNC_COLUMNS_V5(t) \
	"ALTER TABLE " t " ADD COLUMN version INTEGER NOT NULL DEFAULT 1;" \
	"ALTER TABLE " t " ADD COLUMN updated_at TEXT;" \
	"ALTER TABLE " t " ADD COLUMN deleted_at TEXT;"

#define SYNC_COLUMNS_V6_NOINDEX(t) \
	"ALTER TABLE " t " ADD COLUMN cloud_id TEXT;" \
	"ALTER TABLE " t " ADD COLUMN sync_status TEXT NOT NULL DEFAULT 'pending'" \
	"  CHECK (sync_status IN ('pending', 'synced', 'conflict', 'error'));" \
	"ALTER TABLE " t " ADD COLUMN cloud_version INTEGER NOT NULL DEFAULT 0;" \
	"ALTER TABLE " t " ADD COLUMN local_version INTEGER NOT NULL DEFAULT 1;" \
	"ALTER TABLE " t " ADD COLUMN last_synced_at TEXT;"

#define SYNC_COLUMNS_V6(t, short) \
	SYNC_COLUMNS_V6_NOINDEX(t) \
	"CREATE INDEX IF NOT EXISTS idx_" short "_sync_status ON " t "(sync_status);" \
	"CREATE INDEX IF NOT EXISTS idx_" short "_cloud_id ON " t "(cloud_id);"

/* v11: a sample's row that turns pending is put back to synced (AFTER: the row is written). */
#define SAMPLE_STAYS_LOCAL(t, project) \
	"CREATE TRIGGER " t "_sample_stays_local AFTER UPDATE OF sync_status ON " t \
	" WHEN new.sync_status = 'pending' AND EXISTS (SELECT 1 FROM sample_projects)" \
	" AND " project " IN (SELECT id FROM sample_projects) BEGIN" \
	"  UPDATE " t " SET sync_status = 'synced' WHERE id = new.id;" \
	" END;"
#define SAMPLE_PROJECT_OF_COMMIT(commit) \
	"(SELECT project_id FROM cognitive_commits WHERE id = " commit ")"

/*
 * v14: a turn's share of its session's figures for `analytics`, added (sign
 * "+") or taken back ("-") by the triggers on turns, so analytics reads one
 * row per session instead of every turn. r is new or old. Whether a user
 * turn is a typed prompt needs C (capture/prompt.c): import and pull write it
 * as turns.typed; a user turn without it (written by plain SQL, or stored
 * before v14) leaves the session's count NULL, and store/turn-stats.c counts
 * it again.
 */
#define TURN_STATS(r, sign) \
	"INSERT INTO turn_stats (session_id, turns, input_tokens, output_tokens," \
	" cache_read_tokens, cache_creation_tokens, prompts)" \
	" SELECT " r ".session_id, " sign "1, " sign r ".input_tokens, " sign r ".output_tokens, " \
	sign r ".cache_read_tokens, " sign r ".cache_creation_tokens," \
	" CASE WHEN " r ".role = 'user' THEN " sign r ".typed ELSE 0 END WHERE " r ".deleted_at IS NULL" \
	" ON CONFLICT (session_id) DO UPDATE SET turns = turns + excluded.turns," \
	" input_tokens = input_tokens + excluded.input_tokens," \
	" output_tokens = output_tokens + excluded.output_tokens," \
	" cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens," \
	" cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens," \
	" prompts = prompts + excluded.prompts;"	/* NULL, uncounted, once either is */

/*
 * The same for tool calls, per name. tool_summary (the calls' names and
 * is_error only, written by import and pull) spares parsing the results; a
 * writer that leaves it NULL gets tool_calls parsed instead.
 */
#define TOOL_STATS(r, sign) \
	"INSERT INTO tool_stats (session_id, name, calls, errors)" \
	" SELECT " r ".session_id, " TOOL_CALL_FIELD("name") ", " sign "count(*), " \
	sign "coalesce(sum(" TOOL_CALL_FAILED "), 0)" \
	" FROM json_each(" TOOL_CALLS_OF(r) ") j WHERE " r ".deleted_at IS NULL GROUP BY 2" \
	" ON CONFLICT (session_id, name) DO UPDATE SET calls = calls + excluded.calls," \
	" errors = errors + excluded.errors;"
/*
 * A call in the summary is a string: 'o' (succeeded) or 'x' (failed), then
 * its name; 'O' or 'X' alone for a call without a name (store/turn-stats.c).
 * In tool_calls itself it is an object.
 */
#define TOOL_CALL_FIELD(f) \
	"CASE WHEN j.type = 'text' THEN CASE WHEN substr(j.value, 1, 1) IN ('o', 'x')" \
	" THEN substr(j.value, 2) END" \
	" WHEN j.type = 'object' THEN json_extract(j.value, '$." f "') END"
#define TOOL_CALL_FAILED \
	"CASE WHEN j.type = 'text' THEN substr(j.value, 1, 1) IN ('x', 'X')" \
	" WHEN j.type = 'object' THEN json_extract(j.value, '$.is_error') = 1 END"
#define TOOL_CALLS_OF(r) \
	"CASE WHEN " r ".tool_summary IS NOT NULL THEN " r ".tool_summary" \
	" WHEN " r ".tool_calls <> '[]' AND json_valid(" r ".tool_calls) THEN " r ".tool_calls" \
	" ELSE '[]' END"

/*
 * v14: the tool calls' figures store-wide, per name, kept from tool_stats by
 * triggers of their own (no second parse), so analytics reads a few rows
 * instead of summing every session's tools.
 */
#define TOOL_TOTALS(when, name, calls, errors) \
	"CREATE TRIGGER tool_stats_totals_" when " AFTER " when " ON tool_stats BEGIN" \
	" INSERT INTO tool_totals (name, calls, errors) VALUES (" name ", " calls ", " errors ")" \
	" ON CONFLICT (name) DO UPDATE SET calls = calls + excluded.calls," \
	" errors = errors + excluded.errors; END;"

/*
 * The insert triggers of v14. An import drops them inside its transaction
 * and makes them again before it commits (store/turn-stats-batch.c), so
 * they are spelled once, here.
 */
#define STATS_INSERT_TRIGGER \
	"CREATE TRIGGER turns_stats_insert AFTER INSERT ON turns BEGIN " \
	TURN_STATS("new", "+") " END;"
/* Most turns call no tool: their triggers would run for nothing. */
#define TOOLS_INSERT_TRIGGER \
	"CREATE TRIGGER turns_tools_insert AFTER INSERT ON turns" \
	" WHEN coalesce(new.tool_summary, new.tool_calls) <> '[]' BEGIN " \
	TOOL_STATS("new", "+") " END;"

/* tool_stats' triggers that add to tool_totals; an import drops them while it writes its sums. */
#define TOOL_TOTALS_ADD_TRIGGERS \
	TOOL_TOTALS("INSERT", "new.name", "new.calls", "new.errors") \
	TOOL_TOTALS("UPDATE", "new.name", "new.calls - old.calls", "new.errors - old.errors")
const char tool_totals_triggers_sql[] = TOOL_TOTALS_ADD_TRIGGERS;
const char tool_totals_triggers_drop_sql[] =
	"DROP TRIGGER tool_stats_totals_INSERT; DROP TRIGGER tool_stats_totals_UPDATE;";

/*
 * v16: search. Two FTS5 tables whose text lives elsewhere (external content),
 * so the index holds only the inverted lists: turn_search over the turns'
 * text and their tool calls (inputs and results), commit_search over the
 * commits' titles and git subjects. Each reads its text through a view, so
 * 'rebuild' and snippet() see exactly what the triggers indexed.
 *
 * The tool calls are indexed as their JSON, with the escapes that would glue
 * a letter to the next word ("\nfoo") blanked, \" read as a quote, and the
 * keys of our own (id, name, input, result, is_error: capture/segment.c)
 * left out, so "error" finds errors rather than every call. Only built-in
 * functions: FTS5 reads its content with virtual tables (json_tree) refused,
 * and the sqlite3 shell must still be able to write turns. One expression serves the view and
 * the triggers: a delete must hand FTS5 the very text it indexed.
 */
#define SEARCH_TOOLS_OF(calls) \
	"replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(" calls \
	", '\\n', ' '), '\\t', ' '), '\\r', ' '), '\\\"', '\"'), '\"id\":', ' '), '\"name\":', ' ')," \
	" '\"input\":', ' '), '\"result\":', ' '), '\"is_error\":false', ' '), '\"is_error\":true', ' ')"
/*
 * The triggers that keep an index: an insert indexes the new row; a delete,
 * and an update that changes the text, take the old text out (the very text
 * FTS5 indexed) when the row was indexed, then an update puts the new in.
 */
#define SEARCH_INSERT_TRIGGER(fts, table, cols, vals_new) \
	"CREATE TRIGGER " table "_search_insert AFTER INSERT ON " table " BEGIN" \
	" INSERT INTO " fts "(rowid, " cols ") VALUES (new.rowid, " vals_new "); END;"
#define SEARCH_CHANGE_TRIGGERS(fts, table, indexed, changed, of, cols, vals_old, vals_new) \
	"CREATE TRIGGER " table "_search_delete AFTER DELETE ON " table " WHEN " indexed " BEGIN" \
	" INSERT INTO " fts "(" fts ", rowid, " cols ") VALUES ('delete', old.rowid, " vals_old "); END;" \
	"CREATE TRIGGER " table "_search_update AFTER UPDATE OF " of " ON " table \
	" WHEN " indexed " AND (" changed ") BEGIN" \
	" INSERT INTO " fts "(" fts ", rowid, " cols ") VALUES ('delete', old.rowid, " vals_old ");" \
	" INSERT INTO " fts "(rowid, " cols ") VALUES (new.rowid, " vals_new "); END;"
/*
 * An import or a pull leaves its new turns for the next search to index, in
 * bulk (store/search.c, search_catch_up): tokenizing costs twice what
 * importing does, and most imported turns are never searched before the next
 * batch comes. search_batch holds the last rowid indexed; turns after it are
 * pending, so turns_search_insert (dropped during an import's batches with
 * the analytics' insert triggers) indexes a turn at once only while nothing
 * is pending, and an update or delete of a pending turn leaves the index
 * alone.
 */
#define TURN_SEARCH_INSERT_TRIGGER_OF(content, tools) \
	"CREATE TRIGGER turns_search_insert AFTER INSERT ON turns" \
	" WHEN NOT EXISTS (SELECT 1 FROM search_batch) BEGIN" \
	" INSERT INTO turn_search(rowid, content, tools) VALUES (new.rowid, " content ", " \
	tools "); END;"
#define TURN_SEARCH_INDEXED \
	"old.rowid <= coalesce((SELECT since FROM search_batch), 9223372036854775807)"

/*
 * v18: a contraction is one word. unicode61 splits "can't" at its
 * apostrophe into "can" and "t", two of the commonest words, so the query
 * can't was the phrase "can t": FTS5 read both words' whole position lists
 * to find it (bench/search, a million turns, each word in a quarter of
 * them: 30 ms of CPU, 50 to 450 ms on a busy machine). The indexed text glues n't (ASCII or typographic
 * apostrophe, "n't" or "N'T") with U+02BC, which unicode61 reads as a letter,
 * so don't, can't, isn't are words of their own, rare ones; search.c glues a
 * query the same way and turns the snippets' U+02BC back. Other apostrophes
 * ("it's", 'quoted') stay separators: a leading or trailing one, as around a
 * quoted word, cannot be told apart with built-in functions, and "it s"
 * meets often enough to stop early.
 */
#define SEARCH_WORDS(text) \
	"replace(replace(replace(replace(" text ", 'n''t', 'n" SEARCH_GLUE "t'), 'N''T', 'N" \
	SEARCH_GLUE "T'), 'n" SEARCH_CURLY "t', 'n" SEARCH_GLUE "t'), 'N" SEARCH_CURLY "T', 'N" \
	SEARCH_GLUE "T')"
#define TURN_SEARCH_CONTENT(row) SEARCH_WORDS(row "content")
#define TURN_SEARCH_TOOLS(row) SEARCH_WORDS(SEARCH_TOOLS_OF(row "tool_calls"))

const char turn_insert_triggers_sql[] = STATS_INSERT_TRIGGER TOOLS_INSERT_TRIGGER
	TURN_SEARCH_INSERT_TRIGGER_OF(TURN_SEARCH_CONTENT("new."), TURN_SEARCH_TOOLS("new."));
const char turn_insert_triggers_drop_sql[] =
	"DROP TRIGGER turns_stats_insert; DROP TRIGGER turns_tools_insert;"
	" DROP TRIGGER turns_search_insert;";

const struct migration migrations[] = {
	{ 1, "cognitive commits",
	  "CREATE TABLE cognitive_commits ("
	  "  id TEXT PRIMARY KEY,"
	  "  git_hash TEXT,"
	  "  started_at TEXT NOT NULL,"
	  "  closed_at TEXT NOT NULL,"
	  "  closed_by TEXT NOT NULL CHECK (closed_by IN ('git_commit', 'session_end', 'open')),"
	  "  parallel INTEGER NOT NULL DEFAULT 0,"
	  "  files_read TEXT NOT NULL DEFAULT '[]',"
	  "  files_changed TEXT NOT NULL DEFAULT '[]',"
	  "  source TEXT NOT NULL DEFAULT 'claude_code',"
	  "  project_name TEXT"
	  ");"
	  "CREATE INDEX idx_commits_started ON cognitive_commits(started_at);" },

	{ 2, "projects",
	  "CREATE TABLE projects ("
	  "  id TEXT PRIMARY KEY,"
	  "  name TEXT NOT NULL UNIQUE,"
	  "  local_path TEXT,"
	  "  remote_url TEXT,"
	  "  created_at TEXT NOT NULL"
	  ");"
	  "ALTER TABLE cognitive_commits ADD COLUMN project_id TEXT REFERENCES projects(id);"
	  "CREATE INDEX idx_commits_project ON cognitive_commits(project_id, started_at);" },

	{ 3, "sessions and turns",
	  "CREATE TABLE sessions ("
	  "  id TEXT PRIMARY KEY,"
	  "  commit_id TEXT NOT NULL REFERENCES cognitive_commits(id),"
	  "  claude_session_id TEXT NOT NULL,"
	  "  started_at TEXT NOT NULL,"
	  "  ended_at TEXT NOT NULL,"
	  "  cwd TEXT,"
	  "  git_branch TEXT,"
	  "  cli_version TEXT"
	  ");"
	  "CREATE INDEX idx_sessions_commit ON sessions(commit_id);"
	  "CREATE TABLE turns ("
	  "  id TEXT PRIMARY KEY,"
	  "  session_id TEXT NOT NULL REFERENCES sessions(id),"
	  "  seq INTEGER NOT NULL,"
	  "  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),"
	  "  content TEXT NOT NULL DEFAULT '',"
	  "  thinking TEXT,"
	  "  timestamp TEXT NOT NULL,"
	  "  tool_calls TEXT NOT NULL DEFAULT '[]',"
	  "  model TEXT,"
	  "  message_id TEXT,"
	  "  input_tokens INTEGER NOT NULL DEFAULT 0,"
	  "  output_tokens INTEGER NOT NULL DEFAULT 0,"
	  "  cache_read_tokens INTEGER NOT NULL DEFAULT 0,"
	  "  cache_creation_tokens INTEGER NOT NULL DEFAULT 0"
	  ");"
	  "CREATE INDEX idx_turns_session ON turns(session_id, seq);" },

	{ 4, "curation",
	  "ALTER TABLE cognitive_commits ADD COLUMN published INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE cognitive_commits ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE cognitive_commits ADD COLUMN display_order INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE cognitive_commits ADD COLUMN title TEXT;" },

	{ 5, "visuals, versions and tombstones",
	  "CREATE TABLE visuals ("
	  "  id TEXT PRIMARY KEY,"
	  "  commit_id TEXT NOT NULL REFERENCES cognitive_commits(id),"
	  "  turn_id TEXT,"
	  "  type TEXT NOT NULL,"
	  "  sha256 TEXT NOT NULL,"
	  "  path TEXT,"
	  "  captured_at TEXT NOT NULL,"
	  "  caption TEXT,"
	  "  cloud_path TEXT"
	  ");"
	  "CREATE INDEX idx_visuals_commit ON visuals(commit_id);"
	  SYNC_COLUMNS_V5("projects")
	  SYNC_COLUMNS_V5("cognitive_commits")
	  SYNC_COLUMNS_V5("sessions")
	  SYNC_COLUMNS_V5("turns")
	  SYNC_COLUMNS_V5("visuals") },

	{ 6, "sync metadata",
	  SYNC_COLUMNS_V6("cognitive_commits", "commits")
	  SYNC_COLUMNS_V6("projects", "projects")
	  SYNC_COLUMNS_V6("sessions", "sessions")
	  /* Turns go up with their commit, found through it: no index of their own,
	   * which keeps importing a million turns cheap. */
	  SYNC_COLUMNS_V6_NOINDEX("turns")
	  SYNC_COLUMNS_V6("visuals", "visuals")
	  "CREATE TABLE sync_state ("
	  "  key TEXT PRIMARY KEY,"
	  "  value TEXT"
	  ");"
	  "CREATE TABLE conflicts ("
	  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	  "  table_name TEXT NOT NULL,"
	  "  record_id TEXT NOT NULL,"
	  "  field TEXT NOT NULL,"
	  "  local_value TEXT,"
	  "  cloud_value TEXT,"
	  "  local_version INTEGER,"
	  "  cloud_version INTEGER,"
	  "  winner TEXT CHECK (winner IN ('local', 'cloud')),"
	  "  detected_at TEXT NOT NULL,"
	  "  resolved_at TEXT"
	  ");"
	  "CREATE INDEX idx_conflicts_open ON conflicts(resolved_at, record_id);" },

	{ 7, "import state",
	  /* Where each transcript's import stopped, and the last commit it produced. */
	  "CREATE TABLE import_files ("
	  "  path TEXT PRIMARY KEY,"
	  "  size INTEGER NOT NULL,"
	  "  mtime INTEGER NOT NULL,"
	  "  inode INTEGER NOT NULL,"
	  "  offset INTEGER NOT NULL,"
	  "  line_no INTEGER NOT NULL,"
	  "  claude_session_id TEXT,"
	  "  last_commit_id TEXT,"
	  "  imported_at TEXT NOT NULL"
	  ");"
	  /* Derived at import so `log` needs no join over turns. */
	  "ALTER TABLE cognitive_commits ADD COLUMN first_prompt TEXT;"
	  "ALTER TABLE cognitive_commits ADD COLUMN git_subject TEXT;"
	  "ALTER TABLE cognitive_commits ADD COLUMN turn_count INTEGER NOT NULL DEFAULT 0;"
	  "CREATE INDEX idx_commits_closed ON cognitive_commits(closed_at);" },

	{ 8, "sync base and pending parents",
	  /* Each commit's last synced state: the base of three-way merges. */
	  "CREATE TABLE sync_base ("
	  "  table_name TEXT NOT NULL,"
	  "  record_id TEXT NOT NULL,"
	  "  row TEXT NOT NULL,"
	  "  PRIMARY KEY (table_name, record_id)"
	  ") WITHOUT ROWID;"
	  /*
	   * Push finds pending rows through their commit, so a child that turns
	   * pending marks its commit too; local_version tells a push that the
	   * commit's family changed while it was being sent. Updates only: new
	   * turns and sessions always change their commit's turn count as well.
	   */
	  "CREATE TRIGGER turns_mark_commit AFTER UPDATE OF sync_status ON turns"
	  " WHEN new.sync_status = 'pending' BEGIN"
	  "  UPDATE cognitive_commits SET sync_status = 'pending', local_version = local_version + 1"
	  "  WHERE id = (SELECT commit_id FROM sessions WHERE id = new.session_id);"
	  " END;"
	  "CREATE TRIGGER sessions_mark_commit AFTER UPDATE OF sync_status ON sessions"
	  " WHEN new.sync_status = 'pending' BEGIN"
	  "  UPDATE cognitive_commits SET sync_status = 'pending', local_version = local_version + 1"
	  "  WHERE id = new.commit_id;"
	  " END;"
	  "CREATE TRIGGER visuals_mark_commit AFTER INSERT ON visuals"
	  " WHEN new.sync_status = 'pending' BEGIN"
	  "  UPDATE cognitive_commits SET sync_status = 'pending', local_version = local_version + 1"
	  "  WHERE id = new.commit_id AND sync_status <> 'pending';"
	  " END;" },

	{ 9, "screenshots missing from cloud storage",
	  /* Local only (store/visual-rows.c): warned about once, not asked for
	   * on every pull; a newer cloud version of the row is asked for again. */
	  "CREATE TABLE visuals_missing ("
	  "  visual_id TEXT PRIMARY KEY,"
	  "  cloud_version INTEGER NOT NULL,"
	  "  noted_at TEXT NOT NULL"
	  ") WITHOUT ROWID;" },

	{ 10, "pull resync",
	  /*
	   * The ids a full re-pull has seen so far (src/store/resync.c): what it
	   * has not seen by the end, the cloud purged. A table, not memory, so an
	   * interrupted re-pull resumes. Ids are UUIDs: one list for all tables.
	   */
	  "CREATE TABLE resync_seen ("
	  "  id TEXT PRIMARY KEY"
	  ") WITHOUT ROWID;" },

	{ 11, "samples",
	  /*
	   * The projects of the bundled samples, imported on a first run only.
	   * Their rows never go up: whatever would make one pending (an edit, a
	   * child turning pending) leaves it synced instead, so every query that
	   * looks for work to push passes them by. The check costs one lookup in
	   * an empty table on stores without samples.
	   */
	  "CREATE TABLE sample_projects ("
	  "  id TEXT PRIMARY KEY"
	  ") WITHOUT ROWID;"
	  SAMPLE_STAYS_LOCAL("projects", "new.id")
	  SAMPLE_STAYS_LOCAL("cognitive_commits", "new.project_id")
	  SAMPLE_STAYS_LOCAL("sessions", SAMPLE_PROJECT_OF_COMMIT("new.commit_id"))
	  SAMPLE_STAYS_LOCAL("turns", SAMPLE_PROJECT_OF_COMMIT(
	      "(SELECT commit_id FROM sessions WHERE id = new.session_id)"))
	  SAMPLE_STAYS_LOCAL("visuals", SAMPLE_PROJECT_OF_COMMIT("new.commit_id")) },

	{ 12, "import fidelity",
	  /* Local only: what first_prompt is (enum prompt_kind: 0 the agent's first
	   * sentence, 1 a slash command, 2 typed words), so a better one replaces it. */
	  "ALTER TABLE cognitive_commits ADD COLUMN first_prompt_kind INTEGER NOT NULL DEFAULT 2;"
	  /* Local only: git commits made in other repositories during the commit
	   * (JSON array of "[branch hash] subject"); they did not close it. */
	  "ALTER TABLE cognitive_commits ADD COLUMN git_elsewhere TEXT NOT NULL DEFAULT '[]';"
	  /* Every Claude session id a transcript used (one can change mid-file). */
	  "CREATE TABLE import_file_sessions ("
	  "  path TEXT NOT NULL,"
	  "  claude_session_id TEXT NOT NULL,"
	  "  PRIMARY KEY (path, claude_session_id)"
	  ") WITHOUT ROWID;"
	  /*
	   * Projects are repositories, keyed by their remote URL or root, no longer
	   * by folder name: identity_key is what a project's id derives from. Rows
	   * without one are the old folder-name projects; the next import re-keys
	   * their commits (it reads each checkout's .git/config, which SQL cannot)
	   * and tombstones them. checkout: the commit's local checkout root, so that
	   * `parallel` only compares commits of one checkout.
	   */
	  "ALTER TABLE projects ADD COLUMN identity_key TEXT;"
	  "ALTER TABLE cognitive_commits ADD COLUMN checkout TEXT;" },

	{ 13, "synced conflicts",
	  /*
	   * Conflicts go to the cloud (issue 10), so the table becomes a synced
	   * one: a UUID id (derived from the commit, the field and the two
	   * values: two machines that find one conflict write one record), the
	   * machines on either side, its state and who closed it, and the sync
	   * columns. The commit's versions it was found at move to *_row_version:
	   * local_version and cloud_version are sync bookkeeping here as on every
	   * synced table. Records found before this had no machines: this
	   * machine found them (local_machine NULL reads as "here"); their ids
	   * are random, as SQL cannot derive a UUIDv5, and only the open ones go
	   * up (the closed ones are history no other machine needs).
	   */
	  "ALTER TABLE conflicts RENAME TO conflicts_v12;"
	  "DROP INDEX idx_conflicts_open;"
	  "CREATE TABLE conflicts ("
	  "  id TEXT PRIMARY KEY NOT NULL,"
	  "  table_name TEXT NOT NULL DEFAULT 'cognitive_commits',"
	  "  record_id TEXT NOT NULL,"
	  "  field TEXT NOT NULL,"
	  "  local_value TEXT,"
	  "  cloud_value TEXT,"
	  "  local_row_version INTEGER,"
	  "  cloud_row_version INTEGER,"
	  "  local_machine TEXT,"
	  "  cloud_machine TEXT,"
	  "  winner TEXT CHECK (winner IN ('local', 'cloud')),"
	  "  detected_at TEXT NOT NULL,"
	  "  state TEXT NOT NULL DEFAULT 'open'"
	  "    CHECK (state IN ('open', 'acknowledged', 'resolved')),"
	  "  resolved_at TEXT,"
	  "  resolved_by TEXT"
	  ");"
	  SYNC_COLUMNS_V5("conflicts")
	  SYNC_COLUMNS_V6_NOINDEX("conflicts")
	  "INSERT INTO conflicts (id, table_name, record_id, field, local_value, cloud_value,"
	  "  local_row_version, cloud_row_version, winner, detected_at, state, resolved_at,"
	  "  updated_at, sync_status)"
	  " SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'"
	  "  || substr(hex(randomblob(2)), 2) || '-8' || substr(hex(randomblob(2)), 2) || '-'"
	  "  || hex(randomblob(6))), table_name, record_id, field, local_value, cloud_value,"
	  "  local_version, cloud_version, winner, detected_at,"
	  "  CASE WHEN resolved_at IS NULL THEN 'open' WHEN winner IS NULL THEN 'acknowledged'"
	  "  ELSE 'resolved' END, resolved_at, detected_at,"
	  "  CASE WHEN resolved_at IS NULL THEN 'pending' ELSE 'synced' END FROM conflicts_v12;"
	  "DROP TABLE conflicts_v12;"
	  "CREATE INDEX idx_conflicts_open ON conflicts(resolved_at, record_id);"
	  "CREATE INDEX idx_conflicts_sync_status ON conflicts(sync_status);" },

	{ 14, "analytics figures per session",
	  /*
	   * Local only, kept by triggers (TURN_STATS, TOOL_STATS) on every write
	   * to turns, whoever makes it (import, pull, a purge). Live turns only;
	   * tombstoned sessions and commits are left out when read.
	   */
	  "ALTER TABLE turns ADD COLUMN tool_summary TEXT;"
	  /* 1 when a user turn holds words a person typed, 0 when not, NULL unknown. */
	  "ALTER TABLE turns ADD COLUMN typed INTEGER;"
	  "CREATE TABLE turn_stats ("
	  "  session_id TEXT PRIMARY KEY,"
	  "  turns INTEGER NOT NULL,"
	  "  input_tokens INTEGER NOT NULL,"
	  "  output_tokens INTEGER NOT NULL,"
	  "  cache_read_tokens INTEGER NOT NULL,"
	  "  cache_creation_tokens INTEGER NOT NULL,"
	  "  prompts INTEGER"
	  ") WITHOUT ROWID;"
	  "CREATE INDEX idx_turn_stats_uncounted ON turn_stats(session_id) WHERE prompts IS NULL;"
	  /* Not WITHOUT ROWID: a call without a name keeps a NULL name, as before. */
	  "CREATE TABLE tool_stats ("
	  "  session_id TEXT NOT NULL,"
	  "  name,"
	  "  calls INTEGER NOT NULL,"
	  "  errors INTEGER NOT NULL,"
	  "  PRIMARY KEY (session_id, name)"
	  ");"
	  "CREATE TABLE tool_totals ("
	  "  name PRIMARY KEY,"
	  "  calls INTEGER NOT NULL,"
	  "  errors INTEGER NOT NULL"
	  ");"
	  /* What lies under tombstones, found without a scan; and the figures of
	   * commits and sessions read from an index instead of their wide rows. */
	  "CREATE INDEX idx_sessions_dead ON sessions(id) WHERE deleted_at IS NOT NULL;"
	  "CREATE INDEX idx_commits_dead ON cognitive_commits(id) WHERE deleted_at IS NOT NULL;"
	  "CREATE INDEX idx_sessions_figures ON sessions(claude_session_id, commit_id, deleted_at);"
	  "CREATE INDEX idx_commits_figures ON cognitive_commits(deleted_at, project_id, closed_by,"
	  " turn_count, started_at, closed_at);"
	  "INSERT INTO turn_stats SELECT session_id, count(*), sum(input_tokens), sum(output_tokens),"
	  " sum(cache_read_tokens), sum(cache_creation_tokens),"
	  " sum(CASE WHEN role = 'user' THEN typed_prompt(content) ELSE 0 END)"
	  " FROM turns WHERE deleted_at IS NULL GROUP BY session_id;"
	  "INSERT INTO tool_stats SELECT t.session_id, " TOOL_CALL_FIELD("name") ", count(*),"
	  " coalesce(sum(" TOOL_CALL_FAILED "), 0)"
	  " FROM turns t, json_each(" TOOL_CALLS_OF("t") ") j WHERE t.deleted_at IS NULL"
	  " GROUP BY 1, 2;"
	  "INSERT INTO tool_totals SELECT name, sum(calls), sum(errors) FROM tool_stats GROUP BY name;"
	  STATS_INSERT_TRIGGER
	  "CREATE TRIGGER turns_stats_delete AFTER DELETE ON turns BEGIN "
	  TURN_STATS("old", "-") " END;"
	  TOOLS_INSERT_TRIGGER
	  "CREATE TRIGGER turns_tools_delete AFTER DELETE ON turns"
	  " WHEN coalesce(old.tool_summary, old.tool_calls) <> '[]' BEGIN "
	  TOOL_STATS("old", "-") " END;"
	  /* Pull rewrites every column of a turn it receives: only real changes count. */
	  "CREATE TRIGGER turns_stats_update AFTER UPDATE OF session_id, role, typed, deleted_at,"
	  " input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens ON turns"
	  " WHEN old.session_id IS NOT new.session_id OR old.role IS NOT new.role"
	  " OR old.typed IS NOT new.typed"
	  " OR old.deleted_at IS NOT new.deleted_at OR old.input_tokens IS NOT new.input_tokens"
	  " OR old.output_tokens IS NOT new.output_tokens"
	  " OR old.cache_read_tokens IS NOT new.cache_read_tokens"
	  " OR old.cache_creation_tokens IS NOT new.cache_creation_tokens BEGIN "
	  TURN_STATS("old", "-") TURN_STATS("new", "+") " END;"
	  "CREATE TRIGGER turns_tools_update AFTER UPDATE OF session_id, tool_calls, tool_summary,"
	  " deleted_at ON turns"
	  " WHEN old.session_id IS NOT new.session_id OR old.deleted_at IS NOT new.deleted_at"
	  /* The summary, where both have one, is what counts: a result that arrives
	   * for a call that succeeded changes nothing that is counted. */
	  " OR coalesce(old.tool_summary, old.tool_calls) IS NOT"
	  " coalesce(new.tool_summary, new.tool_calls)"
	  " BEGIN " TOOL_STATS("old", "-") TOOL_STATS("new", "+") " END;"
	  TOOL_TOTALS_ADD_TRIGGERS
	  TOOL_TOTALS("DELETE", "old.name", "-old.calls", "-old.errors") },

	{ 15, "re-read transcripts once",
	  /*
	   * Commits imported before v12 keep the titles, prompts, files and
	   * projects an older import derived: the next import reads every
	   * transcript again from the start, once (what comes out the same stays
	   * as it is, synced). A store that never imported has nothing to redo.
	   */
	  "CREATE TABLE IF NOT EXISTS import_reread (reason TEXT NOT NULL);"
	  "INSERT INTO import_reread SELECT 'import fidelity (v12)'"
	  " WHERE EXISTS (SELECT 1 FROM import_files);" },

	{ 16, "search",
	  /*
	   * Every turn is indexed, tombstoned or not: a search drops what lies
	   * under a tombstone when it reads (store/search.c), and a purge's
	   * delete takes it out of the index. unicode61 with diacritics removed,
	   * so "cafe" finds "café"; detail=full keeps phrase queries, which a
	   * quoted word with punctuation ("foo.bar") needs; no sizes per row
	   * (columnsize=0): only ranking reads them, and hits come newest first.
	   */
	  "CREATE VIEW turn_search_text AS SELECT rowid AS turn_rowid, content,"
	  " " SEARCH_TOOLS_OF("tool_calls") " AS tools FROM turns;"
	  "CREATE VIRTUAL TABLE turn_search USING fts5(content, tools, content = 'turn_search_text',"
	  " content_rowid = 'turn_rowid', tokenize = 'unicode61 remove_diacritics 2',"
	  " columnsize = 0);"
	  "CREATE TABLE search_batch (since INTEGER NOT NULL);"
	  TURN_SEARCH_INSERT_TRIGGER_OF("new.content", SEARCH_TOOLS_OF("new.tool_calls"))
	  SEARCH_CHANGE_TRIGGERS("turn_search", "turns", TURN_SEARCH_INDEXED,
	      "old.content IS NOT new.content OR old.tool_calls IS NOT new.tool_calls",
	      "content, tool_calls", "content, tools",
	      "old.content, " SEARCH_TOOLS_OF("old.tool_calls"),
	      "new.content, " SEARCH_TOOLS_OF("new.tool_calls"))
	  "CREATE VIEW commit_search_text AS SELECT rowid AS commit_rowid, title, git_subject"
	  " FROM cognitive_commits;"
	  "CREATE VIRTUAL TABLE commit_search USING fts5(title, git_subject,"
	  " content = 'commit_search_text', content_rowid = 'commit_rowid',"
	  " tokenize = 'unicode61 remove_diacritics 2', columnsize = 0);"
	  SEARCH_INSERT_TRIGGER("commit_search", "cognitive_commits", "title, git_subject",
	      "new.title, new.git_subject")
	  SEARCH_CHANGE_TRIGGERS("commit_search", "cognitive_commits", "1",
	      "old.title IS NOT new.title OR old.git_subject IS NOT new.git_subject",
	      "title, git_subject", "title, git_subject", "old.title, old.git_subject",
	      "new.title, new.git_subject")
	  "INSERT INTO turn_search(turn_search) VALUES ('rebuild');"
	  "INSERT INTO commit_search(commit_search) VALUES ('rebuild');" },

	{ 18, "search: contractions whole",
	  /*
	   * v16's views and triggers again with the text glued (SEARCH_WORDS),
	   * then both indexes rebuilt from it: a delete must hand FTS5 the very
	   * text it indexed. The rebuild indexes the turns an import left
	   * pending too, so none stays pending. The insert trigger is dropped
	   * IF EXISTS: an import drops it while it writes (store/turn-stats-
	   * batch.c), and a store ever left without it gets it back here.
	   */
	  "DROP TRIGGER IF EXISTS turns_search_insert; DROP TRIGGER turns_search_delete;"
	  " DROP TRIGGER turns_search_update; DROP TRIGGER cognitive_commits_search_insert;"
	  " DROP TRIGGER cognitive_commits_search_delete;"
	  " DROP TRIGGER cognitive_commits_search_update;"
	  "DROP VIEW turn_search_text; DROP VIEW commit_search_text;"
	  "CREATE VIEW turn_search_text AS SELECT rowid AS turn_rowid, " TURN_SEARCH_CONTENT("")
	  " AS content, " TURN_SEARCH_TOOLS("") " AS tools FROM turns;"
	  TURN_SEARCH_INSERT_TRIGGER_OF(TURN_SEARCH_CONTENT("new."), TURN_SEARCH_TOOLS("new."))
	  SEARCH_CHANGE_TRIGGERS("turn_search", "turns", TURN_SEARCH_INDEXED,
	      "old.content IS NOT new.content OR old.tool_calls IS NOT new.tool_calls",
	      "content, tool_calls", "content, tools",
	      TURN_SEARCH_CONTENT("old.") ", " TURN_SEARCH_TOOLS("old."),
	      TURN_SEARCH_CONTENT("new.") ", " TURN_SEARCH_TOOLS("new."))
	  "CREATE VIEW commit_search_text AS SELECT rowid AS commit_rowid, "
	  SEARCH_WORDS("title") " AS title, " SEARCH_WORDS("git_subject") " AS git_subject"
	  " FROM cognitive_commits;"
	  SEARCH_INSERT_TRIGGER("commit_search", "cognitive_commits", "title, git_subject",
	      SEARCH_WORDS("new.title") ", " SEARCH_WORDS("new.git_subject"))
	  SEARCH_CHANGE_TRIGGERS("commit_search", "cognitive_commits", "1",
	      "old.title IS NOT new.title OR old.git_subject IS NOT new.git_subject",
	      "title, git_subject", "title, git_subject",
	      SEARCH_WORDS("old.title") ", " SEARCH_WORDS("old.git_subject"),
	      SEARCH_WORDS("new.title") ", " SEARCH_WORDS("new.git_subject"))
	  "DELETE FROM search_batch;"
	  "INSERT INTO turn_search(turn_search) VALUES ('rebuild');"
	  "INSERT INTO commit_search(commit_search) VALUES ('rebuild');" },

	{ 19, "pending turns indexed",
	  /*
	   * Turns had no sync_status index (every turn would pay for it), so
	   * every sync, even one with nothing to do, read the whole table to
	   * count pending turns: 70 ms on 200,000 turns. Only pending turns are
	   * in this index: an import adds each new turn once (no measurable
	   * cost), a push's acknowledgement removes it, a pull never adds one.
	   */
	  "CREATE INDEX idx_turns_pending ON turns(session_id) WHERE sync_status = 'pending';" },
};

const int migrations_count = sizeof migrations / sizeof migrations[0];
