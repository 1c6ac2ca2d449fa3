/*
 * Providers' key formats: a fixed prefix, then a body of a known alphabet
 * and length. The table is the one place to add a provider; formats as the
 * providers document them (and as gitleaks and GitHub secret scanning match
 * them).
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "privacy/redact-rules.h"

#define A (RC_ALPHA | RC_WORD | RC_B64URL | RC_B64)
#define U (A | RC_UPPER)
#define L A
#define H (RC_HEX)
#define D (RC_DIGIT | RC_WORD | RC_B64URL | RC_B64)

/* Built by hand rather than from <ctype.h>: the locale must not change what is a secret. */
const unsigned char redact_class[256] = {
	['0'] = D | H, ['1'] = D | H, ['2'] = D | H, ['3'] = D | H, ['4'] = D | H,
	['5'] = D | H, ['6'] = D | H, ['7'] = D | H, ['8'] = D | H, ['9'] = D | H,
	['a'] = L | H, ['b'] = L | H, ['c'] = L | H, ['d'] = L | H, ['e'] = L | H, ['f'] = L | H,
	['g'] = L, ['h'] = L, ['i'] = L, ['j'] = L, ['k'] = L, ['l'] = L, ['m'] = L, ['n'] = L,
	['o'] = L, ['p'] = L, ['q'] = L, ['r'] = L, ['s'] = L, ['t'] = L, ['u'] = L, ['v'] = L,
	['w'] = L, ['x'] = L, ['y'] = L, ['z'] = L,
	['A'] = U, ['B'] = U, ['C'] = U, ['D'] = U, ['E'] = U, ['F'] = U, ['G'] = U, ['H'] = U,
	['I'] = U, ['J'] = U, ['K'] = U, ['L'] = U, ['M'] = U, ['N'] = U, ['O'] = U, ['P'] = U,
	['Q'] = U, ['R'] = U, ['S'] = U, ['T'] = U, ['U'] = U, ['V'] = U, ['W'] = U, ['X'] = U,
	['Y'] = U, ['Z'] = U,
	['_'] = RC_WORD | RC_B64URL, ['-'] = RC_B64URL, ['+'] = RC_B64, ['/'] = RC_B64,
};

#undef A
#undef U
#undef L
#undef H
#undef D

/* A body's alphabet. */
enum body {
	B_ALNUM,	/* A-Z a-z 0-9 */
	B_WORD,		/* and _ */
	B_URL,		/* and _ - */
	B_DASH,		/* A-Z a-z 0-9 - */
	B_HEX,		/* 0-9 a-f */
	B_UPPER,	/* A-Z 0-9 */
};

struct token_rule {
	const char *prefix;
	const char *kind;
	enum body body;
	unsigned short min, max;	/* the body's length */
	unsigned char mixed;		/* the body has a letter and a digit */
};

