/*
 * A commit's display order as people read it: where it stands in its
 * project's list ("4th of 12, after Fix the parser"), not the raw number an
 * order conflict holds.
 */
#ifndef AL_STORE_ORDER_POSITION_H
#define AL_STORE_ORDER_POSITION_H

#include <stddef.h>

struct store;

/*
 * "4th of 12, after <after>", or "1st of 12, at the top" when after is NULL
 * (nothing comes before it). Truncated to size.
 */
void order_position_words(char *out, size_t size, long long pos, long long total,
    const char *after);

/*
 * Where the commit would stand with display_order `order`, among its
 * project's other shown commits (not hidden, not deleted) in the browser's
 * order (display_order, then started_at, newest first), as words, newly
 * allocated; NULL when the commit is not here (err empty) or on error (err).
 */
char *order_position(struct store *st, const char *commit_id, long long order, char *err);

#endif
