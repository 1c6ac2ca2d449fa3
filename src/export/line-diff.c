/*
 * Two texts compared line by line, as a unified diff without hunk headers:
 * the lines they share (' '), the old one's removed ('-') and the new one's
 * added ('+'), by a longest common subsequence. An Edit's old_string and
 * new_string are a few dozen lines, so the quadratic table is small; past
 * LINE_DIFF_MAX_CELLS the texts are shown whole, removed then added.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export/export.h"
#include "export/line-diff.h"
#include "util/xmalloc.h"

#define LINE_DIFF_MAX_CELLS (4u << 20)

struct lines {
	struct strbuf text;	/* the cleaned text, its newlines made NULs */
	char **v;
	size_t n;
};

static void
split(struct lines *l, const char *s)
{
	size_t i, start = 0;

	memset(l, 0, sizeof *l);
	if (s != NULL)
		export_add_text(&l->text, s);
	if (l->text.len == 0)
		return;
	l->v = xreallocarray(NULL, l->text.len + 1, sizeof *l->v);
	for (i = 0; i <= l->text.len; i++) {
		if (i == l->text.len || l->text.buf[i] == '\n') {
			l->text.buf[i] = '\0';
			l->v[l->n++] = l->text.buf + start;
			start = i + 1;
		}
	}
}

static void
lines_free(struct lines *l)
{
	strbuf_free(&l->text);
	free(l->v);
}

static void
emit(struct strbuf *sb, char kind, const char *s, export_line_fn line)
{
	line(sb, kind, s, strlen(s));
}

int
line_diff(struct strbuf *sb, const char *old_text, const char *new_text, export_line_fn line)
{
	struct lines a, b;
	uint32_t *lcs = NULL;
	size_t i = 0, j = 0, w;
	int n = 0;

	split(&a, old_text);
	split(&b, new_text);
	w = b.n + 1;
	if (a.n > 0 && b.n > 0 && (a.n + 1) * w <= LINE_DIFF_MAX_CELLS) {
		/* lcs[i * w + j]: the longest common subsequence of a[i..] and b[j..]. */
		lcs = xcalloc((a.n + 1) * w, sizeof *lcs);
		for (i = a.n; i-- > 0;) {
			for (j = b.n; j-- > 0;) {
				lcs[i * w + j] = strcmp(a.v[i], b.v[j]) == 0 ? lcs[(i + 1) * w + j + 1] + 1 :
				    lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] ? lcs[(i + 1) * w + j] :
				    lcs[i * w + j + 1];
			}
		}
		i = j = 0;
		while (i < a.n && j < b.n) {
			if (strcmp(a.v[i], b.v[j]) == 0) {
				emit(sb, ' ', a.v[i++], line);
				j++;
			} else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])
				emit(sb, '-', a.v[i++], line);
			else
				emit(sb, '+', b.v[j++], line);
			n++;
		}
	}
	for (; i < a.n; i++, n++)
		emit(sb, '-', a.v[i], line);
	for (; j < b.n; j++, n++)
		emit(sb, '+', b.v[j], line);
	free(lcs);
	lines_free(&a);
	lines_free(&b);
	return n;
}
