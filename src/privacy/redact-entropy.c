/*
 * Keys of no known format: a run of base64 characters random enough to be
 * one. The thresholds were measured by bench/redact (see its README): random
 * base62/base64 strings of 20 to 64 characters against the tokens of real
 * transcripts, where identifiers, paths, hashes and ids abound.
 */
#include "config.h"

#include <math.h>

#include "privacy/redact-rules.h"

/* Runs shorter than this are words; longer ones are data (images, archives), not keys. */
#define MIN_RUN 20
#define MAX_RUN 256

/* Of ten steps from one character to the next, how many at least change class. */
#define SWITCHES_TENTHS 4

static int
char_class(unsigned char c)
{
	return RCLASS(c, RC_UPPER) ? 0 : RCLASS(c, RC_ALPHA) ? 1 : RCLASS(c, RC_DIGIT) ? 2 : 3;
}

double
redact_entropy_bits(const char *t, size_t n)
{
	unsigned counts[256] = { 0 };
	double h = 0;
	size_t k;

	for (k = 0; k < n; k++)
		counts[(unsigned char)t[k]]++;
	for (k = 0; k < 256; k++) {
		if (counts[k] != 0) {
			double p = (double)counts[k] / (double)n;
			h -= p * log2(p);
		}
	}
	return h;
}

/*
 * The entropy a run of n characters must reach: a random base62 string of n
 * characters has about log2(n) - (n / 62) / (2 ln 2) bits a character (few
 * repeats) for small n; a run this far below that, or more, counts.
 */
static double
threshold(size_t n)
{
	double max = log2((double)(n < 64 ? n : 64));

	return max - 0.15 - (double)n / 124.0;
}

int
redact_high_entropy(const char *t, size_t n)
{
	size_t k, slashes = 0, upper = 0, lower = 0, digits = 0, switches = 0;
	int cls = -1;

	if (n < MIN_RUN || n > MAX_RUN || t[0] == '/')
		return 0;
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)t[k];
		slashes += c == '/';
		upper += RCLASS(c, RC_UPPER) != 0;
		digits += RCLASS(c, RC_DIGIT) != 0;
		lower += RCLASS(c, RC_ALPHA) && !RCLASS(c, RC_UPPER);
		switches += k > 0 && char_class(c) != cls;
		cls = char_class(c);
	}
	/* Keys mix cases and digits; hashes and uuids (hex) do not; paths have many slashes. */
	if (upper < 2 || lower < 2 || digits < 2 || slashes * 16 > n)
		return 0;
	/*
	 * Random characters change class (upper, lower, digit, other) at about
	 * 6 in 10 steps; words in CamelCase at 3 in 10 ("TestRedactHighEntropy2024").
	 */
	if (switches * 10 < (n - 1) * SWITCHES_TENTHS)
		return 0;
	return redact_entropy_bits(t, n) >= threshold(n);
}
