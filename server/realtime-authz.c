/* Private channels' row-level security checks (realtime-authz.h). */
#include "config.h"

#include <string.h>
#include <cjson/cJSON.h>

#include "db.h"
#include "realtime-authz.h"

/*
 * Becomes the user inside the open transaction: role, request.jwt.claims
 * and realtime.topic for this transaction only.
 */
static int
become(PGconn *pg, const char *role, const char *claims, const char *topic, char *err)
{
	const char *p[3] = { role, claims != NULL ? claims : "", topic };

	return db_run(pg, "SELECT pg_catalog.set_config('role', $1, true),"
	    " pg_catalog.set_config('request.jwt.claims', $2, true),"
	    " pg_catalog.set_config('realtime.topic', $3, true)", 3, p, NULL, err);
}

int
rt_authz_read(PGconn *pg, const char *role, const char *claims, const char *topic,
    struct rt_policies *out, char *err)
{
	const char *p[3] = { topic, NULL, NULL };
	PGresult *res = NULL, *seen = NULL;
	int i, rc = -1;

	memset(out, 0, sizeof *out);
	if (db_begin(pg, err) != 0)
		return -1;
	/* Inserted as the server's role (the table's owner), read back as the user. */
	res = db_exec(pg, "INSERT INTO realtime.messages (topic, extension) VALUES"
	    " ($1, 'broadcast'), ($1, 'presence') RETURNING id::text, extension", 1, p, NULL, err);
	if (res == NULL || PQntuples(res) != 2 || become(pg, role, claims, topic, err) != 0)
		goto done;
	for (i = 0; i < 2; i++)
		p[1 + (strcmp(PQgetvalue(res, i, 1), "presence") == 0)] = PQgetvalue(res, i, 0);
	seen = db_exec(pg, "SELECT extension FROM realtime.messages"
	    " WHERE topic = $1 AND id IN ($2::uuid, $3::uuid)", 3, p, NULL, err);
	if (seen == NULL)
		goto done;
	for (i = 0; i < PQntuples(seen); i++) {
		if (strcmp(PQgetvalue(seen, i, 0), "broadcast") == 0)
			out->broadcast = 1;
		else
			out->presence = 1;
	}
	rc = 0;
done:
	PQclear(res);
	PQclear(seen);
	db_rollback(pg);
	return rc;
}

/* Whether the user may insert a row of extension ext: 1, 0, or -1 with err. */
static int
may_insert(PGconn *pg, const char *topic, const char *ext, char *err)
{
	const char *p[2] = { topic, ext };
	char state[6];

	if (db_run(pg, "SAVEPOINT probe", 0, NULL, NULL, err) != 0)
		return -1;
	if (db_run(pg, "INSERT INTO realtime.messages (topic, extension) VALUES ($1, $2)",
	    2, p, state, err) == 0)
		return db_run(pg, "RELEASE SAVEPOINT probe", 0, NULL, NULL, err) == 0 ? 1 : -1;
	/* 42501: no grant, or the row fails a policy's WITH CHECK. */
	if (strcmp(state, "42501") != 0)
		return -1;
	return db_run(pg, "ROLLBACK TO SAVEPOINT probe", 0, NULL, NULL, err) == 0 ? 0 : -1;
}

int
rt_authz_write(PGconn *pg, const char *role, const char *claims, const char *topic,
    struct rt_policies *out, char *err)
{
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (db_begin(pg, err) != 0)
		return -1;
	if (become(pg, role, claims, topic, err) == 0 &&
	    (out->broadcast = may_insert(pg, topic, "broadcast", err)) >= 0 &&
	    (out->presence = may_insert(pg, topic, "presence", err)) >= 0)
		rc = 0;
	db_rollback(pg);
	if (rc != 0)
		memset(out, 0, sizeof *out);
	return rc;
}

const char *
rt_authz_role(const char *claims_json)
{
	cJSON *claims = claims_json != NULL ? cJSON_Parse(claims_json) : NULL;
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(claims, "role");
	const char *role = "anon";

	if (cJSON_IsString(r) && strcmp(r->valuestring, "service_role") == 0)
		role = "service_role";
	else if (cJSON_IsString(r) && strcmp(r->valuestring, "authenticated") == 0)
		role = "authenticated";
	cJSON_Delete(claims);
	return role;
}
