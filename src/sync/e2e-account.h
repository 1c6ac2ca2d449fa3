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
 * Before a sync touches anything: refuses (-1, one line in err) a machine
 * whose e2e setting or key disagrees with the account's. With e2e on and the
 * account's key, sc->e2e holds the keyring and push seals with it.
 */
int e2e_gate(struct sync_ctx *sc, int e2e_on, char *err);

/*
 * A cloud record's content columns of table t opened in place. A plain value
 * is refused (the cloud could otherwise inject text), but for the defaults
 * the cloud itself fills in for a null ("" and "[]").
 */
int e2e_unseal_record(const struct e2e_keyring *kr, const struct sync_table *t, cJSON *record,
    char *err);

#endif
