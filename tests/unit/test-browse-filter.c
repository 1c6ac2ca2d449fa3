/*
 * The commit list's filter language (store/browse-filter.c): each term lands
 * in its field, written back the same, and every bad term is refused with a
 * message naming it, leaving the filter empty. Then the filtered, sorted list
 * paged through store/browse.c a few rows at a time, down and up, against the
 * same list filtered and sorted here from the figures the rows were made of.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/browse.h"
#include "store/browse-filter.h"
#include "store/db.h"
#include "store/internal.h"
#include "store/pending.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"
#include "scratch-dir.h"

static void
every_term(void **state)
{
	struct browse_filter f;
	char err[ERRLEN] = "";
	char *text;

	(void)state;
	browse_filter_init(&f);
	assert_int_equal(browse_filter_parse(&f, "  trailer Bug \"two words\" project:notes"
	    " since:2026-03-01 until:2026-03-10 tool:Bash is:published not:hidden is:pending"
	    " is:conflict ", err), 0);
	assert_int_equal(f.nwords, 3);
	assert_string_equal(f.words[0], "trailer");
	assert_string_equal(f.words[1], "Bug");
	assert_string_equal(f.words[2], "two words");
	assert_string_equal(f.project, "notes");
	assert_string_equal(f.since, "2026-03-01");
	assert_string_equal(f.until, "2026-03-10");
	assert_string_equal(f.tool, "Bash");
	assert_int_equal(f.published, 1);
	assert_int_equal(f.hidden, 0);
	assert_int_equal(f.pending, 1);
	assert_int_equal(f.conflict, 1);
	assert_false(browse_filter_empty(&f));
	text = browse_filter_text(&f);
	assert_string_equal(text, "trailer Bug \"two words\" project:notes since:2026-03-01"
	    " until:2026-03-10 tool:Bash is:published not:hidden is:pending is:conflict");
	free(text);
	browse_filter_free(&f);
}

static void
quoted_colon_is_a_word(void **state)
{
	struct browse_filter f;
	char err[ERRLEN] = "";
	char *text;

	(void)state;
	browse_filter_init(&f);
	assert_int_equal(browse_filter_parse(&f, "\"fix: trailer\" project:\"my notes\"", err), 0);
	assert_int_equal(f.nwords, 1);
	assert_string_equal(f.words[0], "fix: trailer");
	assert_string_equal(f.project, "my notes");
	text = browse_filter_text(&f);
	assert_string_equal(text, "\"fix: trailer\" project:\"my notes\"");
	free(text);
	browse_filter_free(&f);
}

static void
empty_clears(void **state)
{
	struct browse_filter f;
	char err[ERRLEN] = "";
	char *text;

	(void)state;
	browse_filter_init(&f);
	assert_int_equal(browse_filter_parse(&f, "is:hidden words", err), 0);
	assert_int_equal(browse_filter_parse(&f, "   ", err), 0);
	assert_true(browse_filter_empty(&f));
	text = browse_filter_text(&f);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(browse_filter_parse(&f, NULL, err), 0);
	assert_true(browse_filter_empty(&f));
}

static void
bad_terms(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "colour:red", "filter: colour: unknown term (project, since, until, tool, is, not;"
		    " quote words holding a colon)" },
		{ "since:2026-3-1", "filter: since:2026-3-1: not a day (YYYY-MM-DD)" },
		{ "until:2026-02-30", "filter: until:2026-02-30: not a day (YYYY-MM-DD)" },
		{ "since:2025-02-29", "filter: since:2025-02-29: not a day (YYYY-MM-DD)" },
		{ "since:yesterday", "filter: since:yesterday: not a day (YYYY-MM-DD)" },
		{ "is:open", "filter: is:open: not a state (published, hidden, pending, conflict)" },
		{ "not:", "filter: not: needs a value" },
		{ "tool:", "filter: tool: needs a value" },
		{ "\"unclosed words", "filter: a quote is not closed" },
		{ "since:2026-03-10 until:2026-03-01", "filter: since:2026-03-10 is after"
		    " until:2026-03-01" },
		{ "a b c d e f g h i", "filter: at most 8 words" },
	};
	struct browse_filter f;
	char err[ERRLEN];
	size_t i;

	(void)state;
	browse_filter_init(&f);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		/* A filter in force first: a bad one leaves none, never half of each. */
		assert_int_equal(browse_filter_parse(&f, "words is:published", err), 0);
		assert_int_equal(browse_filter_parse(&f, cases[i].text, err), -1);
		assert_string_equal(err, cases[i].err);
		assert_true(browse_filter_empty(&f));
	}
	/* A real leap day is a day. */
	assert_int_equal(browse_filter_parse(&f, "since:2024-02-29", err), 0);
	browse_filter_free(&f);
}

