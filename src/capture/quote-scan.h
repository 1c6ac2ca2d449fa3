/*
 * The scans under every JSON string the import reads: the first '"' or '\\'
 * from a position, and the end of a string. Strings are most of a
 * transcript's bytes, and tool output holds an escape every line or so:
 * sixteen bytes are looked at a time. Shared by the pruned parse
 * (capture/prune.c) and the type peek (capture/jsonl.c).
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

/*
 * Past the closing quote of the string whose opening quote is at p, or NULL
 * when it has none or escape refuses one of its escapes. escape(q, end) is
 * the length of the escape at q (a backslash), 0 for a bad one. *escaped:
 * the string holds escapes. A transcript's strings stop every 13 bytes or so
 * (an escape, mostly \n and \", or the closing quote): every stop in a block
 * of sixteen bytes is taken from that block's one mask, not found by a scan
 * of its own. Always inlined: escape becomes a direct call, itself inlined.
 */
static inline __attribute__((always_inline)) const char *
string_scan(const char *p, const char *end, int (*escape)(const char *, const char *),
    int *escaped)
{
	int n;

	*escaped = 0;
	p++;
#ifdef __SSE2__
	{
		const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
		__m128i v;
		unsigned mask, i, next;

		while (end - p >= 16) {
			v = _mm_loadu_si128((const __m128i *)(const void *)p);
			mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
			    _mm_cmpeq_epi8(v, backslash)));
			next = 16;
			while (mask != 0) {
				i = (unsigned)__builtin_ctz(mask);
				if (p[i] == '"')
					return p + i + 1;
				*escaped = 1;
				if ((n = escape(p + i, end)) == 0)
					return NULL;
				if ((next = i + (unsigned)n) >= 16)
					break;
				mask &= ~0u << next;
				next = 16;
			}
			p += next;
		}
	}
#endif
	for (;;) {
		if ((p = quote_or_backslash(p, end)) == end)
			return NULL;
		if (*p == '"')
			return p + 1;
		*escaped = 1;
		if ((n = escape(p, end)) == 0)
			return NULL;
		p += n;
	}
}

#endif
