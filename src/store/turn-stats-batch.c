/*
 * The analytics figures of an import's new turns, summed per session in
 * memory (store/turn-stats-batch.h). The sums are what the insert triggers
 * of migration v14 would have added row by row: the same columns, the same
 * reading of a call's name and failure (turn_tool_summary).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/migrations.h"
#include "store/search.h"
#include "store/turn-stats-batch.h"
#include "util/xmalloc.h"

struct tool_sums {
	char *name;		/* NULL: a call without a name */
	int64_t calls, errors;
};

struct session_sums {
	char *id;
	int64_t turns, input, output, cache_read, cache_creation, prompts;
	struct tool_sums *tools;
	size_t ntools, tools_cap;
};

struct turn_stats_batch {
	struct session_sums *sessions;
	size_t n, cap;
	size_t last;		/* the session found last: turns come session by session */
};

int
turn_stats_batch_open(struct store *st, char *err)
{
	if (st->stats_batch != NULL)
		return 0;
	/*
	 * Gone only inside this transaction: other connections see them all
	 * along, and a rollback brings them back. A statement that fires
	 * triggers pays for them even when their WHEN is false (a statement
	 * journal, a frame per trigger).
	 */
	if (store_exec(st, turn_insert_triggers_drop_sql, err) != 0 ||
	    search_batch_open(st, err) != 0)
		return -1;
	st->stats_batch = xcalloc(1, sizeof *st->stats_batch);
	return 0;
}

int
turn_stats_batch_is_open(const struct store *st)
{
	return st->stats_batch != NULL;
}

static struct session_sums *
session_of(struct turn_stats_batch *b, const char *id)
{
	struct session_sums *s;
	size_t i;

	if (b->n > 0 && strcmp(b->sessions[b->last].id, id) == 0)
		return &b->sessions[b->last];
	for (i = 0; i < b->n; i++)
		if (strcmp(b->sessions[i].id, id) == 0)
			return &b->sessions[b->last = i];
	if (b->n == b->cap) {
		b->cap = b->cap > 0 ? b->cap * 2 : 16;
		b->sessions = xreallocarray(b->sessions, b->cap, sizeof *b->sessions);
	}
	s = &b->sessions[b->last = b->n++];
	memset(s, 0, sizeof *s);
	s->id = xstrdup(id);
	return s;
}

static struct tool_sums *
tool_of(struct session_sums *s, const char *name)
{
	struct tool_sums *t;
	size_t i;

	for (i = 0; i < s->ntools; i++) {
		t = &s->tools[i];
		if (name == NULL ? t->name == NULL : t->name != NULL && strcmp(t->name, name) == 0)
			return t;
	}
	if (s->ntools == s->tools_cap) {
		s->tools_cap = s->tools_cap > 0 ? s->tools_cap * 2 : 8;
		s->tools = xreallocarray(s->tools, s->tools_cap, sizeof *s->tools);
	}
	t = &s->tools[s->ntools++];
	t->name = name != NULL ? xstrdup(name) : NULL;
	t->calls = t->errors = 0;
	return t;
}

void
turn_stats_batch_add(struct store *st, const char *session_id, int is_user, int typed,
    int64_t input, int64_t output, int64_t cache_read, int64_t cache_creation,
    const cJSON *calls)
{
	struct session_sums *s = session_of(st->stats_batch, session_id);
	const cJSON *call, *name, *is_error;
	struct tool_sums *t;

	s->turns++;
	s->input += input;
	s->output += output;
	s->cache_read += cache_read;
	s->cache_creation += cache_creation;
	s->prompts += is_user ? typed : 0;
	cJSON_ArrayForEach(call, calls) {
		name = cJSON_GetObjectItemCaseSensitive(call, "name");
		is_error = cJSON_GetObjectItemCaseSensitive(call, "is_error");
		t = tool_of(s, cJSON_IsString(name) ? name->valuestring : NULL);
		t->calls++;
		/* A failure as turn_tool_summary reads one: true, or 1. */
		if (cJSON_IsTrue(is_error) || (cJSON_IsNumber(is_error) && is_error->valuedouble == 1))
			t->errors++;
	}
}

/*
 * What tool_stats' triggers would add to tool_totals for the batch's rows, in
 * the order they would: one sum per name, in the order names first come; a
 * call without a name never conflicts (NULL is unique), so each of those is
 * a row of its own.
 */
struct totals {
	struct tool_sums *sums;	/* names borrowed from the batch */
	size_t n, cap;
};

