/*
 * The analytics aggregate, without noise, on a fixture of our own
 * (tests/unit/fixtures/analytics: two projects, three sessions, every tool
 * category kind): the figures must be those analytics-expected.py derives
 * from the transcripts themselves, not from the store. Then: a tombstoned
 * commit leaves the figures; noise keeps every figure a whole number >= 0
 * and moves them by about its scale; names map onto the fixed lists.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "scratch-dir.h"
#include "capture/import.h"
#include "privacy/aggregate.h"
#include "store/internal.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define FIXTURE ABS_TOP_SRCDIR "/tests/unit/fixtures/analytics"

static char tmpdir[] = "/tmp/agentlogs-test-aggregate-XXXXXX";

static struct store *
imported_store(void)
{
	struct import_opts o = { .claude_dir = FIXTURE, .idle_minutes = 60, .quiet = 1 };
	struct import_stats stats;
	char err[ERRLEN], *db = xprintf("%s/data.db", tmpdir);
	struct store *st;

	remove(db);
	if ((st = store_open(db, err)) == NULL)
		fail_msg("store: %s", err);
	if (import_run(st, tmpdir, &o, &stats, err) != 0)
		fail_msg("import: %s", err);
	free(db);
	return st;
}

/* The figures python derives from the transcripts. */
static cJSON *
expected_figures(void)
{
	struct strbuf out = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *p = popen("python3 " ABS_TOP_SRCDIR "/tests/unit/analytics-expected.py " FIXTURE, "r");
	cJSON *j;

	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		strbuf_add(&out, buf, n);
	assert_int_equal(pclose(p), 0);
	j = cJSON_Parse(out.buf);
	strbuf_free(&out);
	assert_non_null(j);
	return j;
}

static cJSON *
figures_of(struct store *st, struct aggregate *a)
{
	char err[ERRLEN];
	cJSON *j, *f;

	if (aggregate_collect(st, a, err) != 0)
		fail_msg("collect: %s", err);
	j = aggregate_json(a);
	f = cJSON_DetachItemFromObject(j, "figures");
	assert_int_equal(cJSON_GetObjectItem(j, "version")->valueint, 1);
	assert_true(cJSON_GetObjectItem(j, "epsilon")->valuedouble == AGG_EPSILON);
	cJSON_Delete(j);
	return f;
}

static void
assert_same(cJSON *got, cJSON *want)
{
	char *g, *w;

	if (cJSON_Compare(got, want, 1))
		return;
	g = cJSON_PrintUnformatted(got);
	w = cJSON_PrintUnformatted(want);
	fail_msg("figures\n  got      %s\n  expected %s", g, w);
}

static void
figures_match_the_transcripts(void **state)
{
	struct store *st = imported_store();
	cJSON *got, *want = expected_figures();
	struct aggregate a;

	(void)state;
	got = figures_of(st, &a);
	assert_same(got, want);
	cJSON_Delete(got);
	cJSON_Delete(want);
	store_close(st);
}

/* The zephyr project's commit tombstoned: its session (haiku, one "other" tool) leaves. */
static void
tombstones_are_left_out(void **state)
{
	struct store *st = imported_store();
	cJSON *before, *after, *models;
	struct aggregate a;
	char err[ERRLEN];

	(void)state;
	before = figures_of(st, &a);
	if (store_exec(st, "UPDATE cognitive_commits SET deleted_at = '2026-03-05T00:00:00Z'"
	    " WHERE project_id IN (SELECT id FROM projects WHERE name LIKE '%zephyr%')", err) != 0)
		fail_msg("%s", err);
	after = figures_of(st, &a);
	assert_int_equal(cJSON_GetObjectItem(before, "sessions")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(after, "sessions")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(after, "commits")->valueint, 2);
	models = cJSON_GetObjectItem(after, "models");
	assert_int_equal(cJSON_GetObjectItem(models, "haiku")->valueint, 0);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(after, "tools"), "other")->valueint, 0);
	cJSON_Delete(before);
	cJSON_Delete(after);
	store_close(st);
}

/*
 * One session made huge (the acme-widget prompt session: 8 turns, Bash 2,
 * Read 1, Edit 1, 68,500 cache-read tokens in the fixture) is cut to the
 * clamps; the other sessions count as they are (6 turns, Grep 1, mcp 1,
 * other 1, 10,100 cache-read tokens).
 */
