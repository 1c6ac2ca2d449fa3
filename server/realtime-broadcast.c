/*
 * Broadcast and Presence for the realtime socket (realtime-broadcast.h), as
 * Supabase Realtime's BroadcastHandler and PresenceHandler behave.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "db.h"
#include "realtime-authz.h"
#include "realtime-broadcast.h"
#include "realtime-frame.h"
#include "server.h"
#include "util/log.h"
#include "util/random.h"
#include "util/thread.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#define MAX_PUBLISH_QUEUE 10000		/* broadcasts waiting for the publisher */

struct rt_member {
	struct rt_member *prev, *next;
	struct rt_bcast *b;
	void *conn;
	char *topic;		/* "realtime:<name>" */
	char *join_ref;
	char *claims;		/* NULL: the apikey's anon */
	int private_, self, ack;
	struct rt_policies read;	/* private channels: what the join found */
	struct rt_policies write;	/* asked at the first send, until the token changes */
	int write_known;
	char *presence_key;
	int presence_on;	/* gets presence_state */
	cJSON *meta;		/* what it tracks, NULL when nothing */
	char phx_ref[24];
};

/* A presence tracked on another server, as its announcements tell (RT_BCAST_CHANNEL). */
struct remote {
	struct remote *next;
	char origin[33];
	char *topic;		/* without "realtime:" */
	int private_;
	char *key;
	char *ref;		/* its phx_ref, unique per server */
	cJSON *meta;
	long long seen_ms;	/* last announced; gone after 3 intervals without */
};

/* One broadcast waiting for the publisher thread. */
struct pub {
	struct pub *next;
	char *text;
};

struct rt_bcast {
	struct server *srv;
	rt_push_fn *push;
	struct rt_member *members;
	struct remote *remotes;
	long long now_ms;		/* monotonic, at the last tick */
	long long next_announce_ms;	/* when the local presences are announced again */
	PGconn *pg;		/* the service thread's authorisation checks */
	char origin[33];	/* this process, so that it skips its own notifications */
	unsigned long long refs;
	int stopped;
	/* The publisher thread and its queue. */
	pthread_t thread;
	int running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct pub *head, *tail;
	size_t queued;
	int stopping;
};

static const char *
sub_topic(const char *topic)
{
	return topic + strlen("realtime:");
}

static int
same_topic(const struct rt_member *m, const char *sub, int private_)
{
	return m->private_ == private_ && strcmp(sub_topic(m->topic), sub) == 0;
}

static void
reply(struct rt_bcast *b, struct rt_member *m, const char *ref, const char *status,
    cJSON *response)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "status", status);
	cJSON_AddItemToObject(p, "response", response != NULL ? response : cJSON_CreateObject());
	b->push(m->conn, m->join_ref, m->topic, "phx_reply", p, ref);
}

static void
reply_error(struct rt_bcast *b, struct rt_member *m, const char *ref, const char *reason)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "reason", reason);
	reply(b, m, ref, "error", r);
}

/* The service thread's connection for authorisation, connected at first use. */
static PGconn *
authz_pg(struct rt_bcast *b, char *err)
{
	if (b->pg != NULL && PQstatus(b->pg) != CONNECTION_OK) {
		PQfinish(b->pg);
		b->pg = NULL;
	}
	if (b->pg == NULL)
		b->pg = db_connect(b->srv->settings.db, err);
	return b->pg;
}

/* ---------------------------------------------------------------- publisher */

