/* A commit filter as bound SQL terms (store/browse-filter-sql.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/browse-filter-sql.h"
#include "util/xmalloc.h"

char *
browse_like_pattern(const char *needle)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addc(&sb, '%');
	for (; *needle != '\0'; needle++) {
		if (*needle == '%' || *needle == '_' || *needle == '\\')
			strbuf_addc(&sb, '\\');
		strbuf_addc(&sb, *needle);
	}
	strbuf_addc(&sb, '%');
	return strbuf_detach(&sb);
}

void
browse_bind_text(sqlite3_stmt *s, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i > 0)
		sqlite3_bind_text(s, i, value, -1, SQLITE_TRANSIENT);
}

void
browse_bind_int(sqlite3_stmt *s, const char *name, long long value)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i > 0)
		sqlite3_bind_int64(s, i, value);
}

static void
bind_like(sqlite3_stmt *s, const char *name, const char *needle)
{
	char *pattern = browse_like_pattern(needle);

	browse_bind_text(s, name, pattern);
	free(pattern);
}

static void
add_state(struct strbuf *sql, int v, const char *expr, const char *param)
{
	if (v >= 0)
		strbuf_addf(sql, " AND (%s) = %s", expr, param);
}

void
browse_filter_sql(struct strbuf *sql, const struct browse_filter *f)
{
	int i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nwords; i++)
		strbuf_addf(sql, " AND (c.title LIKE :w%d ESCAPE '\\' OR c.first_prompt LIKE :w%d"
		    " ESCAPE '\\' OR c.git_subject LIKE :w%d ESCAPE '\\')", i, i, i);
	if (f->project != NULL)
		strbuf_adds(sql, " AND coalesce((SELECT fp.name FROM projects fp"
		    " WHERE fp.id = c.project_id), c.project_name) LIKE :fproject ESCAPE '\\'");
	if (f->since[0] != '\0')
		strbuf_adds(sql, " AND c.started_at >= :since");
	if (f->until[0] != '\0')
		strbuf_adds(sql, " AND c.started_at < date(:until, '+1 day')");
	if (f->tool != NULL)
		strbuf_adds(sql, " AND EXISTS (SELECT 1 FROM sessions s JOIN tool_stats ts"
		    " ON ts.session_id = s.id WHERE s.commit_id = c.id AND s.deleted_at IS NULL"
		    " AND ts.name = :tool COLLATE NOCASE AND ts.calls > 0)");
	add_state(sql, f->published, "c.published", ":published");
	add_state(sql, f->hidden, "c.hidden", ":hidden");
	add_state(sql, f->pending, "c.sync_status = 'pending'", ":pending");
	add_state(sql, f->conflict, "EXISTS (SELECT 1 FROM conflicts k WHERE k.resolved_at IS NULL"
	    " AND k.record_id = c.id)", ":conflict");
}

void
browse_filter_bind(sqlite3_stmt *s, const struct browse_filter *f)
{
	char name[16];
	int i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nwords; i++) {
		snprintf(name, sizeof name, ":w%d", i);
		bind_like(s, name, f->words[i]);
	}
	if (f->project != NULL)
		bind_like(s, ":fproject", f->project);
	browse_bind_text(s, ":since", f->since);
	browse_bind_text(s, ":until", f->until);
	browse_bind_text(s, ":tool", f->tool);
	browse_bind_int(s, ":published", f->published);
	browse_bind_int(s, ":hidden", f->hidden);
	browse_bind_int(s, ":pending", f->pending);
	browse_bind_int(s, ":conflict", f->conflict);
}
