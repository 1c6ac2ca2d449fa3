/*
 * ws-client: a small Supabase Realtime client (Phoenix v1 JSON frames over a
 * websocket, as realtime-js speaks them) for agentlogs-server's tests and
 * benchmarks.
 *
 * usage: ws-client --url http://HOST:PORT [options]
 *
 *   --url URL            the server; /realtime/v1/websocket?apikey=KEY&vsn=1.0.0
 *                        is appended (http:// or ws:// only)
 *   --apikey KEY         the apikey query parameter (leave out to be refused)
 *   --token T            access_token of the phx_join (none by default)
 *   --topic NAME         joins realtime:NAME (default "agentlogs")
 *   --table T            postgres_changes table (default: every table)
 *   --event E            postgres_changes event: *, INSERT, UPDATE, DELETE (default *)
 *   --filter F           postgres_changes filter (default user_id=eq.<the token's sub>;
 *                        "" for none)
 *   --count N            sockets, each joining with the same token (default 1)
 *   --expect-events E    frames mode: exit 0 once E postgres_changes arrived
 *                        (default 0: run until the timeout, then exit 0)
 *   --expect-name EVENT  what --expect-events counts instead of postgres_changes
 *                        (e.g. broadcast, presence_diff, phx_reply)
 *   --config JSON        members set in the join's config over the defaults
 *                        (e.g. {"broadcast":{"self":true},"private":true})
 *   --timeout S          give up after S seconds (default 10; decimals allowed)
 *   --heartbeat S        a heartbeat every S seconds (default 25; 0: never)
 *   --send-after-join F  after the join's reply, send each non-empty line of
 *                        file F as one frame (e.g. an access_token event)
 *   --bench              bench mode even with one socket
 *   --nudge              join as agentlogs' own client does (config.nudge):
 *                        events carry the row's id, user_id and version only
 *
 * Frames mode (one socket, no --bench): prints every frame the server sends
 * as one JSON line on stdout, flushed, and {"ws_client":"closed","code":N,
 * "reason":"..."} when the server closes the socket. Each postgres_changes is
 * also reported on stderr with its arrival time in epoch milliseconds.
 *
 * Bench mode (--count N > 1, or --bench): prints "ready" once every socket's
 * join was answered ok, and reads one line on stdin: the trigger, epoch
 * milliseconds (e.g. `date +%s%3N`) or anything else for "now". When every
 * socket has received a postgres_changes it prints
 *     all N received in X ms
 * timed from the trigger (from the first arrival when stdin ended without a
 * line) and exits 0.
 *
 * Exit status: 0 done; 1 timed out (or a join was refused in bench mode);
 * 2 usage; 3 the server closed a socket; 4 a connection failed or was refused.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <cjson/cJSON.h>
#include <libwebsockets.h>

#define RX_CHUNK 8192
#define MAX_FRAME (1u << 20)
#define TICK_US (50 * 1000)

struct out {
	struct out *next;
	size_t len;
	unsigned char data[];
};

struct sock {
	struct client *cl;
	struct lws *wsi;
	int established, joined, got_event, closed;
	struct out *q, *q_tail;
	char *rx;
	size_t rx_len;
	long long next_heartbeat;
	unsigned ref;
	int close_code;
	char close_reason[128];
};

struct client {
	/* Options. */
	const char *host, *apikey, *token, *topic, *table, *event, *filter, *expect_name;
	cJSON *config;
	int port, count, expect, bench, nudge;
	double timeout, heartbeat;
	char **lines;
	int nlines;
	/* State, on the service thread. */
	struct lws_context *context;
	lws_sorted_usec_list_t tick;
	struct sock *socks;
	int joined, received, events, ready_printed, done, rc;
	long long deadline, first_ms, last_ms;
	/* The trigger, set by the stdin thread. */
	pthread_mutex_t lock;
	int trigger_set, stdin_ended;
	long long trigger_ms;
};

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double
epoch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n != 0 ? n : 1);

	if (p == NULL) {
		fprintf(stderr, "ws-client: out of memory\n");
		exit(2);
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static void
finish(struct client *cl, int rc)
{
	if (cl->done)
		return;
	cl->done = 1;
	cl->rc = rc;
	lws_cancel_service(cl->context);
}

static void
sock_send(struct sock *s, const char *text)
{
	size_t n = strlen(text);
	struct out *o = xmalloc(sizeof *o + LWS_PRE + n);

	o->next = NULL;
	o->len = n;
	memcpy(o->data + LWS_PRE, text, n);
	if (s->q_tail != NULL)
		s->q_tail->next = o;
	else
		s->q = o;
	s->q_tail = o;
	lws_callback_on_writable(s->wsi);
}

static void
send_join(struct sock *s)
{
	struct client *cl = s->cl;
	cJSON *m = cJSON_CreateObject(), *p, *cfg, *pc, *b;
	char topic[300], *text;

	snprintf(topic, sizeof topic, "realtime:%s", cl->topic);
	cJSON_AddStringToObject(m, "topic", topic);
	cJSON_AddStringToObject(m, "event", "phx_join");
	p = cJSON_AddObjectToObject(m, "payload");
	cfg = cJSON_AddObjectToObject(p, "config");
	b = cJSON_AddObjectToObject(cfg, "broadcast");
	cJSON_AddBoolToObject(b, "ack", 0);
	cJSON_AddBoolToObject(b, "self", 0);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(cfg, "presence"), "key", "");
	if (cl->nudge)
		cJSON_AddBoolToObject(cfg, "nudge", 1);
	for (b = cl->config != NULL ? cl->config->child : NULL; b != NULL; b = b->next) {
		cJSON_DeleteItemFromObjectCaseSensitive(cfg, b->string);
		cJSON_AddItemToObject(cfg, b->string, cJSON_Duplicate(b, 1));
	}
	pc = cJSON_AddArrayToObject(cfg, "postgres_changes");
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "event", cl->event);
	cJSON_AddStringToObject(b, "schema", "public");
	if (cl->table != NULL)
		cJSON_AddStringToObject(b, "table", cl->table);
	if (cl->filter != NULL && *cl->filter != '\0')
		cJSON_AddStringToObject(b, "filter", cl->filter);
	cJSON_AddItemToArray(pc, b);
	if (cl->token != NULL)
		cJSON_AddStringToObject(p, "access_token", cl->token);
	cJSON_AddStringToObject(m, "ref", "1");
	cJSON_AddStringToObject(m, "join_ref", "1");
	text = cJSON_PrintUnformatted(m);
	sock_send(s, text);
	cJSON_free(text);
	cJSON_Delete(m);
	s->ref = 1;
}

