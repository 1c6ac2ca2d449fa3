/*
 * The pruned parse of transcript lines (capture/prune.h): what it builds, what
 * it leaves out, the escapes it decodes, and the lines it leaves to cJSON.
 * Every line it takes is also parsed by cJSON and compared (prune-check.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "capture/jsonl.h"
#include "util/arena.h"
#include "../fuzz/prune-check.h"

static struct arena *arena;
static cJSON *objs[JSONL_MAX_OBJECTS];

static int
setup(void **state)
{
	(void)state;
	arena = arena_new();
	arena_use(arena);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	arena_use(NULL);
	arena_free(arena);
	return 0;
}

/* Parses line both ways; returns the pruned parse's count, checked against cJSON's. */
static int
parse(const char *line)
{
	cJSON *full[JSONL_MAX_OBJECTS];
	int n = prune_parse_objects(line, strlen(line), record_member_use, objs,
	    JSONL_MAX_OBJECTS), nfull, i;

	if (n > 0) {
		assert_int_equal(jsonl_parse_objects(line, strlen(line), full, JSONL_MAX_OBJECTS,
		    &nfull), n);
		for (i = 0; i < n; i++)
			assert_true(prune_agrees(full[i], objs[i]));
	}
	return n;
}

#define ENVELOPE "\"uuid\":\"u1\",\"sessionId\":\"s1\",\"timestamp\":\"2026-01-02T03:04:05.678Z\""

static void
unread_members_are_not_built(void **state)
{
	const char *line = "{\"parentUuid\":\"p0\",\"type\":\"assistant\"," ENVELOPE ","
	    "\"requestId\":\"req_1\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\",\"content\":["
	    "{\"type\":\"thinking\",\"thinking\":\"hmm\",\"signature\":\"c2lnbmF0dXJl\"},"
	    "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{\"command\":"
	    "\"ls\",\"signature\":[1,{\"parentUuid\":null}],\"n\":-1.5e3}}],"
	    "\"usage\":{\"input_tokens\":3,\"cache_creation\":{\"ephemeral_5m_input_tokens\":0},"
	    "\"output_tokens\":4}}}";
	const cJSON *msg, *block, *input;

	(void)state;
	assert_int_equal(parse(line), 1);
	assert_null(cJSON_GetObjectItem(objs[0], "parentUuid"));
	assert_null(cJSON_GetObjectItem(objs[0], "requestId"));
	msg = cJSON_GetObjectItem(objs[0], "message");
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(msg, "usage"), "cache_creation"));
	block = cJSON_GetArrayItem(cJSON_GetObjectItem(msg, "content"), 0);
	assert_string_equal(cJSON_GetObjectItem(block, "thinking")->valuestring, "hmm");
	assert_null(cJSON_GetObjectItem(block, "signature"));
	/* A tool call's input is kept whole, members nobody else reads included. */
	block = cJSON_GetArrayItem(cJSON_GetObjectItem(msg, "content"), 1);
	input = cJSON_GetObjectItem(block, "input");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(input, "signature")), 2);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(input, "signature"), 1), "parentUuid")));
	assert_true(cJSON_GetObjectItem(input, "n")->valuedouble == -1500.0);
}

static void
escapes_decode_as_cjson_does(void **state)
{
	/* Strings are scanned sixteen bytes at a time: escapes before, across and after. */
	const char *line = "{\"type\":\"user\"," ENVELOPE ",\"message\":{\"content\":["
	    "{\"type\":\"text\",\"text\":\"q\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\ude00 h\xc3\xa9\"},"
	    "{\"type\":\"text\",\"text\":\"0123456789012345678901234567890123456789012345 \\\" \\\\\\\" \\u0041\"}]}}";
	const cJSON *content;

	(void)state;
	assert_int_equal(parse(line), 1);
	content = cJSON_GetObjectItem(cJSON_GetObjectItem(objs[0], "message"), "content");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(content, 0), "text")->valuestring,
	    "q\"b\\c/d\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 h\xc3\xa9");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(content, 1), "text")->valuestring,
	    "0123456789012345678901234567890123456789012345 \" \\\" A");
	/* \u0000 ends the C string there, in cJSON's tree as in this one. */
	assert_int_equal(parse("{\"type\":\"user\"," ENVELOPE ",\"message\":{\"content\":\"ab\\u0000cd\"}}"), 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(objs[0], "message"),
	    "content")->valuestring, "ab");
}

static void
members_in_any_order_first_duplicate_wins(void **state)
{
	const char *line = "{\"message\":{\"content\":\"hi\",\"content\":\"later\"},"
	    "\"uuid\":\"first\",\"timestamp\":\"2026-01-02T03:04:05Z\",\"uuid\":\"second\","
	    "\"sessionId\":\"s\",\"type\":\"user\",\"type\":\"assistant\"}";
	struct record rec;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(parse(line), 1);
	assert_int_equal(record_from_json(&rec, objs[0], err), 0);
	assert_int_equal(rec.kind, RECORD_USER);
	assert_string_equal(rec.uuid, "first");
	assert_string_equal(rec.text, "hi");
	record_free(&rec);
}

