/* PostgreSQL for the server: one connection per worker, and requests run as
 * the caller's role with its JWT claims, as PostgREST does. */
#ifndef AL_SERVER_DB_H
#define AL_SERVER_DB_H

#include <pthread.h>
#include <libpq-fe.h>

/*
 * When the workers may next try to reconnect: shared by all of them, so a
 * database that is down sees a round of attempts per interval (doubling from
 * DB_RETRY_FIRST_MS up to DB_RETRY_MAX_MS), not one per request, and the
 * first worker that gets through lets every other one try at once. With no
 * failure lately, a broken connection is replaced at once.
 */
#define DB_RETRY_FIRST_MS 100
#define DB_RETRY_MAX_MS 5000
struct db_backoff {
	pthread_mutex_t lock;
	long long next_ms;	/* CLOCK_MONOTONIC milliseconds; 0: try now */
	long long delay_ms;	/* the wait after the next failure */
};
void db_backoff_init(struct db_backoff *b);
void db_backoff_free(struct db_backoff *b);

/* Connects (the URL is never logged: it may hold a password); NULL on failure. */
PGconn *db_connect(const char *url, char *err);
/*
 * A worker's connection: the handle even when the database is down (err then
 * says why), so db_ready() can reconnect it later. NULL only when out of memory.
 */
PGconn *db_open(const char *url, char *err);
/*
 * Before a request: notices a connection the server closed while it was idle
 * (a restart), and reconnects a broken one when the backoff allows.
 * 0 when the connection is usable, else -1 with err.
 */
int db_ready(PGconn *pg, struct db_backoff *b, char *err);
/* Reconnects a connection that broke, now; -1 when the database is unreachable. */
int db_ensure(PGconn *pg, char *err);
/* Whether pg is connected (a failure on it is the database's fault, not the request's). */
int db_usable(PGconn *pg);

/*
 * Begins a transaction as role (anon, authenticated, service_role) with
 * request.jwt.claims set to claims_json (may be NULL), for this transaction
 * only. A connection found dead at BEGIN is reconnected and BEGIN sent once
 * more: nothing of the request has run yet.
 */
int db_begin_as(PGconn *pg, const char *role, const char *claims_json, char *err);
/* A transaction as the server's own login role (auth, storage metadata, migrations). */
int db_begin(PGconn *pg, char *err);
/*
 * -1 unless the transaction really committed: after a failed statement,
 * PostgreSQL answers COMMIT with success and the tag ROLLBACK.
 */
int db_commit(PGconn *pg, char *err);
void db_rollback(PGconn *pg);

/*
 * Runs one statement with text parameters. NULL on failure, with err holding
 * the message and sqlstate (6 bytes) the SQLSTATE ("" when not from the server).
 */
PGresult *db_exec(PGconn *pg, const char *sql, int nparams, const char *const *params,
    char *sqlstate, char *err);
/* db_exec() for a statement whose rows are not needed: 0 or -1. */
int db_run(PGconn *pg, const char *sql, int nparams, const char *const *params,
    char *sqlstate, char *err);

#endif