static void
send_heartbeat(struct sock *s)
{
	char text[128];

	snprintf(text, sizeof text,
	    "{\"topic\":\"phoenix\",\"event\":\"heartbeat\",\"payload\":{},\"ref\":\"%u\"}",
	    ++s->ref);
	sock_send(s, text);
}

static void
on_frame(struct sock *s, const char *text, size_t len)
{
	struct client *cl = s->cl;
	cJSON *m = cJSON_ParseWithLength(text, len);
	const cJSON *event, *ref, *payload, *status;
	int i;

	if (!cl->bench) {
		printf("%.*s\n", (int)len, text);
		fflush(stdout);
	}
	event = cJSON_GetObjectItemCaseSensitive(m, "event");
	ref = cJSON_GetObjectItemCaseSensitive(m, "ref");
	payload = cJSON_GetObjectItemCaseSensitive(m, "payload");
	status = cJSON_GetObjectItemCaseSensitive(payload, "status");
	if (!cJSON_IsString(event)) {
		cJSON_Delete(m);
		return;
	}
	if (cl->expect_name != NULL && strcmp(event->valuestring, cl->expect_name) == 0 &&
	    !cl->bench && ++cl->events >= cl->expect && cl->expect > 0)
		finish(cl, 0);
	if (strcmp(event->valuestring, "phx_reply") == 0 && cJSON_IsString(ref) &&
	    strcmp(ref->valuestring, "1") == 0 && !s->joined) {
		if (cJSON_IsString(status) && strcmp(status->valuestring, "ok") == 0) {
			s->joined = 1;
			cl->joined++;
			for (i = 0; i < cl->nlines; i++)
				sock_send(s, cl->lines[i]);
			if (cl->bench && cl->joined == cl->count && !cl->ready_printed) {
				cl->ready_printed = 1;
				printf("ready\n");
				fflush(stdout);
			}
		} else if (cl->bench) {
			fprintf(stderr, "ws-client: join refused: %.*s\n", (int)len, text);
			finish(cl, 1);
		}
	} else if (cl->expect_name == NULL && strcmp(event->valuestring, "postgres_changes") == 0) {
		double now = epoch_ms();

		cl->events++;
		if (!cl->bench)
			fprintf(stderr, "ws-client: postgres_changes at %.1f\n", now);
		if (!s->got_event) {
			s->got_event = 1;
			cl->received++;
			if (cl->received == 1)
				cl->first_ms = (long long)(now * 1000);
		}
		if (cl->bench && cl->received == cl->count) {
			double t0;
			int have;

			pthread_mutex_lock(&cl->lock);
			have = cl->trigger_set;
			t0 = (double)cl->trigger_ms;
			pthread_mutex_unlock(&cl->lock);
			if (!have)
				t0 = (double)cl->first_ms / 1000.0;
			printf("all %d received in %.1f ms\n", cl->count, now - t0);
			fflush(stdout);
			finish(cl, 0);
		} else if (!cl->bench && cl->expect > 0 && cl->events >= cl->expect)
			finish(cl, 0);
	}
	cJSON_Delete(m);
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct client *cl = lws_context_user(lws_get_context(wsi));
	struct sock *s = user;
	struct out *o;

	if (s == NULL && reason != LWS_CALLBACK_CLIENT_CONNECTION_ERROR)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (!cl->done) {
			fprintf(stderr, "ws-client: connection failed: %s\n",
			    in != NULL ? (const char *)in : "(no reason)");
			finish(cl, 4);
		}
		if (s != NULL)
			s->wsi = NULL;
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		s->established = 1;
		if (cl->heartbeat > 0)
			s->next_heartbeat = mono_ms() + (long long)(cl->heartbeat * 1000);
		send_join(s);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (s->rx_len + len > MAX_FRAME) {
			fprintf(stderr, "ws-client: frame too large\n");
			return -1;
		}
		s->rx = realloc(s->rx, s->rx_len + len + 1);
		if (s->rx == NULL) {
			fprintf(stderr, "ws-client: out of memory\n");
			exit(2);
		}
		memcpy(s->rx + s->rx_len, in, len);
		s->rx_len += len;
		if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
			if (!cl->done)
				on_frame(s, s->rx, s->rx_len);
			s->rx_len = 0;
		}
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if ((o = s->q) == NULL)
			break;
		if ((s->q = o->next) == NULL)
			s->q_tail = NULL;
		if (lws_write(wsi, o->data + LWS_PRE, o->len, LWS_WRITE_TEXT) < 0) {
			free(o);
			return -1;
		}
		free(o);
		if (s->q != NULL)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const unsigned char *p = in;
			s->close_code = p[0] << 8 | p[1];
			snprintf(s->close_reason, sizeof s->close_reason, "%.*s",
			    (int)(len - 2 < 127 ? len - 2 : 127), (const char *)in + 2);
		}
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		s->closed = 1;
		s->wsi = NULL;
		if (!cl->done) {
			cJSON *m = cJSON_CreateObject();
			char *text;

			cJSON_AddStringToObject(m, "ws_client", "closed");
			cJSON_AddNumberToObject(m, "code", s->close_code);
			cJSON_AddStringToObject(m, "reason", s->close_reason);
			text = cJSON_PrintUnformatted(m);
			if (cl->bench)
				fprintf(stderr, "ws-client: %s\n", text);
			else {
				printf("%s\n", text);
				fflush(stdout);
			}
			cJSON_free(text);
			cJSON_Delete(m);
			finish(cl, 3);
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{ "phoenix", callback, 0, RX_CHUNK, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
tick(lws_sorted_usec_list_t *sul)
{
	struct client *cl = (struct client *)(void *)((char *)sul -
	    offsetof(struct client, tick));
	long long now = mono_ms();
	int i;

	if (now >= cl->deadline) {
		if (cl->bench)
			fprintf(stderr, "ws-client: timed out: %d of %d joined, %d received\n",
			    cl->joined, cl->count, cl->received);
		finish(cl, cl->bench || cl->expect > 0 ? 1 : 0);
		return;
	}
	for (i = 0; i < cl->count && cl->heartbeat > 0; i++) {
		struct sock *s = &cl->socks[i];
		if (s->established && !s->closed && s->wsi != NULL && now >= s->next_heartbeat) {
			s->next_heartbeat = now + (long long)(cl->heartbeat * 1000);
			send_heartbeat(s);
		}
	}
	lws_sul_schedule(cl->context, 0, &cl->tick, tick, TICK_US);
}

/* Reads the trigger line; a thread of its own so the event loop needs no stdin. */
static void *
stdin_main(void *arg)
{
	struct client *cl = arg;
	char line[128], *end;
	long long v;

	if (fgets(line, sizeof line, stdin) == NULL) {
		pthread_mutex_lock(&cl->lock);
		cl->stdin_ended = 1;
		pthread_mutex_unlock(&cl->lock);
		return NULL;
	}
	errno = 0;
	v = strtoll(line, &end, 10);
	if (errno != 0 || end == line || (*end != '\n' && *end != '\0') || v < 1000000000000LL)
		v = (long long)epoch_ms();
	pthread_mutex_lock(&cl->lock);
	cl->trigger_ms = v;
	cl->trigger_set = 1;
	pthread_mutex_unlock(&cl->lock);
	return NULL;
}

/* The sub claim of a JWT, unverified: only to build the default filter. */
static char *
token_sub(const char *token)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *p = strchr(token, '.'), *e, *q;
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0;
	char *json, *sub = NULL;
	const cJSON *v;
	cJSON *claims;

	if (p == NULL || (e = strchr(++p, '.')) == NULL)
		return NULL;
	json = xmalloc((size_t)(e - p) + 1);
	for (; p < e; p++) {
		if ((q = strchr(tab, *p)) == NULL || *p == '\0')
			break;
		acc = acc << 6 | (unsigned)(q - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			json[n++] = (char)(acc >> bits & 0xff);
		}
	}
	json[n] = '\0';
	claims = cJSON_Parse(json);
	v = cJSON_GetObjectItemCaseSensitive(claims, "sub");
	if (cJSON_IsString(v))
		sub = xstrdup(v->valuestring);
	cJSON_Delete(claims);
	free(json);
	return sub;
}

static int
read_lines(struct client *cl, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[65536];
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "ws-client: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof buf, f) != NULL) {
		n = strcspn(buf, "\r\n");
		buf[n] = '\0';
		if (n == 0)
			continue;
		cl->lines = realloc(cl->lines, sizeof *cl->lines * (size_t)(cl->nlines + 1));
		if (cl->lines == NULL) {
			fclose(f);
			return -1;
		}
		cl->lines[cl->nlines++] = xstrdup(buf);
	}
	fclose(f);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: ws-client --url http://HOST:PORT [--apikey K] [--token T] "
	    "[--topic NAME] [--table T] [--event E] [--filter F] [--count N] "
	    "[--expect-events E] [--expect-name EVENT] [--config JSON] [--timeout S] [--heartbeat S] [--send-after-join FILE] "
	    "[--bench]\n");
	return 2;
}

