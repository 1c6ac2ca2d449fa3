/*
 * server/keylimits.c: token buckets and per-key counters, with the expected
 * figures worked out by hand from the bucket's definition (capacity tokens,
 * one more every refill seconds).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "keylimits.h"

/* 3 tokens, one every 100 s: a burst of 3, then 429 until the next token. */
static void
test_bucket_burst_then_wait(void **state)
{
	struct limits *l = limits_new(3, 100);

	(void)state;
	assert_int_equal(limits_take(l, "a", 1000), 0);
	assert_int_equal(limits_take(l, "a", 1000), 0);
	assert_int_equal(limits_take(l, "a", 1000), 0);
	/* Empty: the next token comes 100 s after the bucket was emptied. */
	assert_int_equal(limits_take(l, "a", 1000), 100);
	assert_int_equal(limits_take(l, "a", 1040), 60);
	assert_int_equal(limits_take(l, "a", 1099.5), 1);	/* rounded up, never 0 */
	assert_int_equal(limits_take(l, "a", 1100), 0);
	assert_int_equal(limits_take(l, "a", 1100), 100);
	/* Another key has its own bucket. */
	assert_int_equal(limits_take(l, "b", 1100), 0);
	limits_free(l);
}

/* A bucket refills to its capacity, never beyond. */
static void
test_bucket_caps_at_capacity(void **state)
{
	struct limits *l = limits_new(2, 10);
	int i, allowed = 0;

	(void)state;
	assert_int_equal(limits_take(l, "k", 0), 0);
	for (i = 0; i < 5; i++)
		allowed += limits_take(l, "k", 100000) == 0;
	assert_int_equal(allowed, 2);
	limits_free(l);
}

/* Counters: up to max per key, each released one making room again. */
static void
test_counter(void **state)
{
	struct limits *l = limits_new(0, 1);

	(void)state;
	assert_int_equal(limits_acquire(l, "10.0.0.1", 2), 0);
	assert_int_equal(limits_acquire(l, "10.0.0.1", 2), 0);
	assert_int_equal(limits_acquire(l, "10.0.0.1", 2), -1);
	assert_int_equal(limits_acquire(l, "10.0.0.2", 2), 0);
	assert_int_equal(limits_keys(l), 2);
	limits_release(l, "10.0.0.1");
	assert_int_equal(limits_acquire(l, "10.0.0.1", 2), 0);
	limits_release(l, "10.0.0.1");
	limits_release(l, "10.0.0.1");
	limits_release(l, "10.0.0.2");
	/* A key holding nothing is forgotten. */
	assert_int_equal(limits_keys(l), 0);
	limits_release(l, "never seen");
	limits_free(l);
}

/*
 * A full table forgets refilled buckets to make room, and lets a key through
 * untracked when none can go: filling it locks nobody out.
 */
static void
test_table_bound(void **state)
{
	struct limits *l = limits_new(1, 10);
	char key[32];
	long i;

	(void)state;
	for (i = 0; i < LIMITS_MAX_KEYS; i++) {
		snprintf(key, sizeof key, "k%ld", i);
		assert_int_equal(limits_take(l, key, 0), 0);
	}
	assert_int_equal(limits_keys(l), LIMITS_MAX_KEYS);
	assert_int_equal(limits_take(l, "k0", 0), 10);
	/* Still full, every bucket empty: a new key passes untracked. */
	assert_int_equal(limits_take(l, "new", 0), 0);
	assert_int_equal(limits_take(l, "new", 0), 0);
	assert_int_equal(limits_keys(l), LIMITS_MAX_KEYS);
	/* 10 s later every bucket is full again: swept, the new key tracked. */
	assert_int_equal(limits_take(l, "new", 10), 0);
	assert_int_equal(limits_keys(l), 1);
	assert_int_equal(limits_take(l, "new", 10), 10);
	limits_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_burst_then_wait),
		cmocka_unit_test(test_bucket_caps_at_capacity),
		cmocka_unit_test(test_counter),
		cmocka_unit_test(test_table_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
