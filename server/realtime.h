/*
 * /realtime/v1/websocket: Supabase Realtime's Phoenix v1 JSON protocol
 * (vsn=1.0.0) on the HTTP port, for postgres_changes only.
 *
 * A thread of its own holds one PostgreSQL connection that LISTENs on
 * agentlogs_changes (fed by the agentlogs_notify triggers) and hands each
 * notification to the libwebsockets service thread, which forwards it to the
 * channels whose access token's subject owns the row and whose
 * postgres_changes bindings match it. Everything about sockets and channels
 * lives on the service thread; only the notification queue is shared.
 */
#ifndef AL_SERVER_REALTIME_H
#define AL_SERVER_REALTIME_H

struct lws_protocols;
struct server;
struct realtime;

/* Prepares the endpoint; nothing runs until http_serve creates its context. */
struct realtime *realtime_new(struct server *srv);

/*
 * The libwebsockets protocol for http_options.ws_protocol. Its callback
 * also answers LWS_CALLBACK_HTTP_CONFIRM_UPGRADE (refusing a bad apikey
 * with 401), starts the LISTEN thread on LWS_CALLBACK_PROTOCOL_INIT and
 * stops it on LWS_CALLBACK_PROTOCOL_DESTROY.
 */
const struct lws_protocols *realtime_protocol(struct realtime *rt);

/* After http_serve has returned. */
void realtime_free(struct realtime *rt);

#endif
