#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"
#include "util/log.h"

/*
 * How many bytes each byte becomes inside a JSON string literal: \u00XX for
 * control characters, two for \" \\ \b \t \n \f \r. A constant, not built on
 * first use: two threads escaping at once would measure with a half-built table.
 */
static const unsigned char escaped_len[256] = {
	6, 6, 6, 6, 6, 6, 6, 6, 2, 2, 2, 6, 2, 2, 6, 6,	/* 0x00 */
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,	/* 0x10 */
	1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x20 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x30 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1,	/* 0x50 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x70 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x80 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x90 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0xa0 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0xb0 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0xc0 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0xd0 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0xe0 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0xf0 */
};

/*
 * Nonzero when one of the eight bytes in w needs escaping: below 0x20, '"'
 * or '\\' (the classic "has a zero byte" and "has a byte less than n" bit
 * tests; a false alarm only sends the word the slow way).
 */
static uint64_t
special_in(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');

	return (((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) |
	    ((backslash - ones) & ~backslash)) & high;
}

void
json_add_string(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end;
	size_t len = strlen(s), skip;
	uint64_t w, bits;
	char *out;

	/*
	 * Room for the string unescaped; an escape asks for its own. Tool
	 * results run to megabytes with few escapes: eight bytes are copied at
	 * a time while none of them needs one.
	 */
	strbuf_grow(sb, len + 2);
	out = sb->buf + sb->len;
	*out++ = '"';
	for (end = p + len; p < end;) {
		if (end - p >= 8) {
			memcpy(&w, p, 8);
			memcpy(out, &w, 8);
			if ((bits = special_in(w)) == 0) {
				out += 8;
				p += 8;
				continue;
			}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/*
			 * The lowest flagged byte is a real one (a borrow only runs
			 * upwards): the bytes before it are plain and already copied.
			 * On a little-endian machine the first byte is the lowest.
			 */
			skip = (size_t)__builtin_ctzll(bits) / 8;
#else
			skip = 0;
			(void)bits;
#endif
			out += skip;
			p += skip;
		}
		if (escaped_len[*p] == 1) {
			*out++ = (char)*p++;
			continue;
		}
		sb->len = (size_t)(out - sb->buf);
		strbuf_grow(sb, (size_t)(end - p) + 6 + 1);	/* the escape, the rest, the quote */
		out = sb->buf + sb->len;
		*out++ = '\\';
		switch (*p) {
		case '"': *out++ = '"'; break;
		case '\\': *out++ = '\\'; break;
		case '\n': *out++ = 'n'; break;
		case '\r': *out++ = 'r'; break;
		case '\t': *out++ = 't'; break;
		case '\b': *out++ = 'b'; break;
		case '\f': *out++ = 'f'; break;
		default:
			*out++ = 'u';
			*out++ = '0';
			*out++ = '0';
			*out++ = hex[*p >> 4];
			*out++ = hex[*p & 0xf];
			break;
		}
		p++;
	}
	*out++ = '"';
	sb->len = (size_t)(out - sb->buf);
	sb->buf[sb->len] = '\0';
}

static void
add_number(struct strbuf *sb, double d)
{
	if (isnan(d) || isinf(d))
		strbuf_adds(sb, "null");
	else if (d == (double)(long long)d && fabs(d) < 1e15)
		strbuf_addf(sb, "%lld", (long long)d);
	else
		strbuf_addf(sb, "%.17g", d);
}

void
json_add(struct strbuf *sb, const cJSON *item)
{
	const cJSON *child;
	int object;

	switch (item->type & 0xff) {
	case cJSON_String:
		json_add_string(sb, item->valuestring != NULL ? item->valuestring : "");
		break;
	case cJSON_Number:
		add_number(sb, item->valuedouble);
		break;
	case cJSON_True:
		strbuf_add(sb, "true", 4);
		break;
	case cJSON_False:
		strbuf_add(sb, "false", 5);
		break;
	case cJSON_Array:
	case cJSON_Object:
		object = (item->type & 0xff) == cJSON_Object;
		strbuf_addc(sb, object ? '{' : '[');
		for (child = item->child; child != NULL; child = child->next) {
			if (child != item->child)
				strbuf_addc(sb, ',');
			if (object) {
				json_add_string(sb, child->string != NULL ? child->string : "");
				strbuf_addc(sb, ':');
			}
			json_add(sb, child);
		}
		strbuf_addc(sb, object ? '}' : ']');
		break;
	case cJSON_Raw:
		/* json_raw_new's nodes know their length; cJSON's own are 0. */
		if (item->valuestring != NULL && item->valueint > 0) {
			strbuf_add(sb, item->valuestring, (size_t)item->valueint);
			break;
		}
		if (item->valuestring != NULL) {
			strbuf_adds(sb, item->valuestring);
			break;
		}
		/* FALLTHROUGH */
	default:
		strbuf_add(sb, "null", 4);
		break;
	}
}

cJSON *
json_raw_new(const char *text, size_t len)
{
	char *copy = cJSON_malloc(len + 1);
	cJSON *raw;

	if (copy == NULL || (raw = cJSON_CreateStringReference(copy)) == NULL)
		fatalx("out of memory building JSON");
	memcpy(copy, text, len);
	copy[len] = '\0';
	/* Not a reference any more: cJSON_Delete frees the copy. */
	raw->type = cJSON_Raw;
	raw->valueint = len <= INT_MAX ? (int)len : 0;
	return raw;
}

const cJSON *
json_member_from(const cJSON *obj, const cJSON **hint, const char *key)
{
	const cJSON *start, *m;

	if (obj == NULL)
		return NULL;
	start = *hint != NULL ? *hint : obj->child;
	for (m = start; m != NULL; m = m->next) {
		if (m->string != NULL && strcmp(m->string, key) == 0)
			goto found;
	}
	for (m = obj->child; m != start; m = m->next) {
		if (m->string != NULL && strcmp(m->string, key) == 0)
			goto found;
	}
	return NULL;
found:
	*hint = m->next;
	return m;
}
