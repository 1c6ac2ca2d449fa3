/*
 * server/unparsable.c: the lws 4.1.6 log lines (copied from its
 * roles/http/parsers.c and core-net/close.c) that say a head was dropped and
 * which connection closes for it, and the 414 answer's bytes.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unparsable.h"

/* Feeds a line; returns why, and the connection in *closing. */
static enum unparsable
feed(struct unparsable_watch *w, const char *line, const void **closing)
{
	*closing = NULL;
	return unparsable_watch_line(w, line, closing);
}

/* The failure, the head dropped, then that connection's close: answered. */
static void
test_failure_then_its_close(void **state)
{
	struct unparsable_watch w = { UNPARSABLE_NONE, NULL };
	const void *closing;

	(void)state;
	assert_int_equal(feed(&w, "More hdr frags than we can deal with\n", &closing),
	    UNPARSABLE_NONE);
	assert_int_equal(w.why, UNPARSABLE_TOO_MANY_PARTS);	/* info lines wanted */
	assert_int_equal(feed(&w, "lws_parse failed\n", &closing), UNPARSABLE_NONE);
	assert_int_equal(feed(&w, "__lws_header_table_detach: wsi 0x6110000abc40: ah "
	    "0x60c000001240 (tsi=0, count = 1)\n", &closing), UNPARSABLE_NONE);
	assert_int_equal(feed(&w, "__lws_close_free_wsi: 0x6110000abc40: caller: "
	    "close_and_handled\n", &closing), UNPARSABLE_TOO_MANY_PARTS);
	assert_ptr_equal(closing, (const void *)(uintptr_t)0x6110000abc40);
	assert_int_equal(w.why, UNPARSABLE_NONE);	/* done: info lines no more */
}

/* Another connection closing meanwhile is not answered. */
static void
test_other_close_ignored(void **state)
{
	struct unparsable_watch w = { UNPARSABLE_NONE, NULL };
	const void *closing;

	(void)state;
	feed(&w, "Ran out of header data space\n", &closing);
	assert_int_equal(w.why, UNPARSABLE_TOO_LONG);
	/* Closed before its head was dropped: not the one. */
	assert_int_equal(feed(&w, "__lws_close_free_wsi: 0x6110000abc40: caller: x\n",
	    &closing), UNPARSABLE_NONE);
	feed(&w, "__lws_header_table_detach: wsi 0x6110000abd00: ah 0x1 (tsi=0, count = 1)\n",
	    &closing);
	assert_int_equal(feed(&w, "__lws_close_free_wsi: 0x6110000abc40: caller: x\n",
	    &closing), UNPARSABLE_NONE);
	assert_null(closing);
	assert_int_equal(feed(&w, "__lws_close_free_wsi: 0x6110000abd00: caller: x\n",
	    &closing), UNPARSABLE_TOO_LONG);
	assert_ptr_equal(closing, (const void *)(uintptr_t)0x6110000abd00);
}

/* Other lines, and lws_hdr_simple_create()'s own, start no watch. */
static void
test_other_lines(void **state)
{
	struct unparsable_watch w = { UNPARSABLE_NONE, NULL };
	const void *closing;

	(void)state;
	feed(&w, "More hdr frags than we can deal with, dropping\n", &closing);
	assert_int_equal(w.why, UNPARSABLE_NONE);
	feed(&w, "__lws_close_free_wsi: 0x6110000abc40: caller: x\n", &closing);
	assert_int_equal(w.why, UNPARSABLE_NONE);
	assert_null(closing);
}

/* The answer: a complete HTTP response whose Content-Length is its body's. */
static void
test_answer(void **state)
{
	size_t len;
	char *a = unparsable_answer(UNPARSABLE_TOO_MANY_PARTS, 94, 8192, &len);
	const char *body = strstr(a, "\r\n\r\n") + 4;
	char cl[48];

	(void)state;
	assert_int_equal(len, strlen(a));
	assert_memory_equal(a, "HTTP/1.1 414 URI Too Long\r\n", 27);
	assert_non_null(strstr(a, "\r\nConnection: close\r\n"));
	snprintf(cl, sizeof cl, "Content-Length: %zu\r\n", strlen(body));
	assert_non_null(strstr(a, cl));
	assert_non_null(strstr(body, "{\"code\":\"PGRST100\",\"details\":\"At most 94 parts"));
	free(a);
	a = unparsable_answer(UNPARSABLE_TOO_LONG, 94, 8192, &len);
	assert_non_null(strstr(a, "\"details\":\"At most 8192 bytes"));
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failure_then_its_close),
		cmocka_unit_test(test_other_close_ignored),
		cmocka_unit_test(test_other_lines),
		cmocka_unit_test(test_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
