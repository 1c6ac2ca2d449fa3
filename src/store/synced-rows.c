#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/redact.h"
#include "store/internal.h"
#include "store/synced-rows.h"
#include "store/turn-stats.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

cJSON *
synced_column_json(const struct sync_column *c, sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return cJSON_CreateNull();
	switch (c->kind) {
	case COL_INT:
		return cJSON_CreateNumber((double)sqlite3_column_int64(stmt, col));
	case COL_BOOL:
		return cJSON_CreateBool(sqlite3_column_int(stmt, col) != 0);
	default:
		return cJSON_CreateString((const char *)sqlite3_column_text(stmt, col));
	}
}

/* The table's columns of the current row, as one object. */
static cJSON *
row_json(const struct sync_table *t, sqlite3_stmt *stmt)
{
	cJSON *row = cJSON_CreateObject();
	int i;

	for (i = 0; i < t->ncolumns; i++)
		cJSON_AddItemToObject(row, t->columns[i].name,
		    synced_column_json(&t->columns[i], stmt, i));
	return row;
}

int
synced_column_bind(const struct sync_column *c, sqlite3_stmt *stmt, int i, const cJSON *v, char *err)
{
	char iso[32];
	int64_t ms;

	if (v == NULL || cJSON_IsNull(v))
		return sqlite3_bind_null(stmt, i) == SQLITE_OK ? 0 : -1;
	switch (c->kind) {
	case COL_INT:
		if (!cJSON_IsNumber(v))
			break;
		return sqlite3_bind_int64(stmt, i, (sqlite3_int64)v->valuedouble) == SQLITE_OK ? 0 : -1;
	case COL_BOOL:
		if (!cJSON_IsBool(v))
			break;
		return sqlite3_bind_int(stmt, i, cJSON_IsTrue(v)) == SQLITE_OK ? 0 : -1;
	case COL_TIME:
		if (!cJSON_IsString(v) || (ms = time_parse_iso_ms(v->valuestring)) < 0)
			break;
		time_format_iso_ms(ms, iso);
		return sqlite3_bind_text(stmt, i, iso, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
	case COL_TEXT:
		if (!cJSON_IsString(v))
			break;
		/* Not copied (a pulled page's turns are most of its bytes). */
		return sqlite3_bind_text(stmt, i, v->valuestring, -1, SQLITE_STATIC) ==
		    SQLITE_OK ? 0 : -1;
	}
	return seterr(err, "the cloud sent a bad value for %s", c->name);
}

/* "p.\"a\", p.\"b\"": the table's columns, in order, each prefixed (prefix may be ""). */
static void
add_columns(struct strbuf *sb, const struct sync_table *t, const char *prefix)
{
	int i;

	for (i = 0; i < t->ncolumns; i++)
		strbuf_addf(sb, "%s%s\"%s\"", i ? ", " : "", prefix, t->columns[i].name);
}

/*
 * Which rows go up with a commit. "+": through the commit's index, never the
 * sync_status one (most rows are synced).
 */
static const char *const pending_where[NTABLES] = {
	[T_PROJECTS] = "WHERE r.sync_status = 'pending'",
	/* A synced commit stays here: only its pending rows go up. */
	[T_COMMITS] = "WHERE r.id = ?1 AND +r.sync_status = 'pending'",
	[T_SESSIONS] = "WHERE r.commit_id = ?1 AND +r.sync_status = 'pending'",
	[T_TURNS] = "JOIN sessions s ON s.id = r.session_id"
	    " WHERE s.commit_id = ?1 AND r.sync_status = 'pending'",
	[T_VISUALS] = "WHERE r.commit_id = ?1 AND +r.sync_status = 'pending'",
	[T_CONFLICTS] = "WHERE r.sync_status = 'pending'",
};

/*
 * Each table's statements, spelled out once per process: built afresh for
 * every row, their text cost a fifth of a pull's time on the client.
 */
enum {
	SQL_READ, SQL_WRITE, SQL_PENDING, SQL_PENDING_ROW, SQL_CLOUD_VERSION, SQL_MARK_SYNCED,
	SQL_HELD, NSQL
};
static char *table_sql[NTABLES][NSQL];
/*
 * The bulk writes of 1, 2, 4, ... 2^BULK_LOG rows, each statement prepared
 * once a connection (preparing a statement of a whole page's rows for every
 * page was a sixth of a pull's client instructions). A page's rows of a table
 * go in one statement, padded (write_chunk): 2^10 rows hold a page of 1,000.
 */
enum { BULK_LOG = 10 };
static char *bulk_sql[NTABLES][BULK_LOG + 1];
static pthread_once_t table_sql_once = PTHREAD_ONCE_INIT;

static char *
read_sql(const struct sync_table *t)
{
	struct strbuf sql = STRBUF_INIT;

	strbuf_adds(&sql, "SELECT ");
	add_columns(&sql, t, "");
	strbuf_addf(&sql, ", sync_status FROM %s WHERE id = ?1", t->name);
	return strbuf_detach(&sql);
}

/* The insert of a synced row as far as VALUES: its columns, then what pull adds. */
static void
write_head(struct strbuf *sql, const struct sync_table *t)
{
	strbuf_addf(sql, "INSERT INTO %s (", t->name);
	add_columns(sql, t, "");
	/* A turn also gets what the analytics triggers read (store/turn-stats.h). */
	strbuf_addf(sql, ", sync_status, cloud_version, last_synced_at%s) VALUES ",
	    t == &sync_tables[T_TURNS] ? ", tool_summary, typed" : "");
}

/*
 * The parameters of one row, numbered on from the row before: "(?, ?, ...)".
 * Not "?NNN": SQLite looks each of those up in a list of the statement's
 * parameters, quadratic for a page of rows (a pull's client CPU went from 2
 * to 35 seconds).
 */
static void
write_values(struct strbuf *sql, int count)
{
	int i;

	strbuf_addc(sql, '(');
	for (i = 0; i < count; i++)
		strbuf_adds(sql, i > 0 ? ", ?" : "?");
	strbuf_addc(sql, ')');
}

/* The parameters one written row takes. */
static int
write_width(const struct sync_table *t)
{
	return t->ncolumns + 3 + 2 * (t == &sync_tables[T_TURNS]);
}

/* Every column but id taken from the incoming row. */
static void
write_update(struct strbuf *sql, const struct sync_table *t)
{
	int i, n = t->ncolumns, turns = t == &sync_tables[T_TURNS];

	strbuf_adds(sql, " ON CONFLICT (id) DO UPDATE SET ");
	for (i = 1; i < n; i++) {
		const char *c = t->columns[i].name;
		/*
		 * A tombstone takes the cloud's value (a deleted project's name
		 * moves out of the way), unless another row here has it.
		 */
		if (sync_column_here(t, c))
			strbuf_addf(sql, "\"%s\" = CASE WHEN excluded.deleted_at IS NULL OR"
			    " EXISTS (SELECT 1 FROM %s x WHERE x.\"%s\" = excluded.\"%s\""
			    " AND x.id <> excluded.id) THEN \"%s\" ELSE excluded.\"%s\" END, ",
			    c, t->name, c, c, c, c);
		else if (t->columns[i].content)
			/* Our original stays where the cloud has its redacted copy. */
			strbuf_addf(sql, "\"%s\" = CASE WHEN instr(excluded.\"%s\", '" REDACT_OPEN
			    "') > 0 AND excluded.\"%s\" IS agentlogs_redact(\"%s\") THEN \"%s\""
			    " ELSE excluded.\"%s\" END, ", c, c, c, c, c, c);
		else
			strbuf_addf(sql, "\"%s\" = excluded.\"%s\", ", c, c);
	}
	strbuf_addf(sql, "sync_status = excluded.sync_status, cloud_version ="
	    " excluded.cloud_version, last_synced_at = excluded.last_synced_at%s",
	    turns ? ", tool_summary = excluded.tool_summary, typed = excluded.typed" : "");
}

static char *
write_sql(const struct sync_table *t)
{
	struct strbuf sql = STRBUF_INIT;

	write_head(&sql, t);
	write_values(&sql, write_width(t));
	write_update(&sql, t);
	return strbuf_detach(&sql);
}

/* The insert of `rows` synced rows, each only where new here or replacing an older synced one. */
static char *
bulk_write_sql(const struct sync_table *t, int rows)
{
	struct strbuf sql = STRBUF_INIT;
	int i;

	write_head(&sql, t);
	for (i = 0; i < rows; i++) {
		if (i > 0)
			strbuf_adds(&sql, ", ");
		write_values(&sql, write_width(t));
	}
	write_update(&sql, t);
	/* The rule of the per-row path (sync/decide.h): only a newer cloud row replaces a synced one. */
	strbuf_adds(&sql, " WHERE sync_status = 'synced' AND (excluded.version > version OR"
	    " (excluded.version = version AND coalesce(excluded.updated_at, '') >"
	    " coalesce(updated_at, '')))");
	return strbuf_detach(&sql);
}

/*
 * A column as push sends it, written by SQLite's json_object: the same JSON
 * as synced_column_json's values (booleans true or false, integers and texts
 * of their kind whatever SQLite stored), without a cJSON tree a row.
 */
static void
add_json_value(struct strbuf *sb, const struct sync_column *c)
{
	switch (c->kind) {
	case COL_INT:
		strbuf_addf(sb, "CAST(r.\"%s\" AS INTEGER)", c->name);
		break;
	case COL_BOOL:
		strbuf_addf(sb, "json(CASE WHEN r.\"%s\" THEN 'true' WHEN r.\"%s\" IS NOT NULL"
		    " THEN 'false' END)", c->name, c->name);
		break;
	default:
		/* Content leaves the machine redacted (privacy/redact.h, store/redact-fn.h). */
		strbuf_addf(sb, c->content ? "agentlogs_redact(CAST(r.\"%s\" AS TEXT))" :
		    "CAST(r.\"%s\" AS TEXT)", c->name);
	}
}

/* A content column sealed for end-to-end encryption (store/seal-hook.h), outermost. */
static void
add_sealed_value(struct strbuf *sb, const struct sync_table *t, const struct sync_column *c)
{
	if (!c->content) {
		add_json_value(sb, c);
		return;
	}
	strbuf_addf(sb, "agentlogs_seal('%s', '%s', r.id, r.version, ", t->name, c->name);
	add_json_value(sb, c);
	strbuf_addc(sb, ')');
}

/*
 * What push sends of a pending row: an object of its columns, then
 * base_version (the push's base); or, positional, the same values as an
 * array in the order of synced_push_columns (push_rows: no key repeated a
 * row, a quarter less to send and half the cloud's JSON parse).
 */
static char *
pending_sql(const struct sync_table *t, int positional)
{
	struct strbuf sql = STRBUF_INIT;
	int i;

	strbuf_adds(&sql, positional ? "SELECT json_array(" : "SELECT json_object(");
	for (i = 0; i < t->ncolumns; i++) {
		if (!positional)
			strbuf_addf(&sql, "'%s', ", t->columns[i].name);
		add_sealed_value(&sql, t, &t->columns[i]);
		strbuf_adds(&sql, ", ");
	}
	/* What marks it synced once acknowledged, if it did not change meanwhile. */
	strbuf_addf(&sql, "%scoalesce(r.cloud_version, 0)), r.id, r.version,"
	    " r.updated_at, r.local_version FROM %s r %s", positional ? "" : "'base_version', ",
	    t->name, pending_where[t - sync_tables]);
	return strbuf_detach(&sql);
}

void
synced_push_columns(const struct sync_table *t, struct strbuf *sb)
{
	int i;

	strbuf_addc(sb, '[');
	for (i = 0; i < t->ncolumns; i++)
		strbuf_addf(sb, "\"%s\",", t->columns[i].name);
	strbuf_adds(sb, "\"base_version\"]");
}

static void
build_table_sql(void)
{
	int i, k;

	for (i = 0; i < NTABLES; i++) {
		for (k = 0; k <= BULK_LOG; k++)
			bulk_sql[i][k] = bulk_write_sql(&sync_tables[i], 1 << k);
		table_sql[i][SQL_READ] = read_sql(&sync_tables[i]);
		table_sql[i][SQL_WRITE] = write_sql(&sync_tables[i]);
		table_sql[i][SQL_PENDING] = pending_sql(&sync_tables[i], 0);
		table_sql[i][SQL_PENDING_ROW] = pending_sql(&sync_tables[i], 1);
		table_sql[i][SQL_CLOUD_VERSION] = xprintf("UPDATE %s SET cloud_version = ?2"
		    " WHERE id = ?1", sync_tables[i].name);
		/*
		 * Each row of the list looked up by its id. "+": never through
		 * the sync_status index, which would scan the whole list (json_each
		 * parses it again) for every pending row: quadratic.
		 */
		table_sql[i][SQL_MARK_SYNCED] = xprintf("UPDATE %s AS r SET sync_status ="
		    " 'synced', cloud_version = r.version, last_synced_at = ?2"
		    " FROM (SELECT json_extract(value, '$[0]') AS id,"
		    " json_extract(value, '$[1]') AS version, json_extract(value, '$[2]') AS"
		    " updated_at, json_extract(value, '$[3]') AS local_version FROM json_each(?1)) m"
		    " WHERE r.id = m.id AND r.version = m.version AND r.updated_at IS m.updated_at"
		    " AND r.local_version = m.local_version AND +r.sync_status = 'pending'",
		    sync_tables[i].name);
		/*
		 * The rows of a pulled page that must go one by one: here and
		 * pending, or here with a clock not older than the cloud's.
		 */
		table_sql[i][SQL_HELD] = xprintf("SELECT j.key FROM json_each(?1) j JOIN %s r"
		    " ON r.id = json_extract(j.value, '$[0]') WHERE NOT (r.sync_status = 'synced'"
		    " AND (json_extract(j.value, '$[1]') > r.version OR"
		    " (json_extract(j.value, '$[1]') = r.version AND"
		    " coalesce(json_extract(j.value, '$[2]'), '') > coalesce(r.updated_at, ''))))",
		    sync_tables[i].name);
	}
}

/* The connection's statement which (SQL_...) of table t (one of sync_tables). */
static sqlite3_stmt *
table_stmt(struct store *st, const struct sync_table *t, int which, char *err)
{
	pthread_once(&table_sql_once, build_table_sql);
	return store_cached_static(st, table_sql[t - sync_tables][which], err);
}

cJSON *
synced_row_read(struct store *st, const struct sync_table *t, const char *id, char status[16],
    char *err)
{
	sqlite3_stmt *s;
	cJSON *row = NULL;
	int rc;

	status[0] = '\0';
	if ((s = table_stmt(st, t, SQL_READ, err)) == NULL)
		return NULL;
	store_bind_text(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row = row_json(t, s);
		snprintf(status, 16, "%s", (const char *)sqlite3_column_text(s, t->ncolumns));
	} else if (rc != SQLITE_DONE)
		seterr(err, "reading %s: %s", t->name, sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return row;
}

/*
 * A pulled turn's tool calls reduced for the analytics triggers
 * (store/turn-stats.h) into sb; NULL when they are not a JSON array (the
 * triggers then parse tool_calls themselves).
 */
static const char *
pulled_tool_summary(const cJSON *row, struct strbuf *sb)
{
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(row, "tool_calls");
	cJSON *calls = cJSON_IsString(text) ? cJSON_Parse(text->valuestring) : NULL;

	if (cJSON_IsArray(calls))
		turn_tool_summary(calls, sb);
	cJSON_Delete(calls);
	return sb->len > 0 ? sb->buf : NULL;
}

/* Whether a pulled user turn was typed (turns.typed); NULL for others, or unknown. */
static void
pulled_typed(const cJSON *row, sqlite3_stmt *s, int i)
{
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(row, "role");
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(row, "content");

	if (cJSON_IsString(role) && strcmp(role->valuestring, "user") == 0 &&
	    cJSON_IsString(content))
		sqlite3_bind_int(s, i, turn_typed(content->valuestring));
	else
		sqlite3_bind_null(s, i);
}

/*
 * Binds a synced row (a normalised object, or a cloud record: times are
 * normalised as they are bound) to parameters base + 1 onwards of s. A turn's
 * tool summary is kept in summary, which must outlive the step.
 */
static int
bind_written(const struct sync_table *t, sqlite3_stmt *s, int base, const cJSON *row,
    const char *status, long long cloud_version, const char *now, struct strbuf *summary,
    char *err)
{
	int i, n = t->ncolumns;
	const cJSON *hint = NULL;

	for (i = 0; i < n; i++) {
		if (synced_column_bind(&t->columns[i], s, base + i + 1,
		    json_member_from(row, &hint, t->columns[i].name), err) != 0)
			return -1;
	}
	store_bind_text(s, base + n + 1, status);
	sqlite3_bind_int64(s, base + n + 2, cloud_version);
	store_bind_text(s, base + n + 3, now);
	if (t == &sync_tables[T_TURNS]) {
		store_bind_text(s, base + n + 4, pulled_tool_summary(row, summary));
		pulled_typed(row, s, base + n + 5);
	}
	return 0;
}

int
synced_row_write(struct store *st, const struct sync_table *t, const cJSON *row,
    const char *status, long long cloud_version, char *err)
{
	struct strbuf summary = STRBUF_INIT;
	char now[32];
	sqlite3_stmt *s;
	int rc;

	if ((s = table_stmt(st, t, SQL_WRITE, err)) == NULL)
		return -1;
	time_now_iso(now);
	if (bind_written(t, s, 0, row, status, cloud_version, now, &summary, err) != 0) {
		sqlite3_reset(s);
		strbuf_free(&summary);
		return -1;
	}
	rc = store_step_write(st, s, "writing a synced row", err);
	strbuf_free(&summary);
	return rc < 0 ? -1 : 0;
}

int
synced_rows_held(struct store *st, const struct sync_table *t, const char *clocks,
    unsigned char *held, int n, char *err)
{
	sqlite3_stmt *s = table_stmt(st, t, SQL_HELD, err);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, clocks);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 k = sqlite3_column_int64(s, 0);
		if (k >= 0 && k < n)
			held[k] = 1;
	}
	if (rc != SQLITE_DONE)
		store_fail(st, "reading the rows a pull may take", err);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* rows[0..2^k) written with one statement; their count added to *written. */
/*
 * The nr rows (1 <= nr <= 2^k) in the statement of 2^k rows, the last row
 * again in the slots left over: each copy meets the row the statement has
 * just written and the guard leaves it (the same version and time are not
 * newer), so it writes nothing and counts nothing. Fewer, fuller statements
 * matter because SQLite (3.40) has FTS5 write out its pending terms at every
 * statement's savepoint: a page of turns written in seven statements cost
 * half as much again as in one (the search index's triggers, segments and
 * merges of each flush).
 */
static int
write_chunk(struct store *st, const struct sync_table *t, const cJSON *const *rows, int nr,
    int k, const char *now, long *written, char *err)
{
	int i, n = 1 << k, w = write_width(t), rc = 0;
	struct strbuf *summaries = xcalloc((size_t)n, sizeof *summaries);
	sqlite3_stmt *s = store_cached_static(st, bulk_sql[t - sync_tables][k], err);

	if (s == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++) {
		const cJSON *row = rows[i < nr ? i : nr - 1];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, "version");
		rc = bind_written(t, s, i * w, row, "synced",
		    cJSON_IsNumber(v) ? (long long)v->valuedouble : 0, now, &summaries[i], err);
	}
	/* The step resets the statement and clears its bindings (the page's texts). */
	if (rc == 0 && (rc = store_step_write(st, s, "writing a pulled page", err)) >= 0) {
		*written += rc;
		rc = 0;
	} else if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	for (i = 0; i < n; i++)
		strbuf_free(&summaries[i]);
	free(summaries);
	return rc < 0 ? -1 : 0;
}

