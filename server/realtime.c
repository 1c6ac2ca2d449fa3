/*
 * Supabase Realtime's postgres_changes over Phoenix's JSON serializers, as
 * realtime-js speaks them: vsn=1.0.0 frames are objects {topic, event,
 * payload, ref, join_ref?}; vsn=2.0.0 frames (the default of newer realtime-js
 * releases and of phoenix.js) are arrays [join_ref, ref, topic, event,
 * payload], where every message to a channel carries the ref of the join that
 * opened it. The socket's vsn, fixed at the upgrade, picks the serializer;
 * a v2 binary frame is taken only as a user_broadcast_push (newer
 * realtime-js's broadcast), anything else binary is refused with a close.
 *
 *   phx_join on realtime:<name> with {config: {postgres_changes: [{event,
 *   schema, table?, filter?}]}, access_token} -> phx_reply ok with each
 *   binding echoed plus its id, then a system "Subscribed to PostgreSQL";
 *   heartbeat on topic phoenix -> phx_reply ok; access_token -> the channel's
 *   token replaced, or the channel closed (system error, phx_close) when it
 *   does not verify; phx_leave -> phx_reply ok.
 *
 * A change reaches a channel only while the channel's token is unexpired.
 * The agentlogs_notify trigger announces a statement's rows in chunks of up
 * to 100 of one user (ids and versions, in the statement's order), and each
 * changed row is its own event, as hosted Realtime gives them. A supabase-js
 * channel gets an INSERT or UPDATE as the whole row, read as the channel's
 * user (role and request.jwt.claims set) so row-level security decides, with
 * the bindings' filters evaluated in the same statement, one statement per
 * chunk and channel (realtime-rows.c), run by worker threads, which also
 * check a join's filters against their tables: the service thread never
 * waits for PostgreSQL, and a socket's later frames wait behind its reads so
 * that they keep their order. A DELETE (the row is gone) reaches
 * only the owner the trigger names, one event per row with the primary key.
 * A channel that joins with config.nudge (agentlogs' own client, which pulls
 * after each event) gets one event per chunk with id, user_id and version
 * (null for a chunk of several) and costs no query.
 *
 * Every process LISTENs for itself, so several servers can serve one
 * database: each delivers every change to the sockets connected to it.
 *
 * Broadcast, presence and private channels (config.broadcast {self, ack},
 * config.presence {key, enabled}, config.private) are realtime-broadcast.c's:
 * each channel is a member there (joined in handle_join, which a private
 * channel's RLS check may refuse; gone with channel_free), "broadcast" and
 * "presence" messages go to it, and notifications on its LISTEN channel
 * (broadcasts and presences from other servers, POST
 * /realtime/v1/api/broadcast) are handed to it by drain(); tick() lets it
 * announce its presences and expire those of servers gone silent, and each
 * LISTEN (re)connection says hello so that the others announce theirs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <libwebsockets.h>

#include "db.h"
#include "jwt.h"
#include "realtime-authz.h"
#include "realtime.h"
#include "realtime-broadcast.h"
#include "realtime-filter.h"
#include "realtime-frame.h"
#include "realtime-rows.h"
#include "server.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define RT_PROTOCOL "agentlogs-realtime"
#define RT_PATH "/realtime/v1/websocket"
#define RT_LISTEN_CHANNEL "agentlogs_changes"

#define MAX_MESSAGE (64u << 10)		/* a client frame; joins are well under 8 KB */
#define MAX_CHANNELS 100		/* per socket, Supabase's default */
#define MAX_BINDINGS RT_MAX_BINDINGS	/* postgres_changes entries per channel */
#define MAX_CHUNK 1000			/* rows a notification names (the trigger sends 100) */
#define MAX_WAITING 1000		/* row reads one socket's frames may wait for */
#define ROW_WORKERS 2			/* threads reading changed rows */
#define MAX_QUEUED (4u << 20)		/* bytes waiting for one slow socket */
#define MAX_PENDING 100000		/* notifications waiting for the service thread */
#define TICK_US (250 * 1000)		/* idle and expiry checks */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000


/* One entry of a join's postgres_changes. */
struct binding {
	uint32_t id;
	char *event;		/* "*", "INSERT", "UPDATE" or "DELETE" */
	char *schema;		/* or "*" */
	char *table;		/* NULL or "*": every table */
	int filtered;		/* f holds a filter */
	struct rt_filter f;
};

struct channel {
	struct channel *next;
	uint64_t serial;	/* unique in the process: rows read for a channel since gone are dropped */
	char *topic;		/* "realtime:<name>" */
	char *topic_json;	/* the topic as a JSON string, for the fan-out */
	char *join_ref;		/* JSON: the ref phx_close answers with */
	char *sub;		/* whose rows it receives; NULL: nobody's */
	char *claims;		/* the token's claims (JSON), for RLS; NULL: anon */
	long long exp;		/* the token's expiry, epoch seconds */
	int nudge;		/* agentlogs' own client: {id, user_id, version} only */
	struct binding *b;
	int nb;
	struct rt_member *member;	/* broadcast and presence (realtime-broadcast.c) */
};

struct pss;

struct conn {
	struct conn *prev, *next;
	struct lws *wsi;
	int v2;			/* vsn=2.0.0: array frames */
	const char *in_join_ref;	/* JSON: the join_ref of the message being answered */
	struct pss *pss;
	long long apikey_exp;
	struct channel *channels;
	int nchannels;
	struct rt_msg *out, *out_tail;
	size_t out_bytes;	/* also what waits behind fetches */
	struct rt_fetch *wait_head, *wait_tail;	/* rows being read, in change order */
	int nwaiting;
	struct rt_fetch *capture;	/* while answering a checked join: its frames go there */
	struct strbuf rx;
	int rx_too_large;
	long long last_rx_ms;
	int closing;
	enum lws_close_status close_status;
	const char *close_reason;
};

/* lws's per-connection memory: only a pointer, so lws can drop it at will. */
struct pss {
	struct conn *c;
};

/* A notification's payload; NULL marks a LISTEN reconnection. */
struct note {
	struct note *next;
	char *payload;
	int broadcast;		/* on RT_BCAST_CHANNEL */
};

struct realtime {
	struct server *srv;
	struct lws_protocols protocol;
	/* Service thread only. */
	struct lws_context *context;
	lws_sorted_usec_list_t tick;
	int ticking;
	struct conn *conns;
	struct rt_rows *rows;	/* reads changed rows as subscribers */
	uint64_t serials;	/* the last channel serial handed out */
	struct rt_bcast *bc;
	/* Shared with the listener thread, under lock. */
	pthread_mutex_t lock;
	struct note *q_head, *q_tail;
	size_t q_len;
	int q_overflow;
	int stopping;
	/* The listener thread. */
	pthread_t listener;
	int listening;
	int wake[2];
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The realtime state, also when lws calls with a wsi bound to another protocol. */
static struct realtime *
rt_of(struct lws *wsi)
{
	const struct lws_protocols *p = lws_get_protocol(wsi);

	if (p == NULL || p->user == NULL || strcmp(p->name, RT_PROTOCOL) != 0)
		p = lws_vhost_name_to_protocol(lws_get_vhost(wsi), RT_PROTOCOL);
	return p != NULL ? p->user : NULL;
}

/* ---------------------------------------------------------------- sending */

static void
queue_drop(struct conn *c)
{
	struct rt_msg *m;

	while ((m = c->out) != NULL) {
		c->out = m->next;
		free(m);
	}
	c->out_tail = NULL;
	c->out_bytes = 0;
}

/* Closes the socket once lws lets us write; queued frames are dropped. */
static void
conn_close(struct conn *c, enum lws_close_status status, const char *reason)
{
	if (c->closing)
		return;
	c->closing = 1;
	c->close_status = status;
	c->close_reason = reason;
	queue_drop(c);
	lws_callback_on_writable(c->wsi);
	/* A peer that stops reading never makes us writable. */
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, 5);
}

