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
 * A supabase-js channel gets an INSERT or UPDATE as the whole row, read as
 * the channel's user (role and request.jwt.claims set) so row-level security
 * decides, with the bindings' filters evaluated in the same statement; a
 * DELETE (the row is gone) or a bulk write (the triggers send one change per
 * user and statement) reaches only the owner the triggers name, with the
 * primary key. A channel that joins with config.nudge (agentlogs' own
 * client, which pulls after each event) gets the row's id, user_id and
 * version and costs no query.
 *
 * Broadcast, presence and private channels (config.broadcast {self, ack},
 * config.presence {key, enabled}, config.private) are realtime-broadcast.c's:
 * each channel is a member there (joined in handle_join, which a private
 * channel's RLS check may refuse; gone with channel_free), "broadcast" and
 * "presence" messages go to it, and notifications on its LISTEN channel
 * (broadcasts from other servers and POST /realtime/v1/api/broadcast) are
 * handed to it by drain().
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
#include "realtime.h"
#include "realtime-broadcast.h"
#include "realtime-frame.h"
#include "server.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define RT_PROTOCOL "agentlogs-realtime"
#define RT_PATH "/realtime/v1/websocket"
#define RT_LISTEN_CHANNEL "agentlogs_changes"

#define MAX_MESSAGE (64u << 10)		/* a client frame; joins are well under 8 KB */
#define MAX_CHANNELS 100		/* per socket, Supabase's default */
#define MAX_BINDINGS 32			/* postgres_changes entries per channel */
#define MAX_QUEUED (4u << 20)		/* bytes waiting for one slow socket */
#define MAX_PENDING 100000		/* notifications waiting for the service thread */
#define TICK_US (250 * 1000)		/* idle and expiry checks */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000

/* One outgoing text frame, with the room lws_write needs in front. */
struct msg {
	struct msg *next;
	size_t len;
	unsigned char data[];
};

enum filter_col { FILTER_NONE, FILTER_USER_ID, FILTER_ID, FILTER_OTHER };

/* One entry of a join's postgres_changes. */
struct binding {
	uint32_t id;
	char *event;		/* "*", "INSERT", "UPDATE" or "DELETE" */
	char *schema;		/* or "*" */
	char *table;		/* NULL or "*": every table */
	enum filter_col fcol;
	char *fval;		/* eq's value (nudge matching) */
	char *fsql;		/* the filter as SQL on row t with its value as $3, or NULL */
	char *fparam;		/* that value, bound (in: an array literal) */
};

struct channel {
	struct channel *next;
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
	struct msg *out, *out_tail;
	size_t out_bytes;
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
	PGconn *pg;		/* fetches rows as subscribers; NULL until needed */
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
	struct msg *m;

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

static void
conn_send(struct conn *c, const char *s, size_t n)
{
	struct msg *m;

	if (c->closing)
		return;
	if (c->out_bytes + n > MAX_QUEUED) {
		conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "client too slow");
		return;
	}
	m = xmalloc(sizeof *m + LWS_PRE + n);
	m->next = NULL;
	m->len = n;
	memcpy(m->data + LWS_PRE, s, n);
	if (c->out_tail != NULL)
		c->out_tail->next = m;
	else
		c->out = m;
	c->out_tail = m;
	c->out_bytes += n;
	lws_callback_on_writable(c->wsi);
}

static int
conn_writable(struct conn *c)
{
	struct msg *m = c->out;

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
		free(ch->b[i].fval);
		free(ch->b[i].fsql);
		free(ch->b[i].fparam);
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

/*
 * A filter as Supabase Realtime takes it, column=op.value with op one of eq,
 * neq, lt, lte, gt, gte, in ("in.(a,b)"), into SQL on the row t whose value
 * is bound: b->fsql is "t.\"column\" <op>" and the query appends the
 * parameter ("any($n)" for in, whose value becomes an array literal). The
 * column may only hold identifier characters, so quoting it is enough.
 */
static int
filter_parse(const char *f, struct binding *b, char *why, size_t whylen)
{
	static const char *const ops[][2] = {
		{ "eq", "=" }, { "neq", "<>" }, { "lt", "<" }, { "lte", "<=" },
		{ "gt", ">" }, { "gte", ">=" }, { "in", "= any(" },
	};
	const char *eqs = strchr(f, '='), *dot, *v;
	struct strbuf sb = STRBUF_INIT;
	size_t i, collen;

	collen = eqs != NULL ? (size_t)(eqs - f) : 0;
	if (collen == 0 || collen > 63 || strspn(f, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != collen || (dot = strchr(eqs, '.')) == NULL) {
		snprintf(why, whylen, "Error parsing `filter` params: expected column=op.value");
		return -1;
	}
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strlen(ops[i][0]) == (size_t)(dot - eqs - 1) &&
		    strncmp(eqs + 1, ops[i][0], (size_t)(dot - eqs - 1)) == 0)
			break;
	}
	if (i == sizeof ops / sizeof ops[0]) {
		snprintf(why, whylen, "Error parsing `filter` params: unknown operator "
		    "(eq, neq, lt, lte, gt, gte, in)");
		return -1;
	}
	v = dot + 1;
	if (strcmp(ops[i][0], "in") == 0) {
		size_t n = strlen(v);
		const char *p;

		if (n < 2 || v[0] != '(' || v[n - 1] != ')') {
			snprintf(why, whylen, "Error parsing `filter` params: in needs (a,b,...)");
			return -1;
		}
		/* (a,b) -> {"a","b"}: each element quoted, so commas and braces stay values. */
		strbuf_adds(&sb, "{\"");
		for (p = v + 1; p < v + n - 1; p++) {
			if (*p == ',')
				strbuf_adds(&sb, "\",\"");
			else {
				if (*p == '"' || *p == '\\')
					strbuf_addf(&sb, "\\");
				strbuf_addf(&sb, "%c", *p);
			}
		}
		strbuf_adds(&sb, "\"}");
		b->fparam = xstrdup(sb.buf);
	} else
		b->fparam = xstrdup(v);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "t.\"%.*s\" %s", (int)collen, f, ops[i][1]);
	b->fsql = xstrdup(sb.buf);
	strbuf_free(&sb);
	/* The nudge form matches on the change feed's own user_id and id. */
	if (strcmp(ops[i][0], "eq") == 0 && collen == 7 && strncmp(f, "user_id", 7) == 0)
		b->fcol = FILTER_USER_ID;
	else if (strcmp(ops[i][0], "eq") == 0 && collen == 2 && strncmp(f, "id", 2) == 0)
		b->fcol = FILTER_ID;
	else
		b->fcol = FILTER_OTHER;
	b->fval = xstrdup(v);
	return 0;
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
	if (f != NULL && *f != '\0' && filter_parse(f, b, why, whylen) != 0)
		return -1;
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

/* The connection rows are read on, connected at first use; NULL with err. */
static PGconn *
rt_pg(struct realtime *rt, char *err)
{
	if (rt->pg == NULL)
		rt->pg = db_connect(rt->srv->settings.db, err);
	return rt->pg;
}

/*
 * Whether b's filter names a column of its table and a value of that
 * column's type, asked of PostgreSQL (as the server's own role, reading no
 * row): 0, or -1 with why. A binding on every table is not checked.
 */
static int
filter_check(struct realtime *rt, const struct binding *b, char *why, size_t whylen)
{
	struct strbuf sb = STRBUF_INIT;
	char err[ERRLEN], *qs = NULL, *qt = NULL;
	const char *params[1] = { b->fparam };
	PGconn *pg;
	int rc = -1;

	if (b->fsql == NULL || b->table == NULL || strcmp(b->schema, "*") == 0)
		return 0;
	if ((pg = rt_pg(rt, err)) == NULL || db_begin(pg, err) != 0) {
		snprintf(why, whylen, "cannot check the filter: %.200s", err);
		return -1;
	}
	if ((qs = PQescapeIdentifier(pg, b->schema, strlen(b->schema))) != NULL &&
	    (qt = PQescapeIdentifier(pg, b->table, strlen(b->table))) != NULL) {
		strbuf_addf(&sb, "SELECT 1 FROM %s.%s t WHERE %s $1%s LIMIT 0", qs, qt, b->fsql,
		    b->fsql[strlen(b->fsql) - 1] == '(' ? ")" : "");
		rc = db_run(pg, sb.buf, 1, params, NULL, err);
		if (rc != 0)
			snprintf(why, whylen, "Error parsing `filter` params: %.200s", err);
	}
	db_rollback(pg);
	PQfreemem(qs);
	PQfreemem(qt);
	strbuf_free(&sb);
	return rc;
}

static void
handle_join(struct realtime *rt, struct conn *c, const char *topic, const cJSON *payload,
    const char *ref, const char *join_ref)
{
	const cJSON *config, *changes, *list, *e;
	const char *token, *code, *message;
	struct channel *ch, *old;
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
	old = channel_find(c, topic);
	if (old == NULL && c->nchannels >= MAX_CHANNELS) {
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
		if (binding_parse(e, &ch->b[ch->nb], why, sizeof why) != 0 ||
		    (!ch->nudge && filter_check(rt, &ch->b[ch->nb], why, sizeof why) != 0)) {
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
	if (old != NULL)
		channel_remove(c, old);
	ch->next = c->channels;
	c->channels = ch;
	c->nchannels++;
	{
		cJSON *r = cJSON_CreateObject();
		cJSON_AddItemToObject(r, "postgres_changes", echo);
		reply(c, topic, ref, "ok", r);
	}
	if (ch->nb > 0)
		system_message(c, ch, "postgres_changes", "ok", "Subscribed to PostgreSQL");
	rt_bcast_joined(rt->bc, ch->member);
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

/* Whether b listens to this event on this table, its filter aside. */
static int
binding_targets(const struct binding *b, const char *schema, const char *table, const char *type)
{
	return (strcmp(b->event, "*") == 0 || strcmp(b->event, type) == 0) &&
	    (strcmp(b->schema, "*") == 0 || strcmp(b->schema, schema) == 0) &&
	    (b->table == NULL || strcmp(b->table, table) == 0);
}

/*
 * Whether b takes a change known only by the feed's id and user_id: a
 * nudge, a DELETE (the row is gone; Supabase Realtime does not filter
 * deletes either) or a bulk write. Filters on other columns let it through.
 */
static int
binding_matches(const struct binding *b, const char *schema, const char *table,
    const char *type, const char *user_id, const char *id)
{
	if (!binding_targets(b, schema, table, type))
		return 0;
	if (b->fcol == FILTER_USER_ID && strcmp(b->fval, user_id) != 0)
		return 0;
	/* A batch (id NULL) may hold the filtered row: the nudge goes out. */
	if (b->fcol == FILTER_ID && id != NULL && strcmp(b->fval, id) != 0)
		return 0;
	return 1;
}

/* The role a channel's token names, for row-level security. */
static const char *
channel_role(const struct channel *ch)
{
	cJSON *claims = ch->claims != NULL ? cJSON_Parse(ch->claims) : NULL;
	const char *r = string_of(claims, "role");
	const char *role = r != NULL && strcmp(r, "service_role") == 0 ? "service_role" :
	    r != NULL && strcmp(r, "authenticated") == 0 ? "authenticated" : "anon";

	cJSON_Delete(claims);
	return role;
}

/*
 * The changed row as the channel's user reads it, with which of the given
 * bindings' filters it passes (hit[k]): one statement per channel and change,
 * run as the subscriber so row-level security decides, every value bound.
 * NULL when the user may not see the row (or it is gone again).
 */
static cJSON *
fetch_row(struct realtime *rt, const struct channel *ch, const char *schema, const char *table,
    const char *id, const char *user_id, const int *which, int nw, int *hit)
{
	const char *params[2 + MAX_BINDINGS];
	struct strbuf sb = STRBUF_INIT;
	char err[ERRLEN], *qs, *qt;
	PGresult *res = NULL;
	cJSON *row = NULL;
	int k, np = 2;

	if (rt_pg(rt, err) == NULL) {
		log_warn("realtime: cannot fetch changed rows: %s", err);
		return NULL;
	}
	if ((qs = PQescapeIdentifier(rt->pg, schema, strlen(schema))) == NULL ||
	    (qt = PQescapeIdentifier(rt->pg, table, strlen(table))) == NULL) {
		PQfreemem(qs);
		return NULL;
	}
	params[0] = id;
	params[1] = user_id;
	strbuf_adds(&sb, "SELECT pg_catalog.to_jsonb(t)::text");
	for (k = 0; k < nw; k++) {
		const struct binding *b = &ch->b[which[k]];

		if (b->fsql == NULL) {
			strbuf_adds(&sb, ", true");
			continue;
		}
		params[np++] = b->fparam;
		strbuf_addf(&sb, ", coalesce(%s $%d%s, false)", b->fsql, np,
		    b->fsql[strlen(b->fsql) - 1] == '(' ? ")" : "");
	}
	strbuf_addf(&sb, " FROM %s.%s t WHERE t.id = $1 AND t.user_id = $2", qs, qt);
	PQfreemem(qs);
	PQfreemem(qt);
	if (db_begin_as(rt->pg, channel_role(ch), ch->claims, err) != 0 ||
	    (res = db_exec(rt->pg, sb.buf, np, params, NULL, err)) == NULL) {
		/* The join checked the filters: only a dropped connection gets here. */
		log_debug("realtime: fetching a changed row: %s", err);
	} else if (PQntuples(res) == 1) {
		row = cJSON_Parse(PQgetvalue(res, 0, 0));
		for (k = 0; k < nw; k++)
			hit[k] = strcmp(PQgetvalue(res, 0, k + 1), "t") == 0;
	}
	PQclear(res);
	db_rollback(rt->pg);
	strbuf_free(&sb);
	return row;
}

static void
add_string_or_null(cJSON *o, const char *name, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

/* A JSON value's column type for realtime-js, which converts by it. */
static const char *
json_type(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return "float8";
	if (cJSON_IsBool(v))
		return "bool";
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		return "jsonb";
	return "text";
}

/*
 * A change with the whole row (taken; NULL for a DELETE): record is the row
 * as the subscriber's SELECT returns it; old_record, as Supabase Realtime
 * sends it for a table without REPLICA IDENTITY FULL, holds only the primary
 * key (user_id, id) on UPDATE and DELETE and is empty on INSERT.
 */
static char *
row_data(const cJSON *n, const char *type, cJSON *full)
{
	cJSON *d = cJSON_CreateObject(), *key = cJSON_CreateObject(), *cols, *col;
	const cJSON *v;
	char *s;

	cJSON_AddStringToObject(d, "schema", string_of(n, "schema"));
	cJSON_AddStringToObject(d, "table", string_of(n, "table"));
	add_string_or_null(d, "commit_timestamp", string_of(n, "commit_timestamp"));
	cJSON_AddStringToObject(d, "type", type);
	cols = cJSON_AddArrayToObject(d, "columns");
	cJSON_ArrayForEach(v, full) {
		col = cJSON_CreateObject();
		cJSON_AddStringToObject(col, "name", v->string);
		cJSON_AddStringToObject(col, "type", json_type(v));
		cJSON_AddItemToArray(cols, col);
	}
	if (strcmp(type, "INSERT") != 0) {
		add_string_or_null(key, "id", string_of(n, "id"));
		cJSON_AddStringToObject(key, "user_id", string_of(n, "user_id"));
	}
	cJSON_AddItemToObject(d, "record", full != NULL ? full : cJSON_CreateObject());
	cJSON_AddItemToObject(d, "old_record", key);
	cJSON_AddNullToObject(d, "errors");
	if ((s = cJSON_PrintUnformatted(d)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(d);
	return s;
}

/*
 * The change as realtime-js reads it: data {schema, table, commit_timestamp,
 * type, record, ...}. A bulk write comes as one change per user with a null
 * id (see the agentlogs_notify trigger): a nudge to pull.
 */
static char *
change_data(const cJSON *n, const char *type)
{
	static const char *const columns[][2] = {
		{ "id", "uuid" }, { "user_id", "uuid" }, { "version", "int4" },
	};
	cJSON *d = cJSON_CreateObject(), *row, *key, *cols, *col;
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(n, "version");
	size_t i;
	char *s;

	cJSON_AddStringToObject(d, "schema", string_of(n, "schema"));
	cJSON_AddStringToObject(d, "table", string_of(n, "table"));
	if (string_of(n, "commit_timestamp") != NULL)
		cJSON_AddStringToObject(d, "commit_timestamp", string_of(n, "commit_timestamp"));
	else
		cJSON_AddNullToObject(d, "commit_timestamp");
	cJSON_AddStringToObject(d, "type", type);
	row = cJSON_CreateObject();
	add_string_or_null(row, "id", string_of(n, "id"));
	cJSON_AddStringToObject(row, "user_id", string_of(n, "user_id"));
	if (cJSON_IsNumber(version))
		cJSON_AddNumberToObject(row, "version", version->valuedouble);
	else
		cJSON_AddNullToObject(row, "version");
	/* A deleted row is only in old_record; an updated one's key in both. */
	key = cJSON_CreateObject();
	if (strcmp(type, "UPDATE") == 0) {
		add_string_or_null(key, "id", string_of(n, "id"));
		cJSON_AddStringToObject(key, "user_id", string_of(n, "user_id"));
	}
	if (strcmp(type, "DELETE") == 0) {
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

/* Sends data (a change) to ch for the bindings ids. */
static void
send_change(struct conn *c, const struct channel *ch, const uint32_t *ids, int nids,
    const char *data)
{
	struct strbuf sb = STRBUF_INIT;
	int j;

	if (c->v2)
		strbuf_addf(&sb, "[%s,null,%s,\"postgres_changes\",{\"ids\":[",
		    ch->join_ref, ch->topic_json);
	else
		strbuf_addf(&sb, "{\"topic\":%s,\"event\":\"postgres_changes\","
		    "\"payload\":{\"ids\":[", ch->topic_json);
	for (j = 0; j < nids; j++)
		strbuf_addf(&sb, "%s%u", j > 0 ? "," : "", (unsigned)ids[j]);
	strbuf_addf(&sb, c->v2 ? "],\"data\":%s}]" : "],\"data\":%s},\"ref\":null}", data);
	conn_send(c, sb.buf, sb.len);
	strbuf_free(&sb);
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

/*
 * A nudge channel (agentlogs' own client), a DELETE or a bulk write: only
 * the owner hears of it, with the feed's id, user_id (and version).
 */
static void
fan_out_keys(struct conn *c, struct channel *ch, const cJSON *n, char **data)
{
	const char *schema = string_of(n, "schema"), *table = string_of(n, "table");
	const char *type = string_of(n, "type"), *user_id = string_of(n, "user_id");
	const char *id = string_of(n, "id");
	uint32_t ids[MAX_BINDINGS];
	int i, nids = 0;

	if (ch->sub == NULL || strcmp(ch->sub, user_id) != 0)
		return;
	for (i = 0; i < ch->nb; i++) {
		if (binding_matches(&ch->b[i], schema, table, type, user_id, id))
			add_id(ids, &nids, ch->b[i].id);
	}
	if (nids == 0)
		return;
	if (*data == NULL)
		*data = ch->nudge || id == NULL ? change_data(n, type) : row_data(n, type, NULL);
	send_change(c, ch, ids, nids, *data);
}

/* An INSERT or UPDATE of one row to a supabase-js channel: the row, if RLS and a filter let it. */
static void
fan_out_row(struct realtime *rt, struct conn *c, struct channel *ch, const cJSON *n)
{
	const char *schema = string_of(n, "schema"), *table = string_of(n, "table");
	const char *type = string_of(n, "type");
	uint32_t ids[MAX_BINDINGS];
	int which[MAX_BINDINGS], hit[MAX_BINDINGS], i, nw = 0, nids = 0;
	cJSON *row;
	char *data;

	for (i = 0; i < ch->nb; i++) {
		if (binding_targets(&ch->b[i], schema, table, type))
			which[nw++] = i;
	}
	if (nw == 0 || (row = fetch_row(rt, ch, schema, table, string_of(n, "id"),
	    string_of(n, "user_id"), which, nw, hit)) == NULL)
		return;
	for (i = 0; i < nw; i++) {
		if (hit[i])
			add_id(ids, &nids, ch->b[which[i]].id);
	}
	if (nids == 0) {
		cJSON_Delete(row);
		return;
	}
	data = row_data(n, type, row);
	send_change(c, ch, ids, nids, data);
	cJSON_free(data);
}

static void
fan_out(struct realtime *rt, const char *payload)
{
	cJSON *n = cJSON_Parse(payload);
	const char *type = string_of(n, "type"), *id = string_of(n, "id");
	long long now = (long long)time(NULL);
	struct channel *ch;
	struct conn *c;
	char *keys = NULL, *rowkeys = NULL;

	if (string_of(n, "schema") == NULL || string_of(n, "table") == NULL || type == NULL ||
	    string_of(n, "user_id") == NULL) {
		log_warn("realtime: ignoring a malformed notification on %s", RT_LISTEN_CHANNEL);
		cJSON_Delete(n);
		return;
	}
	for (c = rt->conns; c != NULL; c = c->next) {
		if (c->closing)
			continue;
		for (ch = c->channels; ch != NULL; ch = ch->next) {
			/* An expired token sees nothing. */
			if (ch->exp <= now)
				continue;
			if (!ch->nudge && id != NULL && strcmp(type, "DELETE") != 0)
				fan_out_row(rt, c, ch, n);
			else
				fan_out_keys(c, ch, n, ch->nudge || id == NULL ? &keys : &rowkeys);
		}
	}
	cJSON_free(keys);
	cJSON_free(rowkeys);
	cJSON_Delete(n);
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
	PGresult *res;
	PGconn *pg;
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
	lws_sul_schedule(rt->context, 0, &rt->tick, tick, TICK_US);
}

static void
conn_free(struct realtime *rt, struct conn *c)
{
	struct channel *ch;

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
	rt_bcast_free(rt->bc);
	while ((nt = rt->q_head) != NULL) {
		rt->q_head = nt->next;
		free(nt->payload);
		free(nt);
	}
	PQfinish(rt->pg);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}
