#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/redact-scan.h"
#include "sync/tables.h"
#include "util/log.h"
#include "util/strbuf.h"

/* A row's commit, and the tables it is read from ("r" the row's own). */
static const char *const commit_from[NTABLES] = {
	[T_COMMITS] = "r.id FROM cognitive_commits r",
	[T_TURNS] = "s.commit_id FROM turns r JOIN sessions s ON s.id = r.session_id",
	[T_VISUALS] = "r.commit_id FROM visuals r",
	[T_CONFLICTS] = "r.record_id FROM conflicts r",
};

/* SELECT r.id, commit, content columns... of table t; NULL when it has none. */
static char *
fields_sql(const struct sync_table *t, int *ncontent)
{
	const char *from = commit_from[t - sync_tables];
	struct strbuf sql = STRBUF_INIT;
	int i, n = 0;

	if (from == NULL)
		return NULL;
	strbuf_adds(&sql, "SELECT r.id");
	for (i = 0; i < t->ncolumns; i++) {
		if (t->columns[i].content) {
			strbuf_addf(&sql, ", r.\"%s\"", t->columns[i].name);
			n++;
		}
	}
	/* The commit's column again, for the WHERE: "s.commit_id" or "r.id". */
	strbuf_addf(&sql, ", %s WHERE (?1 IS NULL AND r.sync_status = 'pending') OR %.*s = ?1",
	    from, (int)(strchr(from, ' ') - from), from);
	*ncontent = n;
	return strbuf_detach(&sql);
}

static int
scan_table(struct store *st, const struct sync_table *t, const char *commit_id,
    content_field_cb cb, void *arg, char *err)
{
	int ncontent, i, k, rc, stop = 0;
	char *sql = fields_sql(t, &ncontent);
	sqlite3_stmt *s;

	if (sql == NULL)
		return 0;
	s = store_prepare(st, sql, err);
	free(sql);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, commit_id);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0, k = 1; !stop && i < t->ncolumns; i++) {
			struct content_field f = { t->name, NULL, NULL, t->columns[i].name, NULL, 0 };
			if (!t->columns[i].content)
				continue;
			f.row_id = (const char *)sqlite3_column_text(s, 0);
			f.commit_id = (const char *)sqlite3_column_text(s, ncontent + 1);
			f.text = (const char *)sqlite3_column_text(s, k);
			f.len = (size_t)sqlite3_column_bytes(s, k++);
			if (f.text != NULL && f.len > 0)
				stop = cb(&f, arg);
		}
	}
	if (!stop && rc != SQLITE_DONE)
		seterr(err, "reading %s: %s", t->name, sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return stop ? stop : rc == SQLITE_DONE ? 0 : -1;
}

int
redact_scan_fields(struct store *st, const char *commit_id, content_field_cb cb, void *arg,
    char *err)
{
	int i, rc = 0;

	for (i = 0; rc == 0 && i < NTABLES; i++)
		rc = scan_table(st, &sync_tables[i], commit_id, cb, arg, err);
	return rc;
}
