/*
 * The shared encoders of src/util/ that client and server both use:
 * percent-decoding and -encoding, query values, hex, random hex tokens and
 * base64url, the JSON member lookup of rows read in column order, and JSON
 * string escaping.
 * Expected values are RFC test vectors or written out by hand.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/base64url.h"
#include "util/hex.h"
#include "util/json.h"
#include "util/percent.h"
#include "util/random.h"
#include "util/strbuf.h"

/* Decodes s (its strlen) and compares with want (NULL: refused). */
static void
decodes(const char *s, const char *want)
{
	char *got = percent_decode(s, strlen(s));

	if (want == NULL) {
		if (got != NULL)
			fail_msg("'%s' decoded to '%s', wanted a refusal", s, got);
		return;
	}
	if (got == NULL)
		fail_msg("'%s' was refused, wanted '%s'", s, want);
	assert_string_equal(got, want);
	free(got);
}

static void
decoding(void **state)
{
	char *got;

	(void)state;
	assert_int_equal(hex_value('0'), 0);
	assert_int_equal(hex_value('9'), 9);
	assert_int_equal(hex_value('a'), 10);
	assert_int_equal(hex_value('F'), 15);
	assert_int_equal(hex_value('g'), -1);
	assert_int_equal(hex_value('\0'), -1);
	assert_int_equal(hex_value(0xc3), -1);

	decodes("", "");
	decodes("plain", "plain");
	decodes("%41%4a%4A", "AJJ");
	decodes("a+b", "a b");
	decodes("a%2Bb", "a+b");
	decodes("%20", " ");
	decodes("%26%3D", "&=");
	decodes("%e2%82%ac", "\xe2\x82\xac");
	decodes("%ff", "\xff");
	/* Decoded once only: %25 gives a '%' that is not read again. */
	decodes("%2541", "%41");
	decodes("%2500", "%00");
	/* Malformed escapes stay as they are. */
	decodes("%", "%");
	decodes("a%", "a%");
	decodes("%4", "%4");
	decodes("a%4", "a%4");
	decodes("%zz", "%zz");
	decodes("%g1", "%g1");
	decodes("%1g", "%1g");
	decodes("%%41", "%A");
	/* A NUL byte never passes, however written. */
	decodes("%00", NULL);
	decodes("a%00b", NULL);
	decodes("abc%00", NULL);

	/* The length is obeyed: no read past it, not even for an escape. */
	got = percent_decode("ab%41", 3);
	assert_string_equal(got, "ab%");
	free(got);
	got = percent_decode("ab%41", 4);
	assert_string_equal(got, "ab%4");
	free(got);
	got = percent_decode("a\0b", 3);
	assert_null(got);
	got = percent_decode("xyz", 0);
	assert_string_equal(got, "");
	free(got);
}

static char *
encode(const char *s, const char *also_safe)
{
	struct strbuf sb = STRBUF_INIT;

	percent_encode(&sb, s, strlen(s), also_safe);
	return strbuf_detach(&sb);
}

