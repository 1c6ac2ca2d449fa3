/* The streaming line reader, glued-object recovery, the cheap type peek and member cut. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture/jsonl.h"
#include "capture/record.h"
#include "util/log.h"
#include "util/xmalloc.h"

static char *
write_temp(const char *data, size_t len)
{
	char *path = xstrdup("/tmp/agentlogs-test-jsonl-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void
lines_offsets_and_tail(void **state)
{
	const char data[] = "{\"a\":1}\n\n{\"b\":2}\n{\"c\":";
	char *path = write_temp(data, strlen(data)), err[ERRLEN];
	struct jsonl_reader r;
	const char *line;
	size_t len;
	int64_t end;

	(void)state;
	assert_int_equal(jsonl_open(&r, path, 0, err), 0);
	assert_int_equal(jsonl_next(&r, &line, &len, &end, err), JSONL_LINE);
	assert_int_equal(len, 7);
	assert_memory_equal(line, "{\"a\":1}", 7);
	assert_int_equal(end, 8);
	assert_int_equal(jsonl_next(&r, &line, &len, &end, err), JSONL_LINE);
	assert_int_equal(len, 0);
	assert_int_equal(end, 9);
	assert_int_equal(jsonl_next(&r, &line, &len, &end, err), JSONL_LINE);
	assert_memory_equal(line, "{\"b\":2}", 7);
	assert_int_equal(end, 17);
	/* The unterminated tail is handed back at END, starting where reading stopped. */
	assert_int_equal(jsonl_next(&r, &line, &len, &end, err), JSONL_END);
	assert_int_equal(len, 5);
	assert_memory_equal(line, "{\"c\":", 5);
	assert_int_equal(end, 17);
	jsonl_close(&r);

	/* Resuming from a saved offset starts exactly at the next line. */
	assert_int_equal(jsonl_open(&r, path, 9, err), 0);
	assert_int_equal(jsonl_next(&r, &line, &len, &end, err), JSONL_LINE);
	assert_memory_equal(line, "{\"b\":2}", 7);
	assert_int_equal(end, 17);
	jsonl_close(&r);
	unlink(path);
	free(path);
}

static void
lines_across_buffer_refills(void **state)
{
	/* Lines far longer than one read, so every refill and growth path runs. */
	size_t n = 3, big = 3u << 20, i, total = 0;
	char *data = xmalloc(n * (big + 1)), *path, err[ERRLEN];
	struct jsonl_reader r;
	const char *line;
	size_t len;
	int64_t end;

	(void)state;
	for (i = 0; i < n; i++) {
		memset(data + total, 'a' + (int)i, big);
		total += big;
		data[total++] = '\n';
	}
	path = write_temp(data, total);
	assert_int_equal(jsonl_open(&r, path, 0, err), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(jsonl_next(&r, &line, &len, &end, err), JSONL_LINE);
		assert_int_equal(len, big);
		assert_int_equal(line[0], 'a' + (int)i);
		assert_int_equal(line[big - 1], 'a' + (int)i);
		assert_int_equal(end, (int64_t)((i + 1) * (big + 1)));
	}
	assert_int_equal(jsonl_next(&r, &line, &len, &end, err), JSONL_END);
	assert_int_equal(len, 0);
	jsonl_close(&r);
	unlink(path);
	free(path);
	free(data);
}

static void
overlong_line_is_skipped(void **state)
{
	size_t big = 5u << 20;
	char *data = xmalloc(big + 32), *path, err[ERRLEN];
	struct jsonl_reader r;
	const char *line;
	size_t len;
	int64_t end;

	(void)state;
	memset(data, 'x', big);
	data[big] = '\n';
	memcpy(data + big + 1, "{\"ok\":true}\n", 12);
	path = write_temp(data, big + 13);
	assert_int_equal(jsonl_open(&r, path, 0, err), 0);
	r.max_line = 1u << 20;
	assert_int_equal(jsonl_next(&r, &line, &len, &end, err), JSONL_TOO_LONG);
	assert_int_equal(end, (int64_t)big + 1);
	assert_int_equal(jsonl_next(&r, &line, &len, &end, err), JSONL_LINE);
	assert_memory_equal(line, "{\"ok\":true}", 11);
	/* Memory stayed near the limit, not the line. */
	assert_true(r.cap <= 4u << 20);
	jsonl_close(&r);
	unlink(path);
	free(path);
	free(data);
}

static int
collect(cJSON *obj, void *arg)
{
	int *sum = arg;
	const cJSON *v = cJSON_GetObjectItem(obj, "n");

	*sum = *sum * 10 + (cJSON_IsNumber(v) ? v->valueint : 0);
	return 0;
}