/* Appends m, already counted in out_bytes, to what lws writes next. */
static void
conn_queue(struct conn *c, struct rt_msg *m)
{
	m->next = NULL;
	if (c->out_tail != NULL)
		c->out_tail->next = m;
	else
		c->out = m;
	c->out_tail = m;
	lws_callback_on_writable(c->wsi);
}

/* Sends s[0..n) after everything sent before it, rows still being read included. */
static void
conn_send(struct conn *c, const char *s, size_t n)
{
	struct rt_msg *m;

	if (c->closing)
		return;
	if (c->out_bytes + n > MAX_QUEUED) {
		conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "client too slow");
		return;
	}
	m = rt_msg_new(s, n);
	if (c->capture != NULL) {
		/* A join's answer, in the place of the check it waited for. */
		if (c->capture->out_tail != NULL)
			c->capture->out_tail->next = m;
		else
			c->capture->out = m;
		c->capture->out_tail = m;
		c->capture->out_bytes += n;
		return;
	}
	c->out_bytes += n;
	if (c->wait_tail == NULL) {
		conn_queue(c, m);
		return;
	}
	if (c->wait_tail->after_tail != NULL)
		c->wait_tail->after_tail->next = m;
	else
		c->wait_tail->after = m;
	c->wait_tail->after_tail = m;
}

/* Queues f for a worker; the socket's later frames wait until it is done. */
static void
conn_wait(struct realtime *rt, struct conn *c, struct rt_fetch *f)
{
	f->owner = c;
	if (c->wait_tail != NULL)
		c->wait_tail->next_wait = f;
	else
		c->wait_head = f;
	c->wait_tail = f;
	c->nwaiting++;
	rt_rows_submit(rt->rows, f);
}

static int
conn_writable(struct conn *c)
{
	struct rt_msg *m = c->out;

	if (m != NULL) {
		if ((c->out = m->next) == NULL)
			c->out_tail = NULL;
		c->out_bytes -= m->len;
		if (lws_write(c->wsi, m->data + LWS_PRE, m->len, LWS_WRITE_TEXT) < 0) {
			free(m);
			return -1;
		}
		free(m);
		if (c->out != NULL)
			lws_callback_on_writable(c->wsi);
		return 0;
	}
	if (c->closing) {
		lws_close_reason(c->wsi, c->close_status, (unsigned char *)c->close_reason,
		    strlen(c->close_reason));
		return -1;
	}
	return 0;
}

/*
 * Sends one message in the socket's serializer and frees payload: v1
 * {topic, event, payload, ref}, v2 [join_ref, ref, topic, event, payload].
 * join_ref and ref are JSON text or NULL.
 */
static void
push(struct conn *c, const char *join_ref, const char *topic, const char *event,
    cJSON *payload, const char *ref)
{
	char *s = rt_frame_encode(c->v2, join_ref, ref, topic, event, payload);

	conn_send(c, s, strlen(s));
	cJSON_free(s);
}

static void
reply(struct conn *c, const char *topic, const char *ref, const char *status, cJSON *response)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "status", status);
	cJSON_AddItemToObject(p, "response", response != NULL ? response : cJSON_CreateObject());
	/* Phoenix answers with the join_ref the message came with. */
	push(c, c->in_join_ref, topic, "phx_reply", p, ref);
}

static void
reply_error(struct conn *c, const char *topic, const char *ref, const char *reason)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "reason", reason);
	reply(c, topic, ref, "error", r);
}

static void
system_message(struct conn *c, const struct channel *ch, const char *extension,
    const char *status, const char *message)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "channel", ch->topic + strlen("realtime:"));
	cJSON_AddStringToObject(p, "extension", extension);
	cJSON_AddStringToObject(p, "message", message);
	cJSON_AddStringToObject(p, "status", status);
	push(c, ch->join_ref, ch->topic, "system", p, NULL);
}

/* push() for realtime-broadcast.c, which knows a socket only by pointer. */
static void
bcast_push(void *conn, const char *join_ref, const char *topic, const char *event,
    cJSON *payload, const char *ref)
{
	push(conn, join_ref, topic, event, payload, ref);
}

/* ---------------------------------------------------------------- tokens */

/*
 * The claims of a token, or NULL with code and message as Supabase Realtime
 * words them. Never quotes the token.
 */
static cJSON *
verify_token(struct realtime *rt, const char *token, const char **code, const char **message)
{
	const struct settings *s = &rt->srv->settings;
	const cJSON *role, *sub;
	char err[ERRLEN];
	cJSON *claims;

	claims = jwt_verify(token, s->jwt_secret, s->jwt_secret_len, (long long)time(NULL), err);
	if (claims == NULL) {
		if (strcmp(err, "token expired") == 0) {
			*code = "InvalidJWTToken";
			*message = "Token has expired";
		} else if (strcmp(err, "bad signature") == 0) {
			*code = "JwtSignatureError";
			*message = "Failed to validate JWT signature";
		} else {
			*code = "MalformedJWT";
			*message = "The token provided is not a valid JWT";
		}
		return NULL;
	}
	role = cJSON_GetObjectItemCaseSensitive(claims, "role");
	sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
	if (!cJSON_IsString(role) || (strcmp(role->valuestring, "anon") != 0 &&
	    strcmp(role->valuestring, "authenticated") != 0 &&
	    strcmp(role->valuestring, "service_role") != 0)) {
		*code = "InvalidJWTToken";
		*message = "Fields `role` and `exp` are required in JWT";
		cJSON_Delete(claims);
		return NULL;
	}
	if (strcmp(role->valuestring, "authenticated") == 0 && !cJSON_IsString(sub)) {
		*code = "InvalidJWTToken";
		*message = "Field `sub` is required in an authenticated JWT";
		cJSON_Delete(claims);
		return NULL;
	}
	return claims;
}

static long long
claims_exp(const cJSON *claims)
{
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");

	return cJSON_IsNumber(exp) ? (long long)exp->valuedouble : 0;
}

/* Only an authenticated user owns rows; anon and service_role see no one's. */
static char *
claims_sub(const cJSON *claims)
{
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(claims, "role");
	const cJSON *sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");

	if (cJSON_IsString(role) && strcmp(role->valuestring, "authenticated") == 0 &&
	    cJSON_IsString(sub))
		return xstrdup(sub->valuestring);
	return NULL;
}

/* ---------------------------------------------------------------- channels */

static void
channel_free(struct channel *ch)
{
	int i;

	rt_bcast_leave(ch->member);
	for (i = 0; i < ch->nb; i++) {
		free(ch->b[i].event);
		free(ch->b[i].schema);
		free(ch->b[i].table);
		rt_filter_free(&ch->b[i].f);
	}
	free(ch->claims);
	free(ch->b);
	free(ch->topic);
	cJSON_free(ch->topic_json);
	free(ch->join_ref);
	free(ch->sub);
	free(ch);
}

static struct channel *
channel_find(struct conn *c, const char *topic)
{
	struct channel *ch;

	for (ch = c->channels; ch != NULL; ch = ch->next) {
		if (strcmp(ch->topic, topic) == 0)
			return ch;
	}
	return NULL;
}

static void
channel_remove(struct conn *c, struct channel *ch)
{
	struct channel **pp;

	for (pp = &c->channels; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == ch) {
			*pp = ch->next;
			c->nchannels--;
			channel_free(ch);
			return;
		}
	}
}

/* Tells the client why, then closes the channel as Phoenix does (phx_close). */
static void
channel_shutdown(struct conn *c, struct channel *ch, const char *message)
{
	system_message(c, ch, "system", "error", message);
	push(c, ch->join_ref, ch->topic, "phx_close", cJSON_CreateObject(), ch->join_ref);
	channel_remove(c, ch);
}

