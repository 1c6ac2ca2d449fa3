#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "privacy/e2e.h"
#include "util/base64url.h"
#include "util/log.h"
#include "util/random.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

enum { KID = 4, NONCE = 12, TAG = 16, HEAD = KID + NONCE + TAG + E2E_KEY_BYTES + TAG };

/* A fixed label: the check value proves the key without revealing it. */
static const char check_label[] = "agentlogs e2e key check v1";

void
e2e_key_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

int
e2e_key_set(struct e2e_key *k, const unsigned char raw[E2E_KEY_BYTES])
{
	unsigned char mac[32];
	unsigned int n = sizeof mac;
	char *b;

	memcpy(k->key, raw, E2E_KEY_BYTES);
	if (HMAC(EVP_sha256(), k->key, E2E_KEY_BYTES, (const unsigned char *)check_label,
	    sizeof check_label - 1, mac, &n) == NULL)
		return -1;
	b = base64url_encode(mac, sizeof mac);
	snprintf(k->check, sizeof k->check, "%s", b);
	free(b);
	return 0;
}

int
e2e_is_sealed(const char *text)
{
	return text != NULL && strncmp(text, E2E_PREFIX, sizeof E2E_PREFIX - 1) == 0;
}

/* The key id: the check value's first bytes, decoded. */
static void
key_id(const struct e2e_key *k, unsigned char id[KID])
{
	size_t n;
	unsigned char *raw = base64url_decode(k->check, strlen(k->check), &n);

	memcpy(id, raw, KID);
	free(raw);
}

/* table NUL column NUL id NUL version: the associated data of a place. */
static void
place_ad(const struct e2e_place *p, struct strbuf *ad)
{
	strbuf_adds(ad, p->table);
	strbuf_addc(ad, '\0');
	strbuf_adds(ad, p->column);
	strbuf_addc(ad, '\0');
	strbuf_adds(ad, p->id != NULL ? p->id : "");
	strbuf_addc(ad, '\0');
	strbuf_addf(ad, "%lld", p->version);
}

/*
 * AES-256-GCM of in[0..n) into out (n bytes) and tag, or back (decrypt: tag
 * is checked). 0, or -1 (for a decryption: the tag did not match).
 */
static int
gcm(int encrypt, const unsigned char *key, const unsigned char nonce[NONCE],
    const struct strbuf *ad, const unsigned char *in, size_t n, unsigned char *out,
    unsigned char tag[TAG])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len, ok;

	ok = c != NULL && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce, encrypt) == 1 &&
	    EVP_CipherUpdate(c, NULL, &len, (const unsigned char *)ad->buf, (int)ad->len) == 1;
	/* EVP takes an int length: a value over 2 GB goes in pieces. */
	while (ok && n > 0) {
		int piece = n > (1u << 30) ? 1 << 30 : (int)n;
		ok = EVP_CipherUpdate(c, out, &len, in, piece) == 1;
		in += piece;
		out += piece;
		n -= (size_t)piece;
	}
	if (ok && !encrypt)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG, tag) == 1;
	if (ok)
		ok = EVP_CipherFinal_ex(c, out, &len) == 1;
	if (ok && encrypt)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

char *
e2e_seal(const struct e2e_key *k, const struct e2e_place *p, const char *text, size_t len,
    char *err)
{
	static const unsigned char zero[NONCE];
	unsigned char *buf = xmalloc(HEAD + len + 1), dek[E2E_KEY_BYTES];
	unsigned char *wnonce = buf + KID, *wtag = wnonce + NONCE, *wrapped = wtag + TAG;
	unsigned char *tag = wrapped + E2E_KEY_BYTES, *ct = tag + TAG;
	struct strbuf ad = STRBUF_INIT, out = STRBUF_INIT;
	int rc;

	place_ad(p, &ad);
	key_id(k, buf);
	rc = random_bytes(dek, sizeof dek) == 0 && random_bytes(wnonce, NONCE) == 0 ? 0 : -1;
	if (rc == 0)
		rc = gcm(1, k->key, wnonce, &ad, dek, sizeof dek, wrapped, wtag);
	if (rc == 0)
		rc = gcm(1, dek, zero, &ad, (const unsigned char *)text, len, ct, tag);
	e2e_key_wipe(dek, sizeof dek);
	strbuf_free(&ad);
	if (rc != 0) {
		free(buf);
		seterr(err, "cannot seal %s.%s: OpenSSL failed", p->table, p->column);
		return NULL;
	}
	strbuf_adds(&out, E2E_PREFIX);
	base64url_append(&out, buf, HEAD + len);
	free(buf);
	return strbuf_detach(&out);
}

/* The keyring's key whose id is id, or NULL. */
static const struct e2e_key *
key_of(const struct e2e_keyring *kr, const unsigned char id[KID])
{
	unsigned char kid[KID];

	key_id(&kr->current, kid);
	if (memcmp(kid, id, KID) == 0)
		return &kr->current;
	if (kr->has_previous) {
		key_id(&kr->previous, kid);
		if (memcmp(kid, id, KID) == 0)
			return &kr->previous;
	}
	return NULL;
}

char *
e2e_unseal(const struct e2e_keyring *kr, const struct e2e_place *p, const char *sealed,
    size_t *len, char *err)
{
	static const unsigned char zero[NONCE];
	size_t n = 0, body;
	unsigned char *raw = NULL, dek[E2E_KEY_BYTES], *plain = NULL;
	const struct e2e_key *k = NULL;
	struct strbuf ad = STRBUF_INIT;
	const char *why = NULL;

	if (!e2e_is_sealed(sealed))
		why = "it is not sealed";
	else if ((raw = base64url_decode(sealed + sizeof E2E_PREFIX - 1,
	    strlen(sealed) - (sizeof E2E_PREFIX - 1), &n)) == NULL || n < HEAD)
		why = "it is damaged";
	else if ((k = key_of(kr, raw)) == NULL)
		why = "it was sealed with another key";
	if (why == NULL) {
		unsigned char *wnonce = raw + KID, *wtag = wnonce + NONCE, *wrapped = wtag + TAG;
		unsigned char *tag = wrapped + E2E_KEY_BYTES, *ct = tag + TAG;

		body = n - HEAD;
		plain = xmalloc(body + 1);
		place_ad(p, &ad);
		if (gcm(0, k->key, wnonce, &ad, wrapped, E2E_KEY_BYTES, dek, wtag) != 0 ||
		    gcm(0, dek, zero, &ad, ct, body, plain, tag) != 0)
			why = "it is damaged or not this record's";
		e2e_key_wipe(dek, sizeof dek);
		strbuf_free(&ad);
	}
	free(raw);
	if (why != NULL) {
		free(plain);
		seterr(err, "cannot open %s.%s of %s (version %lld): %s", p->table, p->column,
		    p->id != NULL ? p->id : "?", p->version, why);
		return NULL;
	}
	plain[body] = '\0';
	if (len != NULL)
		*len = body;
	return (char *)plain;
}