static void
glued_objects_and_nesting(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"type\":\"user\"}{\"type\":\"system\"} \t{\"a\":[[[{}]],[]]}\r\n"), 3);
	assert_int_equal(parse("{\"type\":\"assistant\"," ENVELOPE ",\"message\":{\"content\":["
	    "{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"Write\",\"input\":{\"a\":[[[[{\"b\":"
	    "[true,false,null,0,-0,1e3,2E-2,0.5]}]]]]}}]}}"), 1);
	assert_int_equal(parse("  {}  "), 1);
}

static void
usage_figures_as_cjson_reads_them(void **state)
{
	struct record rec;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(parse("{\"type\":\"assistant\"," ENVELOPE ",\"message\":{\"id\":\"m\","
	    "\"content\":[],\"usage\":{\"input_tokens\":1e3,\"output_tokens\":12.0,"
	    "\"cache_read_input_tokens\":1.5,\"cache_creation_input_tokens\":-0}}}"), 1);
	assert_int_equal(record_from_json(&rec, objs[0], err), 0);
	assert_int_equal(rec.usage.input, 1000);
	assert_int_equal(rec.usage.output, 12);
	assert_int_equal(rec.usage.cache_read, 0);
	assert_int_equal(rec.bad_numbers, 1);	/* 1.5 only: -0 is a whole 0 */
	record_free(&rec);
}

/* Lines the pruned parse leaves to cJSON: malformed ones, and odd ones cJSON may take. */
static void
odd_and_broken_lines_are_refused(void **state)
{
	static const char *const refused[] = {
		"", "   ", "[1]", "\"s\"", "{", "{\"type\":\"user\",\"message\":{\"content\":\"ab",
		"{\"type\":\"user\",\"message\":", "{\"type\"", "{\"type\":\"user\"} x",
		"{\"a\":1,}", "{\"a\" 1}", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":01}", "{\"a\":1.}",
		"{\"a\":-}", "{\"a\":1e}", "{\"a\":+1}", "{\"a\":.5}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\ud800\\u0041\"}",
		"{\"a\":\"\\u00zz\"}", "{\"a\":\"\\u12\"}", "\xef\xbb\xbf{\"a\":1}", "{\f\"a\":1}",
		"{\"typ\\u0065\":\"user\"}", "{\"a\":1}{\"b\":2", "{\"a\":[1,2}", "{\"a\":{\"b\":1]}",
		"{\"a\":1234567890123456789012345678901234567890123456789012345678901234}",
		"{\"a\":\"unterminated\\\"}",
	};
	char deep[1200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		if (parse(refused[i]) != -1)
			fail_msg("took %s", refused[i]);
	}
	/* A key holding a NUL byte: cJSON's key ends there. */
	assert_int_equal(prune_parse_objects("{\"ty\0pe\":1}", 11, record_member_use, objs,
	    JSONL_MAX_OBJECTS), -1);
	/* Deep nesting is cJSON's to judge (its limit is 1000). */
	memset(deep, '[', 300);
	strcpy(deep + 300, "");
	memmove(deep + 5, deep, 300);
	memcpy(deep, "{\"a\":", 5);
	memset(deep + 305, ']', 300);
	strcpy(deep + 605, "}");
	assert_int_equal(parse(deep), -1);
	/* More objects than a line may hold. */
	assert_int_equal(prune_parse_objects("{}{}", 4, record_member_use, objs, 1), -1);
}

/* A user line holding one tool result whose content is the JSON string text. */
#define RESULT_LINE(text) "{\"type\":\"user\"," ENVELOPE ",\"message\":{\"content\":[" \
	"{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"" text "\"}]}}"

/*
 * The stored form of a tool result: the line's own escaped text where it is
 * what json_add_string writes (a raw sibling carries it), escaped anew where
 * it is not. Either way the record holds the same JSON string as cJSON's.
 */
static void
result_text_copied_only_when_exact(void **state)
{
	static const struct {
		const char *line, *json;	/* json: the stored form, written by hand */
		int copied;
	} cases[] = {
		{ RESULT_LINE("a \\\"b\\\" \\\\ \\n\\t\\r\\b\\f \\u001f \\u0001 \xc3\xa9"),
		  "\"a \\\"b\\\" \\\\ \\n\\t\\r\\b\\f \\u001f \\u0001 \xc3\xa9\"", 1 },
		{ RESULT_LINE("0123456789abcdef0123456789abcdef plain"),
		  "\"0123456789abcdef0123456789abcdef plain\"", 1 },
		/* Forms json_add_string does not write: re-escaped. */
		{ RESULT_LINE("a\\/b"), "\"a/b\"", 0 },
		{ RESULT_LINE("\\u00e9"), "\"\xc3\xa9\"", 0 },
		{ RESULT_LINE("\\u001F"), "\"\\u001f\"", 0 },
		{ RESULT_LINE("x\\u000ay"), "\"x\\ny\"", 0 },
		{ RESULT_LINE("\\u0041"), "\"A\"", 0 },
		{ RESULT_LINE("0123456789abcdef0123456789\tabcdef"),
		  "\"0123456789abcdef0123456789\\tabcdef\"", 0 },	/* a raw tab */
		{ RESULT_LINE("cut\\u0000here"), "\"cut\"", 0 },
	};
	const cJSON *content;
	struct record rec;
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(parse(cases[i].line), 1);
		content = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(objs[0], "message"), "content"), 0), "content");
		assert_int_equal(cJSON_IsRaw(content->next), cases[i].copied);
		assert_int_equal(record_from_json(&rec, objs[0], err), 0);
		assert_int_equal(rec.nresults, 1);
		assert_string_equal(rec.results[0].content_json, cases[i].json);
		/* The writer copies it by this length, not by strlen. */
		assert_int_equal(rec.results[0].content_json_len, strlen(cases[i].json));
		record_free(&rec);
	}
}