static void
clamps_bound_each_session(void **state)
{
	struct store *st = imported_store();
	struct aggregate a;
	char err[ERRLEN];

	(void)state;
	if (store_exec(st, "UPDATE tool_stats SET calls = 800 WHERE name = 'Bash';"
	    "UPDATE turn_stats SET turns = 5000, cache_read_tokens = 50000000"
	    " WHERE session_id IN (SELECT session_id FROM tool_stats WHERE name = 'Bash')",
	    err) != 0)
		fail_msg("%s", err);
	if (aggregate_collect(st, &a, err) != 0)
		fail_msg("%s", err);
	/* 802 calls scaled to 500: Bash 800 * 500 / 802 = 498.75, Read and Edit 0.62. */
	assert_int_equal(a.tools[aggregate_tool_index("Bash")], 498);
	assert_int_equal(a.tools[aggregate_tool_index("Read")], 0);
	assert_int_equal(a.tools[aggregate_tool_index("Edit")], 0);
	assert_int_equal(a.tools[aggregate_tool_index("Grep")], 1);
	assert_int_equal(a.tools[aggregate_tool_index("mcp__x")], 1);
	assert_int_equal(a.turns, AGG_CLAMP_TURNS + 6);
	assert_int_equal(a.tokens[2], AGG_CLAMP_CACHE_READ + 10100);
	store_close(st);
}

static void
seeded_fill(void *arg, void *buf, size_t n)
{
	unsigned char *seed = arg;

	seed[0]++;
	randombytes_buf_deterministic(buf, n, seed);
}

/*
 * Noise on an all-zero aggregate: each figure becomes max(0, round(X)) for X
 * Laplace of scale sensitivity / (epsilon / groups). Over many draws the
 * sessions figure is 0 about half the time (P(round(X) <= 0) = 1 - e^(-0.5/s)/2)
 * and its mean is E max(0, round(X)), close to s/2 for a large scale s.
 */
static void
noise_is_whole_nonnegative_and_of_its_scale(void **state)
{
	unsigned char seed[randombytes_SEEDBYTES] = "aggregate noise";
	struct noise_source src = { seeded_fill, seed };
	const double s = aggregate_sensitivity(AGG_G_SESSIONS) / (AGG_EPSILON / AGG_GROUPS);
	const int n = 20000;
	struct aggregate a;
	double sum = 0;
	long zero = 0;
	int i, k;

	(void)state;
	assert_true(sodium_init() >= 0);
	assert_true(s == 10.0);	/* sensitivity 1, epsilon 1 over 10 groups */
	for (i = 0; i < n; i++) {
		memset(&a, 0, sizeof a);
		aggregate_add_noise(&a, &src);
		for (k = 0; k < AGG_TOOLS; k++)
			assert_true(a.tools[k] >= 0);
		assert_true(a.sessions >= 0 && a.tokens[0] >= 0);
		sum += (double)a.sessions;
		zero += a.sessions == 0;
	}
	/* Bounds: 5 standard errors (Var max(0, X) <= E X^2 = 2 s^2). */
	if (fabs((double)zero - n * (1 - exp(-0.5 / s) / 2)) > 5 * sqrt(n * 0.25))
		fail_msg("zeros: %ld of %d", zero, n);
	if (fabs(sum / n - s / 2) > 0.05 * s + 5 * sqrt(2 * s * s / n))
		fail_msg("mean: %.3f, expected about %.3f", sum / n, s / 2);
}

static void
names_map_onto_fixed_lists(void **state)
{
	(void)state;
	assert_string_equal(agg_tool_names[aggregate_tool_index("Bash")], "Bash");
	assert_string_equal(agg_tool_names[aggregate_tool_index("mcp__acme__query")], "mcp");
	assert_string_equal(agg_tool_names[aggregate_tool_index("frobnicate")], "other");
	assert_string_equal(agg_tool_names[aggregate_tool_index(NULL)], "other");
	assert_string_equal(agg_model_names[aggregate_model_index("claude-opus-4-6")], "opus");
	assert_string_equal(agg_model_names[aggregate_model_index("<synthetic>")], "other");
	assert_string_equal(agg_model_names[aggregate_model_index(NULL)], "other");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(figures_match_the_transcripts),
		cmocka_unit_test(tombstones_are_left_out),
		cmocka_unit_test(clamps_bound_each_session),
		cmocka_unit_test(noise_is_whole_nonnegative_and_of_its_scale),
		cmocka_unit_test(names_map_onto_fixed_lists),
	};

	return run_tests_in_scratch_dir(tmpdir, tests);
}
