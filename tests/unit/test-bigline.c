/*
 * Huge lines: long strings decoded over their own escaped text (the parse
 * must give what a plain parse gives, inside the line's bytes), odd escapes
 * left to cJSON, a cut line's recovery unharmed, and a long tool result cut
 * with the length of the whole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture/bigline.h"
#include "capture/jsonl.h"
#include "capture/record.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/strbuf.h"

/* One unit of escaped text and what it decodes to: a \n, a \", é, 😀, a \/. */
#define ESCAPED "ab\\n\\\"\\u00e9\\ud83d\\ude00\\/"
#define DECODED "ab\n\"\xc3\xa9\xf0\x9f\x98\x80/"

static void
repeat(struct strbuf *sb, const char *unit, size_t times)
{
	while (times-- > 0)
		strbuf_adds(sb, unit);
}

/*
 * Parses line (which it may change) in arena a, as the import's reader does:
 * the arena takes the line's buffer (sb is emptied).
 */
static int
parse_placed(struct strbuf *sb, struct arena *a, cJSON **objs, int *nparsed, int *placed)
{
	struct arena *prev;
	size_t len = sb->len;
	char *line = strbuf_detach(sb);
	int n;

	arena_adopt(a, line, len + 1);
	*placed = bigline_place_strings(line, len, a);
	prev = arena_use(a);
	n = jsonl_parse_objects(line, len, objs, JSONL_MAX_OBJECTS, nparsed);
	arena_unplace(a);
	arena_use(prev);
	return n;
}

static void
long_strings_decode_in_place(void **state)
{
	struct strbuf line = STRBUF_INIT, want1 = STRBUF_INIT, want2 = STRBUF_INIT;
	struct arena *a = arena_new();
	cJSON *objs[JSONL_MAX_OBJECTS];
	const char *s1, *s2, *small, *start;
	size_t len;
	int nparsed, placed;

	(void)state;
	strbuf_adds(&line, "{\"first\":\"");
	repeat(&line, ESCAPED, 5000);
	strbuf_adds(&line, "\",\"small\":\"x\\ty\",\"second\":\"");
	repeat(&line, ESCAPED "z", 6000);
	strbuf_adds(&line, "\"}");
	repeat(&want1, DECODED, 5000);
	repeat(&want2, DECODED "z", 6000);

	start = line.buf;
	len = line.len;
	assert_int_equal(parse_placed(&line, a, objs, &nparsed, &placed), 1);
	assert_int_equal(placed, 2);
	s1 = cJSON_GetObjectItemCaseSensitive(objs[0], "first")->valuestring;
	s2 = cJSON_GetObjectItemCaseSensitive(objs[0], "second")->valuestring;
	small = cJSON_GetObjectItemCaseSensitive(objs[0], "small")->valuestring;
	assert_string_equal(s1, want1.buf);
	assert_string_equal(s2, want2.buf);
	assert_string_equal(small, "x\ty");
	/* Decoded inside the line, not into copies; the short one copied as ever. */
	assert_true(s1 > start && s1 < start + len);
	assert_true(s2 > start && s2 < start + len);
	assert_false(small > start && small < start + len);
	arena_free(a);
	strbuf_free(&line);
	strbuf_free(&want1);
	strbuf_free(&want2);
}

/* Escapes cJSON refuses (or reads its own way: bad hex) are left to it: nothing placed. */
static void
odd_escapes_left_to_cjson(void **state)
{
	static const char *const odd[] = { "\\udc00", "\\ud800x", "\\q", "\\u12g4" };
	struct arena *a = arena_new();
	cJSON *objs[JSONL_MAX_OBJECTS], *plain;
	int i, n, nparsed, placed;

	(void)state;
	for (i = 0; i < 4; i++) {
		struct strbuf line = STRBUF_INIT;
		strbuf_adds(&line, "{\"s\":\"");
		repeat(&line, "abcdefgh", 10000);
		strbuf_adds(&line, odd[i]);
		strbuf_adds(&line, "\"}");
		plain = cJSON_Parse(line.buf);
		n = parse_placed(&line, a, objs, &nparsed, &placed);
		assert_int_equal(placed, 0);
		assert_int_equal(n, plain != NULL ? 1 : -1);
		if (plain != NULL)
			assert_string_equal(cJSON_GetObjectItemCaseSensitive(objs[0], "s")->valuestring,
			    cJSON_GetObjectItemCaseSensitive(plain, "s")->valuestring);
		cJSON_Delete(plain);
		arena_reset(a);
	}
	arena_free(a);
}

/* A record cut inside a long string, then a whole one (a crash, then a resume). */
static void
cut_line_recovers_the_whole_record(void **state)
{
	struct strbuf line = STRBUF_INIT, want = STRBUF_INIT;
	struct arena *a = arena_new();
	cJSON *objs[JSONL_MAX_OBJECTS];
	int nparsed, placed;

	(void)state;
	strbuf_adds(&line, "{\"type\":\"user\",\"text\":\"");
	repeat(&line, "xy", 40000);
	strbuf_adds(&line, "{\"type\":\"user\",\"text\":\"");
	repeat(&line, ESCAPED, 8000);
	strbuf_adds(&line, "\"}");
	repeat(&want, DECODED, 8000);
	assert_int_equal(parse_placed(&line, a, objs, &nparsed, &placed), -1);
	assert_int_equal(nparsed, 1);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(objs[0], "text")->valuestring,
	    want.buf);
	arena_free(a);
	strbuf_free(&line);
	strbuf_free(&want);
}

/* The stored text of a tool result of n bytes of 'r'. */
static char *
result_of(size_t n)
{
	struct strbuf line = STRBUF_INIT;
	struct record rec;
	char err[ERRLEN], *content;
	cJSON *obj;

	strbuf_adds(&line, "{\"type\":\"user\",\"uuid\":\"u1\",\"sessionId\":\"s1\","
	    "\"timestamp\":\"2025-01-01T00:00:00.000Z\",\"message\":{\"role\":\"user\","
	    "\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"");
	repeat(&line, "r", n);
	strbuf_adds(&line, "\"}]}}");
	obj = cJSON_Parse(line.buf);
	assert_non_null(obj);
	assert_int_equal(record_from_json(&rec, obj, err), 0);
	assert_int_equal(rec.nresults, 1);
	content = strdup(rec.results[0].content);
	record_free(&rec);
	cJSON_Delete(obj);
	strbuf_free(&line);
	return content;
}

static void
long_result_cut_with_its_length(void **state)
{
	char *c;

	(void)state;
	c = result_of(65536);
	assert_int_equal(strlen(c), 65536);
	free(c);
	c = result_of(65536 + 1000);
	assert_int_equal(strncmp(c + 65536, "\n[… 1000 more bytes in the transcript]", 100), 0);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_strings_decode_in_place),
		cmocka_unit_test(odd_escapes_left_to_cjson),
		cmocka_unit_test(cut_line_recovers_the_whole_record),
		cmocka_unit_test(long_result_cut_with_its_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
