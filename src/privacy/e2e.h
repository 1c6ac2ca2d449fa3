/*
 * End-to-end encryption of content columns (issue 15): what the cloud keeps
 * of a prompt, an answer, a title or a file list when `e2e` is on.
 *
 * Each value is sealed on its own with AES-256-GCM under a fresh random data
 * key; that data key is itself sealed (wrapped) under the master key. Both
 * take the record's table, column, id and version as associated data, so a
 * value moved to another row, column or version fails to open, as does a
 * flipped byte or another master key. The cloud's text columns hold
 *
 *   "e2e1:" base64url(key id[4] | wrap nonce[12] | wrap tag[16] | wrapped data key[32]
 *                     | tag[16] | ciphertext)
 *
 * The key id (the first bytes of the key's check value) names the master key
 * that sealed a value, so a machine tells "another key" from "tampered". The
 * wrap's nonce is random (96 bits: safe for 2^32 values a key); the value's
 * own nonce is zero, as its data key seals nothing else.
 */
#ifndef AL_PRIVACY_E2E_H
#define AL_PRIVACY_E2E_H

#include <stddef.h>

#define E2E_KEY_BYTES 32
#define E2E_PREFIX "e2e1:"
/* The check value as text: base64url of an HMAC-SHA256, and its NUL. */
#define E2E_CHECK_LEN 44

struct e2e_key {
	unsigned char key[E2E_KEY_BYTES];
	char check[E2E_CHECK_LEN];	/* e2e_key_set fills it */
};

/*
 * The keys a machine holds: the account's current one, and the one it
 * replaced (key rotate), still accepted for opening values sealed before the
 * rotation until every row has gone up again.
 */
struct e2e_keyring {
	struct e2e_key current;
	int has_previous;
	struct e2e_key previous;
};

/* Where a value lives: its associated data. */
struct e2e_place {
	const char *table, *column, *id;
	long long version;
};

/* k from 32 raw bytes, with its check value; -1 only when OpenSSL fails. */
int e2e_key_set(struct e2e_key *k, const unsigned char raw[E2E_KEY_BYTES]);

/* Whether text is a sealed value (has the prefix). */
int e2e_is_sealed(const char *text);

/* text[0..len) sealed for place, newly allocated; NULL with err on failure. */
char *e2e_seal(const struct e2e_key *k, const struct e2e_place *p, const char *text, size_t len,
    char *err);

/*
 * A sealed value opened with the keyring's key of its id: the plaintext,
 * newly allocated and NUL-terminated (*len bytes before the NUL, len may be
 * NULL), or NULL with err naming the place and why (another key, damaged).
 */
char *e2e_unseal(const struct e2e_keyring *kr, const struct e2e_place *p, const char *sealed,
    size_t *len, char *err);

/* Wipes a key from memory. */
void e2e_key_wipe(void *p, size_t n);

#endif
