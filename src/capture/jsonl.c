#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/jsonl.h"
#include "capture/quote-scan.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define CHUNK (1u << 20)

int
jsonl_open(struct jsonl_reader *r, const char *path, int64_t offset, char *err)
{
	memset(r, 0, sizeof *r);
	r->max_line = JSONL_MAX_LINE;
	if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return seterr(err, "cannot read %s: %s", path, strerror(errno));
	if (offset > 0 && lseek(r->fd, (off_t)offset, SEEK_SET) == (off_t)-1) {
		close(r->fd);
		r->fd = -1;
		return seterr(err, "cannot seek in %s: %s", path, strerror(errno));
	}
	r->buf_offset = offset;
	r->cap = CHUNK;
	r->buf = xmalloc(r->cap);
	return 0;
}

void
jsonl_close(struct jsonl_reader *r)
{
	if (r->fd != -1)
		close(r->fd);
	free(r->buf);
	memset(r, 0, sizeof *r);
	r->fd = -1;
}

/* Moves the unread bytes to the front and reads more; 0 at end of file. */
static int
fill(struct jsonl_reader *r, char *err)
{
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->buf_offset += (int64_t)r->start;
		r->end -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end < CHUNK / 2) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n == -1 && errno == EINTR);
	if (n < 0)
		return seterr(err, "read error: %s", strerror(errno));
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return (int)(n > 0);
}

char *
jsonl_take_buffer(struct jsonl_reader *r, size_t *size)
{
	char *old = r->buf;
	size_t unread = r->end - r->start;

	*size = r->cap;
	r->cap = unread > CHUNK ? unread : CHUNK;
	r->buf = xmalloc(r->cap);
	memcpy(r->buf, old + r->start, unread);
	r->buf_offset += (int64_t)r->start;
	r->end = unread;
	r->start = 0;
	return old;
}

enum jsonl_status
jsonl_next(struct jsonl_reader *r, const char **line, size_t *len, int64_t *line_end,
    char *err)
{
	char *nl;
	size_t scanned = 0;
	int rc;

	for (;;) {
		nl = memchr(r->buf + r->start + scanned, '\n', r->end - r->start - scanned);
		if (nl != NULL) {
			size_t l = (size_t)(nl - (r->buf + r->start));
			*line = r->buf + r->start;
			*len = l;
			r->start += l + 1;
			*line_end = r->buf_offset + (int64_t)r->start;
			if (r->skipping) {
				r->skipping = 0;
				return JSONL_TOO_LONG;
			}
			return JSONL_LINE;
		}
		scanned = r->end - r->start;
		if (scanned > r->max_line) {
			/* Drop what we hold of the monster line and keep looking for its end. */
			r->skipping = 1;
			r->start = r->end;
			scanned = 0;
		}
		if (r->eof || (rc = fill(r, err)) == 0) {
			*line = r->buf + r->start;
			*len = r->skipping ? 0 : r->end - r->start;
			*line_end = r->buf_offset + (int64_t)r->start;
			return JSONL_END;
		}
		if (rc < 0)
			return JSONL_ERROR;
	}
}

/*
 * Where a record may start again after one that broke off at err: a crash
 * leaves a record cut short, and the resumed session writes the next one on
 * the same line. It starts at the '{' just before err (the cut was inside a
 * string: err is its first key) or at err itself, else at the next `{"`.
 */
/* Forgets the in-place strings (capture/bigline.h) of this thread's arena. */
static void
unplace_current(void)
{
	struct arena *a = arena_use(NULL);

	arena_use(a);
	if (a != NULL)
		arena_unplace(a);
}

static const char *
resync(const char *from, const char *err, const char *end)
{
	const char *q;

	if (err == NULL || err <= from || err > end)
		return NULL;
	for (q = err; q > from && err - q < 4 && *q != '{'; q--)
		;
	if (q > from && *q == '{' && q + 1 < end && q[1] == '"')
		return q;
	for (q = err; (q = memchr(q, '{', (size_t)(end - q))) != NULL && q + 1 < end; q++) {
		if (q[1] == '"')
			return q;
	}
	return NULL;
}

