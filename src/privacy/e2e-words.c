#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "privacy/e2e-words.h"
#include "util/log.h"
#include "util/strbuf.h"

/* Letters chosen to sound apart: no c/q/x/y/w (they double other sounds). */
static const char first[] = "bdfghjklmnprstvz";	/* 16: 4 bits */
static const char second[] = "dklmnrst";	/* 8: 3 bits */
static const char vowels[] = "aeio";	/* 4: 2 bits */

enum { WORD_BITS = 11, CHECK_BITS = E2E_WORDS * WORD_BITS - E2E_KEY_BYTES * 8 };

void
e2e_word(unsigned i, char out[5])
{
	out[0] = first[(i >> 7) & 15];
	out[1] = vowels[(i >> 5) & 3];
	out[2] = second[(i >> 2) & 7];
	out[3] = vowels[i & 3];
	out[4] = '\0';
}

/* The position of lower-case c in set, or -1. */
static int
pos(const char *set, int c)
{
	const char *p = c != '\0' ? strchr(set, tolower(c)) : NULL;

	return p != NULL ? (int)(p - set) : -1;
}

int
e2e_word_number(const char *w, size_t len)
{
	int a, b, c, d;

	if (len != 4)
		return -1;
	a = pos(first, (unsigned char)w[0]);
	b = pos(vowels, (unsigned char)w[1]);
	c = pos(second, (unsigned char)w[2]);
	d = pos(vowels, (unsigned char)w[3]);
	if (a < 0 || b < 0 || c < 0 || d < 0)
		return -1;
	return a << 7 | b << 5 | c << 2 | d;
}

/* Bit i (from the most significant of byte 0) of buf. */
static unsigned
bit(const unsigned char *buf, size_t i)
{
	return (buf[i / 8] >> (7 - i % 8)) & 1u;
}

/* The key followed by its checksum: 36 bytes, of which the first 286 bits are used. */
static void
with_checksum(const unsigned char key[E2E_KEY_BYTES], unsigned char buf[E2E_KEY_BYTES + 4])
{
	unsigned char digest[SHA256_DIGEST_LENGTH];

	SHA256(key, E2E_KEY_BYTES, digest);
	memcpy(buf, key, E2E_KEY_BYTES);
	memcpy(buf + E2E_KEY_BYTES, digest, 4);
}

char *
e2e_words_encode(const unsigned char key[E2E_KEY_BYTES])
{
	unsigned char buf[E2E_KEY_BYTES + 4];
	struct strbuf out = STRBUF_INIT;
	char word[5];
	size_t w, b;

	with_checksum(key, buf);
	for (w = 0; w < E2E_WORDS; w++) {
		unsigned n = 0;
		for (b = 0; b < WORD_BITS; b++)
			n = n << 1 | bit(buf, w * WORD_BITS + b);
		e2e_word(n, word);
		if (w > 0)
			strbuf_addc(&out, ' ');
		strbuf_adds(&out, word);
	}
	e2e_key_wipe(buf, sizeof buf);
	return strbuf_detach(&out);
}

static int
separator(int c)
{
	return c == ' ' || c == '\t' || c == '-' || c == '\r';
}

int
e2e_words_look_like(const char *text)
{
	size_t start = strspn(text, " \t"), len = strcspn(text + start, "\r\n");

	while (len > 0 && (text[start + len - 1] == ' ' || text[start + len - 1] == '\t'))
		len--;
	/* A key in base64url is 43 characters, the shortest words are 26 x 4. */
	return len > 43;
}

int
e2e_words_decode(const char *text, unsigned char key[E2E_KEY_BYTES], char *err)
{
	unsigned char buf[E2E_KEY_BYTES + 4] = { 0 }, want[E2E_KEY_BYTES + 4];
	const char *p = text;
	size_t w = 0, b, len;
	int n, rc = 0;

	while (rc == 0) {
		while (separator((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		for (len = 0; p[len] != '\0' && p[len] != '\n' && !separator((unsigned char)p[len]);
		    len++)
			;
		if (w == E2E_WORDS)
			rc = seterr(err, "more than %d words: not an agentlogs key", E2E_WORDS);
		else if ((n = e2e_word_number(p, len)) < 0)
			rc = seterr(err, "word %zu (\"%.*s\") is not one of the key's words", w + 1,
			    len > 20 ? 20 : (int)len, p);
		else {
			for (b = 0; b < WORD_BITS; b++) {
				size_t i = w * WORD_BITS + b;
				if ((n >> (WORD_BITS - 1 - b)) & 1)
					buf[i / 8] |= (unsigned char)(0x80u >> (i % 8));
			}
			w++;
		}
		p += len;
	}
	if (rc == 0 && w != E2E_WORDS)
		rc = seterr(err, "%zu words where a key has %d", w, E2E_WORDS);
	if (rc == 0) {
		with_checksum(buf, want);
		for (b = E2E_KEY_BYTES * 8; rc == 0 && b < E2E_KEY_BYTES * 8 + CHECK_BITS; b++) {
			if (bit(buf, b) != bit(want, b))
				rc = seterr(err, "the words' checksum does not match: a word is"
				    " mistyped or out of place");
		}
	}
	if (rc == 0)
		memcpy(key, buf, E2E_KEY_BYTES);
	e2e_key_wipe(buf, sizeof buf);
	e2e_key_wipe(want, sizeof want);
	return rc;
}
