/*
 * libFuzzer target: chunked_feed() on arbitrary bytes, fed in pieces whose
 * sizes come from the input's first byte. Decoded data never exceeds the
 * limit, and a finished body never consumed more than it was given.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "chunked.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIMIT 4096

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chunked c = CHUNKED_INIT;
	struct strbuf out = STRBUF_INIT;
	size_t step, i, used, n;
	const char *why;
	int rc = 0;

	if (size == 0)
		return 0;
	step = (size_t)data[0] % 16 + 1;
	for (i = 1; i < size && rc == 0; i += used) {
		n = size - i < step ? size - i : step;
		used = 0;
		rc = chunked_feed(&c, (const char *)data + i, n, &out, LIMIT, &used, &why);
		if (used > n || out.len > LIMIT || (rc < 0 && (why == NULL || *why == '\0')))
			abort();
		if (rc != 0)
			break;
	}
	strbuf_free(&out);
	return 0;
}