static void
glued_objects_are_both_parsed(void **state)
{
	const char *glued = "{\"n\":1,\"s\":\"}{\"}{\"n\":2}";
	const char *spaced = "{\"n\":3}  {\"n\":4}\r";
	int sum = 0;

	(void)state;
	assert_int_equal(jsonl_parse_line(glued, strlen(glued), collect, &sum), 2);
	assert_int_equal(sum, 12);
	sum = 0;
	assert_int_equal(jsonl_parse_line(spaced, strlen(spaced), collect, &sum), 2);
	assert_int_equal(sum, 34);
	/* A broken second half still delivers the first object, then reports failure. */
	sum = 0;
	assert_int_equal(jsonl_parse_line("{\"n\":5}{\"n\":", 12, collect, &sum), -1);
	assert_int_equal(sum, 5);
	assert_int_equal(jsonl_parse_line("[1,2]", 5, collect, &sum), -1);
	assert_int_equal(jsonl_parse_line("", 0, collect, &sum), -1);
	assert_int_equal(jsonl_parse_line("nonsense", 8, NULL, NULL), -1);
	assert_int_equal(jsonl_parse_line("{\"n\":6}", 7, NULL, NULL), 1);
	/* A record cut short (a crash), then the resumed session's next one on the same
	 * line: the complete one is delivered, the line still reported malformed. */
	sum = 0;
	assert_int_equal(jsonl_parse_line("{\"n\":1,\"m\":{\"s\":\"cut sh{\"n\":7}", 30, collect,
	    &sum), -1);
	assert_int_equal(sum, 7);
	sum = 0;
	assert_int_equal(jsonl_parse_line("{\"n\":1,\"k\":[3, {\"n\":8}{\"n\":9}", 29, collect,
	    &sum), -1);
	assert_int_equal(sum, 9);
}

static void
peek_type(void **state)
{
	char type[32];
	int single = -1;
	const char *l1 = "{\"data\":{\"type\":\"user\"},\"type\":\"progress\",\"x\":[1,{\"type\":2}]}";
	const char *l2 = "{\"type\":\"assistant\"}{\"type\":\"user\"}";
	const char *l3 = "{\"message\":{\"type\":\"progress\"}}";
	const char *l4 = "{\"t\\\"ype\":\"a\",\"type\":\"system\"}";
	const char *l5 = "{\"x\":\"a\\\\\",\"type\":\"user\"}";

	(void)state;
	assert_int_equal(jsonl_peek_type(l1, strlen(l1), type, sizeof type, &single, NULL), 8);
	assert_string_equal(type, "progress");
	assert_int_equal(single, 1);
	assert_int_equal(jsonl_peek_type(l2, strlen(l2), type, sizeof type, &single, NULL), 9);
	assert_string_equal(type, "assistant");
	assert_int_equal(single, 0);
	/* A nested "type" is not the record's. */
	assert_int_equal(jsonl_peek_type(l3, strlen(l3), type, sizeof type, &single, NULL), -1);
	assert_int_equal(jsonl_peek_type(l4, strlen(l4), type, sizeof type, &single, NULL), 6);
	assert_string_equal(type, "system");
	assert_int_equal(jsonl_peek_type("{\"type\":\"user\"", 14, type, sizeof type, &single, NULL), -1);
	/* A string ending in an escaped backslash ends at the next quote. */
	assert_int_equal(jsonl_peek_type(l5, strlen(l5), type, sizeof type, &single, NULL), 4);
	assert_string_equal(type, "user");
	assert_int_equal(single, 1);
	/* With stop_at, a kept type answers at once: the rest is never scanned. */
	assert_int_equal(jsonl_peek_type("{\"type\":\"user\",\"x\":[", 20, type, sizeof type,
	    &single, record_type_is_kept), 4);
	assert_int_equal(single, -1);
	assert_int_equal(jsonl_peek_type(l1, strlen(l1), type, sizeof type, &single,
	    record_type_is_kept), 8);
	assert_int_equal(single, 1);
	assert_int_equal(jsonl_peek_type("[]", 2, type, sizeof type, &single, NULL), -1);
	assert_int_equal(jsonl_peek_type("{\"type\":\"much-too-long-for-the-buffer-given\"}",
	    45, type, 8, &single, NULL), -1);
}

/* One peek: the type found and whether the object ends the line. */
static void
expect_peek(const char *line, int want_len, const char *want_type, int want_single)
{
	char type[32];
	int single = -7;

	assert_int_equal(jsonl_peek_type(line, strlen(line), type, sizeof type, &single, NULL),
	    want_len);
	if (want_len < 0)
		return;
	assert_string_equal(type, want_type);
	assert_int_equal(single, want_single);
}

