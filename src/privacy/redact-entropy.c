/*
 * Keys of no known format: a run of base64 characters random enough to be
 * one. The thresholds were measured by bench/redact (see its README): random
 * base62/base64 strings of 20 to 64 characters against the tokens of real
 * transcripts, where identifiers, paths, hashes and ids abound.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include "privacy/redact-rules.h"

/* Runs shorter than this are words; longer ones are data (images, archives), not keys. */
#define MIN_RUN 20
#define MAX_RUN 256
/*
 * The entropy a run must reach, as a share of the most its length allows
 * (redact_entropy_share). Measured by bench/redact: random base62 runs of
 * 20 to 64 characters stay above it (recall), the runs of real transcripts
 * that pass the other checks below.
 */
#define ENTROPY_SHARE 0.80

/*
 * Ids of Claude Code's own, in every tool call: "toolu_01...", "msg_01...",
 * not secrets; and OpenAI's tool call ids.
 */
static int
known_id(const char *t, size_t n)
{
	static const struct {
		const char *s;
		size_t n;
	} prefixes[] = { { "toolu_", 6 }, { "srvtoolu_", 9 }, { "msg_", 4 }, { "req_", 4 },
		{ "call_", 5 }, { "file_", 5 } };
	size_t i;

	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		if (n > prefixes[i].n && memcmp(t, prefixes[i].s, prefixes[i].n) == 0)
			return 1;
	}
	/* GitHub's GraphQL node ids: a type, "_kw", base64 ("PRRC_kwDOP..."). */
	for (i = 0; i < 5 && i < n && RCLASS(t[i], RC_UPPER); i++)
		;
	return i > 0 && i + 3 < n && memcmp(t + i, "_kw", 3) == 0;
}

/* Of ten steps from one character to the next, how many at least change class. */
#define SWITCHES_TENTHS 4
/* Of a hundred steps, how many at most go from a lower-case letter to another. */
#define LOWER_PAIRS_PERCENT 35

/* c log2 c for c up to MAX_RUN: H = log2 n - (sum of c log2 c) / n, without a log a run. */
static double clog2c[MAX_RUN + 1];
static pthread_once_t clog2c_once = PTHREAD_ONCE_INIT;

static void
fill_clog2c(void)
{
	int c;

	for (c = 1; c <= MAX_RUN; c++)
		clog2c[c] = c * log2((double)c);
}

void
redact_entropy_init(void)
{
	pthread_once(&clog2c_once, fill_clog2c);
}

double
redact_entropy_share(const char *t, size_t n)
{
	unsigned short counts[128] = { 0 };
	size_t k, slashes = 0, upper = 0, lower = 0, digits = 0, switches = 0, words = 0;
	double sum = 0;
	int cls = -1;

	if (n < MIN_RUN || n > MAX_RUN || t[0] == '/' || known_id(t, n))
		return -1;
	/* Words fail early: too many lower-case pairs (below). */
	for (k = 0; k < n && words * 100 <= (n - 1) * LOWER_PAIRS_PERCENT; k++) {
		unsigned char c = (unsigned char)t[k];
		int now = RCLASS(c, RC_UPPER) ? 0 : RCLASS(c, RC_ALPHA) ? 1 :
		    RCLASS(c, RC_DIGIT) ? 2 : 3;
		slashes += c == '/';
		upper += now == 0;
		lower += now == 1;
		digits += now == 2;
		switches += now != cls;
		words += now == 1 && cls == 1;
		cls = now;
	}
	/* Keys mix cases and digits; hashes and uuids (hex) do not; paths have many slashes. */
	if (upper < 2 || lower < 2 || digits < 1 || slashes * 16 > n)
		return -1;
	/*
	 * Random characters change class (upper, lower, digit, other) at about
	 * 6 in 10 steps; words in CamelCase at 3 in 10 ("TestRedactHighEntropy2024").
	 */
	if ((switches - 1) * 10 < (n - 1) * SWITCHES_TENTHS)
		return -1;
	/*
	 * Two lower-case letters in a row: 1 step in 6 of random base62, most
	 * of identifiers' ("TestE2E_Scenario1_BasicFlow").
	 */
	if (words * 100 > (n - 1) * LOWER_PAIRS_PERCENT)
		return -1;
	/* Counted only now: most runs fail the checks above. */
	for (k = 0; k < n; k++)
		counts[t[k] & 0x7f]++;
	for (k = 0; k < 128; k++)
		sum += clog2c[counts[k]];
	/* Of the most n characters can give: log2 n, at most 6 bits (base64). */
	return (log2((double)n) - sum / (double)n) / log2((double)(n < 64 ? n : 64));
}

int
redact_high_entropy(const char *t, size_t n)
{
	return redact_entropy_share(t, n) >= ENTROPY_SHARE;
}
