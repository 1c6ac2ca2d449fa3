/*
 * Secret redaction: what leaves the machine has every secret the redactor
 * finds replaced with "[REDACTED:KIND]" (ARCHITECTURE §9, issue 15). The local
 * store keeps the originals.
 *
 * One pass over the text looks for cheap anchors (a token's first bytes such
 * as "ghp_" or "AKIA", "-----BEGIN", "://", '=' and ':'), and hand-written
 * checks verify each candidate (redact-tokens.c, redact-context.c,
 * redact-entropy.c): no regular expression runs per byte. The user's own
 * patterns (POSIX extended regular expressions, config key redact.patterns)
 * run after that, and values on the allow-list (redact.allow) are kept.
 *
 * A redactor is read-only once made: threads may share one.
 */
#ifndef AL_PRIVACY_REDACT_H
#define AL_PRIVACY_REDACT_H

#include <stddef.h>

struct config;
struct redactor;

/* A secret found: text[start, end) of the given kind ("GITHUB_TOKEN", ...). */
struct redact_span {
	size_t start, end;
	const char *kind;
};

struct redact_spans {
	struct redact_span *v;
	size_t n, cap;
};

/*
 * A redactor with the built-in rules, patterns (one POSIX extended regular
 * expression, alternatives joined by '|'; NULL or "" for none) and allow (a
 * comma-separated list of values never redacted; NULL or "" for none).
 * NULL with err filled when a pattern does not compile.
 */
struct redactor *redactor_new(const char *patterns, const char *allow, char *err);
/*
 * The redactor the config asks for (redact.enabled, redact.patterns,
 * redact.allow); with redact.enabled false, one that changes nothing.
 */
struct redactor *redactor_from_config(const struct config *cfg, char *err);
void redactor_free(struct redactor *r);
/* Whether it redacts at all (redact.enabled); off, it finds nothing. */
int redactor_enabled(const struct redactor *r);
void redactor_set_enabled(struct redactor *r, int on);

/*
 * The secrets in text[0, len), sorted by start, not overlapping, appended
 * to out (cleared first). -1 with err filled when a user pattern fails.
 */
int redact_find(const struct redactor *r, const char *text, size_t len,
    struct redact_spans *out, char *err);
void redact_spans_free(struct redact_spans *s);

/*
 * text with every secret replaced, newly allocated, its length in *outlen;
 * NULL with err filled on failure (the caller must then send nothing).
 * Idempotent: redacting the result again changes nothing.
 */
char *redact_text(const struct redactor *r, const char *text, size_t len, size_t *outlen,
    char *err);

/* "ghp_…a1b2": enough of a secret to recognise it, never all of it. Into out. */
void redact_preview(const char *secret, size_t len, char *out, size_t outsize);

/* Redactions look like this; no rule matches them again. */
#define REDACT_OPEN "[REDACTED:"

#endif
