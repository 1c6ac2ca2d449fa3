/*
 * A validating scanner for JSON text that keeps nothing but the outer
 * object's keys: one pass over the bytes, no allocation per value.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json-keys.h"
#include "util/xmalloc.h"

struct scan {
	const char *p, *end;
};

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string, from its opening quote; *escaped set if it holds a backslash. */
static int
scan_string(struct scan *s, int *escaped)
{
	int i;

	*escaped = 0;
	s->p++;
	while (s->p < s->end) {
		unsigned char c = (unsigned char)*s->p++;
		if (c == '"')
			return 0;
		if (c < 0x20)
			return -1;
		if (c != '\\')
			continue;
		*escaped = 1;
		if (s->p >= s->end)
			return -1;
		c = (unsigned char)*s->p++;
		if (c == 'u') {
			for (i = 0; i < 4; i++, s->p++) {
				if (s->p >= s->end || !is_hex(*s->p))
					return -1;
			}
		} else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
			return -1;
		}
	}
	return -1;
}

static int
scan_digits(struct scan *s)
{
	const char *start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start ? 0 : -1;
}

static int
scan_number(struct scan *s)
{
	if (*s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (scan_digits(s) != 0)
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (scan_digits(s) != 0)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (scan_digits(s) != 0)
			return -1;
	}
	return 0;
}

static int
scan_word(struct scan *s, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

/* Called for each key of the object at depth 1. */
typedef int (*key_cb)(const char *raw, size_t len, int escaped, void *arg);

static int scan_value(struct scan *s, int depth, key_cb cb, void *arg);

/* An object or array, from its opening bracket. */
static int
scan_container(struct scan *s, int depth, key_cb cb, void *arg)
{
	char close = *s->p == '{' ? '}' : ']';
	const char *key;
	int escaped;

	if (depth > JSON_KEYS_MAX_DEPTH)
		return -1;
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (s->p >= s->end || *s->p != '"')
				return -1;
			key = s->p + 1;
			if (scan_string(s, &escaped) != 0)
				return -1;
			if (depth == 1 && cb(key, (size_t)(s->p - 1 - key), escaped, arg) != 0)
				return -1;
			skip_ws(s);
			if (s->p >= s->end || *s->p++ != ':')
				return -1;
			skip_ws(s);
		}
		if (scan_value(s, depth, cb, arg) != 0)
			return -1;
		skip_ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == close) {
			s->p++;
			return 0;
		}
		if (*s->p++ != ',')
			return -1;
		skip_ws(s);
	}
}

static int
scan_value(struct scan *s, int depth, key_cb cb, void *arg)
{
	int escaped;

	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '{':
	case '[':
		return scan_container(s, depth + 1, cb, arg);
	case '"':
		return scan_string(s, &escaped);
	case 't':
		return scan_word(s, "true");
	case 'f':
		return scan_word(s, "false");
	case 'n':
		return scan_word(s, "null");
	default:
		return (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) ? scan_number(s) : -1;
	}
}

struct key_list {
	char **keys;
	size_t n, cap;
};

/* A key as text: as it is, or through cJSON when it holds escapes. */
static int
add_key(const char *raw, size_t len, int escaped, void *arg)
{
	struct key_list *l = arg;
	char *k;

	if (escaped) {
		cJSON *str = cJSON_ParseWithLength(raw - 1, len + 2);
		if (!cJSON_IsString(str)) {
			cJSON_Delete(str);
			return -1;
		}
		k = xstrdup(str->valuestring);
		cJSON_Delete(str);
	} else {
		k = xstrndup(raw, len);
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->keys = xrealloc(l->keys, l->cap * sizeof *l->keys);
	}
	l->keys[l->n++] = k;
	return 0;
}

int
json_keys_of_object(const char *text, size_t len, char ***keys, size_t *nkeys)
{
	struct scan s = { text, text + len };
	struct key_list l = { NULL, 0, 0 };

	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{' || scan_container(&s, 1, add_key, &l) != 0)
		goto bad;
	skip_ws(&s);
	if (s.p != s.end)
		goto bad;
	*keys = l.keys;
	*nkeys = l.n;
	return 0;
bad:
	json_keys_free(l.keys, l.n);
	return -1;
}

void
json_keys_free(char **keys, size_t nkeys)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
}
