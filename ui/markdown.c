#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui/markdown.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define BULLET "\xe2\x80\xa2 "	/* U+2022 */
#define CODE_INDENT "    "

/* A fence line (```, ~~~, with or without a language): its mark, or NULL. */
static const char *
fence_of(const char *line)
{
	line += strspn(line, " ");
	if (strncmp(line, "```", 3) == 0)
		return "```";
	if (strncmp(line, "~~~", 3) == 0)
		return "~~~";
	return NULL;
}

/* line without paired ** and __ marks (a mark with no partner on the line stays). */
static void
strip_strong(struct strbuf *out, const char *line)
{
	static const char *const marks[] = { "**", "__" };
	const char *p = line, *open, *close;
	size_t i;

	while (*p != '\0') {
		open = NULL;
		for (i = 0; i < 2; i++) {
			const char *m = strstr(p, marks[i]);

			if (m != NULL && (open == NULL || m < open) &&
			    (close = strstr(m + 2, marks[i])) != NULL && close > m + 2)
				open = m;
		}
		if (open == NULL)
			break;
		close = strstr(open + 2, open[0] == '*' ? "**" : "__");
		strbuf_add(out, p, (size_t)(open - p));
		strbuf_add(out, open + 2, (size_t)(close - open - 2));
		p = close + 2;
	}
	strbuf_adds(out, p);
}

static void
prose_line(struct textbuf *tb, const char *line, const char *indent, int cols)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = line + strspn(line, " ");
	size_t hashes = strspn(p, "#");
	enum color_role role = ROLE_DEFAULT;

	if (hashes >= 1 && hashes <= 6 && (p[hashes] == ' ' || p[hashes] == '\0')) {
		p += hashes + strspn(p + hashes, " ");
		role = ROLE_LABEL;
		strip_strong(&out, p);
	} else if ((*p == '-' || *p == '*' || *p == '+') && p[1] == ' ') {
		/* The item's own indentation (a nested list) is kept before its bullet. */
		strbuf_add(&out, line, (size_t)(p - line));
		strbuf_adds(&out, BULLET);
		strip_strong(&out, p + 2);
	} else
		strip_strong(&out, line);
	if (out.len == 0)
		textbuf_line(tb);	/* a blank line stays one */
	else
		textbuf_wrap(tb, role, out.buf, ROLE_DEFAULT, indent, cols, -1);
	strbuf_free(&out);
}

void
markdown_wrap(struct textbuf *tb, const char *text, const char *indent, int cols)
{
	const char *p, *nl, *open = NULL;
	char *line, *code_indent = xprintf("%s%s", indent, CODE_INDENT);

	for (p = text; p != NULL && *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		line = xstrndup(p, (size_t)(nl - p));
		if (open == NULL && fence_of(line) != NULL)
			open = fence_of(line);	/* its fence shows nothing */
		else if (open != NULL && fence_of(line) != NULL &&
		    strncmp(line + strspn(line, " "), open, 3) == 0)
			open = NULL;
		else if (open != NULL) {
			if (*line == '\0')
				textbuf_line(tb);
			else
				textbuf_wrap(tb, ROLE_TOOL_OUTPUT, line, ROLE_DEFAULT, code_indent, cols, -1);
		} else
			prose_line(tb, line, indent, cols);
		free(line);
	}
	free(code_indent);
}
