/*
 * GET /health: whether this server can serve, database included. A load
 * balancer or a test waiting for recovery reads 503 as "not yet"; the request
 * itself has already tried to reconnect (db_ready() in main.c's handler).
 */
#include "config.h"

#include <stdatomic.h>
#include <time.h>

#include "server.h"

/*
 * How long a worker's word that the database is usable stands: within it
 * /health answers from the service thread, so a flood of slow requests
 * cannot delay it; beyond it a worker checks again.
 */
#define FRESH_MS 2000

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
answer_ok(struct http_response *res)
{
	http_set_json(res, 200,
	    "{\"status\":\"ok\",\"service\":\"agentlogs-server\",\"database\":\"ok\"}");
}

void
health_note(struct server *srv, int usable)
{
	atomic_store(&srv->db_fresh_until, usable ? now_ms() + FRESH_MS : 0);
}

int
health_answer_now(struct server *srv, struct http_response *res)
{
	if (now_ms() >= atomic_load(&srv->db_fresh_until))
		return 0;
	answer_ok(res);
	return 1;
}

void
health_handle(struct worker *w, struct http_response *res)
{
	if (w != NULL && db_usable(w->pg))
		answer_ok(res);
	else
		http_set_json(res, 503, "{\"status\":\"unavailable\",\"service\":"
		    "\"agentlogs-server\",\"database\":\"unavailable\"}");
}