static char tmpdir[] = "/tmp/agentlogs-test-browse-filter-XXXXXX";

#define N 200
#define LIMIT 7		/* rows per page: many pages, and ties across their edges */

/* Commit i's figures; pairs (2k, 2k + 1) start at the same time, so ids break ties. */
struct fig {
	char id[8], started[32], project[4];
	long long turns, tokens, duration, order;
	int published, hidden, needle, bash, day;
	int pending, conflict;	/* synced otherwise; an open conflict (and a resolved one for some) */
};
static struct fig figs[N];

static void
make_figs(void)
{
	int i, m;

	for (i = 0; i < N; i++) {
		struct fig *f = &figs[i];
		m = i / 2;
		snprintf(f->id, sizeof f->id, "c%03d", i);
		f->day = 1 + m % 20;
		snprintf(f->started, sizeof f->started, "2026-03-%02dT10:%02d:00.000Z", f->day,
		    m / 20);
		snprintf(f->project, sizeof f->project, "p%d", i % 3);
		f->turns = (i * 7) % 13;
		f->tokens = (i * 13) % 50;
		f->duration = (i * 37) % 600;
		f->order = i % 4;
		f->published = i % 5 == 0;
		f->hidden = i % 11 == 0;
		f->needle = i % 4 == 0;
		f->bash = i % 6 == 0;
		f->pending = i % 3 != 0;
		f->conflict = i % 17 == 0;
	}
}

static void
insert_figs(struct store *st)
{
	struct strbuf sb = STRBUF_INIT;
	char err[ERRLEN];
	int i;

	strbuf_adds(&sb, "INSERT INTO projects (id, name, created_at) VALUES"
	    " ('p0', 'alpha', '2026-01-01'), ('p1', 'bravo', '2026-01-01'),"
	    " ('p2', 'charlie', '2026-01-01');");
	for (i = 0; i < N; i++) {
		const struct fig *f = &figs[i];
		strbuf_addf(&sb, "INSERT INTO cognitive_commits (id, project_id, started_at, closed_at,"
		    " closed_by, turn_count, display_order, published, hidden, title, first_prompt)"
		    " VALUES ('%s', '%s', '%s', strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', '%s', '+%lld"
		    " seconds'), 'session_end', %lld, %lld, %d, %d, 'T%d', '%s');", f->id, f->project,
		    f->started, f->started, f->duration, f->turns, f->order, f->published, f->hidden,
		    i, f->needle ? "find the NeedLe here" : "nothing");
		/* The tokens in two sessions, one of them deleted (not counted). */
		strbuf_addf(&sb, "INSERT INTO sessions (id, commit_id, claude_session_id, started_at,"
		    " ended_at) VALUES ('s%d', '%s', 'x', '%s', '%s'), ('z%d', '%s', 'x', '%s', '%s');"
		    "UPDATE sessions SET deleted_at = '2026-04-01' WHERE id = 'z%d';"
		    "INSERT INTO turn_stats (session_id, turns, input_tokens, output_tokens,"
		    " cache_read_tokens, cache_creation_tokens) VALUES ('s%d', 1, %lld, 0, 0, 0),"
		    " ('z%d', 1, 1000, 0, 0, 0);", i, f->id, f->started, f->started, i, f->id,
		    f->started, f->started, i, i, f->tokens, i);
		strbuf_addf(&sb, "INSERT INTO tool_stats (session_id, name, calls, errors) VALUES"
		    " ('s%d', '%s', 1, 0);", i, f->bash ? "Bash" : "Read");
		if (!f->pending)
			strbuf_addf(&sb, "UPDATE cognitive_commits SET sync_status = 'synced'"
			    " WHERE id = '%s';", f->id);
		/* Open conflicts count; a resolved one (every 7th) does not. */
		if (f->conflict || i % 7 == 0)
			strbuf_addf(&sb, "INSERT INTO conflicts (id, record_id, field, detected_at,"
			    " state, resolved_at) VALUES ('k%d', '%s', 'title', '2026-03-01', '%s', %s);",
			    i, f->id, f->conflict ? "open" : "resolved",
			    f->conflict ? "NULL" : "'2026-03-02'");
	}
	assert_int_equal(store_exec(st, sb.buf, err), 0);
	strbuf_free(&sb);
}

