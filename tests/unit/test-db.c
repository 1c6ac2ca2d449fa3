/*
 * server/db.c against a real PostgreSQL ($AGENTLOGS_TEST_PG; skipped without
 * it): a transaction whose statement failed never reports a commit, and a
 * connection whose backend went away is noticed and replaced before use.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "db.h"
#include "util/log.h"

static const char *url;

static PGconn *
connect_or_fail(void)
{
	char err[ERRLEN];
	PGconn *pg = db_connect(url, err);

	if (pg == NULL)
		fail_msg("%s", err);
	return pg;
}

/* PostgreSQL answers this COMMIT with PGRES_COMMAND_OK and the tag ROLLBACK. */
static void
commit_after_failed_statement(void **state)
{
	PGconn *pg = connect_or_fail();
	char err[ERRLEN], sqlstate[6];

	(void)state;
	assert_int_equal(db_begin(pg, err), 0);
	assert_int_equal(db_run(pg, "CREATE TEMP TABLE kept (x int)", 0, NULL, NULL, err), 0);
	assert_null(db_exec(pg, "SELECT 1 / 0", 0, NULL, sqlstate, err));
	assert_string_equal(sqlstate, "22012");
	assert_int_equal(db_commit(pg, err), -1);
	assert_non_null(strstr(err, "rolled back"));
	/* It was indeed rolled back, and the connection serves the next transaction. */
	assert_int_equal(db_run(pg, "SELECT FROM kept", 0, NULL, sqlstate, err), -1);
	assert_string_equal(sqlstate, "42P01");
	assert_int_equal(db_begin(pg, err), 0);
	assert_int_equal(db_run(pg, "CREATE TEMP TABLE kept (x int)", 0, NULL, NULL, err), 0);
	assert_int_equal(db_commit(pg, err), 0);
	assert_int_equal(db_run(pg, "SELECT FROM kept", 0, NULL, NULL, err), 0);
	PQfinish(pg);
}

/* Ends pg's backend from another connection and waits until it has exited. */
static void
terminate_backend(PGconn *pg)
{
	PGconn *killer = connect_or_fail();
	char pid[16], err[ERRLEN];
	const char *params[1] = { pid };
	PGresult *r;

	snprintf(pid, sizeof pid, "%d", PQbackendPID(pg));
	r = db_exec(killer, "SELECT pg_terminate_backend($1::int, 10000)", 1, params, NULL, err);
	assert_non_null(r);
	assert_string_equal(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	PQfinish(killer);
}

/* What each worker meets after a PostgreSQL restart: its idle connection is dead. */
static void
ready_replaces_a_dead_connection(void **state)
{
	struct db_backoff b;
	PGconn *pg = connect_or_fail();
	char err[ERRLEN];
	int pid = PQbackendPID(pg);

	(void)state;
	db_backoff_init(&b);
	terminate_backend(pg);
	assert_int_equal(PQstatus(pg), CONNECTION_OK);	/* libpq has not read it yet */
	assert_int_equal(db_ready(pg, &b, err), 0);
	assert_int_not_equal(PQbackendPID(pg), pid);
	assert_int_equal(db_run(pg, "SELECT 1", 0, NULL, NULL, err), 0);
	/* A healthy idle connection is left as it is. */
	pid = PQbackendPID(pg);
	assert_int_equal(db_ready(pg, &b, err), 0);
	assert_int_equal(PQbackendPID(pg), pid);
	db_backoff_free(&b);
	PQfinish(pg);
}

/* BEGIN on a connection found dead is sent again on a new one: nothing has run yet. */
static void
begin_retries_on_a_dead_connection(void **state)
{
	PGconn *pg = connect_or_fail();
	char err[ERRLEN];
	int pid = PQbackendPID(pg);

	(void)state;
	terminate_backend(pg);
	assert_int_equal(db_begin_as(pg, "anon", NULL, err), 0);
	assert_int_not_equal(PQbackendPID(pg), pid);
	assert_int_equal(db_commit(pg, err), 0);
	PQfinish(pg);
}

/* A database that cannot be reached: the first attempt is made, the next waits. */
static void
backoff_spaces_attempts(void **state)
{
	struct db_backoff b;
	char err[ERRLEN];
	PGconn *pg;

	(void)state;
	db_backoff_init(&b);
	b.delay_ms = 3600 * 1000;	/* the next attempt is surely not due during this test */
	/* Port 1 on the loopback: refused at once. */
	pg = db_open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", err);
	assert_non_null(pg);
	assert_non_null(strstr(err, "cannot connect"));
	assert_int_equal(db_ready(pg, &b, err), -1);
	assert_non_null(strstr(err, "database unavailable"));
	assert_int_equal(db_ready(pg, &b, err), -1);
	assert_non_null(strstr(err, "next connection attempt"));
	db_backoff_free(&b);
	PQfinish(pg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commit_after_failed_statement),
		cmocka_unit_test(ready_replaces_a_dead_connection),
		cmocka_unit_test(begin_retries_on_a_dead_connection),
		cmocka_unit_test(backoff_spaces_attempts),
	};

	if ((url = getenv("AGENTLOGS_TEST_PG")) == NULL || *url == '\0') {
		printf("SKIP: no PostgreSQL (set AGENTLOGS_TEST_PG to a superuser URL)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
