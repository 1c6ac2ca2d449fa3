/*
 * server/multipart.c: the file part of the forms supabase-js sends for a Blob
 * or File upload (node's FormData: a cacheControl field, then the file with
 * name "" and filename "blob" or the File's name), and odd forms, each of
 * which must be refused with a reason rather than stored.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "multipart.h"

#define CT "multipart/form-data; boundary=----formdata-undici-042"
#define D "------formdata-undici-042"

/* The form undici builds for FormData{cacheControl: 3600, "": Blob(png)}. */
static const char node_form[] =
    D "\r\n"
    "Content-Disposition: form-data; name=\"cacheControl\"\r\n\r\n"
    "3600\r\n"
    D "\r\n"
    "Content-Disposition: form-data; name=\"\"; filename=\"blob\"\r\n"
    "Content-Type: image/png\r\n\r\n"
    "\x89PNG\r\n\x1a\n\0\0--x\r\n"
    "\r\n" D "--\r\n";

static int
parse(const char *ct, const char *body, size_t len, struct multipart_file *f, const char **why)
{
	*why = NULL;
	return multipart_file(ct, body, len, f, why);
}

static void
node_blob_form(void **state)
{
	struct multipart_file f;
	const char *why;

	(void)state;
	assert_int_equal(parse(CT, node_form, sizeof node_form - 1, &f, &why), 0);
	/* The PNG signature, two NULs, "--x\r\n": 15 bytes, a CRLF and "--" inside kept. */
	assert_int_equal(f.len, 15);
	assert_memory_equal(f.data, "\x89PNG\r\n\x1a\n\0\0--x\r\n", 15);
	assert_string_equal(f.content_type, "image/png");
}

static void
quoted_boundary_and_preamble(void **state)
{
	static const char body[] = "preamble\r\n--a b\r\n"
	    "Content-Disposition: form-data; name=\"f\"; filename=\"x; y.txt\"\r\n\r\n"
	    "hi\r\n--a b--";
	struct multipart_file f;
	const char *why;

	(void)state;
	assert_int_equal(parse("multipart/form-data; boundary=\"a b\"", body, sizeof body - 1,
	    &f, &why), 0);
	assert_int_equal(f.len, 2);
	assert_memory_equal(f.data, "hi", 2);
	/* No Content-Type in the part: octet-stream, as Storage takes it. */
	assert_string_equal(f.content_type, "application/octet-stream");
}

static void
two_file_parts_take_the_first(void **state)
{
	static const char body[] = "--b\r\n"
	    "Content-Disposition: form-data; name=\"\"; filename=\"one\"\r\nContent-Type: text/plain\r\n\r\n"
	    "first\r\n--b\r\n"
	    "Content-Disposition: form-data; name=\"\"; filename=\"two\"\r\n\r\n"
	    "second\r\n--b--\r\n";
	struct multipart_file f;
	const char *why;

	(void)state;
	assert_int_equal(parse("multipart/form-data;boundary=b", body, sizeof body - 1, &f, &why), 0);
	assert_int_equal(f.len, 5);
	assert_memory_equal(f.data, "first", 5);
	assert_string_equal(f.content_type, "text/plain");
}

static void
refused(const char *ct, const char *body, const char *reason)
{
	struct multipart_file f;
	const char *why;

	assert_int_equal(parse(ct, body, strlen(body), &f, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, reason);
}

static void
odd_forms(void **state)
{
	char truncated[sizeof node_form];
	char long_ct[200];

	(void)state;
	refused("multipart/form-data", node_form,
	    "multipart/form-data without a boundary (or one over 70 characters)");
	refused("multipart/form-data; boundary=", node_form,
	    "multipart/form-data without a boundary (or one over 70 characters)");
	refused("multipart/form-data; boundary=\"unterminated", node_form,
	    "multipart/form-data without a boundary (or one over 70 characters)");
	snprintf(long_ct, sizeof long_ct, "multipart/form-data; boundary=%071d", 0);
	refused(long_ct, node_form,
	    "multipart/form-data without a boundary (or one over 70 characters)");
	refused("image/png", node_form, "the body is not multipart/form-data");
	refused(CT, "", "the multipart body has no boundary line");
	refused(CT, "just bytes", "the multipart body has no boundary line");
	/* Cut inside the file part: its closing delimiter never comes. */
	memcpy(truncated, node_form, 150);
	truncated[150] = '\0';
	refused(CT, truncated, "the multipart body is truncated or malformed");
	/* Cut inside a part's headers. */
	refused(CT, D "\r\nContent-Disposition: form-data; name=\"\"; filen",
	    "the multipart body is truncated or malformed");
	refused(CT, D, "the multipart body is truncated or malformed");
	refused(CT, D "garbage\r\n", "the multipart body is truncated or malformed");
	/* Fields only. */
	refused(CT, D "\r\nContent-Disposition: form-data; name=\"cacheControl\"\r\n\r\n"
	    "3600\r\n" D "--\r\n", "the multipart form has no file part");
	refused(CT, D "--\r\n", "the multipart form has no file part");
}

static void
is_form(void **state)
{
	(void)state;
	assert_true(multipart_is_form(CT));
	assert_true(multipart_is_form("Multipart/Form-Data;boundary=x"));
	assert_false(multipart_is_form("multipart/form-database"));
	assert_false(multipart_is_form("image/png"));
	assert_false(multipart_is_form(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_blob_form),
		cmocka_unit_test(quoted_boundary_and_preamble),
		cmocka_unit_test(two_file_parts_take_the_first),
		cmocka_unit_test(odd_forms),
		cmocka_unit_test(is_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