static void *
publisher_main(void *arg)
{
	struct rt_bcast *b = arg;
	const char *params[2] = { RT_BCAST_CHANNEL, NULL };
	char err[ERRLEN];
	PGconn *pg = NULL;
	struct pub *p;
	int failing = 0;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (b->head == NULL && !b->stopping)
			pthread_cond_wait(&b->cond, &b->lock);
		/*
		 * Stopping: what is queued (the leaves of the sockets closed on the
		 * way out) still goes out, on a live connection only, so that the
		 * other servers need not wait for the presences to expire.
		 */
		if (b->stopping && (b->head == NULL || !db_usable(pg)))
			break;
		p = b->head;
		if ((b->head = p->next) == NULL)
			b->tail = NULL;
		b->queued--;
		pthread_mutex_unlock(&b->lock);

		if (pg != NULL && PQstatus(pg) != CONNECTION_OK) {
			PQfinish(pg);
			pg = NULL;
		}
		if (pg == NULL)
			pg = db_connect(b->srv->settings.db, err);
		params[1] = p->text;
		/* Outside a transaction: the notification goes out at once. */
		if (pg == NULL || db_run(pg, "SELECT pg_catalog.pg_notify($1, $2)", 2, params,
		    NULL, err) != 0) {
			if (!failing)
				log_warn("realtime: a broadcast did not reach the other servers: %s", err);
			failing = 1;
		} else
			failing = 0;
		free(p->text);
		free(p);
		pthread_mutex_lock(&b->lock);
	}
	pthread_mutex_unlock(&b->lock);
	PQfinish(pg);
	return NULL;
}

static void
publisher_start(struct rt_bcast *b)
{
	/* Signals belong to the service thread, whose handler stops the server. */
	b->running = thread_start_unsignalled(&b->thread, publisher_main, b) == 0;
	if (!b->running)
		log_warn("realtime: cannot start the broadcast publisher; broadcasts stay on this server");
}