int
jsonl_parse_objects(const char *line, size_t len, cJSON **objs, int max, int *nparsed)
{
	const char *p = line, *end = line + len, *parse_end = NULL, *next;
	int broken = 0;
	cJSON *obj;

	*nparsed = 0;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		if (p == end)
			return *nparsed > 0 && !broken ? *nparsed : -1;
		if (*nparsed == max)
			return -1;
		parse_end = NULL;
		obj = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &parse_end, 0);
		if (obj != NULL && cJSON_IsObject(obj) && parse_end != NULL && parse_end > p) {
			objs[(*nparsed)++] = obj;
			p = parse_end;
			continue;
		}
		/* Objects live in the caller's arena: a failed one is dropped with it. */
		if (obj != NULL || (next = resync(p, parse_end, end)) == NULL || next <= p)
			return -1;
		/* Strings to decode in place were found from the start of the line:
		 * after a cut they may not be where this parse sees strings. */
		unplace_current();
		broken = 1;	/* the line stays malformed; what follows the cut is kept */
		p = next;
	}
}

static pthread_key_t scratch_key;

static void
free_scratch(void *arena)
{
	arena_free(arena);
}

static void
make_scratch_key(void)
{
	pthread_key_create(&scratch_key, free_scratch);
}

/* Each thread's arena for jsonl_parse_line, freed when the thread ends. */
static struct arena *
scratch_arena(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct arena *a;

	pthread_once(&once, make_scratch_key);
	if ((a = pthread_getspecific(scratch_key)) == NULL) {
		a = arena_new();
		pthread_setspecific(scratch_key, a);
	}
	return a;
}

int
jsonl_parse_line(const char *line, size_t len, jsonl_object_fn fn, void *arg)
{
	struct arena *scratch = scratch_arena();
	cJSON *objs[JSONL_MAX_OBJECTS];
	struct arena *prev;
	int n, parsed, i, rc;

	prev = arena_use(scratch);
	rc = n = jsonl_parse_objects(line, len, objs, JSONL_MAX_OBJECTS, &parsed);
	arena_use(prev);
	/* Objects before a broken one are still delivered. */
	for (i = 0; i < parsed; i++) {
		if (fn != NULL && fn(objs[i], arg) != 0) {
			rc = n < 0 ? -1 : i + 1;
			break;
		}
	}
	arena_reset(scratch);
	return rc;
}

/* A backslash takes the byte after it along (escapes are cJSON's to check). */
static int
any_escape(const char *p, const char *end)
{
	return end - p >= 2 ? 2 : 0;
}

/* Skips a JSON string starting at its opening quote; returns past the closing quote. */
static const char *
skip_string(const char *p, const char *end)
{
	int escaped;

	return string_scan(p, end, 0, any_escape, &escaped);
}

/* skip_container's byte walk: a bracket at a time, strings skipped whole. */
static const char *
skip_container_bytes(const char *p, const char *end)
{
	int depth = 0;

	for (; p < end; p++) {
		switch (*p) {
		case '"':
			if ((p = skip_string(p, end)) == NULL)
				return NULL;
			p--;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return p + 1;
			break;
		default:
			break;
		}
	}
	return NULL;
}

/*
 * The bits set in x: x86-64's baseline has no popcnt instruction, and the
 * compiler's fallback is a libgcc call.
 */
static inline int
bits_set(uint64_t x)
{
	x -= x >> 1 & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + (x >> 2 & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (int)((x * 0x0101010101010101ull) >> 56);
}

/*
 * Past the ']' or '}' closing the array or object that opens at p, as the
 * peek's byte walk below would find it (brackets and braces counted alike
 * outside strings, a backslash in a string taking the byte after it), or
 * NULL when the line ends first. Nested values are most of a dropped line
 * (a progress record's data) and of an assistant line before its "type"
 * (the message): 64 bytes at a time, the strings from the masks of quotes
 * and backslashes, the depth from the counts of brackets; only a block where
 * the depth may come back to zero is walked bracket by bracket. A backslash
 * outside a string (never in a transcript) is the byte walk's to take.
 */
static const char *
skip_container(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote_c = _mm_set1_epi8('"'), backslash_c = _mm_set1_epi8('\\');
	const __m128i case_bit = _mm_set1_epi8(0x20);
	const __m128i open_c = _mm_set1_epi8('{'), close_c = _mm_set1_epi8('}');
	uint64_t quote, backslash, open, close, esc, in, carry = 0, was_in = 0, marks;
	const char *b, *start = p;
	char tail[64];
	int64_t depth = 0;
	unsigned i;
	int k;

	for (;; p += 64) {
		if ((b = qs_block64(p, end, tail)) == NULL)
			return NULL;
		quote = backslash = open = close = 0;
		for (k = 0; k < 4; k++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
			/* '[' and ']' are '{' and '}' without the 0x20 bit */
			__m128i folded = _mm_or_si128(v, case_bit);

			quote |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote_c)) << 16 * k;
			backslash |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
			    backslash_c)) << 16 * k;
			open |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(folded,
			    open_c)) << 16 * k;
			close |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(folded,
			    close_c)) << 16 * k;
		}
		esc = escaped_bytes(backslash, &carry);
		/* in a string: from its opening quote up to its closing one (a prefix xor) */
		in = quote & ~esc;
		in ^= in << 1;
		in ^= in << 2;
		in ^= in << 4;
		in ^= in << 8;
		in ^= in << 16;
		in ^= in << 32;
		in ^= was_in;
		was_in = (uint64_t)((int64_t)in >> 63);
		if ((backslash & ~in) != 0)
			break;
		open &= ~in;
		close &= ~in;
		if (depth > bits_set(close)) {
			depth += bits_set(open) - bits_set(close);
		} else {
			for (marks = open | close; marks != 0; marks &= marks - 1) {
				i = (unsigned)__builtin_ctzll(marks);
				depth += (open >> i & 1) != 0 ? 1 : -1;
				if (depth == 0)
					return p + i + 1;
			}
		}
		if (b == tail)
			return NULL;
	}
	p = start;