/* FNV-1a: the same parameters always get the same id, as with Supabase's phash2. */
static uint32_t
binding_id(const char *event, const char *schema, const char *table, const char *filter)
{
	const char *parts[4] = { event, schema, table != NULL ? table : "",
	    filter != NULL ? filter : "" };
	uint32_t h = 2166136261u;
	const unsigned char *p;
	int i;

	for (i = 0; i < 4; i++) {
		for (p = (const unsigned char *)parts[i]; *p != '\0'; p++)
			h = (h ^ *p) * 16777619u;
		h = (h ^ 0xff) * 16777619u;
	}
	return h & 0x7ffffff;
}

/* One postgres_changes entry into b. */
static int
binding_parse(const cJSON *e, struct binding *b, char *why, size_t whylen)
{
	static const char *const events[] = { "*", "INSERT", "UPDATE", "DELETE" };
	const cJSON *event = cJSON_GetObjectItemCaseSensitive(e, "event");
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(e, "schema");
	const cJSON *table = cJSON_GetObjectItemCaseSensitive(e, "table");
	const cJSON *filter = cJSON_GetObjectItemCaseSensitive(e, "filter");
	const char *f;
	size_t i;

	memset(b, 0, sizeof *b);
	if (!cJSON_IsObject(e) || !cJSON_IsString(event) || !cJSON_IsString(schema)) {
		snprintf(why, whylen, "each postgres_changes entry needs event and schema");
		return -1;
	}
	for (i = 0; i < sizeof events / sizeof events[0]; i++) {
		if (strcasecmp(event->valuestring, events[i]) == 0)
			break;
	}
	if (i == sizeof events / sizeof events[0]) {
		snprintf(why, whylen, "unknown event '%.64s'", event->valuestring);
		return -1;
	}
	if ((table != NULL && !cJSON_IsNull(table) && !cJSON_IsString(table)) ||
	    (filter != NULL && !cJSON_IsNull(filter) && !cJSON_IsString(filter))) {
		snprintf(why, whylen, "table and filter must be strings");
		return -1;
	}
	f = cJSON_IsString(filter) ? filter->valuestring : NULL;
	if (f != NULL && *f != '\0') {
		if (rt_filter_parse(f, &b->f, why, whylen) != 0)
			return -1;
		b->filtered = 1;
	}
	b->id = binding_id(event->valuestring, schema->valuestring,
	    cJSON_IsString(table) ? table->valuestring : NULL, f);
	b->event = xstrdup(events[i]);
	b->schema = xstrdup(schema->valuestring);
	if (cJSON_IsString(table) && strcmp(table->valuestring, "*") != 0)
		b->table = xstrdup(table->valuestring);
	return 0;
}

static const char *
string_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A join waiting for its filters' check, and what to answer it with. */
struct pending_join {
	struct channel *ch;
	cJSON *echo;		/* the bindings as sent, with their ids */
	char *topic, *ref, *join_ref;	/* ref and join_ref: JSON text or NULL */
};

static void
pending_join_free(void *arg)
{
	struct pending_join *pj = arg;

	if (pj->ch != NULL)
		channel_free(pj->ch);
	cJSON_Delete(pj->echo);
	free(pj->topic);
	free(pj->ref);
	free(pj->join_ref);
	free(pj);
}

/*
 * Answers a join: with error (why the filters were refused) or, the check
 * passed, by putting its channel in place of one of the same topic.
 */
static void
join_finish(struct realtime *rt, struct conn *c, struct pending_join *pj, const char *error)
{
	struct channel *ch = pj->ch, *old = channel_find(c, pj->topic);
	char reason[320];
	cJSON *r;

	c->in_join_ref = pj->join_ref;
	if (error != NULL) {
		snprintf(reason, sizeof reason, "Invalid postgres_changes: %s", error);
		reply_error(c, pj->topic, pj->ref, reason);
	} else if (old == NULL && c->nchannels >= MAX_CHANNELS)
		reply_error(c, pj->topic, pj->ref, "ChannelRateLimitReached: Too many channels");
	else {
		if (old != NULL)
			channel_remove(c, old);
		ch->next = c->channels;
		c->channels = ch;
		c->nchannels++;
		pj->ch = NULL;
		r = cJSON_CreateObject();
		cJSON_AddItemToObject(r, "postgres_changes", pj->echo);
		pj->echo = NULL;
		reply(c, pj->topic, pj->ref, "ok", r);
		if (ch->nb > 0)
			system_message(c, ch, "postgres_changes", "ok", "Subscribed to PostgreSQL");
		rt_bcast_joined(rt->bc, ch->member);
	}
	c->in_join_ref = NULL;
	pending_join_free(pj);
}

/*
 * Whether b's filter must be checked against its table: asked of PostgreSQL
 * (as the server's own role, reading no row) whether it names a column and a
 * value of that column's type. A binding on every table is not checked.
 */
static int
needs_check(const struct binding *b)
{
	return b->filtered && b->table != NULL && strcmp(b->schema, "*") != 0;
}

/*
 * Answers the join now, or once a worker has checked its filters (the
 * socket's later frames wait behind the check, so the answer keeps its place).
 */
static void
join_check(struct realtime *rt, struct conn *c, struct pending_join *pj)
{
	const struct channel *ch = pj->ch;
	struct rt_fetch *f;
	int i;

	for (i = 0; i < ch->nb && (ch->nudge || !needs_check(&ch->b[i])); i++)
		;
	if (i == ch->nb) {
		join_finish(rt, c, pj, NULL);
		return;
	}
	if (rt->rows == NULL) {
		join_finish(rt, c, pj, "cannot check the filter: the server has no row readers");
		return;
	}
	f = xcalloc(1, sizeof *f);
	f->check = 1;
	for (; i < ch->nb; i++) {
		if (!needs_check(&ch->b[i]))
			continue;
		rt_filter_copy(&f->b[f->nb].f, &ch->b[i].f);
		f->b[f->nb].schema = xstrdup(ch->b[i].schema);
		f->b[f->nb].table = xstrdup(ch->b[i].table);
		f->nb++;
	}
	f->join = pj;
	f->join_free = pending_join_free;
	conn_wait(rt, c, f);
}