int
synced_rows_write_bulk(struct store *st, const struct sync_table *t, const cJSON *const *rows,
    int n, long *written, char *err)
{
	int limit = sqlite3_limit(st->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1), top = BULK_LOG, k;
	int i, rc = 0;
	char now[32];

	pthread_once(&table_sql_once, build_table_sql);
	while (top > 0 && (1 << top) * write_width(t) > limit)
		top--;
	time_now_iso(now);
	for (i = 0; rc == 0 && i < n; i += 1 << k) {
		/* The smallest statement that holds the rest, or the largest. */
		for (k = 0; k < top && (1 << k) < n - i; k++)
			;
		rc = write_chunk(st, t, rows + i, n - i < (1 << k) ? n - i : 1 << k, k, now,
		    written, err);
	}
	return rc;
}

cJSON *
sync_base_read(struct store *st, const char *commit_id, char *err)
{
	char *json = store_query_text(st, "SELECT row FROM sync_base"
	    " WHERE table_name = 'cognitive_commits' AND record_id = ?1", commit_id, err);
	cJSON *row = json != NULL ? cJSON_Parse(json) : NULL;

	free(json);
	return row;
}

int
sync_base_write(struct store *st, const char *commit_id, const cJSON *row, char *err)
{
	sqlite3_stmt *s = store_cached(st, "INSERT OR REPLACE INTO sync_base"
	    " (table_name, record_id, row) VALUES ('cognitive_commits', ?1, ?2)", err);
	char *json;
	int rc;

	if (s == NULL)
		return -1;
	json = cJSON_PrintUnformatted(row);
	store_bind_text(s, 1, commit_id);
	store_bind_text(s, 2, json);
	rc = store_step_write(st, s, "saving the sync base", err);
	free(json);
	return rc < 0 ? -1 : 0;
}

