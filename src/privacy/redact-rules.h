/*
 * Inside the redactor only: the checks redact.c's one pass calls at each
 * anchor. Each looks at text[0, len) around position i and adds what it
 * verifies to out; none of them allocates but through out.
 */
#ifndef AL_PRIVACY_REDACT_RULES_H
#define AL_PRIVACY_REDACT_RULES_H

#include <stddef.h>

#include "privacy/redact.h"

void redact_add(struct redact_spans *out, size_t start, size_t end, const char *kind);

/* Byte classes shared by the checks. */
#define RC_ALPHA 0x01
#define RC_DIGIT 0x02
#define RC_UPPER 0x04
#define RC_HEX 0x08		/* 0-9 a-f */
#define RC_WORD 0x10		/* A-Z a-z 0-9 _ */
#define RC_B64URL 0x20		/* A-Z a-z 0-9 _ - */
#define RC_B64 0x40		/* A-Z a-z 0-9 + / */
extern const unsigned char redact_class[256];
#define RCLASS(c, m) (redact_class[(unsigned char)(c)] & (m))

/* The tables below use, filled once (redactor_new calls them). */
void redact_tokens_init(void);
void redact_entropy_init(void);

/*
 * Whether a provider's key may start with these two bytes (a cheap test
 * before the next, at every word: inline). Bit c2 of redact_pairs[c1], for
 * letters and digits (6 bits each), filled by redact_tokens_init.
 */
extern unsigned long long redact_pairs[128];

static inline int
redact_pair_bit(unsigned char c)
{
	return c >= 'a' ? c - 'a' : c >= 'A' ? 26 + c - 'A' : c >= '0' ? 52 + c - '0' : 62;
}

static inline int
redact_token_may_start(unsigned char c1, unsigned char c2)
{
	return c1 < 128 && RCLASS(c2, RC_ALPHA | RC_DIGIT) &&
	    (redact_pairs[c1] >> redact_pair_bit(c2) & 1);
}
/* A provider's key starting at i, a word start (redact-tokens.c): its end, or 0. */
size_t redact_token_at(const char *t, size_t len, size_t i, const char **kind);

/* "-----BEGIN ... PRIVATE KEY-----" at i (redact-context.c): its end, or 0. */
size_t redact_pem_at(const char *t, size_t len, size_t i);
/* "scheme://user:secret@" or a Slack webhook around the "://" at i. */
void redact_url_at(const char *t, size_t len, size_t i, struct redact_spans *out);
/* "NAME=value", "\"password\": \"...\"" around the '=' or ':' at i. */
void redact_assignment_at(const char *t, size_t len, size_t i, struct redact_spans *out);

/*
 * Whether t[0, n), a run of base64 characters, looks random enough to be a
 * key (redact-entropy.c).
 */
int redact_high_entropy(const char *t, size_t n);
/*
 * The run's entropy as a share of the most its length allows (log2 n, at
 * most 6 bits); -1 when it fails the checks that come first (too short or
 * long, a path, an id, not mixed, a word). For bench/redact's measure.
 */
double redact_entropy_share(const char *t, size_t n);

#endif