/* What the list must hold: the figures filtered and sorted here. */
static const struct browse_query *model_q;

static long long
model_key(const struct fig *f, enum browse_sort sort)
{
	switch (sort) {
	case BROWSE_SORT_TURNS: return f->turns;
	case BROWSE_SORT_TOKENS: return f->tokens;
	case BROWSE_SORT_DURATION: return f->duration;
	case BROWSE_SORT_DEFAULT: return model_q->project_id != NULL ? f->order : 0;
	default: return 0;
	}
}

static int
model_cmp(const void *a, const void *b)
{
	const struct fig *x = *(const struct fig *const *)a, *y = *(const struct fig *const *)b;
	long long kx = model_key(x, model_q->sort), ky = model_key(y, model_q->sort);
	int c = kx < ky ? -1 : kx > ky ? 1 : strcmp(x->started, y->started);

	if (c == 0)
		c = strcmp(x->id, y->id);
	return model_q->ascending ? c : -c;
}

static int
model_keeps(const struct browse_query *q, const struct fig *f)
{
	const struct browse_filter *flt = q->filter;
	char day[11];

	snprintf(day, sizeof day, "%.10s", f->started);
	if (q->project_id != NULL && strcmp(q->project_id, f->project) != 0)
		return 0;
	if (f->hidden && (flt == NULL || flt->hidden < 0) && !q->include_hidden)
		return 0;
	if (flt == NULL)
		return 1;
	if (flt->nwords > 0 && !f->needle)	/* the only word asked for is "needle" */
		return 0;
	if (flt->project != NULL && strcmp(f->project, "p1") != 0)	/* "rav": bravo */
		return 0;
	if ((flt->since[0] && strcmp(day, flt->since) < 0) ||
	    (flt->until[0] && strcmp(day, flt->until) > 0))
		return 0;
	if (flt->tool != NULL && !f->bash)
		return 0;
	return (flt->published < 0 || flt->published == f->published) &&
	    (flt->hidden < 0 || flt->hidden == f->hidden) &&
	    (flt->pending < 0 || flt->pending == f->pending) &&
	    (flt->conflict < 0 || flt->conflict == f->conflict);
}

/* The list paged down from the top, then up from the bottom, against the model. */
static void
check_paging(struct store *st, struct browse_query *q)
{
	const struct fig *want[N];
	struct browse_commit page[LIMIT], last;
	char err[ERRLEN];
	int nwant = 0, got = 0, n, i;

	model_q = q;
	for (i = 0; i < N; i++)
		if (model_keeps(q, &figs[i]))
			want[nwant++] = &figs[i];
	qsort(want, (size_t)nwant, sizeof want[0], model_cmp);
	assert_int_equal(browse_commit_count(st, q, err), nwant);

	q->limit = LIMIT;
	q->dir = 1;
	q->from = NULL;
	memset(&last, 0, sizeof last);
	while ((n = browse_commits(st, q, page, err)) > 0) {
		for (i = 0; i < n; i++) {
			assert_true(got < nwant);
			assert_string_equal(page[i].id, want[got]->id);
			got++;
		}
		browse_commit_clear(&last);
		browse_commit_copy(&last, &page[n - 1]);
		for (i = 0; i < n; i++)
			browse_commit_clear(&page[i]);
		q->from = &last;
	}
	assert_int_equal(n, 0);
	assert_int_equal(got, nwant);
	browse_commit_clear(&last);

	q->dir = -1;
	q->from = NULL;
	while ((n = browse_commits(st, q, page, err)) > 0) {
		for (i = n - 1; i >= 0; i--) {
			assert_true(got > 0);
			got--;
			assert_string_equal(page[i].id, want[got]->id);
		}
		browse_commit_clear(&last);
		browse_commit_copy(&last, &page[0]);
		for (i = 0; i < n; i++)
			browse_commit_clear(&page[i]);
		q->from = &last;
	}
	assert_int_equal(got, 0);
	browse_commit_clear(&last);
}