long long
synced_pending_count(struct store *st, const struct sync_table *t, char *err)
{
	char *sql = xprintf("SELECT count(*) FROM %s WHERE sync_status = 'pending'", t->name);
	long long n = -1;

	if (store_query_int(st, &n, sql, err) != 0)
		n = -1;
	free(sql);
	return n;
}

int
synced_pending_commits(struct store *st, char ***ids, size_t *n, char *err)
{
	/*
	 * The pending commits and those of every pending session, turn and
	 * visual, whatever the commit's state: a pull may merge a commit into
	 * synced while rows of it are pending here, and a row refused as stale
	 * stays pending under a commit marked synced. Each table's pending
	 * rows come through an index (turns': pending ones only), never a scan.
	 */
	sqlite3_stmt *s = store_cached(st, "SELECT c.id FROM cognitive_commits c WHERE c.id IN"
	    " (SELECT id FROM cognitive_commits WHERE sync_status = 'pending'"
	    " UNION ALL SELECT commit_id FROM sessions WHERE sync_status = 'pending'"
	    " UNION ALL SELECT commit_id FROM visuals WHERE sync_status = 'pending'"
	    " UNION ALL SELECT s.commit_id FROM turns t JOIN sessions s ON s.id = t.session_id"
	    " WHERE t.sync_status = 'pending') ORDER BY c.started_at, c.id", err);
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*ids = xreallocarray(*ids, cap, sizeof **ids);
		}
		(*ids)[(*n)++] = store_column_dup(s, 0);
	}
	if (rc != SQLITE_DONE)
		store_fail(st, "reading pending commits", err);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