static void
totals_add(struct totals *t, const struct tool_sums *tool)
{
	size_t i;

	for (i = 0; tool->name != NULL && i < t->n; i++) {
		if (t->sums[i].name != NULL && strcmp(t->sums[i].name, tool->name) == 0) {
			t->sums[i].calls += tool->calls;
			t->sums[i].errors += tool->errors;
			return;
		}
	}
	if (t->n == t->cap) {
		t->cap = t->cap > 0 ? t->cap * 2 : 32;
		t->sums = xreallocarray(t->sums, t->cap, sizeof *t->sums);
	}
	t->sums[t->n++] = *tool;
}

/* The sums added to what the store holds, as the insert triggers add a row's. */
static int
write_session(struct store *st, const struct session_sums *s, struct totals *totals,
    char *err)
{
	sqlite3_stmt *q = store_cached_static(st, "INSERT INTO turn_stats (session_id, turns,"
	    " input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, prompts)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (session_id) DO UPDATE SET"
	    " turns = turns + excluded.turns, input_tokens = input_tokens + excluded.input_tokens,"
	    " output_tokens = output_tokens + excluded.output_tokens,"
	    " cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,"
	    " cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,"
	    " prompts = prompts + excluded.prompts", err);	/* NULL stays NULL: uncounted */
	size_t i;

	if (q == NULL)
		return -1;
	store_bind_text(q, 1, s->id);
	sqlite3_bind_int64(q, 2, s->turns);
	sqlite3_bind_int64(q, 3, s->input);
	sqlite3_bind_int64(q, 4, s->output);
	sqlite3_bind_int64(q, 5, s->cache_read);
	sqlite3_bind_int64(q, 6, s->cache_creation);
	sqlite3_bind_int64(q, 7, s->prompts);
	if (store_step_write(st, q, st->path, err) < 0)
		return -1;
	if (s->ntools > 0 && (q = store_cached_static(st, "INSERT INTO tool_stats (session_id,"
	    " name, calls, errors) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (session_id, name) DO"
	    " UPDATE SET calls = calls + excluded.calls, errors = errors + excluded.errors",
	    err)) == NULL)
		return -1;
	for (i = 0; i < s->ntools; i++) {
		store_bind_text(q, 1, s->id);
		store_bind_text(q, 2, s->tools[i].name);
		sqlite3_bind_int64(q, 3, s->tools[i].calls);
		sqlite3_bind_int64(q, 4, s->tools[i].errors);
		if (store_step_write(st, q, st->path, err) < 0)
			return -1;
		totals_add(totals, &s->tools[i]);
	}
	return 0;
}

/* The tool_totals rows tool_stats' triggers would have written, as they write them. */
static int
write_totals(struct store *st, const struct totals *t, char *err)
{
	sqlite3_stmt *q;
	size_t i;

	if (t->n > 0 && (q = store_cached_static(st, "INSERT INTO tool_totals (name, calls,"
	    " errors) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET"
	    " calls = calls + excluded.calls, errors = errors + excluded.errors", err)) == NULL)
		return -1;
	for (i = 0; i < t->n; i++) {
		store_bind_text(q, 1, t->sums[i].name);
		sqlite3_bind_int64(q, 2, t->sums[i].calls);
		sqlite3_bind_int64(q, 3, t->sums[i].errors);
		if (store_step_write(st, q, st->path, err) < 0)
			return -1;
	}
	return 0;
}

/*
 * tool_stats' triggers add each row's change to tool_totals: per row, a
 * trigger frame and an upsert (10% of an import's writing). They are dropped
 * while the batch writes its sums, which adds up the same changes per name,
 * and made again with the insert triggers on turns (one schema change).
 */
int
turn_stats_batch_write(struct store *st, char *err)
{
	struct turn_stats_batch *b = st->stats_batch;
	struct totals totals = { NULL, 0, 0 };
	size_t i;
	int rc = 0, tools = 0;

	if (b == NULL)
		return 0;
	for (i = 0; i < b->n; i++)
		tools |= b->sessions[i].ntools > 0;
	if (tools)
		rc = store_exec(st, tool_totals_triggers_drop_sql, err);
	for (i = 0; rc == 0 && i < b->n; i++)
		rc = write_session(st, &b->sessions[i], &totals, err);
	if (rc == 0)
		rc = write_totals(st, &totals, err);
	if (rc == 0 && tools)
		rc = store_exec(st, tool_totals_triggers_sql, err);
	if (rc == 0)
		rc = store_exec(st, turn_insert_triggers_sql, err);
	free(totals.sums);
	turn_stats_batch_discard(st);
	return rc;
}

void
turn_stats_batch_discard(struct store *st)
{
	struct turn_stats_batch *b = st->stats_batch;
	size_t i, j;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		for (j = 0; j < b->sessions[i].ntools; j++)
			free(b->sessions[i].tools[j].name);
		free(b->sessions[i].tools);
		free(b->sessions[i].id);
	}
	free(b->sessions);
	free(b);
	st->stats_batch = NULL;
}
