/*
 * The realtime client (ARCHITECTURE §4): a Supabase Realtime websocket that
 * tells its owner when this user's rows changed in the cloud, so the owner
 * pulls at once instead of on a timer. It is a nudge, never a source of data:
 * changes made while it was not connected are only found by a pull, which is
 * why a (re)connection is reported too.
 *
 * It speaks Phoenix v1 JSON frames ({topic, event, payload, ref}) to
 * <cloud.url>/realtime/v1/websocket?apikey=<anon key>&vsn=1.0.0 (wss:// for
 * an https:// cloud), joins realtime:agentlogs with one postgres_changes
 * binding on the user's signal row (public.sync_signals, filtered on
 * user_id=eq.<user>: see supabase/migrations/20261207000005), heartbeats every
 * 25 seconds (a heartbeat unanswered by the next one means a dead
 * connection), sends access_token when the owner has a new token, and
 * reconnects with exponential backoff and jitter after any failure.
 *
 * It runs on a thread of its own with its own libwebsockets context; its
 * owner only calls the functions below, from any one thread.
 */
#ifndef AL_SYNC_REALTIME_H
#define AL_SYNC_REALTIME_H

#define REALTIME_TOPIC "realtime:agentlogs"
#define REALTIME_SIGNAL_TABLE "sync_signals"
#define REALTIME_HEARTBEAT_MS 25000
#define REALTIME_TIMEOUT_MS 10000	/* to connect and be joined */
#define REALTIME_BACKOFF_MIN_MS 1000
#define REALTIME_BACKOFF_MAX_MS 60000

enum realtime_event {
	REALTIME_CONNECTING,	/* an attempt started */
	REALTIME_CONNECTED,	/* joined: changes are reported from now on */
	REALTIME_DISCONNECTED,	/* the attempt failed or the connection ended: retried later */
	REALTIME_CHANGE,	/* one of this user's rows changed */
};

/*
 * Called on the realtime thread, so it must only record the event and wake its
 * owner. detail: why, for the log (DISCONNECTED), else NULL.
 */
typedef void (*realtime_fn)(void *arg, enum realtime_event ev, const char *detail);

struct realtime;

/*
 * Starts connecting to the cloud at url (http:// or https://) as user_id with
 * access token token. NULL with err filled when the URL is unusable or the
 * thread cannot start.
 */
struct realtime *realtime_start(const char *url, const char *anon_key, const char *user_id,
    const char *token, realtime_fn fn, void *arg, char *err);
/* A new access token: sent to the channel at once, and used by every later join. */
void realtime_set_token(struct realtime *rt, const char *token);
/* While waiting to reconnect, try now (the owner found the cloud reachable again). */
void realtime_retry(struct realtime *rt);
/* Closes the socket and ends the thread; fn is not called any more. NULL is fine. */
void realtime_stop(struct realtime *rt);

#endif