static void
encoding(void **state)
{
	char *got, all[256];
	int i;

	(void)state;
	got = encode("AZaz09-._~", NULL);
	assert_string_equal(got, "AZaz09-._~");
	free(got);
	got = encode("a b&c=d/e?f%g+h", NULL);
	assert_string_equal(got, "a%20b%26c%3Dd%2Fe%3Ff%25g%2Bh");
	free(got);
	got = encode("\xe2\x82\xac\x01\x7f\xff", NULL);
	assert_string_equal(got, "%E2%82%AC%01%7F%FF");
	free(got);
	got = encode("a,b(c)*:!d", ",()*:!");
	assert_string_equal(got, "a,b(c)*:!d");
	free(got);
	got = encode("", NULL);
	assert_string_equal(got, "");
	free(got);
	/* Every byte but NUL round-trips through the decoder. */
	for (i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	got = encode(all, NULL);
	{
		char *back = percent_decode(got, strlen(got));

		assert_non_null(back);
		assert_memory_equal(back, all, 256);
		free(back);
	}
	free(got);
}

static void
query_values(void **state)
{
	char *v;

	(void)state;
	v = percent_query_value("code=abc%2F1&state=x+y", "code");
	assert_string_equal(v, "abc/1");
	free(v);
	v = percent_query_value("code=abc%2F1&state=x+y", "state");
	assert_string_equal(v, "x y");
	free(v);
	/* A bare name is "", a longer name that starts alike is not it, the first counts. */
	v = percent_query_value("flag&codex=1&code=2&code=3", "flag");
	assert_string_equal(v, "");
	free(v);
	v = percent_query_value("flag&codex=1&code=2&code=3", "code");
	assert_string_equal(v, "2");
	free(v);
	assert_null(percent_query_value("codex=1", "code"));
	assert_null(percent_query_value("xcode=1", "code"));
	/* "name=" is "" too; empty parameters are skipped; %2B is '+', '+' a space. */
	v = percent_query_value("code=&b=2", "code");
	assert_string_equal(v, "");
	free(v);
	v = percent_query_value("&&code=a%2Bb+c&", "code");
	assert_string_equal(v, "a+b c");
	free(v);
	assert_null(percent_query_value("", "code"));
	assert_null(percent_query_value(NULL, "code"));
	assert_null(percent_query_value("code=a%00b", "code"));
}

static void
hex(void **state)
{
	static const unsigned char bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[13];

	(void)state;
	assert_int_equal(hex_encode(out, sizeof out, bytes, sizeof bytes), 0);
	assert_string_equal(out, "00017f80abff");
	/* One byte short of the NUL: refused, nothing written past the buffer. */
	assert_int_equal(hex_encode(out, sizeof out - 1, bytes, sizeof bytes), -1);
	assert_int_equal(hex_encode(out, 0, bytes, 0), -1);
	assert_int_equal(hex_encode(out, 1, bytes, 0), 0);
	assert_string_equal(out, "");
}

static void
random_tokens(void **state)
{
	char a[65], b[65], small[64];
	size_t i;

	(void)state;
	assert_int_equal(random_hex(a, sizeof a, 32), 0);
	assert_int_equal(random_hex(b, sizeof b, 32), 0);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	assert_string_not_equal(a, b);
	/* The size is checked against the buffer: 32 bytes need 65 characters. */
	memset(small, 'x', sizeof small);
	assert_int_equal(random_hex(small, sizeof small, 32), -1);
	assert_string_equal(small, "");
	for (i = 1; i < sizeof small; i++)
		assert_int_equal(small[i], 'x');
	assert_int_equal(random_bytes(a, 0), 0);
}

/* RFC 4648 §10's vectors, in the URL alphabet without padding. */
static void
base64url(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE",
		"Zm9vYmFy" };
	static const unsigned char url_only[] = { 0xfb, 0xff, 0xbf };
	unsigned char *d;
	size_t i, n;
	char *e;

	(void)state;
	for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		e = base64url_encode((const unsigned char *)plain[i], strlen(plain[i]));
		assert_string_equal(e, coded[i]);
		free(e);
		d = base64url_decode(coded[i], strlen(coded[i]), &n);
		assert_non_null(d);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(d, plain[i], n);
		assert_int_equal(d[n], '\0');
		free(d);
	}
	/* '-' and '_' where standard base64 has '+' and '/'. */
	e = base64url_encode(url_only, sizeof url_only);
	assert_string_equal(e, "-_-_");
	free(e);
	/* Only the canonical spelling decodes. */
	assert_null(base64url_decode("Zg==", 4, &n));	/* padding */
	assert_null(base64url_decode("Zh", 2, &n));	/* unused bits set */
	assert_null(base64url_decode("Z", 1, &n));	/* no whole byte */
	assert_null(base64url_decode("+/+/", 4, &n));	/* standard alphabet */
	assert_null(base64url_decode("Zm 9v", 5, &n));
	/* Only len bytes are read. */
	d = base64url_decode("Zm9vYmFy", 4, &n);
	assert_non_null(d);
	assert_int_equal(n, 3);
	assert_memory_equal(d, "foo", 3);
	free(d);
}

/* Members found in any order, from the hint on and then from the start. */
static void
json_members(void **state)
{
	cJSON *o = cJSON_Parse("{\"a\":1,\"b\":2,\"c\":3}");
	const cJSON *hint = NULL, *m;
	const char *order = "abcacb";
	size_t i;

	(void)state;
	assert_non_null(o);
	for (i = 0; order[i] != '\0'; i++) {
		char key[2] = { order[i], '\0' };
		m = json_member_from(o, &hint, key);
		assert_non_null(m);
		assert_string_equal(m->string, key);
		assert_int_equal(m->valueint, order[i] - 'a' + 1);
		assert_ptr_equal(hint, m->next);
	}
	m = json_member_from(o, &hint, "b");
	assert_non_null(m);
	assert_null(json_member_from(o, &hint, "d"));
	assert_ptr_equal(hint, m->next);	/* a miss leaves the hint */
	assert_null(json_member_from(NULL, &hint, "a"));
	cJSON_Delete(o);
}

