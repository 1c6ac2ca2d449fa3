/*
 * The scans under every JSON string the import reads: the first '"' or '\\'
 * from a position, and the end of a string. Strings are most of a
 * transcript's bytes, and tool output holds an escape every line or so:
 * sixteen bytes are looked at a time. Shared by the pruned parse
 * (capture/prune.c) and the type peek (capture/jsonl.c).
 */
#ifndef AL_QUOTE_SCAN_H
#define AL_QUOTE_SCAN_H

#include <stdint.h>
#include <string.h>
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
 * string_scan below goes by 64-byte blocks and comes here for \u escapes.
 */
static inline __attribute__((always_inline)) const char *
string_scan_stops(const char *p, const char *end, int (*escape)(const char *, const char *),
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

#ifdef __SSE2__
/*
 * The bytes of a 64-byte block an escape makes literal, from the block's
 * backslashes: a run of backslashes escapes the byte after it when the run
 * is odd. simdjson's branchless form: adding each odd-position run start to
 * the run carries through the run, so the parity of where the carry lands
 * tells an odd run from an even one. *carry: the block before ended in an
 * escaping backslash (its byte is this block's first).
 */
static inline uint64_t
escaped_bytes(uint64_t backslash, uint64_t *carry)
{
	const uint64_t odd_bits = 0xAAAAAAAAAAAAAAAAull;
	uint64_t potential, code, escaped;

	if (backslash == 0) {
		escaped = *carry;
		*carry = 0;
		return escaped;
	}
	potential = backslash & ~*carry;
	code = (((potential << 1) | odd_bits) - potential) ^ odd_bits;
	escaped = code ^ (backslash | *carry);
	*carry = (code & backslash) >> 63;
	return escaped;
}

/* The movemask of the 16 bytes at p equal to c, placed at bit shift. */
#define QS_MASK(v, c, shift) \
	((uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8((v), _mm_set1_epi8(c))) << (shift))

/*
 * The 64 bytes at p, or, when fewer are left before end, a copy of them in
 * tail padded with NULs (no byte a scan stops at); NULL once p reaches end.
 */
static inline const char *
qs_block64(const char *p, const char *end, char tail[64])
{
	if (end - p >= 64)
		return p;
	if (p >= end)
		return NULL;
	memset(tail, 0, 64);
	memcpy(tail, p, (size_t)(end - p));
	return tail;
}

/*
 * string_scan by blocks of 64 bytes: one mask each of quotes, backslashes
 * and (check) 'n', the escaped bytes from the backslashes without a branch
 * per escape, the closing quote the first quote not escaped. Most of a
 * transcript's bytes are in strings with an escape every 13 bytes or so,
 * where stopping at each one (string_scan) costs a mispredicted branch or
 * two. check: escapes are checked as cJSON takes them (\" \\ \/ \b \f \n \r
 * \t; a \u sets *slow, for string_scan to decide); else a backslash takes
 * any byte along. Returns past the closing quote, or NULL.
 */
static inline __attribute__((always_inline)) const char *
string_scan_blocks(const char *p, const char *end, int check, int *escaped, int *slow)
{
	char tail[64];
	const char *b;
	uint64_t quote, backslash, letter_n, esc, closing, before, odd, carry = 0, any = 0;
	unsigned i;
	int k;

	for (p++;; p += 64) {
		if ((b = qs_block64(p, end, tail)) == NULL)
			return NULL;
		quote = backslash = letter_n = 0;
		for (k = 0; k < 4; k++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));

			quote |= QS_MASK(v, '"', 16 * k);
			backslash |= QS_MASK(v, '\\', 16 * k);
			if (check)
				letter_n |= QS_MASK(v, 'n', 16 * k);
		}
		esc = escaped_bytes(backslash, &carry);
		closing = quote & ~esc;
		before = closing != 0 ? (closing & -closing) - 1 : ~0ull;
		any |= backslash & before;
		/* The escapes but \" \\ \n, rarer: each checked alone. */
		odd = check ? esc & before & ~(quote | backslash | letter_n) : 0;
		while (odd != 0) {
			i = (unsigned)__builtin_ctzll(odd);
			switch (b[i]) {
			case '/': case 'b': case 'f': case 'r': case 't':
				break;
			case 'u':
				*slow = 1;
				return NULL;
			default:
				return NULL;
			}
			odd &= odd - 1;
		}
		if (closing != 0) {
			*escaped = any != 0;
			return p + __builtin_ctzll(closing) + 1;
		}
		if (b == tail)
			return NULL;
	}
}
#undef QS_MASK
#endif

/*
 * Past the closing quote of the string whose opening quote is at p, or NULL
 * (as string_scan_stops). check: escape is cJSON's (escapes are checked),
 * else it takes any byte after a backslash. A short string without escapes
 * (a key, an id) ends within its first sixteen bytes: that block is looked
 * at first; longer ones go by blocks of 64 (string_scan_blocks).
 */
static inline __attribute__((always_inline)) const char *
string_scan(const char *p, const char *end, int check,
    int (*escape)(const char *, const char *), int *escaped)
{
#ifdef __SSE2__
	const char *q;
	int slow = 0;

	if (end - p > 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v,
		    _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));

		if (mask != 0 && p[1 + __builtin_ctz(mask)] == '"') {
			*escaped = 0;
			return p + 2 + __builtin_ctz(mask);
		}
	}
	q = string_scan_blocks(p, end, check, escaped, &slow);
	if (!slow)
		return q;
#endif
	return string_scan_stops(p, end, escape, escaped);
}

#endif
