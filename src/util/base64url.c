#include "config.h"

#include <stdlib.h>

#include "util/base64url.h"
#include "util/xmalloc.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
base64url_append(struct strbuf *sb, const unsigned char *p, size_t n)
{
	unsigned int v;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned int)p[i] << 16 | (unsigned int)p[i + 1] << 8 | p[i + 2];
		strbuf_addc(sb, alphabet[v >> 18 & 63]);
		strbuf_addc(sb, alphabet[v >> 12 & 63]);
		strbuf_addc(sb, alphabet[v >> 6 & 63]);
		strbuf_addc(sb, alphabet[v & 63]);
	}
	if (n - i == 1) {
		v = (unsigned int)p[i] << 16;
		strbuf_addc(sb, alphabet[v >> 18 & 63]);
		strbuf_addc(sb, alphabet[v >> 12 & 63]);
	} else if (n - i == 2) {
		v = (unsigned int)p[i] << 16 | (unsigned int)p[i + 1] << 8;
		strbuf_addc(sb, alphabet[v >> 18 & 63]);
		strbuf_addc(sb, alphabet[v >> 12 & 63]);
		strbuf_addc(sb, alphabet[v >> 6 & 63]);
	}
}

char *
base64url_encode(const unsigned char *p, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	base64url_append(&sb, p, n);
	return strbuf_detach(&sb);
}

static int
value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

unsigned char *
base64url_decode(const char *s, size_t len, size_t *outlen)
{
	unsigned char *out;
	unsigned int acc = 0;
	size_t i, n = 0;
	int bits = 0, v;

	if (len % 4 == 1)
		return NULL;
	out = xmalloc(len / 4 * 3 + 3);
	for (i = 0; i < len; i++) {
		if ((v = value((unsigned char)s[i])) < 0)
			goto fail;
		acc = acc << 6 | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		goto fail;
	out[n] = '\0';
	*outlen = n;
	return out;
fail:
	free(out);
	return NULL;
}