static void
paging(void **state)
{
	static const char *const filters[] = {
		"", "needle", "project:RAV", "since:2026-03-05 until:2026-03-09", "tool:bash",
		"is:published", "is:hidden", "not:published NEEDLE", "not:hidden tool:BASH",
		"is:pending", "not:pending is:published", "is:conflict", "not:conflict needle",
	};
	char *path = xprintf("%s/data.db", tmpdir), err[ERRLEN];
	struct store *st = store_open(path, err);
	struct browse_filter f;
	struct browse_query q;
	size_t fi;
	int sort, asc, proj;

	(void)state;
	assert_non_null(st);
	make_figs();
	insert_figs(st);
	browse_filter_init(&f);
	for (fi = 0; fi < sizeof filters / sizeof filters[0]; fi++) {
		assert_int_equal(browse_filter_parse(&f, filters[fi], err), 0);
		for (sort = 0; sort < BROWSE_SORT_COUNT; sort++)
			for (asc = 0; asc < 2; asc++)
				for (proj = 0; proj < 2; proj++) {
					memset(&q, 0, sizeof q);
					q.project_id = proj ? "p1" : NULL;
					q.filter = browse_filter_empty(&f) ? NULL : &f;
					q.sort = (enum browse_sort)sort;
					q.ascending = asc;
					check_paging(st, &q);
				}
	}
	browse_filter_free(&f);
	store_close(st);
	free(path);
}

/*
 * A page of the commit list reads its own rows, not every commit: SQLite
 * counts the virtual machine's steps. On a store never analysed (as every
 * person's is) the planner once took idx_commits_figures for the
 * "deleted_at IS NULL" term and sorted all commits for each page.
 */
static void
a_page_reads_its_rows_only(void **state)
{
	char *path = xprintf("%s/page.db", tmpdir), err[ERRLEN];
	struct store *st = store_open(path, err);
	struct browse_commit page[5];
	struct browse_query q;
	sqlite3_stmt *s = NULL;
	int i, n, steps = -1;

	(void)state;
	assert_non_null(st);
	make_figs();
	insert_figs(st);
	memset(&q, 0, sizeof q);
	q.limit = 5;
	n = browse_commits(st, &q, page, err);
	assert_int_equal(n, 5);
	while ((s = sqlite3_next_stmt(st->db, s)) != NULL) {
		if (strstr(sqlite3_sql(s), "ORDER BY c.started_at DESC, c.id DESC LIMIT") != NULL)
			steps = sqlite3_stmt_status(s, SQLITE_STMTSTATUS_VM_STEP, 0);
	}
	/* About 40 steps a row read; N commits read would be thousands. */
	assert_in_range(steps, 1, 40 * 5 * 3);
	for (i = 0; i < n; i++)
		browse_commit_clear(&page[i]);
	store_close(st);
	free(path);
}

/* Each list takes its own terms, and says which when given another. */
static void
terms_per_list(void **state)
{
	static const struct {
		enum browse_filter_list list;
		const char *text, *back, *err;
	} cases[] = {
		{ BROWSE_FILTER_CONFLICTS, "weekly field:title table:commits is:held since:2026-03-01",
		    "weekly since:2026-03-01 field:title table:commits is:held", NULL },
		{ BROWSE_FILTER_CONFLICTS, "not:held", "is:settled", NULL },
		{ BROWSE_FILTER_CONFLICTS, "not:settled", "is:held", NULL },
		{ BROWSE_FILTER_CONFLICTS, "tool:Bash", NULL, "filter: tool: unknown term (project,"
		    " since, until, field, table, is, not; quote words holding a colon)" },
		{ BROWSE_FILTER_CONFLICTS, "is:published", NULL, "filter: is:published: not a state"
		    " (held, settled)" },
		{ BROWSE_FILTER_PENDING, "tool:bash is:published not:conflict", "tool:bash"
		    " is:published not:conflict", NULL },
		{ BROWSE_FILTER_PENDING, "is:pending", NULL, "filter: is:pending: not a state"
		    " (published, hidden, conflict)" },
		{ BROWSE_FILTER_PENDING, "field:title", NULL, "filter: field: unknown term (project,"
		    " since, until, tool, is, not; quote words holding a colon)" },
		{ BROWSE_FILTER_COMMITS, "is:held", NULL, "filter: is:held: not a state (published,"
		    " hidden, pending, conflict)" },
	};
	struct browse_filter f;
	char err[ERRLEN], *text;
	size_t i;

	(void)state;
	browse_filter_init(&f);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		if (cases[i].err != NULL) {
			assert_int_equal(browse_filter_parse_for(&f, cases[i].text, cases[i].list, err),
			    -1);
			assert_string_equal(err, cases[i].err);
			assert_true(browse_filter_empty(&f));
			continue;
		}
		assert_int_equal(browse_filter_parse_for(&f, cases[i].text, cases[i].list, err), 0);
		assert_false(browse_filter_empty(&f));
		text = browse_filter_text(&f);
		assert_string_equal(text, cases[i].back);
		free(text);
	}
	browse_filter_free(&f);
}

