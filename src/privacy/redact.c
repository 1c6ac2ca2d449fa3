/*
 * The redactor's one pass: each byte's class decides whether anything can
 * start there (most bytes: nothing), and only then a check of redact-*.c
 * runs. The user's patterns and allow-list come after (redact.h).
 */
#include "config.h"

#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/redact-rules.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

/* Rounds of redaction until nothing more is found (what a redaction exposes: redact.h). */
#define MAX_ROUNDS 4
/* What a text becomes when its rounds do not settle. */
#define WHOLE REDACT_OPEN "TEXT]"

struct redactor {
	int enabled;
	int has_regex;
	regex_t regex;
	char **allow;
	size_t nallow;
};

/* A run's bytes: words joined by - _ + / (base64, base64url, and most tokens). */
#define RUN (RC_B64 | RC_B64URL)

/* Where the scan stops between runs: a run's first byte, ':' or '='. */
static unsigned char stop[256];
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;

static void
fill_stop(void)
{
	int c;

	for (c = 0; c < 256; c++)
		stop[c] = RCLASS(c, RUN) || c == ':' || c == '=';
}

void
redact_add(struct redact_spans *out, size_t start, size_t end, const char *kind)
{
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 16;
		out->v = xreallocarray(out->v, out->cap, sizeof *out->v);
	}
	out->v[out->n++] = (struct redact_span){ start, end, kind };
}

void
redact_spans_free(struct redact_spans *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

static void
split_allow(struct redactor *r, const char *allow)
{
	const char *p = allow, *comma;

	while (p != NULL && *p != '\0') {
		size_t n;
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		while (n > 0 && p[0] == ' ') {
			p++;
			n--;
		}
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n > 0) {
			r->allow = xreallocarray(r->allow, r->nallow + 1, sizeof *r->allow);
			r->allow[r->nallow++] = xstrndup(p, n);
		}
		p = comma != NULL ? comma + 1 : NULL;
	}
}

struct redactor *
redactor_new(const char *patterns, const char *allow, char *err)
{
	struct redactor *r = xcalloc(1, sizeof *r);
	char msg[256];
	int rc;

	pthread_once(&stop_once, fill_stop);
	redact_tokens_init();
	redact_entropy_init();
	r->enabled = 1;
	if (patterns != NULL && *patterns != '\0') {
		if ((rc = regcomp(&r->regex, patterns, REG_EXTENDED | REG_NEWLINE)) != 0) {
			regerror(rc, &r->regex, msg, sizeof msg);
			seterr(err, "redact.patterns is not a valid regular expression (%s):"
			    " nothing is sent until it is fixed", msg);
			free(r);
			return NULL;
		}
		r->has_regex = 1;
	}
	split_allow(r, allow);
	return r;
}

void
redactor_free(struct redactor *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->has_regex)
		regfree(&r->regex);
	for (i = 0; i < r->nallow; i++)
		free(r->allow[i]);
	free(r->allow);
	free(r);
}

int
redactor_enabled(const struct redactor *r)
{
	return r->enabled;
}

void
redactor_set_enabled(struct redactor *r, int on)
{
	r->enabled = on;
}

/*
 * The run starting at i: a provider's token at each of its word starts (its
 * start, and after each - + / in it), a private key block if it is dashes,
 * the whole run if it looks random. Returns where the scan goes on.
 */