static void
handle_join(struct realtime *rt, struct conn *c, const char *topic, const cJSON *payload,
    const char *ref, const char *join_ref)
{
	const cJSON *config, *changes, *list, *e;
	const char *token, *code, *message;
	struct pending_join *pj;
	struct channel *ch;
	cJSON *claims = NULL, *echo;
	char why[256], reason[320];
	int n;

	if (strncmp(topic, "realtime:", 9) != 0) {
		reply_error(c, topic, ref, "unmatched topic");
		return;
	}
	if (topic[9] == '\0') {
		reply_error(c, topic, ref, "TopicNameRequired: You must provide a topic name");
		return;
	}
	if (channel_find(c, topic) == NULL && c->nchannels >= MAX_CHANNELS) {
		reply_error(c, topic, ref, "ChannelRateLimitReached: Too many channels");
		return;
	}
	token = string_of(payload, "access_token");
	if (token == NULL)
		token = string_of(payload, "user_token");
	if (token != NULL && (claims = verify_token(rt, token, &code, &message)) == NULL) {
		snprintf(reason, sizeof reason, "%s: %s", code, message);
		reply_error(c, topic, ref, reason);
		return;
	}
	config = cJSON_GetObjectItemCaseSensitive(payload, "config");
	changes = cJSON_GetObjectItemCaseSensitive(config, "postgres_changes");
	if (changes != NULL && !cJSON_IsNull(changes) && (!cJSON_IsArray(changes) ||
	    cJSON_GetArraySize(changes) > MAX_BINDINGS)) {
		cJSON_Delete(claims);
		reply_error(c, topic, ref, "postgres_changes must be a list of at most 32 entries");
		return;
	}

	ch = xcalloc(1, sizeof *ch);
	ch->serial = ++rt->serials;
	ch->topic = xstrdup(topic);
	{
		cJSON *t = cJSON_CreateString(topic);
		ch->topic_json = cJSON_PrintUnformatted(t);
		cJSON_Delete(t);
	}
	ch->join_ref = xstrdup(join_ref != NULL ? join_ref : ref != NULL ? ref : "null");
	if (claims != NULL) {
		ch->sub = claims_sub(claims);
		ch->claims = cJSON_PrintUnformatted(claims);
		ch->exp = claims_exp(claims);
		cJSON_Delete(claims);
	} else
		ch->exp = c->apikey_exp;
	/* agentlogs' own client asks for nudges: a pull follows, rows are not needed. */
	ch->nudge = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(config, "nudge"));
	echo = cJSON_CreateArray();
	list = cJSON_IsArray(changes) ? changes : NULL;
	n = list != NULL ? cJSON_GetArraySize(list) : 0;
	if (n > 0)
		ch->b = xcalloc((size_t)n, sizeof *ch->b);
	cJSON_ArrayForEach(e, list) {
		cJSON *item;
		if (binding_parse(e, &ch->b[ch->nb], why, sizeof why) != 0) {
			ch->nb++;	/* freed with the channel */
			cJSON_Delete(echo);
			channel_free(ch);
			snprintf(reason, sizeof reason, "Invalid postgres_changes: %s", why);
			reply_error(c, topic, ref, reason);
			return;
		}
		/* Supabase answers each binding as sent, plus its id. */
		item = cJSON_Duplicate(e, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(item, "id");
		cJSON_AddNumberToObject(item, "id", ch->b[ch->nb].id);
		cJSON_AddItemToArray(echo, item);
		ch->nb++;
	}
	if ((ch->member = rt_bcast_join(rt->bc, c, topic, ch->join_ref, config, ch->claims,
	    reason, sizeof reason)) == NULL) {
		cJSON_Delete(echo);
		channel_free(ch);
		reply_error(c, topic, ref, reason);
		return;
	}
	pj = xcalloc(1, sizeof *pj);
	pj->ch = ch;
	pj->echo = echo;
	pj->topic = xstrdup(topic);
	pj->ref = ref != NULL ? xstrdup(ref) : NULL;
	pj->join_ref = join_ref != NULL ? xstrdup(join_ref) : NULL;
	join_check(rt, c, pj);
}

static void
handle_access_token(struct realtime *rt, struct conn *c, struct channel *ch,
    const cJSON *payload)
{
	const char *token = string_of(payload, "access_token"), *code, *message;
	cJSON *claims;
	char why[256];

	/* realtime-js sends the anon key's new-style name or null when signed out. */
	if (token == NULL || strncmp(token, "sb_", 3) == 0)
		return;
	if ((claims = verify_token(rt, token, &code, &message)) == NULL) {
		channel_shutdown(c, ch, message);
		return;
	}
	free(ch->sub);
	free(ch->claims);
	ch->sub = claims_sub(claims);
	ch->claims = cJSON_PrintUnformatted(claims);
	ch->exp = claims_exp(claims);
	cJSON_Delete(claims);
	if (rt_bcast_token(ch->member, ch->claims, why, sizeof why) != 0)
		channel_shutdown(c, ch, why);
}

static void
handle_message(struct realtime *rt, struct conn *c, const char *text, size_t len)
{
	cJSON *m = cJSON_ParseWithLength(text, len), *empty = NULL;
	const cJSON *payload;
	const char *topic, *event;
	char *ref = NULL, *join_ref = NULL;
	struct channel *ch;
	struct rt_message msg;

	if (rt_frame_decode(c->v2, m, &msg) != 0) {
		/* Phoenix drops what it cannot decode; so does a nudge channel. */
		cJSON_Delete(m);
		return;
	}
	topic = msg.topic;
	event = msg.event;
	payload = msg.payload;
	if (!cJSON_IsObject(payload))
		payload = empty = cJSON_CreateObject();
	if (msg.ref != NULL)
		ref = cJSON_PrintUnformatted(msg.ref);
	if (msg.join_ref != NULL)
		join_ref = cJSON_PrintUnformatted(msg.join_ref);
	c->in_join_ref = join_ref;

	if (strcmp(topic, "phoenix") == 0 && strcmp(event, "heartbeat") == 0)
		reply(c, topic, ref, "ok", NULL);
	else if (strcmp(event, "phx_join") == 0)
		handle_join(rt, c, topic, payload, ref, join_ref);
	else if ((ch = channel_find(c, topic)) == NULL) {
		if (strcmp(event, "phx_leave") == 0)
			reply(c, topic, ref, "ok", NULL);
		else
			reply_error(c, topic, ref, "unmatched topic");
	} else if (strcmp(event, "phx_leave") == 0) {
		channel_remove(c, ch);
		reply(c, topic, ref, "ok", NULL);
	} else if (strcmp(event, "access_token") == 0)
		handle_access_token(rt, c, ch, payload);
	else
		rt_bcast_message(rt->bc, ch->member, event, msg.payload, ref);

	c->in_join_ref = NULL;
	cJSON_free(ref);
	cJSON_free(join_ref);
	cJSON_Delete(empty);
	cJSON_Delete(m);
}

/* ---------------------------------------------------------------- changes */

/*
 * One notification of the agentlogs_notify trigger: a chunk of one user's
 * rows written by one statement, by id (and version), in the statement's
 * order. Pointers into the parsed notification.
 */
struct change {
	const char *schema, *table, *type, *user_id, *commit_timestamp;
	const char **ids;
	const cJSON **versions;
	int nids;
};

/* n into ch (ids allocated), or -1 for a notification not of that shape. */
static int
change_parse(const cJSON *n, struct change *chg)
{
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(n, "ids");
	const cJSON *versions = cJSON_GetObjectItemCaseSensitive(n, "versions");
	const cJSON *e;
	int k = 0;

	memset(chg, 0, sizeof *chg);
	chg->schema = string_of(n, "schema");
	chg->table = string_of(n, "table");
	chg->type = string_of(n, "type");
	chg->user_id = string_of(n, "user_id");
	chg->commit_timestamp = string_of(n, "commit_timestamp");
	if (chg->schema == NULL || chg->table == NULL || chg->type == NULL ||
	    chg->user_id == NULL || !cJSON_IsArray(ids) || cJSON_GetArraySize(ids) < 1 ||
	    cJSON_GetArraySize(ids) > MAX_CHUNK)
		return -1;
	if (strcmp(chg->type, "INSERT") != 0 && strcmp(chg->type, "UPDATE") != 0 &&
	    strcmp(chg->type, "DELETE") != 0)
		return -1;
	chg->ids = xcalloc((size_t)cJSON_GetArraySize(ids), sizeof *chg->ids);
	chg->versions = xcalloc((size_t)cJSON_GetArraySize(ids), sizeof *chg->versions);
	cJSON_ArrayForEach(e, ids) {
		if (!cJSON_IsString(e)) {
			free(chg->ids);
			free(chg->versions);
			return -1;
		}
		chg->versions[k] = cJSON_GetArrayItem(versions, k);
		chg->ids[k++] = e->valuestring;
	}
	chg->nids = k;
	return 0;
}

/* Whether b listens to this event on this table, its filter aside. */
static int
binding_targets(const struct binding *b, const struct change *chg)
{
	return (strcmp(b->event, "*") == 0 || strcmp(b->event, chg->type) == 0) &&
	    (strcmp(b->schema, "*") == 0 || strcmp(b->schema, chg->schema) == 0) &&
	    (b->table == NULL || strcmp(b->table, chg->table) == 0);
}