/* Hands a notification (taken) to the publisher; dropped when it lags far behind. */
static void
publish(struct rt_bcast *b, char *text)
{
	struct pub *p;

	if (!b->running && !b->stopped)
		publisher_start(b);
	pthread_mutex_lock(&b->lock);
	if (!b->running || b->queued >= MAX_PUBLISH_QUEUE) {
		pthread_mutex_unlock(&b->lock);
		free(text);
		return;
	}
	p = xmalloc(sizeof *p);
	p->next = NULL;
	p->text = text;
	if (b->tail != NULL)
		b->tail->next = p;
	else
		b->head = p;
	b->tail = p;
	b->queued++;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

/* A notification's text (n is freed). New text. */
static char *
note_text(cJSON *n)
{
	char *s, *out;

	if ((s = cJSON_PrintUnformatted(n)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(n);
	out = xstrdup(s);
	cJSON_free(s);
	return out;
}

char *
rt_bcast_notification(const char *origin, const char *topic, int private_, const char *message)
{
	cJSON *n = cJSON_CreateObject();

	cJSON_AddStringToObject(n, "o", origin);
	cJSON_AddStringToObject(n, "t", topic);
	cJSON_AddBoolToObject(n, "p", private_);
	cJSON_AddRawToObject(n, "m", message);
	return note_text(n);
}

/* ---------------------------------------------------------------- broadcast */

/*
 * Sends message (JSON text) as a broadcast to the members of a topic that
 * may read it, but not to skip (the sender, without self).
 */
static void
fan_out(struct rt_bcast *b, const char *sub, int private_, const char *message,
    const struct rt_member *skip)
{
	struct rt_member *m;

	for (m = b->members; m != NULL; m = m->next) {
		if (m == skip || !same_topic(m, sub, private_) || (m->private_ && !m->read.broadcast))
			continue;
		b->push(m->conn, m->join_ref, m->topic, "broadcast", cJSON_CreateRaw(message), NULL);
	}
}

/* Whether m may send (kind: 0 broadcast, 1 presence); -1 when the database cannot say. */
static int
may_write(struct rt_bcast *b, struct rt_member *m, int presence)
{
	char err[ERRLEN];
	PGconn *pg;

	if (!m->private_)
		return 1;
	if (!m->write_known) {
		if ((pg = authz_pg(b, err)) == NULL || rt_authz_write(pg, rt_authz_role(m->claims),
		    m->claims, sub_topic(m->topic), &m->write, err) != 0) {
			log_warn("realtime: cannot authorise a send on %s: %s", m->topic, err);
			return -1;
		}
		m->write_known = 1;
	}
	return presence ? m->write.presence : m->write.broadcast;
}

static void
refuse_write(struct rt_bcast *b, struct rt_member *m, const char *ref, int verdict)
{
	char why[320];

	if (verdict < 0)
		snprintf(why, sizeof why, "Realtime was unable to connect to the project database");
	else
		snprintf(why, sizeof why, "Unauthorized: You do not have permissions to write to "
		    "this Channel topic: %.200s", sub_topic(m->topic));
	reply_error(b, m, ref, why);
}

static void
handle_broadcast(struct rt_bcast *b, struct rt_member *m, const cJSON *payload, const char *ref)
{
	const char *why;
	char *text, *note;
	int verdict;

	if (rt_frame_broadcast(payload, &why) != 0) {
		reply_error(b, m, ref, why);
		return;
	}
	if ((verdict = may_write(b, m, 0)) != 1) {
		/* Realtime drops it silently; an answer saves an acked send its timeout. */
		refuse_write(b, m, ref, verdict);
		return;
	}
	if ((text = cJSON_PrintUnformatted(payload)) == NULL)
		fatalx("out of memory");
	fan_out(b, sub_topic(m->topic), m->private_, text, m->self ? NULL : m);
	note = rt_bcast_notification(b->origin, sub_topic(m->topic), m->private_, text);
	if (strlen(note) <= RT_BCAST_MAX_NOTIFY)
		publish(b, note);
	else {
		log_debug("realtime: a broadcast of %zu bytes stays on this server", strlen(text));
		free(note);
	}
	cJSON_free(text);
	if (m->ack)
		reply(b, m, ref, "ok", NULL);
}

static int remote_presence(struct rt_bcast *b, const char *origin, const char *kind,
    const cJSON *n);

void
rt_bcast_deliver(struct rt_bcast *b, const char *payload)
{
	cJSON *n = cJSON_Parse(payload);
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(n, "o");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(n, "k");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(n, "t");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(n, "p");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(n, "m");
	char *text;
	int bad;

	/* This server's own were delivered when they were sent. */
	if (cJSON_IsString(o) && (b->stopped || strcmp(o->valuestring, b->origin) == 0))
		bad = 0;
	else if (cJSON_IsString(o) && cJSON_IsString(k))
		bad = remote_presence(b, o->valuestring, k->valuestring, n);
	else if ((bad = !cJSON_IsString(o) || !cJSON_IsString(t) || !cJSON_IsBool(p) ||
	    !cJSON_IsObject(msg)) == 0) {
		if ((text = cJSON_PrintUnformatted(msg)) == NULL)
			fatalx("out of memory");
		fan_out(b, t->valuestring, cJSON_IsTrue(p), text, NULL);
		cJSON_free(text);
	}
	if (bad)
		log_warn("realtime: ignoring a malformed notification on %s", RT_BCAST_CHANNEL);
	cJSON_Delete(n);
}

/* ---------------------------------------------------------------- presence */

/* m's tracked meta as Phoenix lists it: the meta plus phx_ref (and phx_ref_prev). */
static cJSON *
meta_of(const cJSON *meta, const char *ref, const char *prev)
{
	cJSON *e = cJSON_Duplicate(meta, 1);

	cJSON_DeleteItemFromObjectCaseSensitive(e, "phx_ref");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "phx_ref_prev");
	cJSON_AddStringToObject(e, "phx_ref", ref);
	if (prev != NULL)
		cJSON_AddStringToObject(e, "phx_ref_prev", prev);
	return e;
}

/* Adds meta to state[key].metas. */
static void
group_add(cJSON *state, const char *key, cJSON *meta)
{
	cJSON *entry = cJSON_GetObjectItemCaseSensitive(state, key);

	if (entry == NULL) {
		entry = cJSON_AddObjectToObject(state, key);
		cJSON_AddArrayToObject(entry, "metas");
	}
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(entry, "metas"), meta);
}

/* Whether m gets presence_diff: every member of the topic, as Realtime's dispatcher. */
static int
sees_presence(const struct rt_member *m)
{
	return !m->private_ || m->read.presence;
}

/* Whether m gets presence_state: only with presence on (at the join or by a track). */
static int
syncs_presence(const struct rt_member *m)
{
	return m->presence_on && sees_presence(m);
}

static void
send_state(struct rt_bcast *b, struct rt_member *to)
{
	cJSON *state = cJSON_CreateObject();
	struct rt_member *m;
	struct remote *r;

	for (m = b->members; m != NULL; m = m->next) {
		if (m->meta != NULL && same_topic(m, sub_topic(to->topic), to->private_))
			group_add(state, m->presence_key, meta_of(m->meta, m->phx_ref, NULL));
	}
	for (r = b->remotes; r != NULL; r = r->next) {
		if (r->private_ == to->private_ && strcmp(r->topic, sub_topic(to->topic)) == 0)
			group_add(state, r->key, meta_of(r->meta, r->ref, NULL));
	}
	b->push(to->conn, to->join_ref, to->topic, "presence_state", state, NULL);
}

/* Sends a presence_diff (joins and leaves taken) to the topic's members but skip. */
static void
send_diff(struct rt_bcast *b, const char *sub, int private_, cJSON *joins, cJSON *leaves,
    const struct rt_member *skip)
{
	struct rt_member *m;
	cJSON *diff;

	for (m = b->members; m != NULL; m = m->next) {
		if (m == skip || !sees_presence(m) || !same_topic(m, sub, private_))
			continue;
		diff = cJSON_CreateObject();
		cJSON_AddItemToObject(diff, "joins", cJSON_Duplicate(joins, 1));
		cJSON_AddItemToObject(diff, "leaves", cJSON_Duplicate(leaves, 1));
		b->push(m->conn, m->join_ref, m->topic, "presence_diff", diff, NULL);
	}
	cJSON_Delete(joins);
	cJSON_Delete(leaves);
}

static void
next_ref(struct rt_bcast *b, char *out, size_t n)
{
	/* Phoenix's refs are opaque strings, unique per tracker. */
	snprintf(out, n, "%.8s%llu", b->origin, ++b->refs);
}

/*
 * The notification that tells the other servers of a presence: kind "track"
 * (meta, and prev when it replaces the presence of that ref) or "untrack".
 * New text.
 */
static char *
presence_note(struct rt_bcast *b, const char *kind, const struct rt_member *m, const char *ref,
    const char *prev, const cJSON *meta)
{
	cJSON *n = cJSON_CreateObject();

	cJSON_AddStringToObject(n, "o", b->origin);
	cJSON_AddStringToObject(n, "k", kind);
	cJSON_AddStringToObject(n, "t", sub_topic(m->topic));
	cJSON_AddBoolToObject(n, "p", m->private_);
	cJSON_AddStringToObject(n, "key", m->presence_key);
	cJSON_AddStringToObject(n, "ref", ref);
	if (prev != NULL)
		cJSON_AddStringToObject(n, "prev", prev);
	if (meta != NULL)
		cJSON_AddItemToObject(n, "meta", cJSON_Duplicate(meta, 1));
	return note_text(n);
}

/* Tells the other servers of every local presence (they answer a hello so, and refresh so). */
static void
announce_all(struct rt_bcast *b)
{
	struct rt_member *m;

	for (m = b->members; m != NULL; m = m->next) {
		if (m->meta != NULL)
			publish(b, presence_note(b, "track", m, m->phx_ref, NULL, m->meta));
	}
}

/* Stops tracking m (nothing when it tracks nothing): leaves go to the others. */
static void
untrack(struct rt_bcast *b, struct rt_member *m)
{
	cJSON *leaves;

	if (m->meta == NULL)
		return;
	leaves = cJSON_CreateObject();
	group_add(leaves, m->presence_key, meta_of(m->meta, m->phx_ref, NULL));
	cJSON_Delete(m->meta);
	m->meta = NULL;
	if (!b->stopped)
		publish(b, presence_note(b, "untrack", m, m->phx_ref, NULL, NULL));
	if (!b->stopped)
		send_diff(b, sub_topic(m->topic), m->private_, cJSON_CreateObject(), leaves, NULL);
	else
		cJSON_Delete(leaves);
}

static void
track(struct rt_bcast *b, struct rt_member *m, const cJSON *meta, const char *msg_ref)
{
	cJSON *joins = cJSON_CreateObject(), *leaves = cJSON_CreateObject();
	char prev[sizeof m->phx_ref], ref[sizeof m->phx_ref], why[160], *note;
	int first_sync = !m->presence_on;

	if (m->meta != NULL && cJSON_Compare(m->meta, meta, 1)) {
		/* Realtime: no change, no diff. */
		cJSON_Delete(joins);
		cJSON_Delete(leaves);
		reply(b, m, msg_ref, "ok", NULL);
		return;
	}
	snprintf(prev, sizeof prev, "%s", m->phx_ref);
	next_ref(b, ref, sizeof ref);
	/* The other servers must hear of it all, or none of them: refused beyond NOTIFY's limit. */
	note = presence_note(b, "track", m, ref, m->meta != NULL ? prev : NULL, meta);
	if (strlen(note) > RT_BCAST_MAX_NOTIFY) {
		free(note);
		cJSON_Delete(joins);
		cJSON_Delete(leaves);
		snprintf(why, sizeof why, "Presence payload too large: at most %d bytes of JSON "
		    "with its key and topic", RT_BCAST_MAX_NOTIFY - 100);
		reply_error(b, m, msg_ref, why);
		return;
	}
	publish(b, note);
	if (m->meta != NULL) {
		/* An update, as Phoenix.Tracker.update: the old meta leaves, the new joins. */
		group_add(leaves, m->presence_key, meta_of(m->meta, prev, NULL));
		cJSON_Delete(m->meta);
	}
	snprintf(m->phx_ref, sizeof m->phx_ref, "%s", ref);
	m->meta = cJSON_Duplicate(meta, 1);
	group_add(joins, m->presence_key, meta_of(meta, m->phx_ref,
	    cJSON_GetArraySize(leaves) > 0 ? prev : NULL));
	m->presence_on = 1;
	reply(b, m, msg_ref, "ok", NULL);
	/* A channel whose first track turns presence on gets the whole state instead. */
	send_diff(b, sub_topic(m->topic), m->private_, joins, leaves, first_sync ? m : NULL);
	if (first_sync && syncs_presence(m))
		send_state(b, m);
}

static void
handle_presence(struct rt_bcast *b, struct rt_member *m, const cJSON *payload, const char *ref)
{
	enum rt_presence_op op;
	const cJSON *meta;
	const char *why;
	cJSON *empty;
	int verdict;

	if (rt_frame_presence(payload, &op, &meta, &why) != 0) {
		reply_error(b, m, ref, why);
		return;
	}
	if (op == RT_UNTRACK) {
		untrack(b, m);
		reply(b, m, ref, "ok", NULL);
		return;
	}
	if ((verdict = may_write(b, m, 1)) != 1) {
		refuse_write(b, m, ref, verdict);
		return;
	}
	empty = meta == NULL ? cJSON_CreateObject() : NULL;
	track(b, m, meta != NULL ? meta : empty, ref);
	cJSON_Delete(empty);
}

/* ---------------------------------------------------------------- presence on other servers */

static struct remote *
remote_find(struct rt_bcast *b, const char *origin, const char *ref)
{
	struct remote *r;

	for (r = b->remotes; r != NULL; r = r->next) {
		if (strcmp(r->origin, origin) == 0 && strcmp(r->ref, ref) == 0)
			return r;
	}
	return NULL;
}

/* Forgets r, adding its leave to leaves (the caller sends the diff). */
static void
remote_drop(struct rt_bcast *b, struct remote *r, cJSON *leaves)
{
	struct remote **pp;

	for (pp = &b->remotes; *pp != r; pp = &(*pp)->next)
		;
	*pp = r->next;
	if (leaves != NULL)
		group_add(leaves, r->key, meta_of(r->meta, r->ref, NULL));
	free(r->topic);
	free(r->key);
	free(r->ref);
	cJSON_Delete(r->meta);
	free(r);
}

/* r leaves: a presence_diff to the local members of its topic. */
static void
remote_leave(struct rt_bcast *b, struct remote *r)
{
	char *sub = xstrdup(r->topic);
	cJSON *leaves = cJSON_CreateObject();
	int private_ = r->private_;

	remote_drop(b, r, leaves);
	send_diff(b, sub, private_, cJSON_CreateObject(), leaves, NULL);
	free(sub);
}

/* A track announced by origin: new (a join, replacing prev), or a refresh. */
static int
remote_track(struct rt_bcast *b, const char *origin, const cJSON *n)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(n, "t");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(n, "p");
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(n, "key");
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(n, "ref");
	const cJSON *prev = cJSON_GetObjectItemCaseSensitive(n, "prev");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(n, "meta");
	struct remote *r, *old;
	cJSON *joins, *leaves;

	if (!cJSON_IsString(t) || !cJSON_IsBool(p) || !cJSON_IsString(key) ||
	    !cJSON_IsString(ref) || !cJSON_IsObject(meta) || strlen(origin) >= sizeof r->origin)
		return 1;
	if ((r = remote_find(b, origin, ref->valuestring)) != NULL) {
		r->seen_ms = b->now_ms;
		return 0;
	}
	leaves = cJSON_CreateObject();
	if (cJSON_IsString(prev) && (old = remote_find(b, origin, prev->valuestring)) != NULL)
		remote_drop(b, old, leaves);
	r = xcalloc(1, sizeof *r);
	snprintf(r->origin, sizeof r->origin, "%s", origin);
	r->topic = xstrdup(t->valuestring);
	r->private_ = cJSON_IsTrue(p);
	r->key = xstrdup(key->valuestring);
	r->ref = xstrdup(ref->valuestring);
	r->meta = cJSON_Duplicate(meta, 1);
	r->seen_ms = b->now_ms;
	r->next = b->remotes;
	b->remotes = r;
	joins = cJSON_CreateObject();
	group_add(joins, r->key, meta_of(r->meta, r->ref,
	    cJSON_GetArraySize(leaves) > 0 ? prev->valuestring : NULL));
	send_diff(b, r->topic, r->private_, joins, leaves, NULL);
	return 0;
}

