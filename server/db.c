#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "util/log.h"

PGconn *
db_connect(const char *url, char *err)
{
	PGconn *pg = PQconnectdb(url);

	if (PQstatus(pg) != CONNECTION_OK) {
		seterr(err, "cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
		err[strcspn(err, "\n")] = '\0';
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

int
db_ensure(PGconn *pg, char *err)
{
	if (PQstatus(pg) == CONNECTION_OK)
		return 0;
	PQreset(pg);
	if (PQstatus(pg) != CONNECTION_OK) {
		seterr(err, "database unavailable: %s", PQerrorMessage(pg));
		err[strcspn(err, "\n")] = '\0';
		return -1;
	}
	return 0;
}

PGresult *
db_exec(PGconn *pg, const char *sql, int nparams, const char *const *params, char *sqlstate,
    char *err)
{
	PGresult *res = PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	const char *state, *msg;

	if (sqlstate != NULL)
		sqlstate[0] = '\0';
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (sqlstate != NULL && state != NULL)
		snprintf(sqlstate, 6, "%s", state);
	seterr(err, "%s", msg != NULL ? msg : PQerrorMessage(pg));
	err[strcspn(err, "\n")] = '\0';
	PQclear(res);
	return NULL;
}

static int
simple(PGconn *pg, const char *sql, char *err)
{
	PGresult *res = db_exec(pg, sql, 0, NULL, NULL, err);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int
db_begin_as(PGconn *pg, const char *role, const char *claims_json, char *err)
{
	const char *params[2] = { role, claims_json != NULL ? claims_json : "" };
	PGresult *res;

	if (db_ensure(pg, err) != 0 || simple(pg, "BEGIN", err) != 0)
		return -1;
	/* set_config(..., true) lasts for this transaction only, like SET LOCAL. */
	res = db_exec(pg, "SELECT set_config('role', $1, true),"
	    " set_config('request.jwt.claims', $2, true)", 2, params, NULL, err);
	if (res == NULL) {
		db_rollback(pg);
		return -1;
	}
	PQclear(res);
	return 0;
}

int
db_begin(PGconn *pg, char *err)
{
	if (db_ensure(pg, err) != 0)
		return -1;
	return simple(pg, "BEGIN", err);
}

int
db_commit(PGconn *pg, char *err)
{
	return simple(pg, "COMMIT", err);
}

void
db_rollback(PGconn *pg)
{
	PQclear(PQexec(pg, "ROLLBACK"));
}
