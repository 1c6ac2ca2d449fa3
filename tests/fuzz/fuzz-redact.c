/*
 * libFuzzer target: the redactor (privacy/redact.h) on any bytes keeps its
 * invariants (tests/fuzz/redact-check.h): no crash, no secret it found left
 * in its output, and redacting its output again changes nothing.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "privacy/redact.h"
#include "../fuzz/redact-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct redactor *r;
	char err[ERRLEN];

	/* A user pattern and an allow-list too, to run those paths as well. */
	if (r == NULL)
		r = redactor_new("ACME-[0-9]{4,8}|corp-secret", "AKIAIOSFODNN7EXAMPLE", err);
	if (redact_check(r, (const char *)data, size) != 0)
		abort();
	return 0;
}
