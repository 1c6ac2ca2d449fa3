/*
 * A turn's text as light Markdown, the way a reader wants an answer shown:
 * headings (# ...) in the label colour without their marks, **strong** and
 * __strong__ without theirs, list items (-, *, +) with a bullet, and fenced
 * code in the tool-output colour, indented, its fences gone. Anything else,
 * and anything unclosed, stays as written.
 */
#ifndef AL_UI_MARKDOWN_H
#define AL_UI_MARKDOWN_H

#include "ui/draw.h"

/* Appends text to tb wrapped to cols, each line after indent. */
void markdown_wrap(struct textbuf *tb, const char *text, const char *indent, int cols);

#endif