static const struct token_rule rules[] = {
	/* AWS access key ids: long-term (AKIA), temporary (ASIA), and two rarer ones. */
	{ "AKIA", "AWS_ACCESS_KEY", B_UPPER, 16, 16, 0 },
	{ "ASIA", "AWS_ACCESS_KEY", B_UPPER, 16, 16, 0 },
	{ "ABIA", "AWS_ACCESS_KEY", B_UPPER, 16, 16, 0 },
	{ "ACCA", "AWS_ACCESS_KEY", B_UPPER, 16, 16, 0 },
	/* GitHub: personal, OAuth, user-to-server, server-to-server, refresh; fine-grained. */
	{ "ghp_", "GITHUB_TOKEN", B_ALNUM, 36, 251, 0 },
	{ "gho_", "GITHUB_TOKEN", B_ALNUM, 36, 251, 0 },
	{ "ghu_", "GITHUB_TOKEN", B_ALNUM, 36, 251, 0 },
	{ "ghs_", "GITHUB_TOKEN", B_ALNUM, 36, 251, 0 },
	{ "ghr_", "GITHUB_TOKEN", B_ALNUM, 36, 251, 0 },
	{ "github_pat_", "GITHUB_TOKEN", B_WORD, 40, 244, 0 },
	{ "glpat-", "GITLAB_TOKEN", B_URL, 20, 250, 0 },
	/* Anthropic before OpenAI's bare "sk-": the longest prefix wins. */
	{ "sk-ant-", "ANTHROPIC_KEY", B_URL, 32, 249, 0 },
	{ "sk-proj-", "OPENAI_KEY", B_URL, 32, 248, 0 },
	{ "sk-svcacct-", "OPENAI_KEY", B_URL, 32, 245, 0 },
	{ "sk-admin-", "OPENAI_KEY", B_URL, 32, 247, 0 },
	{ "sk-", "OPENAI_KEY", B_URL, 32, 253, 1 },
	{ "xoxb-", "SLACK_TOKEN", B_DASH, 10, 251, 1 },
	{ "xoxp-", "SLACK_TOKEN", B_DASH, 10, 251, 1 },
	{ "xoxa-", "SLACK_TOKEN", B_DASH, 10, 251, 1 },
	{ "xoxe-", "SLACK_TOKEN", B_DASH, 10, 251, 1 },
	{ "xoxr-", "SLACK_TOKEN", B_DASH, 10, 251, 1 },
	{ "xoxs-", "SLACK_TOKEN", B_DASH, 10, 251, 1 },
	{ "xapp-", "SLACK_TOKEN", B_DASH, 10, 251, 1 },
	{ "sk_live_", "STRIPE_KEY", B_ALNUM, 20, 248, 0 },
	{ "sk_test_", "STRIPE_KEY", B_ALNUM, 20, 248, 0 },
	{ "rk_live_", "STRIPE_KEY", B_ALNUM, 20, 248, 0 },
	{ "rk_test_", "STRIPE_KEY", B_ALNUM, 20, 248, 0 },
	{ "whsec_", "STRIPE_KEY", B_ALNUM, 24, 250, 0 },
	{ "AIza", "GOOGLE_API_KEY", B_URL, 35, 35, 0 },
	/* Twilio: API key SIDs and account SIDs (the auth token is only known by its context). */
	{ "SK", "TWILIO_KEY", B_HEX, 32, 32, 0 },
	{ "AC", "TWILIO_KEY", B_HEX, 32, 32, 0 },
	{ "npm_", "NPM_TOKEN", B_ALNUM, 36, 36, 0 },
	{ "pypi-AgEIcHlwaS5vcmc", "PYPI_TOKEN", B_URL, 50, 235, 0 },
	{ "hf_", "HUGGINGFACE_TOKEN", B_ALNUM, 30, 40, 0 },
	{ "api_org_", "HUGGINGFACE_TOKEN", B_ALNUM, 30, 40, 0 },
	{ "dckr_pat_", "DOCKER_TOKEN", B_URL, 20, 80, 0 },
	{ "dop_v1_", "DIGITALOCEAN_TOKEN", B_HEX, 64, 64, 0 },
	{ "doo_v1_", "DIGITALOCEAN_TOKEN", B_HEX, 64, 64, 0 },
	{ "dor_v1_", "DIGITALOCEAN_TOKEN", B_HEX, 64, 64, 0 },
};
#define NRULES (sizeof rules / sizeof rules[0])

/* The rules by their prefix's first byte, in the table's order (-1 ends each list). */
#define PER_BYTE 12
static signed char by_first[256][PER_BYTE];
static unsigned char prefix_len[NRULES];
static pthread_once_t by_first_once = PTHREAD_ONCE_INIT;

static void
index_rules(void)
{
	unsigned char n[256] = { 0 };
	size_t i;

	memset(by_first, -1, sizeof by_first);
	for (i = 0; i < NRULES; i++) {
		prefix_len[i] = (unsigned char)strlen(rules[i].prefix);
		unsigned char c = (unsigned char)rules[i].prefix[0];
		if (n[c] < PER_BYTE - 1)
			by_first[c][n[c]++] = (signed char)i;
	}
}

static int
in_body(enum body b, unsigned char c)
{
	switch (b) {
	case B_ALNUM:
		return RCLASS(c, RC_ALPHA | RC_DIGIT) != 0;
	case B_WORD:
		return RCLASS(c, RC_WORD) != 0;
	case B_URL:
		return RCLASS(c, RC_B64URL) != 0;
	case B_DASH:
		return RCLASS(c, RC_ALPHA | RC_DIGIT) != 0 || c == '-';
	case B_HEX:
		return RCLASS(c, RC_HEX) != 0;
	case B_UPPER:
		return RCLASS(c, RC_UPPER | RC_DIGIT) != 0;
	}
	return 0;
}

