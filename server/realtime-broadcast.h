/*
 * Supabase Realtime's Broadcast and Presence on the realtime socket, for
 * realtime.c: each joined channel is a member of its topic (public and
 * private topics of one name are apart, as in Realtime). Service thread only,
 * except the publisher thread that copies broadcasts to the other servers.
 *
 *   broadcast {type, event, payload} -> the same payload to every other
 *     member of the topic (and to the sender with config.broadcast.self);
 *     phx_reply ok with config.broadcast.ack.
 *   presence {event: track, payload} / {event: untrack} -> phx_reply ok and
 *     presence_diff {joins, leaves} to the topic's members; presence_state
 *     after a join with config.presence.enabled (or the first track).
 *   A private channel (config.private) is joined, sent to and tracked on as
 *   row-level security on realtime.messages allows (realtime-authz.h).
 *
 * Broadcasts travel between agentlogs-server processes on one database as
 * notifications on RT_BCAST_CHANNEL (POST /realtime/v1/api/broadcast sends
 * there too), and so does presence, as Realtime replicates it between its
 * nodes: each track and untrack (a leave too) goes out with the server's
 * origin, and every server keeps the other servers' presences per topic, in
 * its presence_state and presence_diff. A server that starts listening says
 * hello and the others answer with their presences; each re-announces its
 * own every realtime-presence-interval seconds, and a presence not heard of
 * for three intervals (its server died) leaves.
 */
#ifndef AL_SERVER_REALTIME_BROADCAST_H
#define AL_SERVER_REALTIME_BROADCAST_H

#include <cjson/cJSON.h>

#define RT_BCAST_CHANNEL "agentlogs_broadcast"
/* PostgreSQL refuses a notification of 8000 bytes or more. */
#define RT_BCAST_MAX_NOTIFY 7999

struct server;
struct rt_bcast;
struct rt_member;

/* Sends one message on conn's socket; payload is taken over; join_ref and ref JSON or NULL. */
typedef void rt_push_fn(void *conn, const char *join_ref, const char *topic, const char *event,
    cJSON *payload, const char *ref);

struct rt_bcast *rt_bcast_new(struct server *srv, rt_push_fn *push);
/* Stops the publisher thread and sends nothing more (the server is stopping). */
void rt_bcast_stop(struct rt_bcast *b);
/* After every member has left. */
void rt_bcast_free(struct rt_bcast *b);

/*
 * phx_join of conn on topic ("realtime:<name>") with the join's config and
 * the channel's claims (JSON, NULL for the apikey's anon): the new member,
 * or NULL with why (the join's error reason) when a private channel may not
 * be read or the database cannot say.
 */
struct rt_member *rt_bcast_join(struct rt_bcast *b, void *conn, const char *topic,
    const char *join_ref, const cJSON *config, const char *claims, char *why, size_t whylen);
/* After the join's phx_reply: presence_state when presence is on. */
void rt_bcast_joined(struct rt_bcast *b, struct rt_member *m);
/* The channel is gone (left, replaced, closed): its presence leaves. */
void rt_bcast_leave(struct rt_member *m);
/*
 * The channel's token was replaced (claims as for rt_bcast_join): writes are
 * authorised again, and a private channel's reading now; -1 with why when
 * the channel must close (its user lost a read permission, as Realtime).
 */
int rt_bcast_token(struct rt_member *m, const char *claims, char *why, size_t whylen);

/*
 * A client's message on a member's channel: 1 when it was broadcast or
 * presence (answered here; ref is the message's, JSON), 0 otherwise.
 */
int rt_bcast_message(struct rt_bcast *b, struct rt_member *m, const char *event,
    const cJSON *payload, const char *ref);

/* Announces and expires presences (above); call it often, with a monotonic clock. */
void rt_bcast_tick(struct rt_bcast *b, long long now_ms);
/* The hello to notify on RT_BCAST_CHANNEL once LISTEN is in force (any thread). New text. */
char *rt_bcast_hello(const struct rt_bcast *b);

/* A notification on RT_BCAST_CHANNEL, from any server. */
void rt_bcast_deliver(struct rt_bcast *b, const char *payload);

/*
 * The notification for a broadcast of message (JSON text) on topic (without
 * "realtime:"), from origin ("" for every server). New text.
 */
char *rt_bcast_notification(const char *origin, const char *topic, int private_,
    const char *message);

#endif