static size_t
scan_run(const char *t, size_t len, size_t i, struct redact_spans *out)
{
	size_t j, end, resume = i;
	const char *kind;
	int token_is_run;

	if (t[i] == '-' && i + 30 < len && t[i + 1] == '-' && (end = redact_pem_at(t, len, i)) != 0) {
		redact_add(out, i, end, "PRIVATE_KEY");
		return end;
	}
	j = i;
	while (j < len) {
		unsigned char c = (unsigned char)t[j];
		if (RCLASS(c, RC_WORD)) {
			/* A word's start: a token may begin here, and nowhere else in the word. */
			if (j + 1 < len && redact_token_may_start(c, (unsigned char)t[j + 1]) &&
			    j >= resume && (end = redact_token_at(t, len, j, &kind)) != 0) {
				redact_add(out, j, end, kind);
				resume = end;
			}
			for (j++; j < len && RCLASS(t[j], RC_WORD); j++)
				;
		} else if (RCLASS(c, RUN))
			j++;	/* - + / */
		else
			break;
	}
	/*
	 * A provider's key that is the whole run (and no '=' after it) is all
	 * the entropy span would be: normalise would keep the key's kind.
	 */
	token_is_run = out->n > 0 && out->v[out->n - 1].start == i && out->v[out->n - 1].end == j &&
	    (j == len || t[j] != '=');
	if (j - i >= 20 && !token_is_run && redact_high_entropy(t + i, j - i)) {
		end = j;
		while (end < len && end < j + 2 && t[end] == '=')
			end++;
		redact_add(out, i, end, "HIGH_ENTROPY");
	}
	return resume > j ? resume : j;
}

/*
 * The built-in rules over text: one pass. Most bytes are letters in a run
 * or punctuation between runs; only ':' and '=' between runs and the runs'
 * word starts call a check.
 */
static void
scan(const char *t, size_t len, struct redact_spans *out)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)t[i];

		if (!stop[c]) {
			/* Between runs: spaces, punctuation, UTF-8, all skipped in this loop. */
			for (i++; i < len && !stop[(unsigned char)t[i]]; i++)
				;
			continue;
		}
		if (RCLASS(c, RUN)) {
			i = scan_run(t, len, i, out);
			continue;
		}
		if (c == ':') {
			if (i + 3 < len && t[i + 1] == '/' && t[i + 2] == '/')
				redact_url_at(t, len, i, out);
			else
				redact_assignment_at(t, len, i, out);
		} else if (c == '=')
			redact_assignment_at(t, len, i, out);
		i++;
	}
}

/* The user's patterns: every match, each a CUSTOM span. */
static int
scan_patterns(const struct redactor *r, const char *t, size_t len, struct redact_spans *out,
    char *err)
{
	regmatch_t m;
	size_t at = 0;
	int rc = 0;
	/* NUL-terminated as well: some regexec (and sanitizers' checks of it) read up to a NUL. */
	char *copy = xmalloc(len + 1);

	memcpy(copy, t, len);
	copy[len] = '\0';
	t = copy;
	while (at <= len) {
		m.rm_so = 0;
		m.rm_eo = (regoff_t)(len - at);
		/* REG_STARTEND: the text is not NUL-terminated, and may hold NULs. */
		rc = regexec(&r->regex, t + at, 1, &m, REG_STARTEND | (at > 0 ? REG_NOTBOL : 0));
		if (rc == REG_NOMATCH) {
			rc = 0;
			break;
		}
		if (rc != 0) {
			rc = seterr(err, "redact.patterns failed on a text (out of memory?):"
			    " nothing is sent");
			break;
		}
		if (m.rm_eo > m.rm_so)
			redact_add(out, at + (size_t)m.rm_so, at + (size_t)m.rm_eo, "CUSTOM");
		at += (size_t)(m.rm_eo > m.rm_so ? m.rm_eo : m.rm_so + 1);
	}
	free(copy);
	return rc;
}

static int
generic(const char *kind)
{
	return strcmp(kind, "SECRET") == 0 || strcmp(kind, "PASSWORD") == 0 ||
	    strcmp(kind, "HIGH_ENTROPY") == 0 || strcmp(kind, "CUSTOM") == 0;
}

static int
by_start(const void *a, const void *b)
{
	const struct redact_span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* The longer first: it is the one kept. */
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	/* Of one span, a provider's kind before a guess (what the name or the entropy said). */
	return generic(x->kind) - generic(y->kind);
}

static int
allowed(const struct redactor *r, const char *t, const struct redact_span *s)
{
	size_t i, n = s->end - s->start;

	for (i = 0; i < r->nallow; i++) {
		if (strlen(r->allow[i]) == n && memcmp(r->allow[i], t + s->start, n) == 0)
			return 1;
	}
	return 0;
}

