/*
 * The redactor's invariants on any text, shared by the fuzz target
 * (fuzz-redact.c) and the unit test (test-redact.c): spans in order, in
 * bounds, apart; no secret found survives redaction; redacting the result
 * again changes nothing. Returns 0, or a number saying which failed.
 */
#ifndef AL_TESTS_REDACT_CHECK_H
#define AL_TESTS_REDACT_CHECK_H

#define _GNU_SOURCE 1
#include <stdlib.h>
#include <string.h>

#include "privacy/redact.h"
#include "util/log.h"

/* Whether s[0, n) is in text where no span covers it (a copy not found as a secret). */
static int
redact_check_outside(const char *text, size_t len, const struct redact_spans *sp, const char *s,
    size_t n)
{
	char *blanked = malloc(len + 1);
	size_t i, k;
	int found;

	memcpy(blanked, text, len);
	for (i = 0; i < sp->n; i++) {
		for (k = sp->v[i].start; k < sp->v[i].end; k++)
			blanked[k] = '\1';
	}
	found = memmem(blanked, len, s, n) != NULL;
	free(blanked);
	return found;
}

static int
redact_check(const struct redactor *r, const char *text, size_t len)
{
	struct redact_spans sp = { 0 };
	char err[ERRLEN], *out, *again;
	size_t n, n2, i, prev = 0;
	int bad = 0;

	if (redact_find(r, text, len, &sp, err) != 0)
		return 1;
	for (i = 0; i < sp.n && !bad; i++) {
		if (sp.v[i].start < prev || sp.v[i].end <= sp.v[i].start || sp.v[i].end > len)
			bad = 2;
		prev = sp.v[i].end;
	}
	if (bad == 0 && (out = redact_text(r, text, len, &n, err)) != NULL) {
		for (i = 0; i < sp.n && !bad; i++) {
			const char *s = text + sp.v[i].start;
			size_t sn = sp.v[i].end - sp.v[i].start;
			/* Short ones and ones made of what a redaction writes may well recur. */
			if (sn >= 8 && memchr(s, '[', sn) == NULL && memchr(s, ']', sn) == NULL &&
			    memchr(s, ':', sn) == NULL && memmem(out, n, s, sn) != NULL &&
			    !redact_check_outside(text, len, &sp, s, sn))
				bad = 3;
		}
		if (!bad && ((again = redact_text(r, out, n, &n2, err)) == NULL || n2 != n ||
		    memcmp(again, out, n) != 0))
			bad = 4;
		if (!bad)
			free(again);
		free(out);
	} else if (bad == 0)
		bad = 5;
	redact_spans_free(&sp);
	return bad;
}

#endif
