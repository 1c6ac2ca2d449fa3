#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "util/log.h"

static long long
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
db_backoff_init(struct db_backoff *b)
{
	pthread_mutex_init(&b->lock, NULL);
	b->next_ms = 0;
	b->delay_ms = DB_RETRY_FIRST_MS;
}

void
db_backoff_free(struct db_backoff *b)
{
	pthread_mutex_destroy(&b->lock);
}

/* Whether an attempt may be made now: no failure lately, or its wait is over. */
static int
backoff_due(struct db_backoff *b, long long *wait_ms)
{
	long long now = monotonic_ms();
	int due;

	pthread_mutex_lock(&b->lock);
	due = now >= b->next_ms;
	*wait_ms = b->next_ms - now;
	pthread_mutex_unlock(&b->lock);
	return due;
}

static void
backoff_result(struct db_backoff *b, int ok)
{
	pthread_mutex_lock(&b->lock);
	if (ok) {
		b->next_ms = 0;
		b->delay_ms = DB_RETRY_FIRST_MS;
	} else {
		b->next_ms = monotonic_ms() + b->delay_ms;
		b->delay_ms = b->delay_ms * 2 > DB_RETRY_MAX_MS ? DB_RETRY_MAX_MS :
		    b->delay_ms * 2;
	}
	pthread_mutex_unlock(&b->lock);
}

static int
connection_error(PGconn *pg, const char *what, char *err)
{
	seterr(err, "%s: %s", what, pg != NULL ? PQerrorMessage(pg) : "out of memory");
	err[strcspn(err, "\n")] = '\0';
	return -1;
}

PGconn *
db_open(const char *url, char *err)
{
	PGconn *pg = PQconnectdb(url);

	err[0] = '\0';
	if (PQstatus(pg) != CONNECTION_OK)
		connection_error(pg, "cannot connect to PostgreSQL", err);
	return pg;
}

PGconn *
db_connect(const char *url, char *err)
{
	PGconn *pg = db_open(url, err);

	if (PQstatus(pg) != CONNECTION_OK) {
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

int
db_usable(PGconn *pg)
{
	return pg != NULL && PQstatus(pg) == CONNECTION_OK;
}

int
db_ensure(PGconn *pg, char *err)
{
	if (db_usable(pg))
		return 0;
	if (pg == NULL)
		return connection_error(pg, "database unavailable", err);
	PQreset(pg);
	if (PQstatus(pg) != CONNECTION_OK)
		return connection_error(pg, "database unavailable", err);
	return 0;
}

/*
 * A restarted server closed this idle connection: reading what arrived
 * meanwhile (its goodbye, then end of file, one read each) marks it broken,
 * so the request gets a fresh connection instead of failing on the dead one.
 * Only reads what is there: poll() with no wait.
 */
static void
notice_closed(PGconn *pg)
{
	struct pollfd p;
	int i;

	p.fd = PQsocket(pg);
	p.events = POLLIN;
	for (i = 0; i < 4 && PQstatus(pg) == CONNECTION_OK &&
	    PQtransactionStatus(pg) == PQTRANS_IDLE && poll(&p, 1, 0) > 0; i++)
		PQconsumeInput(pg);
}

int
db_ready(PGconn *pg, struct db_backoff *b, char *err)
{
	long long wait_ms;

	if (pg == NULL)
		return connection_error(pg, "database unavailable", err);
	notice_closed(pg);
	if (PQstatus(pg) == CONNECTION_OK)
		return 0;
	if (!backoff_due(b, &wait_ms))
		return seterr(err, "database unavailable (next connection attempt in %lld ms)",
		    wait_ms);
	PQreset(pg);
	backoff_result(b, PQstatus(pg) == CONNECTION_OK);
	if (PQstatus(pg) != CONNECTION_OK)
		return connection_error(pg, "database unavailable", err);
	log_warn("reconnected to PostgreSQL");
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

int
db_run(PGconn *pg, const char *sql, int nparams, const char *const *params, char *sqlstate,
    char *err)
{
	PGresult *res = db_exec(pg, sql, nparams, params, sqlstate, err);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* BEGIN, once more on a fresh connection when the old one turns out dead. */
static int
begin(PGconn *pg, char *err)
{
	if (db_ensure(pg, err) != 0)
		return -1;
	if (db_run(pg, "BEGIN", 0, NULL, NULL, err) == 0)
		return 0;
	if (PQstatus(pg) != CONNECTION_BAD || db_ensure(pg, err) != 0)
		return -1;
	return db_run(pg, "BEGIN", 0, NULL, NULL, err);
}

int
db_begin_as(PGconn *pg, const char *role, const char *claims_json, char *err)
{
	const char *params[2] = { role, claims_json != NULL ? claims_json : "" };

	if (begin(pg, err) != 0)
		return -1;
	/* set_config(..., true) lasts for this transaction only, like SET LOCAL. */
	if (db_run(pg, "SELECT set_config('role', $1, true),"
	    " set_config('request.jwt.claims', $2, true)", 2, params, NULL, err) != 0) {
		db_rollback(pg);
		return -1;
	}
	return 0;
}

int
db_begin(PGconn *pg, char *err)
{
	return begin(pg, err);
}

int
db_commit(PGconn *pg, char *err)
{
	PGresult *res = db_exec(pg, "COMMIT", 0, NULL, NULL, err);
	int committed;

	if (res == NULL)
		return -1;
	committed = strcmp(PQcmdStatus(res), "COMMIT") == 0;
	PQclear(res);
	if (!committed)
		return seterr(err, "the transaction was rolled back: one of its statements failed");
	return 0;
}

void
db_rollback(PGconn *pg)
{
	PQclear(PQexec(pg, "ROLLBACK"));
}
