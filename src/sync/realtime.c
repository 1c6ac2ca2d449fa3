#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include <libwebsockets.h>

#include "sync/realtime.h"
#include "util/log.h"
#include "util/thread.h"
#include "util/percent.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define RT_PROTOCOL "agentlogs-realtime-client"
#define RT_PATH "/realtime/v1/websocket"
#define MAX_FRAME (1u << 20)	/* a server frame; changes are a few hundred bytes */

/* One outgoing text frame, with the room lws_write needs in front. */
struct out {
	struct out *next;
	size_t len;
	unsigned char data[];
};

enum rt_state {
	RT_WAITING,		/* no socket: a retry is scheduled */
	RT_CONNECTING,		/* a socket being opened, or open and not joined yet */
	RT_JOINED,
};

struct realtime {
	/* Fixed at the start. */
	char *address;		/* host to connect to (an IPv6 literal without brackets) */
	char *host_header;	/* Host and Origin: host[:port] */
	char *path;		/* with the query */
	int port, tls;
	char *user_id;
	realtime_fn fn;
	void *arg;
	pthread_t thread;

	/* Shared with the owner, under lock. */
	pthread_mutex_t lock;
	char *token;
	int token_changed, retry_now, stopping;

	/* The service thread's alone. */
	struct lws_context *context;
	int quitting;		/* no more reports, no more connections */
	enum rt_state state;
	struct lws *wsi;	/* the current socket, or NULL */
	int in_connect;		/* inside lws_client_connect_via_info */
	int closing;		/* close the socket once writable */
	char *join_token;	/* the token the channel knows */
	struct out *q, *q_tail;
	struct strbuf rx;
	unsigned int ref;
	char join_ref[16], hb_ref[16];
	int close_code;
	char close_reason[96];
	long backoff_ms;
	lws_sorted_usec_list_t sul_retry, sul_heartbeat, sul_deadline;
};

static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void
lws_emit(int level, const char *line)
{
	(void)level;
	log_debug("realtime: lws: %.*s", (int)strcspn(line, "\n"), line);
}

/* lws logs through one process-wide setting: to our debug log, errors only. */
static void
log_init_once(void)
{
	lws_set_log_level(LLL_ERR, lws_emit);
}

#define CONTAINER(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static void
report(struct realtime *rt, enum realtime_event ev, const char *detail)
{
	if (!rt->quitting)
		rt->fn(rt->arg, ev, detail);
}

/* ---------------------------------------------------------------- sending */

static void
queue_drop(struct realtime *rt)
{
	struct out *o;

	while ((o = rt->q) != NULL) {
		rt->q = o->next;
		free(o);
	}
	rt->q_tail = NULL;
}

static void
send_text(struct realtime *rt, const char *text)
{
	size_t n = strlen(text);
	struct out *o;

	if (rt->wsi == NULL || rt->closing)
		return;
	o = xmalloc(sizeof *o + LWS_PRE + n);
	o->next = NULL;
	o->len = n;
	memcpy(o->data + LWS_PRE, text, n);
	if (rt->q_tail != NULL)
		rt->q_tail->next = o;
	else
		rt->q = o;
	rt->q_tail = o;
	lws_callback_on_writable(rt->wsi);
}

/* Sends {topic, event, payload, ref[, join_ref]}; takes payload. ref gets the ref. */
static void
send_msg(struct realtime *rt, const char *topic, const char *event, cJSON *payload,
    int with_join_ref, char ref[16])
{
	cJSON *m = cJSON_CreateObject();
	char *text;

	snprintf(ref, 16, "%u", ++rt->ref);
	cJSON_AddStringToObject(m, "topic", topic);
	cJSON_AddStringToObject(m, "event", event);
	cJSON_AddItemToObject(m, "payload", payload);
	cJSON_AddStringToObject(m, "ref", ref);
	if (with_join_ref)
		cJSON_AddStringToObject(m, "join_ref", ref);
	if ((text = cJSON_PrintUnformatted(m)) == NULL)
		fatalx("out of memory");
	send_text(rt, text);
	cJSON_free(text);
	cJSON_Delete(m);
}