static int
parse_url(struct client *cl, const char *url)
{
	static char host[256];
	const char *p = url, *colon;

	if (strncmp(p, "http://", 7) == 0)
		p += 7;
	else if (strncmp(p, "ws://", 5) == 0)
		p += 5;
	else
		return -1;
	colon = strchr(p, ':');
	if (colon == NULL || (size_t)(colon - p) >= sizeof host)
		return -1;
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = '\0';
	cl->host = host;
	cl->port = atoi(colon + 1);
	return cl->port > 0 && cl->port < 65536 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct lws_client_connect_info cc;
	struct client cl;
	struct rlimit rl;
	pthread_t reader;
	char *path, *sub = NULL, *filter = NULL;
	const char *url = NULL, *send_file = NULL;
	int i, rc;

	memset(&cl, 0, sizeof cl);
	cl.topic = "agentlogs";
	cl.event = "*";
	cl.count = 1;
	cl.timeout = 10;
	cl.heartbeat = 25;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--bench") == 0 || strcmp(a, "--nudge") == 0) {
			*(strcmp(a, "--bench") == 0 ? &cl.bench : &cl.nudge) = 1;
			continue;
		}
		if (v == NULL)
			return usage();
		i++;
		if (strcmp(a, "--url") == 0)
			url = v;
		else if (strcmp(a, "--apikey") == 0)
			cl.apikey = v;
		else if (strcmp(a, "--token") == 0)
			cl.token = v;
		else if (strcmp(a, "--topic") == 0)
			cl.topic = v;
		else if (strcmp(a, "--table") == 0)
			cl.table = v;
		else if (strcmp(a, "--event") == 0)
			cl.event = v;
		else if (strcmp(a, "--filter") == 0)
			cl.filter = v;
		else if (strcmp(a, "--count") == 0)
			cl.count = atoi(v);
		else if (strcmp(a, "--expect-events") == 0)
			cl.expect = atoi(v);
		else if (strcmp(a, "--expect-name") == 0)
			cl.expect_name = v;
		else if (strcmp(a, "--config") == 0) {
			cJSON_Delete(cl.config);
			if (!cJSON_IsObject(cl.config = cJSON_Parse(v)))
				return usage();
		} else if (strcmp(a, "--timeout") == 0)
			cl.timeout = atof(v);
		else if (strcmp(a, "--heartbeat") == 0)
			cl.heartbeat = atof(v);
		else if (strcmp(a, "--send-after-join") == 0)
			send_file = v;
		else
			return usage();
	}
	if (url == NULL || parse_url(&cl, url) != 0 || cl.count < 1 || cl.timeout <= 0 ||
	    cl.heartbeat < 0 || cl.expect < 0)
		return usage();
	if (cl.count > 1)
		cl.bench = 1;
	if (send_file != NULL && read_lines(&cl, send_file) != 0)
		return 2;
	if (cl.filter == NULL && cl.token != NULL && (sub = token_sub(cl.token)) != NULL) {
		size_t n = strlen(sub) + 16;
		filter = xmalloc(n);
		snprintf(filter, n, "user_id=eq.%s", sub);
		cl.filter = filter;
	}

	/* A socket per connection: lift the soft limit as far as allowed. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	lws_set_log_level(getenv("WS_CLIENT_LWS_LOG") ? atoi(getenv("WS_CLIENT_LWS_LOG")) : 0,
	    NULL);
	pthread_mutex_init(&cl.lock, NULL);

	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.user = &cl;
	info.timeout_secs = (unsigned int)cl.timeout + 5;
	if ((cl.context = lws_create_context(&info)) == NULL) {
		fprintf(stderr, "ws-client: cannot create the lws context\n");
		return 2;
	}
	if (cl.bench && pthread_create(&reader, NULL, stdin_main, &cl) == 0)
		pthread_detach(reader);

	{
		size_t n = strlen(cl.apikey != NULL ? cl.apikey : "") + 64;
		path = xmalloc(n);
		if (cl.apikey != NULL)
			snprintf(path, n, "/realtime/v1/websocket?apikey=%s&vsn=1.0.0", cl.apikey);
		else
			snprintf(path, n, "/realtime/v1/websocket?vsn=1.0.0");
	}
	cl.socks = calloc((size_t)cl.count, sizeof *cl.socks);
	if (cl.socks == NULL)
		return 2;
	cl.deadline = mono_ms() + (long long)(cl.timeout * 1000);
	for (i = 0; i < cl.count; i++) {
		struct sock *s = &cl.socks[i];
		s->cl = &cl;
		memset(&cc, 0, sizeof cc);
		cc.context = cl.context;
		cc.address = cl.host;
		cc.port = cl.port;
		cc.path = path;
		cc.host = cl.host;
		cc.origin = cl.host;
		/* Like a Phoenix client: no Sec-WebSocket-Protocol at all. */
		cc.protocol = NULL;
		cc.local_protocol_name = "phoenix";
		cc.userdata = s;
		cc.pwsi = &s->wsi;
		if (lws_client_connect_via_info(&cc) == NULL && !cl.done) {
			fprintf(stderr, "ws-client: cannot start connection %d\n", i);
			finish(&cl, 4);
		}
	}
	lws_sul_schedule(cl.context, 0, &cl.tick, tick, TICK_US);
	while (!cl.done) {
		if (lws_service(cl.context, 0) < 0)
			break;
	}
	rc = cl.rc;
	lws_sul_cancel(&cl.tick);
	lws_context_destroy(cl.context);
	for (i = 0; i < cl.count; i++) {
		struct out *o;
		while ((o = cl.socks[i].q) != NULL) {
			cl.socks[i].q = o->next;
			free(o);
		}
		free(cl.socks[i].rx);
	}
	free(cl.socks);
	for (i = 0; i < cl.nlines; i++)
		free(cl.lines[i]);
	free(cl.lines);
	free(path);
	free(sub);
	free(filter);
	cJSON_Delete(cl.config);
	/* The stdin thread may still sit in fgets(); exit() does not wait for it. */
	fflush(stdout);
	exit(rc);
}
