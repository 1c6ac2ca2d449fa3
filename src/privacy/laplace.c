/*
 * Laplace(0, b) by inversion: for U uniform on (-1/2, 1/2),
 * X = -b sgn(U) ln(1 - 2|U|) has the Laplace distribution. U never reaches
 * +-1/2 (noise_uniform excludes 0 and 1), so the logarithm stays finite:
 * |X| <= b ln 2^53, about 36.7 b.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include <sodium.h>

#include "privacy/laplace.h"

static void
system_fill(void *arg, void *buf, size_t n)
{
	(void)arg;
	randombytes_buf(buf, n);
}

int
noise_source_system(struct noise_source *src)
{
	/* 0 started, 1 already started; -1 only when no entropy source exists. */
	if (sodium_init() < 0)
		return -1;
	src->fill = system_fill;
	src->arg = NULL;
	return 0;
}

double
noise_uniform(const struct noise_source *src)
{
	uint64_t w;

	src->fill(src->arg, &w, sizeof w);
	/*
	 * The top 52 bits, centred in their cell: (k + 1/2) / 2^52 for k in
	 * [0, 2^52), exact in a double (2k + 1 < 2^53). With 53 bits the top cell,
	 * (2^53 - 1/2) / 2^53, rounds to 1.0 and the draw to infinity.
	 */
	return ((double)(w >> 12) + 0.5) / 4503599627370496.0;
}

double
laplace_draw(const struct noise_source *src, double scale)
{
	double u;

	if (scale <= 0)
		return 0;
	u = noise_uniform(src) - 0.5;
	return u < 0 ? scale * log1p(2 * u) : -scale * log1p(-2 * u);
}
