/*
 * The master key on disk: AGENTLOGS_HOME/e2e.key, mode 0600, never in the
 * config and never logged. One line "current <base64url>", and after a key
 * rotate a second "previous <base64url>" (still opens values sealed before).
 * And the passphrase form of a key: Argon2id (libsodium crypto_pwhash).
 */
#ifndef AL_PRIVACY_E2E_KEYFILE_H
#define AL_PRIVACY_E2E_KEYFILE_H

#include "privacy/e2e.h"

#define E2E_SALT_BYTES 16

/* The path of the key file, newly allocated. */
char *e2e_keyfile_path(const char *home);

/*
 * Reads home's keyring: 0, 1 when there is no key file, -1 with err (a
 * file others may read is refused: the key would not be secret).
 */
int e2e_keyfile_load(const char *home, struct e2e_keyring *kr, char *err);

/* Writes the keyring atomically, mode 0600. */
int e2e_keyfile_save(const char *home, const struct e2e_keyring *kr, char *err);

/*
 * Once e2e is turned off (key disable): the key file moves to
 * e2e.key.disabled (replacing an older one), kept for reading what it
 * sealed; 0, or -1 with err. A key generate or import then starts afresh.
 */
int e2e_keyfile_retire(const char *home, char *err);

/*
 * A key as text (base64url, 43 characters), newly allocated; and back from
 * that or from its words (privacy/e2e-words.h): -1 when malformed.
 */
char *e2e_key_text(const struct e2e_key *k);
int e2e_key_parse(const char *text, struct e2e_key *k, char *err);

/* A new random key. */
int e2e_key_random(struct e2e_key *k, char *err);

/*
 * The key of a passphrase and salt, Argon2id with ops and mem limits
 * (libsodium's "moderate" ones unless a test lowers them through
 * AGENTLOGS_E2E_KDF_MEM / AGENTLOGS_E2E_KDF_OPS).
 */
int e2e_key_derive(const char *passphrase, const unsigned char salt[E2E_SALT_BYTES],
    unsigned long long ops, size_t mem, struct e2e_key *k, char *err);
void e2e_kdf_limits(unsigned long long *ops, size_t *mem);

#endif
