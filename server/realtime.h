/*
 * /realtime/v1/websocket: Supabase Realtime's Phoenix JSON protocols
 * (vsn=1.0.0 and 2.0.0) on the HTTP port: postgres_changes, and broadcast and
 * presence (realtime-broadcast.h).
 *
 * A thread of its own holds one PostgreSQL connection that LISTENs on
 * agentlogs_changes (fed by the agentlogs_notify triggers) and
 * agentlogs_broadcast (broadcasts of every server) and hands each
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
