#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "store/seal-hook.h"
#include "sync/cloud.h"
#include "sync/e2e-account.h"
#include "sync/engine.h"
#include "util/base64url.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xmalloc.h"

int
e2e_account_fetch(struct cloud *c, struct e2e_account *a, char *err)
{
	struct cloud_response r = { 0 };
	cJSON *rows = NULL;
	const cJSON *row, *check, *salt, *ops, *mem;
	int rc;

	memset(a, 0, sizeof *a);
	rc = cloud_call(c, "GET", "/rest/v1/e2e_keys?select=check_value,kdf_salt,kdf_ops,kdf_mem",
	    NULL, 0, NULL, &r, err);
	/* A cloud without the table (its migrations older): no account has e2e there. */
	if (rc == 0 && r.status == 404) {
		cloud_response_free(&r);
		return 1;
	}
	if (rc == 0 && r.status != 200)
		rc = cloud_refused(&r, "the cloud refused to show the account's key check"
		    " (are its migrations applied?)", err);
	if (rc == 0 && !cJSON_IsArray(rows = cJSON_ParseWithLength(r.body.buf, r.body.len)))
		rc = seterr(err, "the cloud answered the key check with something unexpected");
	cloud_response_free(&r);
	if (rc != 0 || (row = cJSON_GetArrayItem(rows, 0)) == NULL) {
		cJSON_Delete(rows);
		return rc != 0 ? rc : 1;
	}
	check = cJSON_GetObjectItemCaseSensitive(row, "check_value");
	salt = cJSON_GetObjectItemCaseSensitive(row, "kdf_salt");
	ops = cJSON_GetObjectItemCaseSensitive(row, "kdf_ops");
	mem = cJSON_GetObjectItemCaseSensitive(row, "kdf_mem");
	if (!cJSON_IsString(check) || strlen(check->valuestring) >= sizeof a->check)
		rc = seterr(err, "the cloud's key check is malformed");
	else
		snprintf(a->check, sizeof a->check, "%s", check->valuestring);
	if (rc == 0 && cJSON_IsString(salt)) {
		size_t n = 0;
		unsigned char *raw = base64url_decode(salt->valuestring, strlen(salt->valuestring),
		    &n);
		if (raw == NULL || n != E2E_SALT_BYTES || !cJSON_IsNumber(ops) ||
		    !cJSON_IsNumber(mem))
			rc = seterr(err, "the cloud's passphrase salt is malformed");
		else {
			memcpy(a->salt, raw, n);
			a->has_salt = 1;
			a->ops = (unsigned long long)ops->valuedouble;
			a->mem = (size_t)mem->valuedouble;
		}
		free(raw);
	}
	cJSON_Delete(rows);
	return rc;
}

int
e2e_account_swap(struct cloud *c, const char *expected, const struct e2e_account *a, char *err)
{
	static const char *const headers[] = { "Prefer: return=representation", NULL };
	struct cloud_response r = { 0 };
	cJSON *row = cJSON_CreateObject(), *answer;
	char *body, *path, *salt = a->has_salt ? base64url_encode(a->salt, E2E_SALT_BYTES) : NULL;
	int rc;

	cJSON_AddStringToObject(row, "check_value", a->check);
	cJSON_AddItemToObject(row, "kdf_salt", salt != NULL ? cJSON_CreateString(salt) :
	    cJSON_CreateNull());
	cJSON_AddItemToObject(row, "kdf_ops", a->has_salt ? cJSON_CreateNumber((double)a->ops) :
	    cJSON_CreateNull());
	cJSON_AddItemToObject(row, "kdf_mem", a->has_salt ? cJSON_CreateNumber((double)a->mem) :
	    cJSON_CreateNull());
	body = cJSON_PrintUnformatted(row);
	cJSON_Delete(row);
	free(salt);
	/* A check value is base64url: nothing in it needs escaping in a query. */
	path = expected != NULL ? xprintf("/rest/v1/e2e_keys?check_value=eq.%s", expected) :
	    xstrdup("/rest/v1/e2e_keys");
	rc = cloud_call(c, expected != NULL ? "PATCH" : "POST", path, body, strlen(body), headers,
	    &r, err);
	free(body);
	free(path);
	if (rc == 0 && r.status == 409)
		rc = 1;
	else if (rc == 0 && r.status != 200 && r.status != 201)
		rc = cloud_refused(&r, "the cloud refused the new key check", err);
	else if (rc == 0) {
		/* The rows written: none when another machine's check was there first. */
		answer = cJSON_ParseWithLength(r.body.buf, r.body.len);
		rc = cJSON_GetArraySize(answer) == 1 ? 0 : 1;
		cJSON_Delete(answer);
	}
	cloud_response_free(&r);
	return rc;
}

int
e2e_account_delete(struct cloud *c, const char *expected, char *err)
{
	static const char *const headers[] = { "Prefer: return=representation", NULL };
	struct cloud_response r = { 0 };
	cJSON *answer;
	/* A check value is base64url: nothing in it needs escaping in a query. */
	char *path = xprintf("/rest/v1/e2e_keys?check_value=eq.%s", expected);
	int rc = cloud_call(c, "DELETE", path, NULL, 0, headers, &r, err);

	free(path);
	if (rc == 0 && r.status != 200)
		rc = cloud_refused(&r, "the cloud refused to delete the key check", err);
	else if (rc == 0) {
		answer = cJSON_ParseWithLength(r.body.buf, r.body.len);
		rc = cJSON_GetArraySize(answer) == 1 ? 0 : 1;
		cJSON_Delete(answer);
	}
	cloud_response_free(&r);
	return rc;
}

