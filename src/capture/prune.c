#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "capture/prune.h"
#include "capture/quote-scan.h"

/* Shallower than cJSON's limit (1000): deeper lines go to cJSON, which decides. */
#define PRUNE_DEPTH 256
/* cJSON reads a number through a 64-byte buffer: longer ones go to cJSON too. */
#define NUMBER_MAX 63

struct pruner {
	const char *end;
	prune_keep_fn keep;
	int depth;
};

static const char *
blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int
hex4(const char *p, unsigned *code)
{
	int i;

	*code = 0;
	for (i = 0; i < 4; i++) {
		unsigned c = (unsigned char)p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		*code = *code << 4 | d;
	}
	return 0;
}

/*
 * The code point of the \u escape at p (one, or a surrogate pair: cJSON
 * refuses a lone low half and a high half without its low one) and the
 * escape's length, or 0 when it is not one cJSON takes as written. q is the
 * string's closing quote: hex digits never are one, so 6 or 12 of them in
 * range means the escape ends before it.
 */
static int
u_escape(const char *p, const char *end, unsigned *cp)
{
	unsigned hi, lo;

	if (end - p < 6 || hex4(p + 2, &hi) != 0 || (hi >= 0xdc00 && hi <= 0xdfff))
		return 0;
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = hi;
		return 6;
	}
	if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &lo) != 0 ||
	    lo < 0xdc00 || lo > 0xdfff)
		return 0;
	*cp = 0x10000 + ((hi & 0x3ff) << 10 | (lo & 0x3ff));
	return 12;
}

/*
 * What a two-byte escape (\" \\ \/ \b \f \n \r \t) stands for, by its second
 * byte; 0 for the others. A table, not a switch: a transcript's escapes are a
 * mix of \n, \" and \\ that no jump table predicts.
 */
static const char two_byte_escape[256] = {
	['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b', ['f'] = '\f', ['n'] = '\n',
	['r'] = '\r', ['t'] = '\t',
};

/* The length of the \u escape at p as cJSON takes it, or 0. */
static int
u_escape_len(const char *p, const char *end)
{
	unsigned cp;

	return end - p >= 2 && p[1] == 'u' ? u_escape(p, end, &cp) : 0;
}

/* The length of the escape at p (a backslash) as cJSON takes it, or 0 when it takes none. */
static inline int
escape_len(const char *p, const char *end)
{
	if (end - p >= 2 && two_byte_escape[(unsigned char)p[1]] != 0)
		return 2;
	return u_escape_len(p, end);
}

/*
 * Checks the string whose opening quote is at p: returns past its closing
 * quote, or NULL. *escaped: it holds escapes.
 */
static const char *
string_end(const char *p, const char *end, int *escaped)
{
	return string_scan(p, end, 1, escape_len, escaped);
}

/* The first '"', '\\' or byte below 0x20 in [p, end), or end. */
static const char *
plain_end(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
	const __m128i control = _mm_set1_epi8(0x1f);

	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		int mask = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
		    _mm_cmpeq_epi8(v, backslash)), _mm_cmpeq_epi8(_mm_min_epu8(v, control), v)));

		if (mask != 0)
			return p + __builtin_ctz((unsigned)mask);
	}
#endif
	while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
		p++;
	return p;
}

/*
 * The length of the escape at p (checked) when json_add_string writes it so:
 * \" \\ \b \f \n \r \t, and \u00xx in lower case for other control bytes
 * but NUL, which would end the decoded C string; else 0.
 */
static int
canonical_escape_len(const char *p)
{
	static const char short_form[0x20] = { ['\b'] = 1, ['\f'] = 1, ['\n'] = 1,
		['\r'] = 1, ['\t'] = 1 };
	unsigned lo;

	if (p[1] != '/' && two_byte_escape[(unsigned char)p[1]] != 0)
		return 2;
	if (p[1] != 'u' || p[2] != '0' || p[3] != '0' || (p[4] != '0' && p[4] != '1'))
		return 0;
	if (p[5] >= '0' && p[5] <= '9')
		lo = (unsigned)(p[5] - '0');
	else if (p[5] >= 'a' && p[5] <= 'f')
		lo = (unsigned)(p[5] - 'a' + 10);
	else
		return 0;
	lo |= (unsigned)(p[4] - '0') << 4;
	return lo == 0 || short_form[lo] ? 0 : 6;
}

/*
 * Decodes the checked string text [p, q) into out (q - p + 1 bytes), as
 * cJSON does; returns out. The text holds no quote but escaped ones: the
 * next stop is a backslash. Sixteen bytes are copied at once, and kept up to
 * the first backslash among them: the decoded text is never longer than the
 * text read, so the copy stays within out. With canon, also finds on the way
 * whether the text is what json_add_string writes (canonical below, in the
 * same pass): no raw control byte, only the escapes it writes.
 */