/*
 * Whether b takes a change known only by the feed's user_id and ids (the
 * rows ids[0..nids)): a nudge, or a DELETE (the row is gone; Supabase
 * Realtime does not filter deletes either). Filters on other columns let it
 * through.
 */
static int
binding_matches(const struct binding *b, const struct change *chg, const char *const *ids,
    int nids)
{
	int k;

	if (!binding_targets(b, chg))
		return 0;
	if (b->f.col == RT_FILTER_USER_ID && strcmp(b->f.value, chg->user_id) != 0)
		return 0;
	if (b->f.col != RT_FILTER_ID)
		return 1;
	for (k = 0; k < nids && strcmp(b->f.value, ids[k]) != 0; k++)
		;
	return k < nids;
}

/* Adds binding id to ids unless there: one event per channel names each binding once. */
static void
add_id(uint32_t *ids, int *nids, uint32_t id)
{
	int j;

	for (j = 0; j < *nids && ids[j] != id; j++)
		;
	if (j == *nids)
		ids[(*nids)++] = id;
}

/* The ids of ch's bindings that take a change to rows ids[0..nids) of the feed. */
static int
matching_ids(const struct channel *ch, const struct change *chg, const char *const *ids,
    int nids, uint32_t *out)
{
	int i, n = 0;

	for (i = 0; i < ch->nb; i++) {
		if (binding_matches(&ch->b[i], chg, ids, nids))
			add_id(out, &n, ch->b[i].id);
	}
	return n;
}

/*
 * A nudge for agentlogs' own client, which pulls after it: data {schema,
 * table, commit_timestamp, type, record: {id, user_id, version}, ...}, one
 * per notification; a chunk of several rows has a null id and version.
 */
static char *
nudge_data(const struct change *chg)
{
	static const char *const columns[][2] = {
		{ "id", "uuid" }, { "user_id", "uuid" }, { "version", "int4" },
	};
	const char *id = chg->nids == 1 ? chg->ids[0] : NULL;
	const cJSON *version = chg->nids == 1 ? chg->versions[0] : NULL;
	cJSON *d = cJSON_CreateObject(), *row, *key, *cols, *col;
	size_t i;
	char *s;

	cJSON_AddStringToObject(d, "schema", chg->schema);
	cJSON_AddStringToObject(d, "table", chg->table);
	if (chg->commit_timestamp != NULL)
		cJSON_AddStringToObject(d, "commit_timestamp", chg->commit_timestamp);
	else
		cJSON_AddNullToObject(d, "commit_timestamp");
	cJSON_AddStringToObject(d, "type", chg->type);
	row = cJSON_CreateObject();
	if (id != NULL)
		cJSON_AddStringToObject(row, "id", id);
	else
		cJSON_AddNullToObject(row, "id");
	cJSON_AddStringToObject(row, "user_id", chg->user_id);
	if (cJSON_IsNumber(version))
		cJSON_AddNumberToObject(row, "version", version->valuedouble);
	else
		cJSON_AddNullToObject(row, "version");
	/* A deleted row is only in old_record; an updated one's key in both. */
	key = cJSON_CreateObject();
	if (strcmp(chg->type, "UPDATE") == 0) {
		if (id != NULL)
			cJSON_AddStringToObject(key, "id", id);
		else
			cJSON_AddNullToObject(key, "id");
		cJSON_AddStringToObject(key, "user_id", chg->user_id);
	}
	if (strcmp(chg->type, "DELETE") == 0) {
		cJSON_AddItemToObject(d, "record", cJSON_CreateObject());
		cJSON_AddItemToObject(d, "old_record", row);
		cJSON_Delete(key);
	} else {
		cJSON_AddItemToObject(d, "record", row);
		cJSON_AddItemToObject(d, "old_record", key);
	}
	cols = cJSON_AddArrayToObject(d, "columns");
	for (i = 0; i < sizeof columns / sizeof columns[0]; i++) {
		col = cJSON_CreateObject();
		cJSON_AddStringToObject(col, "name", columns[i][0]);
		cJSON_AddStringToObject(col, "type", columns[i][1]);
		cJSON_AddItemToArray(cols, col);
	}
	cJSON_AddNullToObject(d, "errors");
	if ((s = cJSON_PrintUnformatted(d)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(d);
	return s;
}

/* Sends the change data to ch for the bindings ids. */
static void
send_change(struct conn *c, const struct channel *ch, const uint32_t *ids, int nids,
    const char *data)
{
	char *s = rt_change_frame(c->v2, ch->join_ref, ch->topic_json, ids, nids, data);

	conn_send(c, s, strlen(s));
	free(s);
}

/* A nudge channel: one cheap change per notification, to the owner only. */
static void
fan_out_nudge(struct conn *c, struct channel *ch, const struct change *chg, char **data)
{
	uint32_t ids[MAX_BINDINGS];
	int nids;

	if (ch->sub == NULL || strcmp(ch->sub, chg->user_id) != 0 ||
	    (nids = matching_ids(ch, chg, chg->ids, chg->nids, ids)) == 0)
		return;
	if (*data == NULL)
		*data = nudge_data(chg);
	send_change(c, ch, ids, nids, *data);
}

/*
 * DELETEs to a supabase-js channel: the rows are gone, so, as Supabase
 * Realtime for a table without REPLICA IDENTITY FULL, one event per row with
 * the primary key in old_record, to the owner only.
 */
static void
fan_out_deletes(struct conn *c, struct channel *ch, const struct change *chg)
{
	uint32_t ids[MAX_BINDINGS];
	int k, nids;
	char *data;

	if (ch->sub == NULL || strcmp(ch->sub, chg->user_id) != 0)
		return;
	for (k = 0; k < chg->nids; k++) {
		if ((nids = matching_ids(ch, chg, chg->ids + k, 1, ids)) == 0)
			continue;
		data = rt_row_data(chg->schema, chg->table, chg->commit_timestamp, chg->type,
		    chg->ids[k], chg->user_id, NULL);
		send_change(c, ch, ids, nids, data);
		cJSON_free(data);
	}
}

/* The ids as a PostgreSQL array literal, each element quoted. */
static char *
ids_literal(const struct change *chg)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	int k;

	strbuf_addc(&sb, '{');
	for (k = 0; k < chg->nids; k++) {
		strbuf_adds(&sb, k > 0 ? ",\"" : "\"");
		for (p = chg->ids[k]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_addc(&sb, '\\');
			strbuf_addc(&sb, *p);
		}
		strbuf_addc(&sb, '"');
	}
	strbuf_addc(&sb, '}');
	return strbuf_detach(&sb);
}

/* Whether b may take the rows, as far as the feed tells without reading them. */
static int
binding_may_take(const struct binding *b, const struct change *chg)
{
	return binding_targets(b, chg) &&
	    (b->f.col != RT_FILTER_USER_ID || strcmp(b->f.value, chg->user_id) == 0);
}

/*
 * INSERTs or UPDATEs to a supabase-js channel: the rows as the channel's user
 * reads them, with the bindings' filters, read by a worker in one statement.
 * The socket's later frames wait behind it, so it still gets its frames in
 * order; another socket waits for nothing.
 */
static void
fan_out_rows(struct realtime *rt, struct conn *c, struct channel *ch, const struct change *chg)
{
	struct rt_fetch *f;
	int i;

	for (i = 0; i < ch->nb && !binding_may_take(&ch->b[i], chg); i++)
		;
	if (i == ch->nb || rt->rows == NULL)
		return;
	if (c->nwaiting >= MAX_WAITING) {
		conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "client too slow");
		return;
	}
	f = xcalloc(1, sizeof *f);
	f->schema = xstrdup(chg->schema);
	f->table = xstrdup(chg->table);
	f->type = xstrdup(chg->type);
	f->user_id = xstrdup(chg->user_id);
	f->commit_timestamp = chg->commit_timestamp != NULL ? xstrdup(chg->commit_timestamp) : NULL;
	f->ids = ids_literal(chg);
	f->role = xstrdup(rt_authz_role(ch->claims));	/* for row-level security */
	f->claims = ch->claims != NULL ? xstrdup(ch->claims) : NULL;
	for (; i < ch->nb; i++) {
		if (!binding_may_take(&ch->b[i], chg))
			continue;
		f->b[f->nb].id = ch->b[i].id;
		f->b[f->nb].filtered = ch->b[i].filtered;
		if (ch->b[i].filtered)
			rt_filter_copy(&f->b[f->nb].f, &ch->b[i].f);
		f->nb++;
	}
	f->v2 = c->v2;
	f->join_ref = xstrdup(ch->join_ref);
	f->topic_json = xstrdup(ch->topic_json);
	f->channel = ch->serial;
	conn_wait(rt, c, f);
}

