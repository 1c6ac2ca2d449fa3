/*
 * Text for the terminal: display width of UTF-8, one-line summaries cut to a
 * number of columns, and word wrapping. Control characters from transcripts
 * never reach the output (an escape sequence in a prompt must not drive the
 * terminal).
 */
#ifndef AL_TEXT_H
#define AL_TEXT_H

#include <stddef.h>

#include "util/strbuf.h"

/* Columns s takes on a terminal; invalid UTF-8 bytes count one column each. */
size_t text_width(const char *s);
/* Appends s on one line: whitespace runs become one space, leading and trailing
 * whitespace go. With cols > 0 the result takes at most cols columns, ending in
 * "…" when cut. */
void text_oneline(struct strbuf *sb, const char *s, int cols);
/* Appends s word-wrapped so each line, indent included, takes at most width
 * columns (words longer than a line are broken; the text always gets 8 columns
 * past the indent); every line starts with indent and ends with a newline.
 * Blank lines are kept. width <= 0 means no wrapping. */
void text_wrap(struct strbuf *sb, const char *s, const char *indent, int width);
/* Appends s padded with spaces (or cut, with "…") to exactly cols columns. */
void text_pad(struct strbuf *sb, const char *s, int cols);

#endif