/* A presence message from another server (origin); 1 when it is malformed. */
static int
remote_presence(struct rt_bcast *b, const char *origin, const char *kind, const cJSON *n)
{
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(n, "ref");
	struct remote *r;

	if (strcmp(kind, "hello") == 0) {
		/* A server (re)started listening: it learns what is tracked here. */
		announce_all(b);
		return 0;
	}
	if (strcmp(kind, "track") == 0)
		return remote_track(b, origin, n);
	if (strcmp(kind, "untrack") != 0)
		return 0;	/* a later server's kind of message */
	if (!cJSON_IsString(ref))
		return 1;
	if ((r = remote_find(b, origin, ref->valuestring)) != NULL)
		remote_leave(b, r);
	return 0;
}

char *
rt_bcast_hello(const struct rt_bcast *b)
{
	cJSON *n = cJSON_CreateObject();

	cJSON_AddStringToObject(n, "o", b->origin);
	cJSON_AddStringToObject(n, "k", "hello");
	return note_text(n);
}

void
rt_bcast_tick(struct rt_bcast *b, long long now_ms)
{
	long long interval = b->srv->settings.realtime_presence_interval * 1000LL;
	struct remote *r, *next;

	b->now_ms = now_ms;
	if (b->stopped)
		return;
	if (now_ms >= b->next_announce_ms) {
		announce_all(b);
		b->next_announce_ms = now_ms + interval;
	}
	/* A server that stopped announcing (it died) has its presences leave. */
	for (r = b->remotes; r != NULL; r = next) {
		next = r->next;
		if (now_ms - r->seen_ms > 3 * interval)
			remote_leave(b, r);
	}
}