static void
fan_out(struct realtime *rt, const char *payload)
{
	cJSON *n = cJSON_Parse(payload);
	long long now = (long long)time(NULL);
	struct channel *ch;
	struct change chg;
	struct conn *c;
	char *nudge = NULL;

	if (change_parse(n, &chg) != 0) {
		log_warn("realtime: ignoring a malformed notification on %s", RT_LISTEN_CHANNEL);
		cJSON_Delete(n);
		return;
	}
	for (c = rt->conns; c != NULL; c = c->next) {
		for (ch = c->channels; ch != NULL && !c->closing; ch = ch->next) {
			/* An expired token sees nothing. */
			if (ch->exp <= now)
				continue;
			if (ch->nudge)
				fan_out_nudge(c, ch, &chg, &nudge);
			else if (strcmp(chg.type, "DELETE") == 0)
				fan_out_deletes(c, ch, &chg);
			else
				fan_out_rows(rt, c, ch, &chg);
		}
	}
	cJSON_free(nudge);
	free(chg.ids);
	free(chg.versions);
	cJSON_Delete(n);
}

/* The channel with this serial, or NULL: it left, or joined again since. */
static struct channel *
channel_by_serial(struct conn *c, uint64_t serial)
{
	struct channel *ch;

	for (ch = c->channels; ch != NULL && ch->serial != serial; ch = ch->next)
		;
	return ch;
}

/* Sends what waited on the socket's finished fetches, oldest first, up to the first unfinished. */
static void
flush_waiting(struct conn *c)
{
	struct rt_fetch *f;
	struct rt_msg *m;

	while ((f = c->wait_head) != NULL && f->done) {
		if ((c->wait_head = f->next_wait) == NULL)
			c->wait_tail = NULL;
		c->nwaiting--;
		if (!c->closing && f->out != NULL &&
		    (f->check || channel_by_serial(c, f->channel) != NULL)) {
			if (c->out_bytes + f->out_bytes > MAX_QUEUED)
				conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "client too slow");
			else {
				c->out_bytes += f->out_bytes;
				while ((m = f->out) != NULL) {
					f->out = m->next;
					conn_queue(c, m);
				}
			}
		}
		/* Counted in out_bytes when they were sent. */
		while (!c->closing && (m = f->after) != NULL) {
			f->after = m->next;
			conn_queue(c, m);
		}
		rt_fetch_free(f);
	}
}

/* Runs on the service thread when a rows worker has woken it. */
static void
take_fetched(struct realtime *rt)
{
	struct rt_fetch *f, *next;

	if (rt->rows == NULL)
		return;
	for (f = rt_rows_take_done(rt->rows); f != NULL; f = next) {
		next = f->next;
		if (f->owner == NULL) {
			rt_fetch_free(f);
			continue;
		}
		if (f->check) {
			struct conn *c = f->owner;
			struct pending_join *pj = f->join;

			f->join = NULL;
			c->capture = f;
			if (!c->closing)
				join_finish(rt, c, pj, f->error);
			else
				pending_join_free(pj);
			c->capture = NULL;
		}
		f->done = 1;
		flush_waiting(f->owner);
	}
}

/* A rows worker's wake-up call: the service thread then runs take_fetched. */
static void
wake_service(void *arg)
{
	struct realtime *rt = arg;

	lws_cancel_service(rt->context);
}

/* Runs on the service thread when the listener has woken it. */
static void
drain(struct realtime *rt)
{
	struct note *list, *nt;
	struct conn *c;
	int overflow;

	pthread_mutex_lock(&rt->lock);
	list = rt->q_head;
	rt->q_head = rt->q_tail = NULL;
	rt->q_len = 0;
	overflow = rt->q_overflow;
	rt->q_overflow = 0;
	pthread_mutex_unlock(&rt->lock);

	while ((nt = list) != NULL) {
		list = nt->next;
		if (nt->payload != NULL && nt->broadcast)
			rt_bcast_deliver(rt->bc, nt->payload);
		else if (nt->payload != NULL)
			fan_out(rt, nt->payload);
		else
			overflow = 1;
		free(nt->payload);
		free(nt);
	}
	/*
	 * Changes may have been missed (the LISTEN connection dropped, or too
	 * many piled up): close every socket so each client reconnects and
	 * pulls, which is what a realtime client does after a reconnect. 1001
	 * (going away) rather than 1012, which older peers, lws among them,
	 * take for a protocol error.
	 */
	if (overflow) {
		for (c = rt->conns; c != NULL; c = c->next)
			conn_close(c, LWS_CLOSE_STATUS_GOINGAWAY, "changes may have been missed");
	}
}

/* ---------------------------------------------------------------- the LISTEN thread */

static int
stopping(struct realtime *rt)
{
	int s;

	pthread_mutex_lock(&rt->lock);
	s = rt->stopping;
	pthread_mutex_unlock(&rt->lock);
	return s;
}

