/*
 * libFuzzer target: multipart_file() on arbitrary forms. The input's first
 * line is the Content-Type value, the rest the body. Whatever is found must
 * lie inside the body and be followed there by the delimiter; a refusal must
 * give a reason.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ct_len = nl != NULL ? (size_t)(nl - data) : size;
	size_t body_len = nl != NULL ? size - ct_len - 1 : 0;
	char *ct = malloc(ct_len + 1), *body = malloc(body_len + 1);
	struct multipart_file f;
	const char *why = NULL;

	memcpy(ct, data, ct_len);
	ct[ct_len] = '\0';
	if (body_len > 0)
		memcpy(body, nl + 1, body_len);
	if (multipart_file(ct, body, body_len, &f, &why) == 0) {
		if (f.data < body || f.len > body_len || (size_t)(f.data - body) > body_len - f.len)
			abort();
		/* "\r\n--" follows the file's bytes. */
		if (body_len - (size_t)(f.data - body) - f.len < 4 ||
		    memcmp(f.data + f.len, "\r\n--", 4) != 0)
			abort();
		if (strlen(f.content_type) == 0)
			abort();
	} else if (why == NULL || *why == '\0') {
		abort();
	}
	free(ct);
	free(body);
	return 0;
}
