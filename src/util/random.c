#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "util/hex.h"
#include "util/random.h"
#include "util/xmalloc.h"

int
random_bytes(void *buf, size_t n)
{
	if (n > INT_MAX)
		return -1;
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

int
random_hex(char *out, size_t outsize, size_t bytes)
{
	unsigned char *raw;
	int rc;

	if (outsize > 0)
		out[0] = '\0';
	if (outsize == 0 || bytes > (outsize - 1) / 2)
		return -1;
	raw = xmalloc(bytes > 0 ? bytes : 1);
	rc = random_bytes(raw, bytes) == 0 ? hex_encode(out, outsize, raw, bytes) : -1;
	OPENSSL_cleanse(raw, bytes);
	free(raw);
	return rc;
}