/* One byte as a JSON string holds it, from RFC 8259 by hand. */
static size_t
escape_by_hand(char *out, unsigned char c)
{
	switch (c) {
	case '"': return (size_t)sprintf(out, "\\\"");
	case '\\': return (size_t)sprintf(out, "\\\\");
	case '\n': return (size_t)sprintf(out, "\\n");
	case '\r': return (size_t)sprintf(out, "\\r");
	case '\t': return (size_t)sprintf(out, "\\t");
	case '\b': return (size_t)sprintf(out, "\\b");
	case '\f': return (size_t)sprintf(out, "\\f");
	default:
		if (c < 0x20)
			return (size_t)sprintf(out, "\\u%04x", c);
		*out = (char)c;
		return 1;
	}
}

/*
 * json_add_string copies plain runs eight bytes at a time: every byte value
 * at every offset of a 19-byte string (plain text around it, so it lands in
 * each position of a word and in the tail), after text already in the buffer.
 */
static void
json_escaping(void **state)
{
	const char plain[] = "abcdefghij\xc3\xa9klmnopq";	/* UTF-8 passes as it is */
	char in[20], want[32 + 20 * 6];
	struct strbuf sb = STRBUF_INIT;
	size_t at, n;
	int c;

	(void)state;
	assert_int_equal(sizeof plain, 20);
	for (c = 1; c < 256; c++) {
		for (at = 0; at < 19; at++) {
			memcpy(in, plain, sizeof in);
			in[at] = (char)c;
			n = (size_t)sprintf(want, "[1,\"");
			for (size_t i = 0; i < 19; i++)
				n += escape_by_hand(want + n, (unsigned char)in[i]);
			sprintf(want + n, "\"");
			strbuf_reset(&sb);
			strbuf_adds(&sb, "[1,");
			json_add_string(&sb, in);
			assert_string_equal(sb.buf, want);
			assert_int_equal(sb.len, strlen(want));
		}
	}
	strbuf_reset(&sb);
	json_add_string(&sb, "");
	assert_string_equal(sb.buf, "\"\"");
	strbuf_free(&sb);
}

/*
 * Two bytes that need escaping (or bytes near them that only look like it)
 * at every pair of offsets: plain bytes before the first in a word are copied
 * at once, and what follows is looked at again.
 */
static void
json_escaping_pairs(void **state)
{
	static const unsigned char odd[] = { '"', '\\', '\n', 0x01, 0x1f, 0x20, 0x7f, 0x80,
		0xff, 'a' };
	char in[20], want[20 * 6 + 3];
	struct strbuf sb = STRBUF_INIT;
	size_t i, j, a, b, k, n;

	(void)state;
	for (a = 0; a < sizeof odd; a++)
		for (b = 0; b < sizeof odd; b++)
			for (i = 0; i < 19; i++)
				for (j = i + 1; j < 19; j++) {
					memset(in, 'x', 19);
					in[19] = '\0';
					in[i] = (char)odd[a];
					in[j] = (char)odd[b];
					n = (size_t)sprintf(want, "\"");
					for (k = 0; k < 19; k++)
						n += escape_by_hand(want + n, (unsigned char)in[k]);
					sprintf(want + n, "\"");
					strbuf_reset(&sb);
					json_add_string(&sb, in);
					assert_string_equal(sb.buf, want);
				}
	strbuf_free(&sb);
}

/*
 * A raw node made with its length holds and prints exactly those bytes (a
 * longer text is cut there), in an array as a turn's tool calls hold it;
 * cJSON's own raw nodes (no length kept) still print.
 */
static void
json_raw_nodes(void **state)
{
	static const char result[] = "\"line one\\nline \\\"two\\\"\"";
	struct strbuf sb = STRBUF_INIT;
	cJSON *calls = cJSON_CreateArray(), *call = cJSON_CreateObject();

	(void)state;
	cJSON_AddItemToObject(call, "input", json_raw_new("{\"a\":1}xyz", 7));
	cJSON_AddItemToObject(call, "result", json_raw_new(result, strlen(result)));
	cJSON_AddItemToObject(call, "old", cJSON_CreateRaw("[true]"));
	cJSON_AddItemToArray(calls, call);
	json_add(&sb, calls);
	assert_string_equal(sb.buf,
	    "[{\"input\":{\"a\":1},\"result\":\"line one\\nline \\\"two\\\"\",\"old\":[true]}]");
	cJSON_Delete(calls);
	strbuf_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decoding),
		cmocka_unit_test(encoding),
		cmocka_unit_test(query_values),
		cmocka_unit_test(hex),
		cmocka_unit_test(random_tokens),
		cmocka_unit_test(base64url),
		cmocka_unit_test(json_members),
		cmocka_unit_test(json_escaping),
		cmocka_unit_test(json_escaping_pairs),
		cmocka_unit_test(json_raw_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