static char *
decode(char *out, const char *p, const char *q, int *canon)
{
	char *o = out;
	const char *bs;
	unsigned cp;
	int n;

	while (p < q) {
#ifdef __SSE2__
		if (q - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
			    _mm_set1_epi8('\\')));

			_mm_storeu_si128((__m128i *)(void *)o, v);
			n = mask != 0 ? __builtin_ctz(mask) : 16;
			if (canon != NULL && *canon && (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v,
			    _mm_set1_epi8(0x1f)), v)) & ((1 << n) - 1)) != 0)
				*canon = 0;
			p += n;
			o += n;
			if (mask == 0)
				continue;
		} else
#endif
		{
			bs = quote_or_backslash(p, q);
			if (canon != NULL && *canon && plain_end(p, bs) != bs)
				*canon = 0;
			memcpy(o, p, (size_t)(bs - p));
			o += bs - p;
			if ((p = bs) == q)
				break;
		}
		if (canon != NULL && *canon && canonical_escape_len(p) == 0)
			*canon = 0;
		if (p[1] != 'u') {
			*o++ = two_byte_escape[(unsigned char)p[1]];
			p += 2;
			continue;
		}
		n = u_escape(p, q, &cp);
		if (cp < 0x80)
			*o++ = (char)cp;
		else if (cp < 0x800) {
			*o++ = (char)(0xc0 | cp >> 6);
			*o++ = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			*o++ = (char)(0xe0 | cp >> 12);
			*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*o++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*o++ = (char)(0xf0 | cp >> 18);
			*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
			*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*o++ = (char)(0x80 | (cp & 0x3f));
		}
		p += n;
	}
	*o = '\0';
	return out;
}

/*
 * The string [p, q) as a C string from cJSON's allocator (the arena). With
 * canon: whether [p, q) is what json_add_string writes (canonical).
 */
static char *
string_copy(const char *p, const char *q, int escaped, int *canon)
{
	char *out = cJSON_malloc((size_t)(q - p) + 1);

	if (out == NULL)
		return NULL;
	if (canon != NULL)
		*canon = 1;
	if (escaped)
		return decode(out, p, q, canon);
	if (canon != NULL)
		*canon = plain_end(p, q) == q;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
	return out;
}

/* Adds child to the object or array parent (built ones only). */
static void
attach(cJSON *parent, const char *key, cJSON *child)
{
	if (key != NULL)
		cJSON_AddItemToObjectCS(parent, key, child);
	else
		cJSON_AddItemToArray(parent, child);
}

/*
 * The PRUNE_RAW sibling of the string whose text is [p, q), when there is one
 * to add: canon, the text is what json_add_string writes for its decoded form
 * (found while decoding it, string_copy).
 */
static int
add_raw(cJSON *parent, const char *key, const char *p, const char *q, int canon)
{
	size_t n = (size_t)(q - p);
	cJSON *raw;
	char *text;

	if (n > PRUNE_RAW_MAX || !canon)
		return 0;
	if ((text = cJSON_malloc(n + 3)) == NULL || (raw = cJSON_CreateStringReference(text)) ==
	    NULL)
		return -1;
	text[0] = '"';
	memcpy(text + 1, p, n);
	text[n + 1] = '"';
	text[n + 2] = '\0';
	raw->type = cJSON_Raw | cJSON_IsReference;
	raw->valueint = (int)(n + 2);	/* its length: at most PRUNE_RAW_MAX + 2 */
	attach(parent, key, raw);
	return 0;
}

/* A JSON number at p (the strict grammar); returns past it, or NULL. */
static const char *
number_end(const char *p, const char *end)
{
	const char *s = p;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (p < end && *p == '.') {
		if (++p == end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	return p - s <= NUMBER_MAX ? p : NULL;
}

/* The number [p, q) as cJSON reads it: strtod with the locale's decimal point. */
static cJSON *
number_node(const char *p, const char *q)
{
	char buf[NUMBER_MAX + 1], point;
	size_t i, n = (size_t)(q - p);
	const char *d = p + (*p == '-');
	double v = 0;

	/* Whole numbers of up to 15 digits (token counts) are exact in a double. */
	if (q - d <= 15) {
		for (; d < q && *d >= '0' && *d <= '9'; d++)
			v = v * 10 + (*d - '0');
		if (d == q)
			return cJSON_CreateNumber(*p == '-' ? -v : v);
	}
	point = localeconv()->decimal_point[0];
	for (i = 0; i < n; i++)
		buf[i] = p[i] == '.' ? point : p[i];
	buf[n] = '\0';
	return cJSON_CreateNumber(strtod(buf, NULL));
}

/*
 * Whether [p, q) holds a NUL byte: keys are a few bytes long, too short for
 * memchr's call. One look at sixteen bytes when the line has them (end).
 */
static int
has_nul(const char *p, const char *q, const char *end)
{
#ifdef __SSE2__
	if (q - p <= 16 && end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));

		return (mask & ((1u << (q - p)) - 1)) != 0;
	}
#endif
	(void)end;
	while (p < q && *p != '\0')
		p++;
	return p < q;
}