/* The body of r at t[i...]: its end, 0 if it is not one. */
static size_t
body_end(const struct token_rule *r, const char *t, size_t len, size_t i)
{
	size_t j = i, max = i + r->max + 1;
	int alpha = 0, digit = 0;

	while (j < len && j < max && in_body(r->body, (unsigned char)t[j])) {
		alpha |= RCLASS(t[j], RC_ALPHA) != 0;
		digit |= RCLASS(t[j], RC_DIGIT) != 0;
		j++;
	}
	if (j - i < r->min || j - i > r->max)
		return 0;
	/* It ends there, not in a longer word. */
	if (j < len && RCLASS(t[j], RC_WORD))
		return 0;
	if (r->mixed && !(alpha && digit))
		return 0;
	return j;
}

/* A run of base64url characters at t[i...] at least min long: its end, or 0. */
static size_t
b64url_run(const char *t, size_t len, size_t i, size_t min)
{
	size_t j = i;

	while (j < len && RCLASS(t[j], RC_B64URL))
		j++;
	return j - i >= min ? j : 0;
}

/* "eyJ...": header and payload are base64url JSON objects, then a signature. */
static size_t
jwt_end(const char *t, size_t len, size_t i)
{
	size_t j = b64url_run(t, len, i, 10);

	if (j == 0 || j + 4 > len || t[j] != '.' || memcmp(t + j + 1, "eyJ", 3) != 0)
		return 0;
	if ((j = b64url_run(t, len, j + 1, 10)) == 0 || j >= len || t[j] != '.')
		return 0;
	return b64url_run(t, len, j + 1, 16);
}

/* SendGrid: "SG." 22 characters "." 43 characters. */
static size_t
sendgrid_end(const char *t, size_t len, size_t i)
{
	size_t j = b64url_run(t, len, i + 3, 0);

	if (j - (i + 3) != 22 || j >= len || t[j] != '.')
		return 0;
	i = j + 1;
	j = b64url_run(t, len, i, 0);
	return j - i == 43 ? j : 0;
}

/* Bit c2 of pairs[c1]: a prefix starts with c1 c2 (letters and digits only: 6 bits each). */
unsigned long long redact_pairs[128];
static pthread_once_t pairs_once = PTHREAD_ONCE_INIT;

static void
fill_pairs(void)
{
	size_t i;

	for (i = 0; i < NRULES; i++)
		redact_pairs[(unsigned char)rules[i].prefix[0]] |= 1ULL << redact_pair_bit(
		    (unsigned char)rules[i].prefix[1]);
	redact_pairs['e'] |= 1ULL << redact_pair_bit('y');	/* JWT */
	redact_pairs['S'] |= 1ULL << redact_pair_bit('G');	/* SendGrid */
}

void
redact_tokens_init(void)
{
	pthread_once(&by_first_once, index_rules);
	pthread_once(&pairs_once, fill_pairs);
}

size_t
redact_token_at(const char *t, size_t len, size_t i, const char **kind)
{
	const signed char *r;
	size_t rest = len - i, end;

	if (t[i] == 'e' && rest > 30 && t[i + 1] == 'y' && t[i + 2] == 'J') {
		*kind = "JWT";
		return jwt_end(t, len, i);
	}
	if (t[i] == 'S' && rest > 68 && t[i + 1] == 'G' && t[i + 2] == '.') {
		*kind = "SENDGRID_KEY";
		return sendgrid_end(t, len, i);
	}
	for (r = by_first[(unsigned char)t[i]]; *r >= 0; r++) {
		const struct token_rule *rule = &rules[*r];
		size_t n = prefix_len[*r];
		/* The second byte first: most words fail there, without a call. */
		if (n + rule->min > rest || t[i + 1] != rule->prefix[1] ||
		    memcmp(t + i + 2, rule->prefix + 2, n - 2) != 0)
			continue;
		if ((end = body_end(rule, t, len, i + n)) != 0) {
			*kind = rule->kind;
			return end;
		}
		/* A longer prefix that failed leaves its shorter one ("sk-ant-" then "sk-"): go on. */
	}
	return 0;
}