/*
 * A nested value is skipped 64 bytes at a time: brackets, quotes and
 * backslash runs inside its strings at every offset of a block count for
 * nothing; a value that never closes, or a string that never ends, leaves no
 * type.
 */
static void
peek_skips_nested_values(void **state)
{
	char line[600], pad[160];
	size_t n;

	(void)state;
	for (n = 0; n < 140; n++) {
		memset(pad, 'a', n);
		pad[n] = '\0';
		/* in the string: \\ \" ]} [ and an even run \\\\ right before its closing quote */
		snprintf(line, sizeof line, "{\"data\":{\"s\":\"%s\\\\\\\"]}[%s\\\\\\\\\","
		    "\"a\":[[{}],\"]\"],\"b\":{}},\"type\":\"progress\"}", pad, pad);
		expect_peek(line, 8, "progress", 1);
		snprintf(line, sizeof line, "{\"data\":[%s{\"x\":\"}\"}%s],\"type\":\"system\"}{}", pad,
		    pad);
		expect_peek(line, 6, "system", 0);
		/* an odd run escapes the quote: the string runs to the end of the line */
		snprintf(line, sizeof line, "{\"data\":{\"s\":\"%s\\\\\\\"}}", pad);
		expect_peek(line, -1, NULL, 0);
		snprintf(line, sizeof line, "{\"data\":{\"s\":[%s,\"type\":\"progress\"}", pad);
		expect_peek(line, -1, NULL, 0);
	}
	/* A backslash outside any string is nothing to the peek (the parse refuses the line). */
	expect_peek("{\"data\":{\\\"x\":1},\"type\":\"progress\"}", 8, "progress", 1);
}

/* One case: line with key cut, as written out by hand. */
static void
expect_dropped(const char *line, const char *key, const char *want)
{
	char *buf = xstrdup(line);
	size_t n = jsonl_drop_member(buf, strlen(buf), key);

	buf[n] = '\0';
	assert_string_equal(buf, want);
	free(buf);
}

/* A member cut before parsing, wherever it stands; nothing else touched. */
static void
drop_member(void **state)
{
	static const char k[] = "toolUseResult";

	(void)state;
	expect_dropped("{\"toolUseResult\":{\"a\":[1,2]},\"type\":\"user\"}", k,
	    "{\"type\":\"user\"}");
	expect_dropped("{\"type\":\"user\",\"toolUseResult\":\"x\",\"uuid\":\"u\"}", k,
	    "{\"type\":\"user\",\"uuid\":\"u\"}");
	expect_dropped("{\"type\":\"user\", \"toolUseResult\" : [ \"}\\\"]\", {\"b\":\"{\"} ] }", k,
	    "{\"type\":\"user\"}");
	expect_dropped("{\"toolUseResult\":null}", k, "{}");
	expect_dropped("{\"toolUseResult\":1,\"toolUseResult\":2}", k, "{\"toolUseResult\":2}");
	/* Glued objects after it stay as they are. */
	expect_dropped("{\"a\":1,\"toolUseResult\":true}{\"toolUseResult\":3}", k,
	    "{\"a\":1}{\"toolUseResult\":3}");
	/* Not at the top level, only a value, or only inside a string: kept. */
	expect_dropped("{\"m\":{\"toolUseResult\":1},\"v\":\"toolUseResult\"}", k,
	    "{\"m\":{\"toolUseResult\":1},\"v\":\"toolUseResult\"}");
	expect_dropped("{\"s\":\"\\\",\\\"toolUseResult\\\":1\"}", k,
	    "{\"s\":\"\\\",\\\"toolUseResult\\\":1\"}");
	expect_dropped("{\"toolUseResultX\":1,\"XtoolUseResult\":2}", k,
	    "{\"toolUseResultX\":1,\"XtoolUseResult\":2}");
	/* Cut short, or no object: the line is left for the parser to judge. */
	expect_dropped("{\"type\":\"user\",\"toolUseResult\":{\"a\":\"b", k,
	    "{\"type\":\"user\",\"toolUseResult\":{\"a\":\"b");
	expect_dropped("{\"type\":\"user\",\"toolUseResult\":{\"a\":1}", k,
	    "{\"type\":\"user\",\"toolUseResult\":{\"a\":1}");
	expect_dropped("[\"toolUseResult\",1]", k, "[\"toolUseResult\",1]");
	expect_dropped("", k, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_offsets_and_tail),
		cmocka_unit_test(lines_across_buffer_refills),
		cmocka_unit_test(overlong_line_is_skipped),
		cmocka_unit_test(glued_objects_are_both_parsed),
		cmocka_unit_test(peek_type),
		cmocka_unit_test(peek_skips_nested_values),
		cmocka_unit_test(drop_member),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