/* ---------------------------------------------------------------- members */

static int
config_flag(const cJSON *config, const char *section, const char *name)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(config, section), name));
}

struct rt_member *
rt_bcast_join(struct rt_bcast *b, void *conn, const char *topic, const char *join_ref,
    const cJSON *config, const char *claims, char *why, size_t whylen)
{
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(config, "presence"), "key");
	struct rt_policies read = { 1, 1 };
	int private_ = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(config, "private"));
	char err[ERRLEN], uuid[UUID_STRLEN];
	struct rt_member *m;
	PGconn *pg;

	if (private_) {
		if ((pg = authz_pg(b, err)) == NULL || rt_authz_read(pg, rt_authz_role(claims),
		    claims, sub_topic(topic), &read, err) != 0) {
			log_warn("realtime: cannot authorise a join of %s: %s", topic, err);
			snprintf(why, whylen, "UnableToSetPolicies: Realtime was unable to connect "
			    "to the project database");
			return NULL;
		}
		if (!read.broadcast && !read.presence) {
			snprintf(why, whylen, "Unauthorized: You do not have permissions to read "
			    "from this Channel topic: %.200s", sub_topic(topic));
			return NULL;
		}
	}
	m = xcalloc(1, sizeof *m);
	m->b = b;
	m->conn = conn;
	m->topic = xstrdup(topic);
	m->join_ref = xstrdup(join_ref);
	m->claims = claims != NULL ? xstrdup(claims) : NULL;
	m->private_ = private_;
	m->read = read;
	m->self = config_flag(config, "broadcast", "self");
	m->ack = config_flag(config, "broadcast", "ack");
	m->presence_on = config_flag(config, "presence", "enabled");
	/* Realtime keys an unnamed presence by a fresh UUID. */
	if (cJSON_IsString(key) && key->valuestring[0] != '\0')
		m->presence_key = xstrdup(key->valuestring);
	else {
		uuid_v4(uuid);
		m->presence_key = xstrdup(uuid);
	}
	m->next = b->members;
	if (b->members != NULL)
		b->members->prev = m;
	b->members = m;
	return m;
}