/* 1 when fd is ready, 0 on timeout, -1 when the server stops. fd < 0: just wait. */
static int
wait_fd(struct realtime *rt, int fd, short events, int timeout_ms)
{
	struct pollfd p[2];
	int n;

	p[0].fd = rt->wake[0];
	p[0].events = POLLIN;
	p[1].fd = fd;
	p[1].events = events;
	do {
		p[0].revents = p[1].revents = 0;
		n = poll(p, fd >= 0 ? 2 : 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (p[0].revents != 0)
		return -1;
	return n > 0 ? 1 : 0;
}

static void
enqueue(struct realtime *rt, char *payload, int broadcast)
{
	struct note *nt;

	pthread_mutex_lock(&rt->lock);
	if (payload != NULL && rt->q_len >= MAX_PENDING) {
		rt->q_overflow = 1;
		pthread_mutex_unlock(&rt->lock);
		free(payload);
		return;
	}
	nt = xmalloc(sizeof *nt);
	nt->next = NULL;
	nt->payload = payload;
	nt->broadcast = broadcast;
	if (rt->q_tail != NULL)
		rt->q_tail->next = nt;
	else
		rt->q_head = nt;
	rt->q_tail = nt;
	rt->q_len++;
	pthread_mutex_unlock(&rt->lock);
}

static void
warn_pg(const char *what, PGconn *pg)
{
	char msg[ERRLEN];

	snprintf(msg, sizeof msg, "%s", pg != NULL ? PQerrorMessage(pg) : "out of memory");
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("realtime: %s: %s", what, msg);
}

/* A connection with LISTEN in force, or NULL (also when stopping). */
static PGconn *
listen_connect(struct realtime *rt, int quiet)
{
	/* Keepalives notice a dead server; the URL's own settings win (expanded last). */
	static const char *const keys[] = { "connect_timeout", "keepalives", "keepalives_idle",
	    "keepalives_interval", "keepalives_count", "application_name", "dbname", NULL };
	const char *values[] = { "10", "1", "30", "10", "3", "agentlogs-server realtime",
	    rt->srv->settings.db, NULL };
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	const char *params[2] = { RT_BCAST_CHANNEL, NULL };
	PGresult *res;
	PGconn *pg;
	char *hello;
	int r;

	pg = PQconnectStartParams(keys, values, 1);
	if (pg == NULL || PQstatus(pg) == CONNECTION_BAD)
		goto fail;
	while (st != PGRES_POLLING_OK) {
		if (st == PGRES_POLLING_FAILED)
			goto fail;
		r = wait_fd(rt, PQsocket(pg), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, 15000);
		if (r < 0) {
			PQfinish(pg);
			return NULL;
		}
		if (r == 0)
			goto fail;
		st = PQconnectPoll(pg);
	}
	res = PQexec(pg, "LISTEN " RT_LISTEN_CHANNEL "; LISTEN " RT_BCAST_CHANNEL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	/* Listening now: the other servers' answers to the hello (their presences) arrive. */
	params[1] = hello = rt_bcast_hello(rt->bc);
	res = PQexecParams(pg, "SELECT pg_catalog.pg_notify($1, $2)", 2, NULL, params, NULL, NULL, 0);
	free(hello);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	return pg;
fail:
	if (!quiet)
		warn_pg("cannot LISTEN on PostgreSQL, retrying", pg);
	PQfinish(pg);
	return NULL;
}

static void *
listener_main(void *arg)
{
	struct realtime *rt = arg;
	PGnotify *n;
	PGconn *pg;
	int backoff = BACKOFF_MIN_MS, connected_before = 0, failing = 0, pushed, r;

	while (!stopping(rt)) {
		if ((pg = listen_connect(rt, failing)) == NULL) {
			failing = 1;
			if (wait_fd(rt, -1, 0, backoff) < 0)
				break;
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			continue;
		}
		backoff = BACKOFF_MIN_MS;
		failing = 0;
		fprintf(stderr, "agentlogs-server: realtime: listening for changes\n");
		if (connected_before) {
			enqueue(rt, NULL, 0);
			lws_cancel_service(rt->context);
		}
		connected_before = 1;
		for (;;) {
			if ((r = wait_fd(rt, PQsocket(pg), POLLIN, -1)) < 0)
				break;
			if (r == 0)
				continue;
			if (!PQconsumeInput(pg) || PQstatus(pg) != CONNECTION_OK) {
				warn_pg("lost the LISTEN connection", pg);
				break;
			}
			for (pushed = 0; (n = PQnotifies(pg)) != NULL; pushed++) {
				enqueue(rt, xstrdup(n->extra),
				    strcmp(n->relname, RT_BCAST_CHANNEL) == 0);
				PQfreemem(n);
			}
			if (pushed > 0)
				lws_cancel_service(rt->context);
		}
		PQfinish(pg);
	}
	return NULL;
}

static void
listener_start(struct realtime *rt)
{
	sigset_t all, old;
	int i;

	if (pipe(rt->wake) != 0) {
		log_warn("realtime: pipe: %s; changes will not be forwarded", strerror(errno));
		rt->wake[0] = rt->wake[1] = -1;
		return;
	}
	for (i = 0; i < 2; i++)
		fcntl(rt->wake[i], F_SETFD, FD_CLOEXEC);
	/* Signals belong to the service thread, whose handler stops the server. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rt->listening = pthread_create(&rt->listener, NULL, listener_main, rt) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!rt->listening)
		log_warn("realtime: cannot start the LISTEN thread; changes will not be forwarded");
}

static void
listener_stop(struct realtime *rt)
{
	pthread_mutex_lock(&rt->lock);
	rt->stopping = 1;
	pthread_mutex_unlock(&rt->lock);
	if (rt->wake[1] >= 0 && write(rt->wake[1], "x", 1) < 0)
		log_warn("realtime: cannot wake the LISTEN thread: %s", strerror(errno));
	if (rt->listening)
		pthread_join(rt->listener, NULL);
	rt->listening = 0;
	if (rt->wake[0] >= 0) {
		close(rt->wake[0]);
		close(rt->wake[1]);
	}
	rt->wake[0] = rt->wake[1] = -1;
}

/* ---------------------------------------------------------------- sockets */

static void
tick(lws_sorted_usec_list_t *sul)
{
	struct realtime *rt = (struct realtime *)(void *)((char *)sul -
	    offsetof(struct realtime, tick));
	long long idle = rt->srv->settings.realtime_idle_timeout * 1000LL, ms = now_ms();
	long long now = (long long)time(NULL);
	struct channel *ch, *next;
	struct conn *c;
	char msg[96];

	for (c = rt->conns; c != NULL; c = c->next) {
		if (c->closing)
			continue;
		if (ms - c->last_rx_ms >= idle) {
			conn_close(c, LWS_CLOSE_STATUS_NORMAL, "idle timeout");
			continue;
		}
		for (ch = c->channels; ch != NULL; ch = next) {
			next = ch->next;
			if (ch->exp <= now) {
				snprintf(msg, sizeof msg, "Token has expired %lld seconds ago",
				    now - ch->exp);
				channel_shutdown(c, ch, msg);
			}
		}
	}
	rt_bcast_tick(rt->bc, ms);
	lws_sul_schedule(rt->context, 0, &rt->tick, tick, TICK_US);
}

static void
conn_free(struct realtime *rt, struct conn *c)
{
	struct channel *ch;
	struct rt_fetch *f;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		rt->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	while ((ch = c->channels) != NULL) {
		c->channels = ch->next;
		channel_free(ch);
	}
	/*
	 * A read still running comes back to take_fetched, which frees it; a
	 * join waiting for its check goes now, its broadcast membership with it.
	 */
	while ((f = c->wait_head) != NULL) {
		c->wait_head = f->next_wait;
		if (f->done)
			rt_fetch_free(f);
		else {
			f->owner = NULL;
			if (f->join != NULL)
				f->join_free(f->join);
			f->join = NULL;
		}
	}
	queue_drop(c);
	strbuf_free(&c->rx);
	if (c->pss != NULL)
		c->pss->c = NULL;
	free(c);
}

/* Copies header or query argument name into buf, or returns NULL. */
static const char *
upgrade_arg(struct lws *wsi, const char *name, char *buf, int len)
{
	char hdr[32];
	const char *v;

	snprintf(hdr, sizeof hdr, "%s=", name);
	if ((v = lws_get_urlarg_by_name(wsi, hdr, buf, len)) != NULL)
		return v;
	snprintf(hdr, sizeof hdr, "%s:", name);
	if (lws_hdr_custom_length(wsi, hdr, (int)strlen(hdr)) > 0 &&
	    lws_hdr_custom_copy(wsi, buf, len, hdr, (int)strlen(hdr)) > 0)
		return buf;
	return NULL;
}

/*
 * Whether this upgrade may proceed: the path, the protocol version, and an
 * apikey that verifies as anon or service_role. 0 with the key's expiry, or
 * the HTTP status and a JSON body to refuse with.
 */
/*
 * The serializer's major version from vsn= (1 when absent, as Phoenix), or
 * -1. The buffer holds any argument: lws stops at the first that does not
 * fit, and the apikey comes first.
 */
static int
protocol_version(struct lws *wsi)
{
	char buf[JWT_MAX_LEN + 16];
	const char *v = lws_get_urlarg_by_name(wsi, "vsn=", buf, sizeof buf);

	if (v == NULL || strncmp(v, "1.", 2) == 0)
		return 1;
	if (strncmp(v, "2.", 2) == 0)
		return 2;
	return -1;
}

static int
check_upgrade(struct realtime *rt, struct lws *wsi, long long *exp, int *v2, const char **body)
{
	const struct settings *s = &rt->srv->settings;
	char buf[JWT_MAX_LEN + 16], err[ERRLEN];
	const char *v, *role;
	cJSON *claims;
	int n;

	n = lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_GET_URI);
	if (n <= 0 || (strcmp(buf, RT_PATH) != 0 && strcmp(buf, RT_PATH "/") != 0)) {
		*body = "{\"message\":\"no such endpoint\"}";
		return 404;
	}
	if ((n = protocol_version(wsi)) < 0) {
		*body = "{\"message\":\"unsupported protocol version: use vsn=1.0.0 or vsn=2.0.0\"}";
		return 400;
	}
	*v2 = n == 2;
	if ((v = upgrade_arg(wsi, "apikey", buf, sizeof buf)) == NULL) {
		*body = "{\"message\":\"No API key found in request\"}";
		return 401;
	}
	claims = jwt_verify(v, s->jwt_secret, s->jwt_secret_len, (long long)time(NULL), err);
	role = claims != NULL ? string_of(claims, "role") : NULL;
	if (role == NULL || (strcmp(role, "anon") != 0 && strcmp(role, "service_role") != 0)) {
		cJSON_Delete(claims);
		*body = "{\"message\":\"Invalid API key\"}";
		return 401;
	}
	*exp = claims_exp(claims);
	cJSON_Delete(claims);
	return 0;
}

/* The request log's line (peer method path status bytes duration); no query: it holds the key. */
static void
log_upgrade(struct lws *wsi, int status, size_t bytes)
{
	char peer[64];

	lws_get_peer_simple(wsi, peer, sizeof peer);
	fprintf(stderr, "%s GET %s %d %zu 0ms\n", peer, RT_PATH, status, bytes);
}

/* Refuses the upgrade with an HTTP answer: lws then finishes the transaction. */
static int
refuse(struct lws *wsi, int status, const char *body)
{
	unsigned char buf[LWS_PRE + 1024], *start = buf + LWS_PRE, *p = start,
	    *end = buf + sizeof buf - 1;
	size_t n = strlen(body);

	log_upgrade(wsi, status, n);
	if (lws_add_http_common_headers(wsi, (unsigned int)status, "application/json", n,
	    &p, end) != 0 || lws_finalize_http_header(wsi, &p, end) != 0 ||
	    (size_t)(end - p) < n)
		return -1;
	memcpy(p, body, n);
	p += n;
	if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_HEADERS) != (int)(p - start))
		return -1;
	return 1;
}

static int
callback_realtime(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len)
{
	struct realtime *rt = rt_of(wsi);
	struct pss *pss = user;
	struct conn *c = pss != NULL ? pss->c : NULL;
	const char *body;
	long long exp = 0;
	int status, v2 = 0;

	if (rt == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_PROTOCOL_INIT:
		if (rt->context == NULL) {
			rt->context = lws_get_context(wsi);
			listener_start(rt);
			rt->rows = rt_rows_start(rt->srv->settings.db, ROW_WORKERS, wake_service, rt);
			if (rt->rows == NULL)
				log_warn("realtime: cannot start the row readers; "
				    "supabase-js channels will get no INSERT or UPDATE");
			rt_bcast_tick(rt->bc, now_ms());	/* its clock, before any notification */
			lws_sul_schedule(rt->context, 0, &rt->tick, tick, TICK_US);
			rt->ticking = 1;
		}
		break;
	case LWS_CALLBACK_PROTOCOL_DESTROY:
		rt_bcast_stop(rt->bc);
		if (rt->ticking)
			lws_sul_cancel(&rt->tick);
		rt->ticking = 0;
		if (rt->context != NULL)
			listener_stop(rt);
		while (rt->conns != NULL)
			conn_free(rt, rt->conns);
		rt_rows_stop(rt->rows);
		rt->rows = NULL;
		break;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		if (in == NULL || strcasecmp(in, "websocket") != 0)
			return 0;
		if ((status = check_upgrade(rt, wsi, &exp, &v2, &body)) != 0)
			return refuse(wsi, status, body);
		return 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* Also here: lws may have skipped CONFIRM_UPGRADE. Hang up. */
		return check_upgrade(rt, wsi, &exp, &v2, &body) != 0 ? -1 : 0;
	case LWS_CALLBACK_ESTABLISHED:
		if (pss == NULL || check_upgrade(rt, wsi, &exp, &v2, &body) != 0)
			return -1;
		c = xcalloc(1, sizeof *c);
		c->wsi = wsi;
		c->pss = pss;
		c->apikey_exp = exp;
		c->v2 = v2;
		c->last_rx_ms = now_ms();
		c->next = rt->conns;
		if (rt->conns != NULL)
			rt->conns->prev = c;
		rt->conns = c;
		pss->c = c;
		log_upgrade(wsi, 101, 0);
		break;
	case LWS_CALLBACK_RECEIVE:
		if (c == NULL)
			return -1;
		c->last_rx_ms = now_ms();
		if (lws_is_first_fragment(wsi)) {
			strbuf_reset(&c->rx);
			c->rx_too_large = 0;
		}
		if (!c->rx_too_large && c->rx.len + len > MAX_MESSAGE) {
			c->rx_too_large = 1;
			strbuf_free(&c->rx);
		}
		if (!c->rx_too_large && len > 0)
			strbuf_add(&c->rx, in, len);
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0)
			break;
		if (c->rx_too_large) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
			    (unsigned char *)"message too large", 17);
			return -1;
		}
		if (lws_frame_is_binary(wsi)) {
			/* Newer realtime-js sends broadcasts as binary frames (v2 only). */
			const char *why = "binary frames need vsn=2.0.0";
			char *text = c->v2 ? rt_frame_binary_push((unsigned char *)c->rx.buf,
			    c->rx.len, &why) : NULL;

			if (text == NULL) {
				lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
				    (unsigned char *)why, strlen(why));
				return -1;
			}
			handle_message(rt, c, text, strlen(text));
			cJSON_free(text);
		} else if (c->rx.len > 0)
			handle_message(rt, c, c->rx.buf, c->rx.len);
		if (c->rx.cap > 16384)
			strbuf_free(&c->rx);
		else
			strbuf_reset(&c->rx);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (c == NULL)
			return -1;
		return conn_writable(c);
	case LWS_CALLBACK_CLOSED:
		if (c != NULL)
			conn_free(rt, c);
		break;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		drain(rt);
		take_fetched(rt);
		break;
	default:
		break;
	}
	return 0;
}

/* ---------------------------------------------------------------- lifecycle */

struct realtime *
realtime_new(struct server *srv)
{
	struct realtime *rt = xcalloc(1, sizeof *rt);

	rt->srv = srv;
	rt->wake[0] = rt->wake[1] = -1;
	pthread_mutex_init(&rt->lock, NULL);
	rt->protocol.name = RT_PROTOCOL;
	rt->protocol.callback = callback_realtime;
	rt->protocol.per_session_data_size = sizeof(struct pss);
	rt->protocol.user = rt;
	rt->bc = rt_bcast_new(srv, bcast_push);
	return rt;
}

const struct lws_protocols *
realtime_protocol(struct realtime *rt)
{
	return &rt->protocol;
}

void
realtime_free(struct realtime *rt)
{
	struct note *nt;

	if (rt == NULL)
		return;
	rt_bcast_stop(rt->bc);	/* the channels freed below send nothing */
	if (rt->listening)
		listener_stop(rt);
	while (rt->conns != NULL)
		conn_free(rt, rt->conns);
	rt_rows_stop(rt->rows);
	rt_bcast_free(rt->bc);
	while ((nt = rt->q_head) != NULL) {
		rt->q_head = nt->next;
		free(nt->payload);
		free(nt);
	}
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}