/* Sorted, allowed ones dropped, overlaps joined (the first span's kind). */
static void
normalise(const struct redactor *r, const char *t, struct redact_spans *s)
{
	size_t i, n = 0;

	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, by_start);
	for (i = 0; i < s->n; i++) {
		if (allowed(r, t, &s->v[i]))
			continue;
		if (n > 0 && s->v[i].start < s->v[n - 1].end) {
			if (s->v[i].end > s->v[n - 1].end)
				s->v[n - 1].end = s->v[i].end;
			continue;
		}
		s->v[n++] = s->v[i];
	}
	s->n = n;
}

int
redact_find(const struct redactor *r, const char *text, size_t len, struct redact_spans *out,
    char *err)
{
	out->n = 0;
	if (!r->enabled)
		return 0;
	scan(text, len, out);
	if (r->has_regex && scan_patterns(r, text, len, out, err) != 0)
		return -1;
	normalise(r, text, out);
	return 0;
}

/* text with spans replaced. */
static char *
replace(const char *text, size_t len, const struct redact_spans *s, size_t *outlen)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, at = 0;

	for (i = 0; i < s->n; i++) {
		strbuf_add(&sb, text + at, s->v[i].start - at);
		strbuf_addf(&sb, REDACT_OPEN "%s]", s->v[i].kind);
		at = s->v[i].end;
	}
	strbuf_add(&sb, text + at, len - at);
	*outlen = sb.len;
	return strbuf_detach(&sb);
}

char *
redact_text(const struct redactor *r, const char *text, size_t len, size_t *outlen, char *err)
{
	struct redact_spans s = { 0 };
	char *cur = NULL, *next;
	size_t curlen = len;
	int round;

	/*
	 * A redaction can expose a secret the rules refused (a key glued to
	 * another): again until nothing is found, so that redacting twice
	 * changes nothing.
	 */
	for (round = 0; round < MAX_ROUNDS; round++) {
		if (redact_find(r, cur != NULL ? cur : text, curlen, &s, err) != 0)
			break;
		if (s.n == 0) {
			redact_spans_free(&s);
			*outlen = curlen;
			if (cur == NULL) {
				cur = xmalloc(len + 1);
				memcpy(cur, text, len);
				cur[len] = '\0';
			}
			return cur;
		}
		next = replace(cur != NULL ? cur : text, curlen, &s, &curlen);
		free(cur);
		cur = next;
	}
	free(cur);
	/*
	 * Still finding more (a text built to cascade): the whole text goes,
	 * rather than a secret or nothing; only a user pattern that matches
	 * that too fails.
	 */
	if (round == MAX_ROUNDS && redact_find(r, WHOLE, sizeof WHOLE - 1, &s, err) == 0 && s.n == 0) {
		redact_spans_free(&s);
		*outlen = sizeof WHOLE - 1;
		return xstrdup(WHOLE);
	}
	if (round == MAX_ROUNDS)
		seterr(err, "redact.patterns matches its own replacement " REDACT_OPEN
		    "...]: nothing is sent until it is fixed");
	redact_spans_free(&s);
	return NULL;
}

void
redact_preview(const char *secret, size_t len, char *out, size_t outsize)
{
	/* A quarter of it at each end at most, four characters at most. */
	size_t k = len / 4 > 4 ? 4 : len / 4;
	size_t i, o = 0;

	for (i = 0; i < k && o + 1 < outsize; i++)
		out[o++] = (secret[i] >= ' ' && secret[i] < 0x7f) ? secret[i] : '?';
	if (o + 4 < outsize) {
		memcpy(out + o, "\u2026", 3);
		o += 3;
	}
	for (i = len - k; i < len && o + 1 < outsize; i++)
		out[o++] = (secret[i] >= ' ' && secret[i] < 0x7f) ? secret[i] : '?';
	out[o] = '\0';
}
