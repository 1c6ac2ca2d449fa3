/*
 * The Laplace sampler, checked against the distribution itself. For X drawn
 * from Laplace(0, b): E X = 0, Var X = 2 b^2; E|X| = b, Var |X| = b^2;
 * E X^2 = 2 b^2, Var X^2 = E X^4 - (E X^2)^2 = 24 b^4 - 4 b^4 = 20 b^4;
 * P(|X| > b ln 10) = 1/10; P(X < 0) = 1/2. Over N draws each sample
 * statistic lies within 5 standard errors of its expectation (sd / sqrt(N),
 * or sqrt(N p (1 - p)) for a count) but for a chance below 1e-6; the source
 * is a seeded stream (libsodium's randombytes_buf_deterministic), so the
 * draws, and the outcome, are the same on every run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "privacy/laplace.h"

#define N 400000

/* A seeded stream: block k is randombytes_buf_deterministic under seed with k mixed in. */
struct seeded {
	unsigned char seed[randombytes_SEEDBYTES];
	uint64_t block;
};

static void
seeded_fill(void *arg, void *buf, size_t n)
{
	struct seeded *s = arg;

	memcpy(s->seed, &s->block, sizeof s->block);
	s->block++;
	randombytes_buf_deterministic(buf, n, s->seed);
}

static void
constant_fill(void *arg, void *buf, size_t n)
{
	memset(buf, *(const unsigned char *)arg, n);
}

static void
within(double got, double want, double se, const char *what)
{
	if (fabs(got - want) > 5 * se)
		fail_msg("%s: %.6f, expected %.6f +- %.6f (5 standard errors)", what, got, want,
		    5 * se);
}

static void
moments_match_the_distribution(void **state)
{
	struct seeded s = { .seed = "h-optin laplace test seed", .block = 0 };
	struct noise_source src = { seeded_fill, &s };
	const double b = 3.0, t = b * log(10.0);
	double x, sum = 0, abs_sum = 0, sq_sum = 0;
	long tail = 0, negative = 0;
	int i;

	(void)state;
	assert_true(sodium_init() >= 0);
	for (i = 0; i < N; i++) {
		x = laplace_draw(&src, b);
		assert_true(isfinite(x));
		sum += x;
		abs_sum += fabs(x);
		sq_sum += x * x;
		tail += fabs(x) > t;
		negative += x < 0;
	}
	print_message("N %d, b %.1f: mean %.5f, mean |x| %.5f, mean x^2 %.4f, beyond b ln 10 %ld,"
	    " negative %ld\n", N, b, sum / N, abs_sum / N, sq_sum / N, tail, negative);
	within(sum / N, 0, sqrt(2 * b * b / N), "mean");
	within(abs_sum / N, b, b / sqrt(N), "mean |x| (the scale)");
	within(sq_sum / N, 2 * b * b, sqrt(20 * pow(b, 4) / N), "mean x^2");
	within((double)tail, 0.1 * N, sqrt(N * 0.1 * 0.9), "draws beyond b ln 10");
	within((double)negative, 0.5 * N, sqrt(N * 0.25), "negative draws");
}

/* The extreme words of the source give finite draws: the uniform never reaches 0 or 1. */
static void
extreme_words_stay_finite(void **state)
{
	unsigned char zero = 0x00, ones = 0xff;
	struct noise_source lo = { constant_fill, &zero }, hi = { constant_fill, &ones };

	(void)state;
	assert_true(noise_uniform(&lo) > 0);
	assert_true(noise_uniform(&hi) < 1);
	assert_true(isfinite(laplace_draw(&lo, 1)) && laplace_draw(&lo, 1) < -30);
	assert_true(isfinite(laplace_draw(&hi, 1)) && laplace_draw(&hi, 1) > 30);
	assert_true(laplace_draw(&lo, 0) == 0);
}

/* The system source works and is not constant. */
static void
system_source_draws(void **state)
{
	struct noise_source src;
	double a, b;

	(void)state;
	assert_int_equal(noise_source_system(&src), 0);
	a = laplace_draw(&src, 1);
	b = laplace_draw(&src, 1);
	assert_true(a != b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(moments_match_the_distribution),
		cmocka_unit_test(extreme_words_stay_finite),
		cmocka_unit_test(system_source_draws),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
