/*
 * GET /health: whether this server can serve, database included. A load
 * balancer or a test waiting for recovery reads 503 as "not yet"; the request
 * itself has already tried to reconnect (db_ready() in main.c's handler).
 */
#include "config.h"

#include "server.h"

void
health_handle(struct worker *w, struct http_response *res)
{
	if (w != NULL && db_usable(w->pg))
		http_set_json(res, 200,
		    "{\"status\":\"ok\",\"service\":\"agentlogs-server\",\"database\":\"ok\"}");
	else
		http_set_json(res, 503, "{\"status\":\"unavailable\",\"service\":"
		    "\"agentlogs-server\",\"database\":\"unavailable\"}");
}