static char *
current_token(struct realtime *rt)
{
	char *t;

	pthread_mutex_lock(&rt->lock);
	t = rt->token != NULL ? xstrdup(rt->token) : NULL;
	pthread_mutex_unlock(&rt->lock);
	return t;
}

/*
 * phx_join with one postgres_changes binding: this user's signal row, which
 * every transaction that writes the user's synced rows updates once. The data
 * tables are not published on hosted Supabase, whose Realtime would send
 * their DELETEs to every user.
 */
static void
send_join(struct realtime *rt)
{
	cJSON *p = cJSON_CreateObject(), *cfg, *b, *list;
	char filter[128];

	free(rt->join_token);
	rt->join_token = current_token(rt);
	cfg = cJSON_AddObjectToObject(p, "config");
	b = cJSON_AddObjectToObject(cfg, "broadcast");
	cJSON_AddBoolToObject(b, "ack", 0);
	cJSON_AddBoolToObject(b, "self", 0);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(cfg, "presence"), "key", "");
	/* Only nudges: a pull follows each event, so the server need not fetch rows. */
	cJSON_AddBoolToObject(cfg, "nudge", 1);
	list = cJSON_AddArrayToObject(cfg, "postgres_changes");
	snprintf(filter, sizeof filter, "user_id=eq.%s", rt->user_id);
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "event", "*");
	cJSON_AddStringToObject(b, "schema", "public");
	cJSON_AddStringToObject(b, "table", REALTIME_SIGNAL_TABLE);
	cJSON_AddStringToObject(b, "filter", filter);
	cJSON_AddItemToArray(list, b);
	if (rt->join_token != NULL)
		cJSON_AddStringToObject(p, "access_token", rt->join_token);
	send_msg(rt, REALTIME_TOPIC, "phx_join", p, 1, rt->join_ref);
}

static void
send_access_token(struct realtime *rt, const char *token)
{
	cJSON *p = cJSON_CreateObject();
	char ref[16];

	cJSON_AddStringToObject(p, "access_token", token);
	send_msg(rt, REALTIME_TOPIC, "access_token", p, 0, ref);
	free(rt->join_token);
	rt->join_token = xstrdup(token);
}

/* ---------------------------------------------------------------- connection state */

static void connect_now(struct realtime *rt);

static void
on_retry(lws_sorted_usec_list_t *sul)
{
	connect_now(CONTAINER(sul, struct realtime, sul_retry));
}

/*
 * The socket is gone (or never came): report it and plan the next attempt,
 * after a backoff with jitter that doubles with each failure and starts
 * afresh after a connection that had been joined.
 */
static void
lost(struct realtime *rt, const char *why)
{
	long d;

	if (rt->state == RT_WAITING)
		return;
	if (rt->state == RT_JOINED)
		rt->backoff_ms = 0;
	rt->state = RT_WAITING;
	rt->wsi = NULL;
	rt->closing = 0;
	queue_drop(rt);
	strbuf_reset(&rt->rx);
	rt->hb_ref[0] = rt->join_ref[0] = '\0';
	lws_sul_cancel(&rt->sul_heartbeat);
	lws_sul_cancel(&rt->sul_deadline);
	log_debug("realtime: disconnected: %s", why);
	report(rt, REALTIME_DISCONNECTED, why);
	if (rt->quitting)
		return;
	rt->backoff_ms = rt->backoff_ms == 0 ? REALTIME_BACKOFF_MIN_MS : rt->backoff_ms * 2;
	if (rt->backoff_ms > REALTIME_BACKOFF_MAX_MS)
		rt->backoff_ms = REALTIME_BACKOFF_MAX_MS;
	d = rt->backoff_ms / 2 + (long)((unsigned long)random() %
	    (unsigned long)(rt->backoff_ms / 2 + 1));
	lws_sul_schedule(rt->context, 0, &rt->sul_retry, on_retry, (lws_usec_t)d * 1000);
}

