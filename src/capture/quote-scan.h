/*
 * The scan under every JSON string the import reads: the first '"' or '\\'
 * from a position. Strings are most of a transcript's bytes, and tool output
 * holds an escape every line or so: sixteen bytes are looked at a time.
 * Shared by the pruned parse (capture/prune.c) and the type peek
 * (capture/jsonl.c).
 */
#ifndef AL_QUOTE_SCAN_H
#define AL_QUOTE_SCAN_H

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The first '"' or '\\' in [p, end), or end. */
static inline const char *
quote_or_backslash(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');

	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
		    _mm_cmpeq_epi8(v, backslash)));

		if (mask != 0)
			return p + __builtin_ctz((unsigned)mask);
	}
#endif
	while (p < end && *p != '"' && *p != '\\')
		p++;
	return p;
}

#endif
