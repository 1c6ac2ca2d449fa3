/*
 * The pull's and the merge's decisions (src/sync/decide.c), each case a row of
 * the rules as ARCHITECTURE §5 and issue 10 state them: a field changed on one
 * side takes that side's value; a curation field changed on both sides
 * differently is a true conflict (the later write wins and the loser is kept,
 * or it is held in manual mode); a transcript field takes the newer write.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "sync/decide.h"

static cJSON *
row(const char *json)
{
	cJSON *r = cJSON_Parse(json);

	assert_non_null(r);
	return r;
}

/* merge_decide on field f of three rows given as JSON (base "" for none). */
static enum merge_step
decide(const char *f, const char *local, const char *cloud, const char *base, int cloud_newer,
    int manual)
{
	cJSON *l = row(local), *c = row(cloud), *b = base[0] != '\0' ? row(base) : NULL;
	enum merge_step s = merge_decide(f, l, c, b, cloud_newer, manual);

	cJSON_Delete(l);
	cJSON_Delete(c);
	cJSON_Delete(b);
	return s;
}

static void
merge_one_side_changed(void **state)
{
	(void)state;
	/* Only the cloud retitled: its title, whoever's clock is newer. */
	assert_int_equal(decide("title", "{\"title\":\"X\"}", "{\"title\":\"C\"}",
	    "{\"title\":\"X\"}", 0, 0), MERGE_TAKE_CLOUD);
	/* Only this machine retitled: ours stays, even if the cloud's clock is newer. */
	assert_int_equal(decide("title", "{\"title\":\"L\"}", "{\"title\":\"X\"}",
	    "{\"title\":\"X\"}", 1, 0), MERGE_KEEP_LOCAL);
	/* A field one side cleared (null) against a base that had it. */
	assert_int_equal(decide("title", "{\"title\":null}", "{\"title\":\"X\"}",
	    "{\"title\":\"X\"}", 1, 0), MERGE_KEEP_LOCAL);
	/* Equal on both sides: nothing, whatever the base says. */
	assert_int_equal(decide("title", "{\"title\":\"S\"}", "{\"title\":\"S\"}",
	    "{\"title\":\"X\"}", 1, 1), MERGE_SAME);
}

static void
merge_clock_fields_never_merge(void **state)
{
	(void)state;
	assert_int_equal(decide("version", "{\"version\":3}", "{\"version\":4}",
	    "{\"version\":2}", 1, 0), MERGE_SAME);
	assert_int_equal(decide("updated_at", "{\"updated_at\":\"a\"}", "{\"updated_at\":\"b\"}",
	    "", 1, 0), MERGE_SAME);
}

static void
merge_true_conflict(void **state)
{
	static const char *const fields[] = { "title", "published", "hidden", "display_order",
	    "deleted_at" };
	char l[64], c[64], b[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		snprintf(l, sizeof l, "{\"%s\":\"L\"}", fields[i]);
		snprintf(c, sizeof c, "{\"%s\":\"C\"}", fields[i]);
		snprintf(b, sizeof b, "{\"%s\":\"B\"}", fields[i]);
		assert_int_equal(decide(fields[i], l, c, b, 1, 0), MERGE_CONFLICT_CLOUD);
		assert_int_equal(decide(fields[i], l, c, b, 0, 0), MERGE_CONFLICT_LOCAL);
		assert_int_equal(decide(fields[i], l, c, b, 1, 1), MERGE_CONFLICT_HELD);
		assert_int_equal(decide(fields[i], l, c, b, 0, 1), MERGE_CONFLICT_HELD);
		/* No base (never merged before): both count as changed. */
		assert_int_equal(decide(fields[i], l, c, "", 0, 0), MERGE_CONFLICT_LOCAL);
	}
}

static void
merge_transcript_field_newer_wins(void **state)
{
	(void)state;
	/* git_subject is the transcript's: both changed is no conflict, the newer write wins. */
	assert_int_equal(decide("git_subject", "{\"git_subject\":\"L\"}", "{\"git_subject\":\"C\"}",
	    "{\"git_subject\":\"B\"}", 1, 1), MERGE_TAKE_CLOUD);
	assert_int_equal(decide("git_subject", "{\"git_subject\":\"L\"}", "{\"git_subject\":\"C\"}",
	    "{\"git_subject\":\"B\"}", 0, 1), MERGE_KEEP_LOCAL);
	assert_false(merge_is_curation("git_subject"));
	assert_true(merge_is_curation("title"));
}

static void
pull_decisions(void **state)
{
	(void)state;
	/* New here: taken, whatever else. */
	assert_int_equal(pull_decide(0, 0, 1, 0, 0), PULL_TAKE);
	/* A commit edited here meets the cloud's: merged, whatever the clocks. */
	assert_int_equal(pull_decide(1, 0, 1, 1, 0), PULL_MERGE);
	assert_int_equal(pull_decide(1, 0, 1, -1, 0), PULL_MERGE);
	assert_int_equal(pull_decide(1, 0, 1, 0, 1), PULL_MERGE);
	/* Synced here, same clock: nothing when identical, else the cloud's pick. */
	assert_int_equal(pull_decide(1, 1, 1, 0, 1), PULL_HAVE);
	assert_int_equal(pull_decide(1, 1, 0, 0, 0), PULL_TAKE_TIE);
	/* Synced here, newer in the cloud: taken. */
	assert_int_equal(pull_decide(1, 1, 0, 1, 0), PULL_TAKE);
	assert_int_equal(pull_decide(1, 1, 1, 1, 0), PULL_TAKE);
	/* A pending session or turn: the newer clock wins the whole row. */
	assert_int_equal(pull_decide(1, 0, 0, 1, 0), PULL_TAKE);
	assert_int_equal(pull_decide(1, 0, 0, -1, 0), PULL_KEEP_OURS);
	assert_int_equal(pull_decide(1, 0, 0, 0, 1), PULL_NOW_SYNCED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merge_one_side_changed),
		cmocka_unit_test(merge_clock_fields_never_merge),
		cmocka_unit_test(merge_true_conflict),
		cmocka_unit_test(merge_transcript_field_newer_wins),
		cmocka_unit_test(pull_decisions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