/* Gives the current socket up (it is closed in the background) and reconnects later. */
static void
drop(struct realtime *rt, const char *why)
{
	struct lws *old = rt->wsi;

	lost(rt, why);
	if (old != NULL)
		lws_set_timeout(old, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void
on_deadline(lws_sorted_usec_list_t *sul)
{
	struct realtime *rt = CONTAINER(sul, struct realtime, sul_deadline);

	if (rt->state == RT_CONNECTING)
		drop(rt, "timed out connecting");
}

/* A heartbeat each period; one still unanswered when the next is due: a dead socket. */
static void
on_heartbeat(lws_sorted_usec_list_t *sul)
{
	struct realtime *rt = CONTAINER(sul, struct realtime, sul_heartbeat);

	if (rt->wsi == NULL)
		return;
	if (rt->hb_ref[0] != '\0') {
		drop(rt, "no answer to the heartbeat");
		return;
	}
	send_msg(rt, "phoenix", "heartbeat", cJSON_CreateObject(), 0, rt->hb_ref);
	lws_sul_schedule(rt->context, 0, &rt->sul_heartbeat, on_heartbeat,
	    (lws_usec_t)REALTIME_HEARTBEAT_MS * 1000);
}

static void
connect_now(struct realtime *rt)
{
	struct lws_client_connect_info cc;
	struct lws *w;

	lws_sul_cancel(&rt->sul_retry);
	if (rt->state != RT_WAITING || rt->quitting)
		return;
	rt->state = RT_CONNECTING;
	rt->closing = 0;
	rt->close_code = 0;
	rt->close_reason[0] = '\0';
	report(rt, REALTIME_CONNECTING, NULL);
	lws_sul_schedule(rt->context, 0, &rt->sul_deadline, on_deadline,
	    (lws_usec_t)REALTIME_TIMEOUT_MS * 1000);

	memset(&cc, 0, sizeof cc);
	cc.context = rt->context;
	cc.address = rt->address;
	cc.port = rt->port;
	cc.path = rt->path;
	cc.host = rt->host_header;
	cc.origin = rt->host_header;
	cc.ssl_connection = rt->tls ? LCCSCF_USE_SSL : 0;
	cc.alpn = "http/1.1";
	/* Like realtime-js: no Sec-WebSocket-Protocol at all. */
	cc.protocol = NULL;
	cc.local_protocol_name = RT_PROTOCOL;
	rt->in_connect = 1;
	w = lws_client_connect_via_info(&cc);
	rt->in_connect = 0;
	if (rt->state != RT_CONNECTING)
		return;		/* it failed at once, and said so */
	if (w == NULL) {
		lost(rt, "cannot start the connection");
		return;
	}
	rt->wsi = w;
}

/* ---------------------------------------------------------------- receiving */

static const char *
string_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
on_joined(struct realtime *rt)
{
	char *token;

	rt->state = RT_JOINED;
	rt->backoff_ms = 0;
	lws_sul_cancel(&rt->sul_deadline);
	log_debug("realtime: joined %s", REALTIME_TOPIC);
	report(rt, REALTIME_CONNECTED, NULL);
	/* A token that came while joining goes now. */
	token = current_token(rt);
	if (token != NULL && (rt->join_token == NULL || strcmp(token, rt->join_token) != 0))
		send_access_token(rt, token);
	free(token);
}

static void
on_frame(struct realtime *rt, const char *text, size_t len)
{
	cJSON *m = cJSON_ParseWithLength(text, len);
	const char *topic = string_of(m, "topic"), *event = string_of(m, "event");
	const char *ref = string_of(m, "ref"), *status, *reason;
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(m, "payload"), *response;
	char why[160];

	if (topic == NULL || event == NULL) {
		cJSON_Delete(m);
		return;
	}
	if (strcmp(event, "phx_reply") == 0 && ref != NULL) {
		status = string_of(payload, "status");
		if (rt->join_ref[0] != '\0' && strcmp(ref, rt->join_ref) == 0) {
			rt->join_ref[0] = '\0';
			if (status != NULL && strcmp(status, "ok") == 0)
				on_joined(rt);
			else {
				response = cJSON_GetObjectItemCaseSensitive(payload, "response");
				reason = string_of(response, "reason");
				snprintf(why, sizeof why, "the join was refused: %s",
				    reason != NULL ? reason : "no reason given");
				drop(rt, why);
			}
		} else if (rt->hb_ref[0] != '\0' && strcmp(ref, rt->hb_ref) == 0)
			rt->hb_ref[0] = '\0';
	} else if (strcmp(topic, REALTIME_TOPIC) != 0) {
		/* Not ours. */
	} else if (strcmp(event, "postgres_changes") == 0) {
		if (rt->state == RT_JOINED)
			report(rt, REALTIME_CHANGE, NULL);
	} else if (strcmp(event, "system") == 0) {
		status = string_of(payload, "status");
		if (status != NULL && strcmp(status, "ok") != 0)
			log_debug("realtime: %s: %s", status, string_of(payload, "message") != NULL ?
			    string_of(payload, "message") : "(no message)");
	} else if (strcmp(event, "phx_close") == 0 || strcmp(event, "phx_error") == 0) {
		/* The channel ended (an expired token, a server restart): join afresh. */
		drop(rt, "the server closed the channel");
	}
	cJSON_Delete(m);
}

/* Is wsi the current socket? (While connecting, lws may report before we know it.) */
static int
mine(struct realtime *rt, struct lws *wsi)
{
	if (rt->wsi != NULL)
		return wsi == rt->wsi;
	return rt->in_connect && rt->state == RT_CONNECTING;
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct lws_context *ctx = lws_get_context(wsi);
	struct realtime *rt = ctx != NULL ? lws_context_user(ctx) : NULL;
	struct out *o;
	char why[160];

	(void)user;
	if (rt == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (mine(rt, wsi)) {
			snprintf(why, sizeof why, "cannot connect: %s",
			    in != NULL ? (const char *)in : "connection failed");
			lost(rt, why);
		}
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (!mine(rt, wsi))
			return -1;
		rt->wsi = wsi;
		rt->hb_ref[0] = '\0';
		strbuf_reset(&rt->rx);
		send_join(rt);
		lws_sul_schedule(rt->context, 0, &rt->sul_heartbeat, on_heartbeat,
		    (lws_usec_t)REALTIME_HEARTBEAT_MS * 1000);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!mine(rt, wsi))
			return -1;
		if (rt->rx.len + len > MAX_FRAME) {
			drop(rt, "a frame too large");
			return -1;
		}
		strbuf_add(&rt->rx, in, len);
		if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
			if (!lws_frame_is_binary(wsi))
				on_frame(rt, rt->rx.buf, rt->rx.len);
			strbuf_reset(&rt->rx);
		}
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (!mine(rt, wsi))
			return -1;
		if (rt->closing) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
			return -1;
		}
		if ((o = rt->q) == NULL)
			break;
		if ((rt->q = o->next) == NULL)
			rt->q_tail = NULL;
		if (lws_write(wsi, o->data + LWS_PRE, o->len, LWS_WRITE_TEXT) < (int)o->len) {
			free(o);
			return -1;
		}
		free(o);
		if (rt->q != NULL)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (mine(rt, wsi) && len >= 2) {
			const unsigned char *p = in;
			rt->close_code = p[0] << 8 | p[1];
			snprintf(rt->close_reason, sizeof rt->close_reason, "%.*s",
			    (int)(len - 2 < 90 ? len - 2 : 90), (const char *)in + 2);
		}
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (mine(rt, wsi)) {
			if (rt->close_code != 0)
				snprintf(why, sizeof why, "closed by the server (%d%s%s)",
				    rt->close_code, rt->close_reason[0] != '\0' ? ": " : "",
				    rt->close_reason);
			else
				snprintf(why, sizeof why, "the connection closed");
			lost(rt, why);
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{ RT_PROTOCOL, callback, 0, 16384, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* ---------------------------------------------------------------- the thread */

/* What the owner asked for since the last look. */
static void
take_requests(struct realtime *rt)
{
	char *token = NULL;
	int retry;

	pthread_mutex_lock(&rt->lock);
	rt->quitting = rt->stopping;
	if (rt->token_changed && rt->token != NULL)
		token = xstrdup(rt->token);
	rt->token_changed = 0;
	retry = rt->retry_now;
	rt->retry_now = 0;
	pthread_mutex_unlock(&rt->lock);

	if (rt->quitting) {
		free(token);
		return;
	}
	if (token != NULL && rt->state == RT_JOINED &&
	    (rt->join_token == NULL || strcmp(token, rt->join_token) != 0))
		send_access_token(rt, token);
	if (retry && rt->state == RT_WAITING)
		connect_now(rt);
	free(token);
}

static void *
realtime_main(void *arg)
{
	struct realtime *rt = arg;
	struct lws_context_creation_info info;
	struct lws_context *ctx;

	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.user = rt;
	info.options = rt->tls ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0;
	info.timeout_secs = REALTIME_TIMEOUT_MS / 1000;
	info.connect_timeout_secs = REALTIME_TIMEOUT_MS / 1000;
	/* One socket: lws would otherwise size its tables by the fd limit. */
	info.fd_limit_per_thread = 16;
	ctx = lws_create_context(&info);
	pthread_mutex_lock(&rt->lock);
	rt->context = ctx;
	pthread_mutex_unlock(&rt->lock);
	if (ctx == NULL) {
		report(rt, REALTIME_DISCONNECTED, "cannot create the websocket context");
		return NULL;
	}
	take_requests(rt);
	connect_now(rt);
	while (!rt->quitting) {
		if (lws_service(rt->context, 0) < 0) {
			log_debug("realtime: the event loop failed; giving up");
			report(rt, REALTIME_DISCONNECTED, "the websocket event loop failed");
			break;
		}
		take_requests(rt);
	}
	rt->quitting = 1;
	lws_sul_cancel(&rt->sul_retry);
	lws_sul_cancel(&rt->sul_heartbeat);
	lws_sul_cancel(&rt->sul_deadline);
	/* wake() uses the context under the lock: none after this. */
	pthread_mutex_lock(&rt->lock);
	rt->context = NULL;
	pthread_mutex_unlock(&rt->lock);
	lws_context_destroy(ctx);
	return NULL;
}

/* Splits url into the parts lws needs. */
static int
parse_url(struct realtime *rt, const char *url, const char *anon_key, char *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = url, *host, *host_end, *rest;
	size_t base_len, hostlen;
	int default_port;

	if (strncasecmp(p, "https://", 8) == 0 || strncasecmp(p, "wss://", 6) == 0) {
		rt->tls = 1;
		p += p[0] == 'h' || p[0] == 'H' ? 8 : 6;
	} else if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "ws://", 5) == 0)
		p += p[0] == 'h' || p[0] == 'H' ? 7 : 5;
	else
		return seterr(err, "realtime: the cloud URL %s is not http:// or https://", url);
	default_port = rt->tls ? 443 : 80;
	rt->port = default_port;
	host = p;
	if (*p == '[') {
		if ((host_end = strchr(p, ']')) == NULL)
			return seterr(err, "realtime: a bad host in the cloud URL %s", url);
		rt->address = xstrndup(p + 1, (size_t)(host_end - p - 1));
		rest = host_end + 1;
	} else {
		host_end = p + strcspn(p, ":/?#");
		rt->address = xstrndup(p, (size_t)(host_end - p));
		rest = host_end;
	}
	if (*rest == ':') {
		char *end;
		long port = strtol(rest + 1, &end, 10);
		if (end == rest + 1 || port < 1 || port > 65535)
			return seterr(err, "realtime: a bad port in the cloud URL %s", url);
		rt->port = (int)port;
		rest = end;
	}
	if (rt->address[0] == '\0')
		return seterr(err, "realtime: no host in the cloud URL %s", url);
	/* Host: as written in the URL (brackets kept), with the port unless the default. */
	hostlen = (size_t)((*host == '[' ? host_end + 1 : host_end) - host);
	if (rt->port == default_port)
		rt->host_header = xstrndup(host, hostlen);
	else
		rt->host_header = xprintf("%.*s:%d", (int)hostlen, host, rt->port);
	/* A base path (a cloud behind a prefix) goes before ours; no trailing slash. */
	base_len = strcspn(rest, "?#");
	while (base_len > 0 && rest[base_len - 1] == '/')
		base_len--;
	strbuf_add(&sb, rest, base_len);
	strbuf_adds(&sb, RT_PATH "?apikey=");
	percent_encode(&sb, anon_key, strlen(anon_key), NULL);
	strbuf_adds(&sb, "&vsn=1.0.0");
	rt->path = strbuf_detach(&sb);
	return 0;
}

static void
realtime_free(struct realtime *rt)
{
	queue_drop(rt);
	strbuf_free(&rt->rx);
	free(rt->address);
	free(rt->host_header);
	free(rt->path);
	free(rt->user_id);
	free(rt->token);
	free(rt->join_token);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

struct realtime *
realtime_start(const char *url, const char *anon_key, const char *user_id, const char *token,
    realtime_fn fn, void *arg, char *err)
{
	struct realtime *rt;
	int rc;

	if (url == NULL || anon_key == NULL || user_id == NULL || *user_id == '\0') {
		seterr(err, "realtime: no cloud or no user");
		return NULL;
	}
	pthread_once(&log_once, log_init_once);
	rt = xcalloc(1, sizeof *rt);
	pthread_mutex_init(&rt->lock, NULL);
	if (parse_url(rt, url, anon_key, err) != 0) {
		realtime_free(rt);
		return NULL;
	}
	rt->user_id = xstrdup(user_id);
	rt->token = token != NULL ? xstrdup(token) : NULL;
	rt->fn = fn;
	rt->arg = arg;
	rt->state = RT_WAITING;

	/* Signals belong to the program's main thread. */
	if ((rc = thread_start_unsignalled(&rt->thread, realtime_main, rt)) != 0) {
		seterr(err, "realtime: cannot start a thread: %s", strerror(rc));
		realtime_free(rt);
		return NULL;
	}
	return rt;
}

/* Wakes the service thread; lws_cancel_service is safe from any thread. */
static void
wake(struct realtime *rt)
{
	pthread_mutex_lock(&rt->lock);
	if (rt->context != NULL)
		lws_cancel_service(rt->context);
	pthread_mutex_unlock(&rt->lock);
}

void
realtime_set_token(struct realtime *rt, const char *token)
{
	if (rt == NULL || token == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	if (rt->token == NULL || strcmp(rt->token, token) != 0) {
		free(rt->token);
		rt->token = xstrdup(token);
		rt->token_changed = 1;
	}
	pthread_mutex_unlock(&rt->lock);
	wake(rt);
}

void
realtime_retry(struct realtime *rt)
{
	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	rt->retry_now = 1;
	pthread_mutex_unlock(&rt->lock);
	wake(rt);
}

void
realtime_stop(struct realtime *rt)
{
	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	rt->stopping = 1;
	pthread_mutex_unlock(&rt->lock);
	wake(rt);
	pthread_join(rt->thread, NULL);
	realtime_free(rt);
}