/* e2e on, a key here, none in the account: e2e was turned off on another machine. */
static int
follow_disable(struct sync_ctx *sc, char *err)
{
	if (config_set(sc->home, "e2e", "false", err) != 0 || e2e_keyfile_retire(sc->home, err) != 0)
		return -1;
	fprintf(stderr, "%s: end-to-end encryption was turned off for the account on another"
	    " machine (agentlogs key disable): e2e is off here too; this machine's key is kept in"
	    " e2e.key.disabled\n", log_progname());
	return 0;
}

/* store/seal-hook.h's sealer: the keyring's current key. */
static char *
seal_value(void *arg, const char *table, const char *column, const char *id, long long version,
    const char *text, size_t len, char *err)
{
	const struct e2e_keyring *kr = arg;
	struct e2e_place p = { table, column, id, version };

	return e2e_seal(&kr->current, &p, text, len, err);
}

#define SEALED_ACCOUNT "this account is end-to-end encrypted but e2e is off here:" \
	" agentlogs config set e2e true, then agentlogs key import"

int
e2e_gate_plain(struct sync_ctx *sc, char *err)
{
	struct e2e_account a;
	int have = e2e_account_fetch(sc->cloud, &a, err);

	return have < 0 ? -1 : have == 0 ? seterr(err, SEALED_ACCOUNT) : 0;
}

int
e2e_push_refused(const struct cloud_response *r, char *err)
{
	cJSON *j = r->body.len > 0 ? cJSON_ParseWithLength(r->body.buf, r->body.len) : NULL;
	const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "code"));
	int other_key = code != NULL && strcmp(code, "AE2E1") == 0;
	int no_key = code != NULL && strcmp(code, "AE2E2") == 0;

	cJSON_Delete(j);
	if (no_key)
		return seterr(err, "end-to-end encryption was turned off for the account on another"
		    " machine: agentlogs sync again turns it off here");
	return other_key ? seterr(err, "the account's encryption key changed on another machine:"
	    " import it with agentlogs key import") : 0;
}

int
e2e_refuse_sealed(const struct sync_table *t, const cJSON *record, char *err)
{
	int i;

	for (i = 0; i < t->ncolumns; i++) {
		if (t->columns[i].content && e2e_is_sealed(cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(record, t->columns[i].name))))
			return seterr(err, SEALED_ACCOUNT);
	}
	return 0;
}

int
e2e_gate(struct sync_ctx *sc, int e2e_on, char *err)
{
	struct e2e_keyring kr;
	struct e2e_account a;
	int have, rc;

	/* Off: checked by the push that has rows to send, and by pull on the rows it gets. */
	if (!e2e_on)
		return 0;
	if ((have = e2e_account_fetch(sc->cloud, &a, err)) < 0)
		return -1;
	if ((rc = e2e_keyfile_load(sc->home, &kr, err)) < 0)
		return -1;
	if (have == 1 && rc == 0) {
		e2e_key_wipe(&kr, sizeof kr);
		return follow_disable(sc, err);
	}
	if (have == 1)
		return seterr(err, "e2e is on here but the account has no end-to-end key:"
		    " agentlogs key generate (or agentlogs config set e2e false)");
	if (rc != 0)
		return rc < 0 ? -1 : seterr(err, "e2e is on but this machine has no key:"
		    " agentlogs key import (the account's key, from a machine that has it)");
	if (strcmp(kr.current.check, a.check) != 0) {
		e2e_key_wipe(&kr, sizeof kr);
		return seterr(err, "this machine's end-to-end key is not the account's (rotated"
		    " elsewhere?): agentlogs key import the current one; nothing was synced");
	}
	sc->e2e = xmalloc(sizeof *sc->e2e);
	*sc->e2e = kr;
	e2e_key_wipe(&kr, sizeof kr);
	if (seal_hook_set(sc->st, seal_value, sc->e2e) != 0)
		return seterr(err, "cannot set up sealing on the store");
	return 0;
}

int
e2e_seal_bytes(const struct e2e_keyring *kr, const char *sha256, char **data, size_t *len,
    char *err)
{
	struct e2e_place p = { "visuals", "bytes", sha256, 0 };
	char *sealed = e2e_seal(&kr->current, &p, *data, *len, err);

	if (sealed == NULL)
		return -1;
	free(*data);
	*data = sealed;
	*len = strlen(sealed);
	return 0;
}

int
e2e_open_bytes(const struct e2e_keyring *kr, const char *sha256, char **data, size_t *len,
    char *err)
{
	struct e2e_place p = { "visuals", "bytes", sha256, 0 };
	char *plain;

	if (*len < sizeof E2E_PREFIX || !e2e_is_sealed(*data))
		return 0;
	if ((plain = e2e_unseal(kr, &p, *data, len, err)) == NULL)
		return -1;
	free(*data);
	*data = plain;
	return 0;
}

int
e2e_unseal_record(const struct e2e_keyring *kr, const struct sync_table *t, cJSON *record,
    char *err)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(record, "id");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(record, "version");
	struct e2e_place p = { t->name, NULL, cJSON_IsString(id) ? id->valuestring : NULL,
	    cJSON_IsNumber(v) ? (long long)v->valuedouble : 0 };
	int i;

	for (i = 0; i < t->ncolumns; i++) {
		cJSON *c;
		char *plain;

		if (!t->columns[i].content)
			continue;
		c = cJSON_GetObjectItemCaseSensitive(record, t->columns[i].name);
		if (!cJSON_IsString(c) || strcmp(c->valuestring, "") == 0 ||
		    strcmp(c->valuestring, "[]") == 0)
			continue;
		p.column = t->columns[i].name;
		if ((plain = e2e_unseal(kr, &p, c->valuestring, NULL, err)) == NULL)
			return -1;
		cJSON_SetValuestring(c, plain);
		free(plain);
	}
	return 0;
}
