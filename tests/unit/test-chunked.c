/*
 * server/chunked.c: chunked request bodies (RFC 9112 7.1) decoded as they
 * arrive, whole or a byte at a time; where the body ends; the limit; and
 * malformed codings refused with a reason.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "chunked.h"

/* "Wikipedia in\r\n\r\nchunks." with an extension and a trailer, then a pipelined "GET". */
static const char body[] = "4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n"
    "0\r\nX-Trailer: 1\r\n\r\nGET";
#define DECODED "Wikipedia in \r\n\r\nchunks."

static int
feed_all(const char *in, size_t len, size_t step, size_t max, struct strbuf *out,
    size_t *end, const char **why)
{
	struct chunked c = CHUNKED_INIT;
	size_t i, used;
	int rc = 0;

	for (i = 0; i < len && rc == 0; i += used) {
		size_t n = len - i < step ? len - i : step;
		rc = chunked_feed(&c, in + i, n, out, max, &used, why);
	}
	*end = i;
	return rc;
}

static void
decodes(void **state)
{
	size_t steps[] = { 1, 2, 7, sizeof body }, k, end;
	const char *why;

	(void)state;
	for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
		struct strbuf out = STRBUF_INIT;
		assert_int_equal(feed_all(body, sizeof body - 1, steps[k], 1000, &out, &end, &why), 1);
		assert_int_equal(out.len, strlen(DECODED));
		assert_memory_equal(out.buf, DECODED, out.len);
		/* The body ends before "GET": 3 bytes are the next request's. */
		assert_int_equal(end, sizeof body - 1 - 3);
		strbuf_free(&out);
	}
}

static void
incomplete_and_limit(void **state)
{
	struct strbuf out = STRBUF_INIT;
	size_t end;
	const char *why;

	(void)state;
	assert_int_equal(feed_all("4\r\nWi", 5, 100, 1000, &out, &end, &why), 0);
	strbuf_reset(&out);
	/* 4 + 6 bytes with a limit of 9: refused at the second chunk. */
	assert_int_equal(feed_all(body, sizeof body - 1, 100, 9, &out, &end, &why), -2);
	assert_string_equal(why, "the body exceeds the limit");
	strbuf_free(&out);
}

static void
refused(const char *in, const char *reason)
{
	struct strbuf out = STRBUF_INIT;
	size_t end;
	const char *why = NULL;

	assert_int_equal(feed_all(in, strlen(in), 1, 1000, &out, &end, &why), -1);
	assert_string_equal(why, reason);
	strbuf_free(&out);
}

static void
malformed(void **state)
{
	(void)state;
	refused("\r\n", "a chunk size must be hex digits");
	refused("-4\r\n", "a chunk size must be hex digits");
	refused("4x\r\n", "a chunk size must be hex digits");
	refused("1000000000000000\r\n", "a chunk size is too large");
	refused("4\r\nWikiX", "a chunk's data must end with CRLF");
	refused("4\rX", "malformed chunked body");
	refused("0\r\n\rX", "malformed chunked body");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes),
		cmocka_unit_test(incomplete_and_limit),
		cmocka_unit_test(malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