#endif
	return skip_container_bytes(p, end);
}

int
jsonl_peek_type(const char *line, size_t len, char *out, size_t outlen, int *single,
    int (*stop_at)(const char *type))
{
	const char *p = line, *end = line + len, *val = NULL, *q;
	size_t vlen = 0;
	int depth = 0, expect_key = 1, want = 0;

	*single = 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != '{')
		return -1;
	for (; p < end; p++) {
		switch (*p) {
		case '"':
			q = skip_string(p, end);
			if (q == NULL)
				return -1;
			if (depth == 1 && expect_key) {
				want = (size_t)(q - p) == 6 && memcmp(p + 1, "type", 4) == 0;
				expect_key = 0;
			} else if (depth == 1 && want && val == NULL) {
				val = p + 1;
				vlen = (size_t)(q - p) - 2;
				if (vlen >= outlen || memchr(val, '\\', vlen) != NULL)
					return -1;
				memcpy(out, val, vlen);
				out[vlen] = '\0';
				/* Records the caller parses anyway need no scan to the end. */
				if (stop_at != NULL && stop_at(out)) {
					*single = -1;
					return (int)vlen;
				}
			}
			p = q - 1;
			break;
		case '{':
		case '[':
			/* a nested value: nothing in it is looked at */
			if (depth >= 1) {
				if ((q = skip_container(p, end)) == NULL)
					return -1;
				p = q - 1;
				break;
			}
			depth++;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				goto done;
			break;
		case ',':
			if (depth == 1) {
				expect_key = 1;
				want = 0;
			}
			break;
		default:
			break;
		}
	}
	return -1;
done:
	for (p++; p < end && (*p == ' ' || *p == '\t' || *p == '\r'); p++)
		;
	*single = p == end;
	return val == NULL ? -1 : (int)vlen;
}

size_t
jsonl_drop_member(char *line, size_t len, const char *key)
{
	char *p = line, *end = line + len, *comma = NULL, *from = NULL, *to;
	const char *q;
	size_t klen = strlen(key);
	int depth = 0, expect_key = 1;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != '{')
		return len;
	for (; p < end; p++) {
		switch (*p) {
		case '"':
			if ((q = skip_string(p, end)) == NULL)
				return len;
			if (depth == 1 && expect_key) {
				if (from == NULL && (size_t)(q - p) == klen + 2 &&
				    memcmp(p + 1, key, klen) == 0)
					from = comma != NULL ? comma : p;
				expect_key = 0;
			}
			p += q - p - 1;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth > 0)
				break;
			if (from == NULL)
				return len;
			to = p;	/* the last member: its comma before it goes too */
			goto cut;
		case ',':
			if (depth != 1)
				break;
			if (from != NULL) {
				/* The first member takes the comma after it instead. */
				to = from == comma ? p : p + 1;
				goto cut;
			}
			comma = p;
			expect_key = 1;
			break;
		default:
			break;
		}
	}
	return len;
cut:
	memmove(from, to, (size_t)(end - to));
	return len - (size_t)(to - from);
}