/* The pending list under a filter, paged both ways with either plan, against the figures. */
static void
pending_filtered(void **state)
{
	static const char *const filters[] = {
		"", "needle", "project:RAV", "since:2026-03-05 until:2026-03-09", "tool:bash",
		"is:published", "not:hidden NEEDLE", "is:conflict", "not:conflict is:hidden",
	};
	char *path = xprintf("%s/pending.db", tmpdir), err[ERRLEN];
	struct store *st = store_open(path, err);
	const struct fig *want[N];
	struct pending_commit page[LIMIT], last;
	struct browse_filter f;
	struct browse_query q;
	size_t fi;
	int plan, nwant, got, n, i, j;

	(void)state;
	assert_non_null(st);
	make_figs();
	insert_figs(st);
	browse_filter_init(&f);
	memset(&q, 0, sizeof q);
	q.include_hidden = 1;	/* a hidden commit goes up like any other */
	q.ascending = 1;	/* push's order: the oldest first */
	model_q = &q;
	for (fi = 0; fi < sizeof filters / sizeof filters[0]; fi++) {
		assert_int_equal(browse_filter_parse_for(&f, filters[fi], BROWSE_FILTER_PENDING,
		    err), 0);
		q.filter = &f;
		for (nwant = 0, i = 0; i < N; i++)
			if (figs[i].pending && model_keeps(&q, &figs[i]))
				want[nwant++] = &figs[i];
		qsort(want, (size_t)nwant, sizeof want[0], model_cmp);
		for (plan = PENDING_SPARSE; plan <= PENDING_DENSE; plan++) {
			assert_int_equal(pending_count(st, plan, &f, NULL, err), nwant);
			got = 0;
			n = pending_commits(st, plan, &f, NULL, 0, 1, LIMIT, page, err);
			while (n > 0) {
				for (j = 0; j < n; j++) {
					assert_true(got < nwant);
					assert_string_equal(page[j].id, want[got]->id);
					/* Its place, counted under the same filter. */
					assert_int_equal(pending_count(st, plan, &f, &page[j], err), got);
					got++;
				}
				last = page[n - 1];
				for (j = 0; j < n - 1; j++)
					pending_commit_clear(&page[j]);
				n = pending_commits(st, plan, &f, &last, 0, 1, LIMIT, page, err);
				pending_commit_clear(&last);
			}
			assert_int_equal(n, 0);
			assert_int_equal(got, nwant);
			n = pending_commits(st, plan, &f, NULL, 0, -1, LIMIT, page, err);
			while (n > 0) {
				for (j = n - 1; j >= 0; j--)
					assert_string_equal(page[j].id, want[--got]->id);
				last = page[0];
				for (j = 1; j < n; j++)
					pending_commit_clear(&page[j]);
				n = pending_commits(st, plan, &f, &last, 0, -1, LIMIT, page, err);
				pending_commit_clear(&last);
			}
			assert_int_equal(got, 0);
		}
	}
	browse_filter_free(&f);
	store_close(st);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_term),
		cmocka_unit_test(quoted_colon_is_a_word),
		cmocka_unit_test(empty_clears),
		cmocka_unit_test(bad_terms),
		cmocka_unit_test(paging),
		cmocka_unit_test(a_page_reads_its_rows_only),
		cmocka_unit_test(terms_per_list),
		cmocka_unit_test(pending_filtered),
	};

	return run_tests_in_scratch_dir(tmpdir, tests);
}
