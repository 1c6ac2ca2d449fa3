/*
 * The browser's marks of what a push would redact (redact-marks.h). The
 * wrap has already cut the text into lines; the runs of lines it cut inside
 * a word are joined back, so a marking never depends on where the pane's
 * edge fell.
 */
#include "config.h"

#include <stdlib.h>

#include "ui/redact-marks.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

/*
 * Where line l's text goes on after its indent: spaces, and the bytes of
 * the "│" thinking is drawn behind (no secret holds a byte >= 0x80).
 */
static size_t
after_indent(const struct rline *l)
{
	size_t head = 0;

	while (head < l->text.len && (l->text.buf[head] == ' ' || (unsigned char)l->text.buf[head] >= 0x80))
		head++;
	return head;
}

/*
 * Lines [i, j): the wrap cut a word too long for the pane at the end of
 * each but the last. Their texts joined (each after its indent) are what
 * was written before the wrap: scanned once, each span marked on every line
 * it reaches, however many lines a long key takes.
 */
static void
mark_chain(const struct redactor *r, struct redact_spans *spans, struct textbuf *tb, size_t i,
    size_t j)
{
	struct strbuf joined = STRBUF_INIT;
	size_t *at = xcalloc(j - i + 1, sizeof *at), *head = xcalloc(j - i, sizeof *head), k, p;
	char err[ERRLEN];

	for (p = 0; p < j - i; p++) {
		const struct rline *l = &tb->lines[i + p];
		head[p] = p == 0 ? 0 : after_indent(l);
		at[p] = joined.len;
		strbuf_add(&joined, l->text.buf + head[p], l->text.len - head[p]);
	}
	at[j - i] = joined.len;
	if (joined.len > 0 && redact_find(r, joined.buf, joined.len, spans, err) == 0) {
		for (k = 0; k < spans->n; k++) {
			const struct redact_span *sp = &spans->v[k];
			for (p = 0; p < j - i; p++) {
				size_t from = sp->start > at[p] ? sp->start : at[p];
				size_t to = sp->end < at[p + 1] ? sp->end : at[p + 1];
				if (from < to)
					rline_mark(&tb->lines[i + p], head[p] + from - at[p],
					    head[p] + to - at[p], ROLE_REDACTED);
			}
		}
	}
	free(at);
	free(head);
	strbuf_free(&joined);
}

/* Whether the wrap cut line l inside a word: it fills the pane and ends with no space. */
static int
cut_in_word(const struct rline *l, int cols)
{
	return l->width >= cols && l->text.len > 0 && l->text.buf[l->text.len - 1] != ' ';
}

void
redact_marks(const struct redactor *r, struct redact_spans *spans, struct textbuf *tb, int cols)
{
	size_t i = 0, j;

	while (r != NULL && i < tb->n) {
		for (j = i + 1; j < tb->n && cut_in_word(&tb->lines[j - 1], cols); j++)
			;
		mark_chain(r, spans, tb, i, j);
		i = j;
	}
}