static int value(struct pruner *s, const char **pp, cJSON **out, int whole, int *canon);

/*
 * The members or elements of the object or array at *pp ('{' or '['). Built
 * into *out when out is given: whole, or with the members keep names.
 */
static int
container(struct pruner *s, const char **pp, cJSON **out, int whole)
{
	const char *p = *pp, *q, *v;
	int object = *p == '{', escaped, child_whole, canon;
	char close = object ? '}' : ']', *key = NULL;
	enum prune_use use;
	cJSON *node = NULL, *child, **childp;

	if (++s->depth > PRUNE_DEPTH)
		return -1;
	if (out != NULL && (node = *out = object ? cJSON_CreateObject() : cJSON_CreateArray()) ==
	    NULL)
		return -1;
	p = blanks(p + 1, s->end);
	if (p < s->end && *p == close) {
		*pp = p + 1;
		s->depth--;
		return 0;
	}
	for (;;) {
		childp = out != NULL ? &child : NULL;
		child_whole = whole;
		use = PRUNE_KEEP;
		if (object) {
			if (p == s->end || *p != '"' || (q = string_end(p, s->end, &escaped)) == NULL)
				return -1;
			/*
			 * Keys with escapes, or a NUL byte (cJSON's key ends there), are
			 * rare: cJSON decides those lines.
			 */
			if (escaped || has_nul(p + 1, q - 1, s->end))
				return -1;
			use = out == NULL || whole ? PRUNE_WHOLE : s->keep(p + 1, (size_t)(q - p - 2));
			if (use == PRUNE_DROP)
				childp = NULL;
			else if (out != NULL && (key = string_copy(p + 1, q - 1, 0, NULL)) == NULL)
				return -1;
			child_whole = whole || use == PRUNE_WHOLE;
			p = blanks(q, s->end);
			if (p == s->end || *p != ':')
				return -1;
			p = blanks(p + 1, s->end);
		}
		v = p;
		canon = 0;
		if (value(s, &p, childp, child_whole, use == PRUNE_RAW ? &canon : NULL) != 0)
			return -1;
		if (childp != NULL)
			attach(node, object ? key : NULL, child);
		if (childp != NULL && use == PRUNE_RAW && *v == '"' &&
		    add_raw(node, key, v + 1, p - 1, canon) != 0)
			return -1;
		p = blanks(p, s->end);
		if (p < s->end && *p == ',') {
			p = blanks(p + 1, s->end);
			continue;
		}
		if (p < s->end && *p == close)
			break;
		return -1;
	}
	*pp = p + 1;
	s->depth--;
	return 0;
}

/*
 * Checks the value at *pp and moves past it; builds it into *out when out is
 * given. canon (a string's, when given): see string_copy.
 */
static int
value(struct pruner *s, const char **pp, cJSON **out, int whole, int *canon)
{
	const char *p = *pp, *q = NULL, *end = s->end;
	cJSON *node = NULL;
	int escaped;
	char *str;

	if (p == end)
		return -1;
	switch (*p) {
	case '{':
	case '[':
		return container(s, pp, out, whole);
	case '"':
		if ((q = string_end(p, end, &escaped)) == NULL)
			return -1;
		if (out != NULL) {
			if ((str = string_copy(p + 1, q - 1, escaped, canon)) == NULL)
				return -1;
			node = cJSON_CreateStringReference(str);
		}
		break;
	case 't':
		if (end - p >= 4 && memcmp(p, "true", 4) == 0)
			q = p + 4;
		if (q != NULL && out != NULL)
			node = cJSON_CreateTrue();
		break;
	case 'f':
		if (end - p >= 5 && memcmp(p, "false", 5) == 0)
			q = p + 5;
		if (q != NULL && out != NULL)
			node = cJSON_CreateFalse();
		break;
	case 'n':
		if (end - p >= 4 && memcmp(p, "null", 4) == 0)
			q = p + 4;
		if (q != NULL && out != NULL)
			node = cJSON_CreateNull();
		break;
	default:
		if ((q = number_end(p, end)) != NULL && out != NULL)
			node = number_node(p, q);
		break;
	}
	if (q == NULL || (out != NULL && (*out = node) == NULL))
		return -1;
	*pp = q;
	return 0;
}

int
prune_parse_objects(const char *line, size_t len, prune_keep_fn keep, cJSON **objs, int max)
{
	struct pruner s = { line + len, keep, 0 };
	const char *p = line;
	int n = 0;

	for (;;) {
		p = blanks(p, s.end);
		if (p == s.end)
			return n > 0 ? n : -1;
		if (n == max || *p != '{' || value(&s, &p, &objs[n], 0, NULL) != 0)
			return -1;
		n++;
	}
}
