/* Two texts compared line by line (export/line-diff.c). */
#ifndef AL_EXPORT_LINE_DIFF_H
#define AL_EXPORT_LINE_DIFF_H

#include "export/export.h"

/*
 * The lines of old_text and new_text (blank lines around each dropped) to
 * line() as a unified diff: ' ' shared, '-' removed, '+' added, in order.
 * Returns how many lines; either text may be NULL (empty).
 */
int line_diff(struct strbuf *sb, const char *old_text, const char *new_text, export_line_fn line);

#endif