void
synced_ids_free(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int
synced_pending_rows(struct store *st, const struct sync_table *t, const char *commit_id,
    int positional, synced_row_cb cb, void *arg, char *err)
{
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, stop = 0;

	if ((s = table_stmt(st, t, positional ? SQL_PENDING_ROW : SQL_PENDING, err)) == NULL)
		return -1;
	if (commit_id != NULL)
		store_bind_text(s, 1, commit_id);
	while (stop == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct pending_row r = {
			.json = (const char *)sqlite3_column_text(s, 0),
			.id = (const char *)sqlite3_column_text(s, 1),
			.version = sqlite3_column_int64(s, 2),
			.updated_at = (const char *)sqlite3_column_text(s, 3),
			.local_version = sqlite3_column_int64(s, 4),
		};
		stop = cb(t, &r, arg);
	}
	if (stop == 0 && rc != SQLITE_DONE)
		seterr(err, "reading pending %s: %s", t->name, sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return stop != 0 ? stop : rc == SQLITE_DONE ? 0 : -1;
}

int
synced_set_cloud_version(struct store *st, const struct sync_table *t, const char *id,
    long long cloud_version, char *err)
{
	sqlite3_stmt *s = table_stmt(st, t, SQL_CLOUD_VERSION, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, cloud_version);
	return store_step_write(st, s, "noting the cloud's version", err) < 0 ? -1 : 0;
}

int
synced_mark_synced(struct store *st, const struct sync_table *t, const char *rows,
    const char *now, char *err)
{
	sqlite3_stmt *s = table_stmt(st, t, SQL_MARK_SYNCED, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, rows);
	store_bind_text(s, 2, now);
	return store_step_write(st, s, "marking rows synced", err) < 0 ? -1 : 0;
}