void
rt_bcast_joined(struct rt_bcast *b, struct rt_member *m)
{
	if (syncs_presence(m))
		send_state(b, m);
}

void
rt_bcast_leave(struct rt_member *m)
{
	struct rt_bcast *b;

	if (m == NULL)
		return;
	b = m->b;
	if (m->prev != NULL)
		m->prev->next = m->next;
	else
		b->members = m->next;
	if (m->next != NULL)
		m->next->prev = m->prev;
	untrack(b, m);
	free(m->topic);
	free(m->join_ref);
	free(m->claims);
	free(m->presence_key);
	free(m);
}

int
rt_bcast_token(struct rt_member *m, const char *claims, char *why, size_t whylen)
{
	struct rt_policies read;
	char err[ERRLEN];
	PGconn *pg;

	if ((claims == NULL) == (m->claims == NULL) &&
	    (claims == NULL || strcmp(claims, m->claims) == 0))
		return 0;	/* the same token again */
	free(m->claims);
	m->claims = claims != NULL ? xstrdup(claims) : NULL;
	m->write_known = 0;
	if (!m->private_)
		return 0;
	/* As Realtime: the new user must still be allowed to read the topic. */
	if ((pg = authz_pg(m->b, err)) == NULL || rt_authz_read(pg, rt_authz_role(claims), claims,
	    sub_topic(m->topic), &read, err) != 0) {
		log_warn("realtime: cannot authorise a token on %s: %s", m->topic, err);
		snprintf(why, whylen, "Realtime was unable to connect to the project database");
		return -1;
	}
	if ((m->read.broadcast && !read.broadcast) || (m->read.presence && !read.presence)) {
		snprintf(why, whylen, "You no longer have permission to read from this Channel "
		    "topic: %.200s", sub_topic(m->topic));
		return -1;
	}
	m->read = read;
	return 0;
}

