/* PostgreSQL for the server: one connection per worker, and requests run as
 * the caller's role with its JWT claims, as PostgREST does. */
#ifndef AL_SERVER_DB_H
#define AL_SERVER_DB_H

#include <libpq-fe.h>

/* Connects (the URL is never logged: it may hold a password). */
PGconn *db_connect(const char *url, char *err);
/* Reconnects a connection that broke; -1 when the database is unreachable. */
int db_ensure(PGconn *pg, char *err);

/*
 * Begins a transaction as role (anon, authenticated, service_role) with
 * request.jwt.claims set to claims_json (may be NULL), for this transaction only.
 */
int db_begin_as(PGconn *pg, const char *role, const char *claims_json, char *err);
/* A transaction as the server's own login role (auth, storage metadata, migrations). */
int db_begin(PGconn *pg, char *err);
int db_commit(PGconn *pg, char *err);
void db_rollback(PGconn *pg);

/*
 * Runs one statement with text parameters. NULL on failure, with err holding
 * the message and sqlstate (6 bytes) the SQLSTATE ("" when not from the server).
 */
PGresult *db_exec(PGconn *pg, const char *sql, int nparams, const char *const *params,
    char *sqlstate, char *err);

#endif
