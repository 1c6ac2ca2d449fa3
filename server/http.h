/*
 * The HTTP side of agentlogs-server, on libwebsockets. Debian's
 * libwebsockets runs one service thread, so a blocking PostgreSQL query there
 * would stall every client: the service thread only parses requests and
 * writes responses, and a pool of workers, each with its own PostgreSQL
 * connection, runs the handlers (workers.c). A finished response goes back
 * through a queue and a wake-up of the service loop. Requests on one
 * connection are served one at a time, in order: the next is not read before
 * the answer to the one before is written.
 */
#ifndef AL_SERVER_HTTP_H
#define AL_SERVER_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

struct worker;
struct server;
struct lws_protocols;

struct http_header {
	char *name;	/* lower case, without the colon */
	char *value;
};

struct http_request {
	char method[8];
	char *path;		/* without the query string */
	char *query;		/* as sent, still percent-encoded; "" when none */
	struct http_header *headers;
	int nheaders;
	char *body;
	size_t body_len;
	char peer[64];
};

struct http_response {
	int status;
	const char *content_type;
	struct strbuf headers;	/* extra "Name: value\r\n" lines */
	struct strbuf body;
};

/* A request's header by lower-case name, or NULL. */
const char *http_header(const struct http_request *req, const char *name);
/* One query parameter, percent-decoded (newly allocated), or NULL. */
char *http_query_param(const struct http_request *req, const char *name);

void http_set_json(struct http_response *res, int status, const char *json);
/* {"code": .., "message": ..} in Supabase's shape for auth and storage errors. */
void http_error(struct http_response *res, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void http_add_header(struct http_response *res, const char *name, const char *value);

/* Runs on a worker thread; fills res. */
typedef void (*http_handler_fn)(struct server *srv, struct worker *w,
    const struct http_request *req, struct http_response *res);

struct http_options {
	const char *listen_host;
	int port;
	int workers;		/* for every request that reaches a handler... */
	int hash_workers;	/* ...but those is_hashing() picks, which have their own */
	size_t max_body;
	/*
	 * Slow clients: seconds for a request's headers; for its body,
	 * body_timeout plus one per body_min_rate bytes received (Apache's
	 * mod_reqtimeout rule: a trickle cannot hold a connection forever, a
	 * big body on a slow link still arrives); an idle keep-alive connection.
	 */
	int header_timeout, body_timeout, keepalive_timeout;
	long body_min_rate;
	int max_connections_per_ip;
	int header_slots;	/* requests read or served at once */
	http_handler_fn handler;
	/*
	 * On the service thread, once a request is complete: returns 1 when it
	 * filled res itself (no worker needed), else 0. NULL: never.
	 */
	int (*answer_now)(struct server *srv, const struct http_request *req,
	    struct http_response *res);
	/* Whether a request goes to the hash workers. NULL: none does. */
	int (*is_hashing)(const struct http_request *req);
	struct server *srv;
	/*
	 * Called once on each worker thread before it serves (opens its
	 * connection); nonzero with err filled (and logged) when its database
	 * is not there yet.
	 */
	int (*worker_init)(struct server *srv, struct worker **w, char *err);
	void (*worker_done)(struct worker *w);
	/*
	 * Websockets on the same port (NULL: none): the protocol every upgrade
	 * without Sec-WebSocket-Protocol gets, as Phoenix clients send none.
	 * LWS_CALLBACK_HTTP_CONFIRM_UPGRADE reaching the HTTP protocol is
	 * passed on to it, so it can refuse the upgrade.
	 */
	const struct lws_protocols *ws_protocol;
};

/*
 * Serves until SIGTERM or SIGINT; returns 0 on a clean stop, -1 with err
 * filled when it cannot listen or no worker thread of a kind can start (a
 * server that accepts requests it can never answer is worse than none).
 */
int http_serve(const struct http_options *o, char *err);

#endif
