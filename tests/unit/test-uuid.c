/* UUIDv5 against RFC 9562's published vector, and the ids agentlogs derives. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/uuid.h"

#define NAMESPACE_DNS "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
#define NAMESPACE_URL "6ba7b811-9dad-11d1-80b4-00c04fd430c8"

static void
rfc9562_v5_vector(void **state)
{
	char out[UUID_STRLEN];

	(void)state;
	/* RFC 9562, Appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace. */
	assert_int_equal(uuid_v5(out, NAMESPACE_DNS, "www.example.com", 15), 0);
	assert_string_equal(out, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
	/* Version nibble 5, RFC 4122 variant. */
	assert_int_equal(out[14], '5');
	assert_true(strchr("89ab", out[19]) != NULL);
}

static void
namespace_is_derived(void **state)
{
	char out[UUID_STRLEN];
	const char *name = "https://agentlogs.dev/ids";

	(void)state;
	assert_int_equal(uuid_v5(out, NAMESPACE_URL, name, strlen(name)), 0);
	assert_string_equal(out, AL_UUID_NAMESPACE);
}

static void
joined_ids_are_stable(void **state)
{
	char a[UUID_STRLEN], b[UUID_STRLEN], c[UUID_STRLEN];

	(void)state;
	/* Computed independently: uuid.uuid5(UUID(namespace), "claude_code:s1:u1"). */
	uuid_v5_join(a, "claude_code", "s1", "u1", (char *)NULL);
	assert_string_equal(a, "3cdff272-3a3f-5c0d-9708-ec70202e685e");
	uuid_v5_join(b, "claude_code", "s1", "u1", (char *)NULL);
	assert_string_equal(a, b);
	uuid_v5_join(c, "claude_code", "s1", "u2", (char *)NULL);
	assert_string_not_equal(a, c);
}

static void
bad_namespace_and_validation(void **state)
{
	char out[UUID_STRLEN];

	(void)state;
	assert_int_equal(uuid_v5(out, "not-a-uuid", "x", 1), -1);
	assert_true(uuid_valid("2ed6657d-e927-568b-95e1-2665a8aea6a2"));
	assert_false(uuid_valid("2ed6657d-e927-568b-95e1-2665a8aea6a"));
	assert_false(uuid_valid("zzd6657d-e927-568b-95e1-2665a8aea6a2"));
	uuid_v4(out);
	assert_true(uuid_valid(out));
	assert_int_equal(out[14], '4');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc9562_v5_vector),
		cmocka_unit_test(namespace_is_derived),
		cmocka_unit_test(joined_ids_are_stable),
		cmocka_unit_test(bad_namespace_and_validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
