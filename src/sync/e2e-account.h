/*
 * End-to-end encryption as a sync sees it: the account's key check in the
 * cloud (table e2e_keys, supabase/migrations/20261207000009_e2e_keys.sql),
 * the gate every push and pull passes first, and the unsealing of pulled rows.
 */
#ifndef AL_SYNC_E2E_ACCOUNT_H
#define AL_SYNC_E2E_ACCOUNT_H

#include <cjson/cJSON.h>

#include "privacy/e2e-keyfile.h"
#include "sync/tables.h"

struct cloud;
struct sync_ctx;

/* The account's row of e2e_keys. */
struct e2e_account {
	char check[E2E_CHECK_LEN];
	int has_salt;		/* the key comes from a passphrase */
	unsigned char salt[E2E_SALT_BYTES];
	unsigned long long ops;
	size_t mem;
};

/* Reads the account's key check: 0, 1 when the account has none (e2e off), -1 with err. */
int e2e_account_fetch(struct cloud *c, struct e2e_account *a, char *err);

/*
 * Sets the account's key check to a's, only if it is still `expected` (NULL:
 * none yet). 0 when set, 1 when another machine changed it first, -1 with err.
 */
int e2e_account_swap(struct cloud *c, const char *expected, const struct e2e_account *a,
    char *err);

/*
 * Deletes the account's key check if it is still `expected` (key disable):
 * 0 when deleted, 1 when another machine changed it first, -1 with err.
 */
int e2e_account_delete(struct cloud *c, const char *expected, char *err);

/*
 * Before a sync touches anything, with e2e on: refuses (-1, one line in err)
 * a machine whose key is not the account's, or an account without a key;
 * else sc->e2e holds the keyring and push seals with it. With e2e off it asks
 * nothing (a sync with nothing to do stays one request): the two below do.
 * With e2e on, a key here and no key check in the account (another machine
 * ran key disable), it turns e2e off here too, saying so on stderr, and the
 * sync goes on in the clear.
 */
int e2e_gate(struct sync_ctx *sc, int e2e_on, char *err);

/* A push with rows to send and e2e off: refused when the account is end-to-end encrypted. */
int e2e_gate_plain(struct sync_ctx *sc, char *err);

/*
 * A refused push_batch: -1 with one line in err when the cloud refused it
 * because a value was sealed with another key than the account's, or sealed
 * into an account without one (SQLSTATE AE2E1: another machine rotated the
 * key after this one's gate; AE2E2: it turned e2e off); else 0, err untouched.
 */
struct cloud_response;
int e2e_push_refused(const struct cloud_response *r, char *err);

/* A pulled record with e2e off: refused (before its page is written) when it holds a sealed value. */
int e2e_refuse_sealed(const struct sync_table *t, const cJSON *record, char *err);

/*
 * A cloud record's content columns of table t opened in place. A plain value
 * is refused (the cloud could otherwise inject text), but for the defaults
 * the cloud itself fills in for a null ("" and "[]").
 */
int e2e_unseal_record(const struct e2e_keyring *kr, const struct sync_table *t, cJSON *record,
    char *err);

/*
 * Screenshot bytes (*data, *len: malloc'd, replaced) sealed for storage, or
 * opened after a download. Their place is ("visuals", "bytes", sha256, 0):
 * one object serves every row with those bytes. Bytes that are not sealed
 * (uploaded before e2e was on) open as they are: the sha256 check that
 * follows every download still proves them.
 */
int e2e_seal_bytes(const struct e2e_keyring *kr, const char *sha256, char **data, size_t *len,
    char *err);
int e2e_open_bytes(const struct e2e_keyring *kr, const char *sha256, char **data, size_t *len,
    char *err);

#endif