/*
 * Strings go by blocks of 64 bytes (capture/quote-scan.h) and are decoded 16
 * at a time: every escape, a backslash run and a bad escape at every offset
 * of a block, each against the text written out by hand.
 */
static void
escapes_at_every_block_offset(void **state)
{
	char line[512], want[512], pad[160];
	const cJSON *content, *text;
	size_t n;

	(void)state;
	for (n = 0; n < 140; n++) {
		memset(pad, 'a', n);
		pad[n] = '\0';
		/* \\ \" \n \u00e9 }] in the line: \ " newline e-acute }] decoded */
		snprintf(line, sizeof line, "{\"type\":\"user\"," ENVELOPE ",\"message\":{\"content\":["
		    "{\"type\":\"text\",\"text\":\"%s\\\\\\\"\\n\\u00e9}]%s\"}]}}", pad, pad);
		snprintf(want, sizeof want, "%s\\\"\n\xc3\xa9}]%s", pad, pad);
		assert_int_equal(parse(line), 1);
		content = cJSON_GetObjectItem(cJSON_GetObjectItem(objs[0], "message"), "content");
		text = cJSON_GetObjectItem(cJSON_GetArrayItem(content, 0), "text");
		assert_string_equal(text->valuestring, want);
		/* A tool result's text with a \/ (not json_add_string's form): no copy of it. */
		snprintf(line, sizeof line, RESULT_LINE("%s\\n%s\\/"), pad, pad);
		assert_int_equal(parse(line), 1);
		content = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(objs[0], "message"), "content"), 0), "content");
		assert_false(cJSON_IsRaw(content->next));
		snprintf(line, sizeof line, RESULT_LINE("%s\\n%s\\t"), pad, pad);
		assert_int_equal(parse(line), 1);
		content = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(objs[0], "message"), "content"), 0), "content");
		assert_true(cJSON_IsRaw(content->next));
		/* \x is no escape (cJSON refuses the line); nor is a \u without four hex digits. */
		snprintf(line, sizeof line, "{\"type\":\"user\",\"x\":\"%s\\x%s\"}", pad, pad);
		assert_int_equal(parse(line), -1);
		snprintf(line, sizeof line, "{\"type\":\"user\",\"x\":\"%s\\u12z%s\"}", pad, pad);
		assert_int_equal(parse(line), -1);
		/* An escaped backslash before the closing quote ends the string there. */
		snprintf(line, sizeof line, "{\"type\":\"user\",\"x\":\"%s\\\\\",\"y\":1}", pad);
		assert_int_equal(parse(line), 1);
	}
}

/* A line exactly as Claude Code writes one, its record compared with cJSON's. */
static void
real_user_record(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"parentUuid\":\"a\",\"isSidechain\":false,\"userType\":\"external\","
	    "\"cwd\":\"/home/x/app\",\"sessionId\":\"s1\",\"version\":\"1.0.0\",\"gitBranch\":"
	    "\"main\",\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{"
	    "\"tool_use_id\":\"toolu_1\",\"type\":\"tool_result\",\"content\":[{\"type\":\"text\","
	    "\"text\":\"line 1\\nline 2\"},{\"type\":\"image\",\"source\":{\"type\":\"base64\","
	    "\"media_type\":\"image/png\",\"data\":\"iVBORw0=\"}}],\"is_error\":true},{\"type\":"
	    "\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":"
	    "\"iVBORw0KGgo=\"}}]},\"isMeta\":true,\"uuid\":\"u1\",\"timestamp\":"
	    "\"2026-01-02T03:04:05.678Z\"}"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(unread_members_are_not_built, setup, teardown),
		cmocka_unit_test_setup_teardown(escapes_decode_as_cjson_does, setup, teardown),
		cmocka_unit_test_setup_teardown(members_in_any_order_first_duplicate_wins, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(glued_objects_and_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(usage_figures_as_cjson_reads_them, setup, teardown),
		cmocka_unit_test_setup_teardown(odd_and_broken_lines_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(real_user_record, setup, teardown),
		cmocka_unit_test_setup_teardown(result_text_copied_only_when_exact, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(escapes_at_every_block_offset, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