int
rt_bcast_message(struct rt_bcast *b, struct rt_member *m, const char *event,
    const cJSON *payload, const char *ref)
{
	if (strcmp(event, "broadcast") == 0)
		handle_broadcast(b, m, payload, ref);
	else if (strcmp(event, "presence") == 0)
		handle_presence(b, m, payload, ref);
	else
		return 0;
	return 1;
}

/* ---------------------------------------------------------------- lifecycle */

struct rt_bcast *
rt_bcast_new(struct server *srv, rt_push_fn *push)
{
	struct rt_bcast *b = xcalloc(1, sizeof *b);

	b->srv = srv;
	b->push = push;
	if (random_hex(b->origin, sizeof b->origin, 16) != 0)
		fatalx("no random bytes for the realtime origin");
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	return b;
}

void
rt_bcast_stop(struct rt_bcast *b)
{
	b->stopped = 1;
	pthread_mutex_lock(&b->lock);
	b->stopping = 1;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
	if (b->running)
		pthread_join(b->thread, NULL);
	b->running = 0;
}

void
rt_bcast_free(struct rt_bcast *b)
{
	struct pub *p;

	if (b == NULL)
		return;
	rt_bcast_stop(b);
	while (b->members != NULL)
		rt_bcast_leave(b->members);
	while (b->remotes != NULL)
		remote_drop(b, b->remotes, NULL);
	while ((p = b->head) != NULL) {
		b->head = p->next;
		free(p->text);
		free(p);
	}
	PQfinish(b->pg);
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
	free(b);
}
