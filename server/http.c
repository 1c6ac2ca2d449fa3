#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <cjson/cJSON.h>
#include <libwebsockets.h>

#include "http.h"
#include "keylimits.h"
#include "chunked.h"
#include "request.h"
#include "unparsable.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "workers.h"

/* Seconds at least that a new connection may wait for a header slot. */
#define SLOT_WAIT 60

/* What is written to the socket per writable callback. */
#define WRITE_CHUNK (64u << 10)

/* A request's line and headers, at most: lws' header slot. */
#define HEAD_BYTES 8192

struct http_state {
	const struct http_options *o;
	struct lws_context *context;
	struct workers *workers;
	volatile sig_atomic_t stopping;
	uint64_t next_conn;
	unsigned long round;		/* lws_service() calls so far */
	struct limits *peers;		/* connections held per address */
	char accepting[64];		/* the address of the connection being accepted */
	lws_sorted_usec_list_t sweep;	/* checks the body deadlines each second */
	pthread_t service_thread;
	int lws_log_levels;		/* the lws log lines shown */
	struct unparsable_watch unparsable;	/* lws' log, for heads it cannot parse */
};

/* Per connection (lws allocates it): the request being received, the response being sent. */
struct pss {
	uint64_t conn;
	struct job *job;	/* receiving: the request; sending: the response */
	int too_large;
	int receiving;		/* pss->job is a request still taking its body */
	int discard;		/* the request was refused: its body is dropped unread */
	unsigned long spin_round;	/* the service round of the last idle completion */
	int spins;			/* idle completions in that round */
	double deadline;	/* receiving: when the body must be complete */
	int chunked;		/* receiving a chunked body, decoded by dechunk */
	struct chunked dechunk;
	size_t body_cap;	/* chunked: the room of job->req.body */
	size_t sent;
	char *out;		/* LWS_PRE bytes of room, then the body */
	size_t out_len;
	int headers_sent;
};

/*
 * Per accepted socket, across its requests, by wsi (lws 4.1 overwrites the
 * opaque user data after LWS_CALLBACK_WSI_CREATE).
 */
struct peer_conn {
	const struct lws *wsi;
	char addr[64];		/* counted in state->peers */
	unsigned long requests;
	struct peer_conn *next;
};
#define PEER_HEADS 1021
static struct peer_conn *peer_heads[PEER_HEADS];

static struct peer_conn **
peer_slot(const struct lws *wsi)
{
	struct peer_conn **p = &peer_heads[((uintptr_t)wsi >> 4) % PEER_HEADS];

	while (*p != NULL && (*p)->wsi != wsi)
		p = &(*p)->next;
	return p;
}

static struct http_state *state;

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- helpers */
/* http_header() and http_query_param() live in request.c, pure code. */

void
http_set_json(struct http_response *res, int status, const char *json)
{
	res->status = status;
	res->content_type = "application/json";
	strbuf_reset(&res->body);
	strbuf_adds(&res->body, json);
}

void
http_error(struct http_response *res, int status, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	cJSON *o = cJSON_CreateObject();
	char *json;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON_AddNumberToObject(o, "code", status);
	cJSON_AddStringToObject(o, "error_code", code);
	cJSON_AddStringToObject(o, "msg", msg);
	cJSON_AddStringToObject(o, "message", msg);
	json = cJSON_PrintUnformatted(o);
	http_set_json(res, status, json);
	cJSON_free(json);
	cJSON_Delete(o);
}

void
http_add_header(struct http_response *res, const char *name, const char *value)
{
	strbuf_addf(&res->headers, "%s: %s\r\n", name, value);
}

/* ---------------------------------------------------------------- lws glue */

static struct lws *find_conn(uint64_t conn);

static char *
token_copy(struct lws *wsi, enum lws_token_indexes t)
{
	int len = lws_hdr_total_length(wsi, t);
	char *v;

	if (len <= 0)
		return NULL;
	v = xmalloc((size_t)len + 1);
	if (lws_hdr_copy(wsi, v, len + 1, t) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

static char *
custom_copy(struct lws *wsi, const char *name)
{
	int len = lws_hdr_custom_length(wsi, name, (int)strlen(name));
	char *v;

	if (len < 0)
		return NULL;
	v = xmalloc((size_t)len + 1);
	if (lws_hdr_custom_copy(wsi, v, len + 1, name, (int)strlen(name)) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

/*
 * The query string, percent-encoded as a client sends it. lws splits the
 * arguments at '&' and then decodes each, so "%26" in a value would look like
 * a separator once joined: each argument is encoded again and the handlers
 * decode exactly once. Each fragment is copied whole, however long: a
 * fragment left out would drop a filter.
 */
static char *
query_copy(struct lws *wsi)
{
	struct strbuf sb = STRBUF_INIT;
	char *frag;
	int i, n;

	/* lws_hdr_fragment_length() answers 0 past the last one; the copy fails there. */
	for (i = 0;; i++) {
		n = lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i);
		frag = xmalloc((size_t)(n > 0 ? n : 0) + 1);
		n = lws_hdr_copy_fragment(wsi, frag, (n > 0 ? n : 0) + 1, WSI_TOKEN_HTTP_URI_ARGS, i);
		if (n < 0) {
			free(frag);
			break;
		}
		if (i > 0)
			strbuf_addc(&sb, '&');
		request_query_append(&sb, frag, (size_t)n);
		free(frag);
	}
	/*
	 * lws ends a query whose last argument is empty ("?a=1&", "?") with a
	 * fragment "/" of its own making: not the client's, so dropped.
	 */
	if (sb.len >= 3 && strcmp(sb.buf + sb.len - 3, "%2F") == 0 &&
	    (sb.len == 3 || sb.buf[sb.len - 4] == '&')) {
		sb.len -= sb.len == 3 ? 3 : 4;
		sb.buf[sb.len] = '\0';
	}
	return strbuf_detach(&sb);
}

static const struct {
	enum lws_token_indexes token;
	const char *method;
} methods[] = {
	{ WSI_TOKEN_GET_URI, "GET" },
	{ WSI_TOKEN_POST_URI, "POST" },
	{ WSI_TOKEN_PUT_URI, "PUT" },
	{ WSI_TOKEN_PATCH_URI, "PATCH" },
	{ WSI_TOKEN_DELETE_URI, "DELETE" },
	{ WSI_TOKEN_OPTIONS_URI, "OPTIONS" },
	{ WSI_TOKEN_HEAD_URI, "HEAD" },
};

static const struct {
	enum lws_token_indexes token;
	const char *name;
} known_headers[] = {
	{ WSI_TOKEN_HTTP_AUTHORIZATION, "authorization" },
	{ WSI_TOKEN_HTTP_CONTENT_TYPE, "content-type" },
	{ WSI_TOKEN_HTTP_CONTENT_LENGTH, "content-length" },
	{ WSI_TOKEN_HTTP_RANGE, "range" },
	{ WSI_TOKEN_HOST, "host" },
	{ WSI_TOKEN_HTTP_ACCEPT, "accept" },
	{ WSI_TOKEN_HTTP_TRANSFER_ENCODING, "transfer-encoding" },
};

static const char *const custom_headers[] = {
	"apikey:", "prefer:", "x-upsert:", "x-client-info:", "accept-profile:",
	"content-profile:",
};

static struct job *
start_job(struct lws *wsi, struct pss *pss, const char *uri)
{
	struct job *j = xcalloc(1, sizeof *j);
	size_t i;
	char *v, name[64];

	clock_gettime(CLOCK_MONOTONIC, &j->started);
	j->conn = pss->conn;
	snprintf(j->req.method, sizeof j->req.method, "GET");
	for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		if (lws_hdr_total_length(wsi, methods[i].token) > 0) {
			snprintf(j->req.method, sizeof j->req.method, "%s", methods[i].method);
			break;
		}
	}
	j->req.path = xstrdup(uri);
	(void)request_path_normalise(j->req.path);	/* a relative one stays, matching nothing */
	j->req.query = query_copy(wsi);
	for (i = 0; i < sizeof known_headers / sizeof known_headers[0]; i++) {
		if ((v = token_copy(wsi, known_headers[i].token)) != NULL)
			request_add_header(&j->req, known_headers[i].name, v);
	}
	for (i = 0; i < sizeof custom_headers / sizeof custom_headers[0]; i++) {
		if ((v = custom_copy(wsi, custom_headers[i])) != NULL) {
			snprintf(name, sizeof name, "%.*s", (int)strlen(custom_headers[i]) - 1,
			    custom_headers[i]);
			request_add_header(&j->req, name, v);
		}
	}
	lws_get_peer_simple(wsi, j->req.peer, sizeof j->req.peer);
	j->res.status = 500;
	j->res.content_type = "application/json";
	return j;
}

/* The request log: one line each, never a token (the query can hold one). */
static void
log_request(const struct job *j)
{
	struct timespec now;
	char *path = request_printable(j->req.path);	/* one line, six fields */
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - j->started.tv_sec) * 1000 + (now.tv_nsec - j->started.tv_nsec) / 1000000;
	fprintf(stderr, "%s %s %s %d %zu %ldms\n", j->req.peer, j->req.method, path,
	    j->res.status, j->res.body.len, ms);
	free(path);
}

/* The connection's answer is j, written as soon as the socket takes it. */
static void
answer(struct lws *wsi, struct pss *pss, struct job *j)
{
	log_request(j);
	pss->job = j;
	pss->sent = 0;
	pss->headers_sent = 0;
	/* lws 4.1 gives an h1 connection that reads nothing no POLLOUT either. */
	lws_rx_flow_control(wsi, 1);
	lws_callback_on_writable(wsi);
}

/*
 * The request in pss->job is complete. Until it is answered lws reads no more
 * of this connection: a request pipelined behind it waits in lws' buffer.
 * (Read on, lws 4.1 hands those bytes to the finished request as an empty
 * body completion, consumes none, and retries forever: the service thread
 * spins and nobody is answered.)
 */
static void
dispatch(struct lws *wsi, struct pss *pss)
{
	const struct http_options *o = state->o;
	struct job *j = pss->job;

	pss->job = NULL;
	pss->receiving = 0;
	lws_rx_flow_control(wsi, 0);
	if (pss->too_large)
		http_error(&j->res, 413, "payload_too_large",
		    "The request body exceeds the limit of %zu bytes", o->max_body);
	else if (o->answer_now == NULL || !o->answer_now(o->srv, &j->req, &j->res)) {
		if (workers_submit(state->workers, j,
		    o->is_hashing != NULL && o->is_hashing(&j->req)) == 0)
			return;
		http_error(&j->res, 503, "over_request_rate_limit",
		    "Too many sign-ins at once: retry in a moment");
		http_add_header(&j->res, "Retry-After", "1");
	}
	answer(wsi, pss, j);
}

/*
 * Answers the request being received at once, without (the rest of) its
 * body, and closes the connection after the answer: where the body ends is
 * unknown, too far, or too slow in coming.
 */
static void
refuse(struct lws *wsi, struct pss *pss, int status, const char *code, const char *msg)
{
	struct job *j = pss->job;

	pss->job = NULL;
	pss->receiving = 0;
	pss->discard = 1;
	lws_rx_flow_control(wsi, 0);
	http_error(&j->res, status, code, "%s", msg);
	http_add_header(&j->res, "Connection", "close");
	j->close = 1;
	answer(wsi, pss, j);
}

/* Connections live by id so a late worker answer never touches a freed wsi. */
struct conn_entry {
	uint64_t id;
	struct lws *wsi;
};
static struct conn_entry *conns;
static size_t nconns, capconns;

static void
conn_add(uint64_t id, struct lws *wsi)
{
	if (nconns == capconns) {
		capconns = capconns == 0 ? 64 : capconns * 2;
		conns = xreallocarray(conns, capconns, sizeof *conns);
	}
	conns[nconns].id = id;
	conns[nconns].wsi = wsi;
	nconns++;
}

static void
conn_remove(uint64_t id)
{
	size_t i;

	for (i = 0; i < nconns; i++) {
		if (conns[i].id == id) {
			conns[i] = conns[--nconns];
			return;
		}
	}
}

static struct lws *
find_conn(uint64_t id)
{
	size_t i;

	for (i = 0; i < nconns; i++) {
		if (conns[i].id == id)
			return conns[i].wsi;
	}
	return NULL;
}

/* Finished jobs: hand each to its connection, or drop it if the client left. */
static void
deliver(void)
{
	struct job *j;
	struct lws *wsi;

	while ((j = workers_take_done(state->workers)) != NULL) {
		if ((wsi = find_conn(j->conn)) == NULL) {
			log_request(j);
			job_free(j);
		} else
			answer(wsi, lws_wsi_user(wsi), j);
	}
}

/*
 * Each second: a body later than its deadline gets 408 and the connection
 * closes (lws' own timeout restarts with every byte, so a trickle would hold
 * the connection and its header slot forever).
 */
static void
sweep_bodies(lws_sorted_usec_list_t *sul)
{
	double now = now_seconds();
	struct pss *pss;
	size_t i;

	for (i = 0; i < nconns; i++) {
		pss = lws_wsi_user(conns[i].wsi);
		if (pss != NULL && pss->receiving && now > pss->deadline)
			refuse(conns[i].wsi, pss, 408, "request_timeout",
			    "The request body did not arrive in time");
	}
	lws_sul_schedule(state->context, 0, sul, sweep_bodies, LWS_US_PER_SEC);
}

/*
 * A new connection from filt's address: refused (closed at once) when the
 * address holds max-connections-per-ip already, else counted until its wsi
 * is destroyed (LWS_CALLBACK_WSI_CREATE follows at once and takes the
 * address over).
 */
static int
admit_peer(const struct lws_filter_network_conn_args *filt)
{
	char addr[sizeof state->accepting];

	if (state->accepting[0] != '\0')	/* the last accepted never became a wsi */
		limits_release(state->peers, state->accepting);
	state->accepting[0] = '\0';
	if (getnameinfo((const struct sockaddr *)&filt->cli_addr, filt->clilen, addr,
	    sizeof addr, NULL, 0, NI_NUMERICHOST) != 0)
		return 0;
	if (limits_acquire(state->peers, addr, state->o->max_connections_per_ip) != 0)
		return 1;
	memcpy(state->accepting, addr, sizeof addr);
	return 0;
}

static void
peer_created(struct lws *wsi)
{
	struct peer_conn *pc;

	if (state->accepting[0] == '\0')
		return;
	pc = xcalloc(1, sizeof *pc);
	pc->wsi = wsi;
	memcpy(pc->addr, state->accepting, sizeof pc->addr);
	pc->next = peer_heads[((uintptr_t)wsi >> 4) % PEER_HEADS];
	peer_heads[((uintptr_t)wsi >> 4) % PEER_HEADS] = pc;
	state->accepting[0] = '\0';
}

static void
peer_destroyed(struct lws *wsi)
{
	struct peer_conn **p = peer_slot(wsi), *pc = *p;

	if (pc == NULL)
		return;
	*p = pc->next;
	limits_release(state->peers, pc->addr);
	free(pc);
}

/*
 * Whether lws 4.1 hands over the request's own head as its body. When a
 * request with a body was pipelined (parsed from what lws had buffered),
 * lws_http_action() feeds that buffer again from its start, request line
 * included, and then retries the rest forever. Such a body starts with
 * "METHOD /"; so may a real one on a later request of a connection, but
 * only an upload of a file that starts so (never JSON): refused too, the
 * price of never storing a request head as data.
 */
static int
body_is_own_head(struct lws *wsi, const struct http_request *req, const char *in,
    size_t len)
{
	const struct peer_conn *pc = *peer_slot(wsi);
	char head[sizeof req->method + 2];
	size_t n;

	if (pc != NULL && pc->requests <= 1)
		return 0;	/* a connection's first request is never pipelined */
	while (len > 0 && (*in == '\r' || *in == '\n')) {	/* lws skips those before a request */
		in++;
		len--;
	}
	n = (size_t)snprintf(head, sizeof head, "%s /", req->method);
	return len > 0 && memcmp(in, head, len < n ? len : n) == 0;
}

static int
write_response(struct lws *wsi, struct pss *pss)
{
	struct job *j = pss->job;
	unsigned char hdr[LWS_PRE + 4096], *start = hdr + LWS_PRE, *p = start,
	    *end = hdr + sizeof hdr - 1;
	size_t n;
	int final;

	if (j == NULL)
		return 0;
	if (!pss->headers_sent) {
		if (lws_add_http_common_headers(wsi, (unsigned int)j->res.status,
		    j->res.content_type, j->res.body.len, &p, end) != 0)
			return -1;
		/* Extra headers: "Name: value\r\n" lines. */
		{
			char *line = j->res.headers.buf, *nl, *colon;
			while (line != NULL && (nl = strstr(line, "\r\n")) != NULL) {
				char name[128];
				*nl = '\0';
				if ((colon = strchr(line, ':')) != NULL &&
				    (size_t)(colon - line) < sizeof name - 2) {
					snprintf(name, sizeof name, "%.*s:", (int)(colon - line), line);
					if (lws_add_http_header_by_name(wsi, (unsigned char *)name,
					    (unsigned char *)colon + 2, (int)strlen(colon + 2), &p, end))
						return -1;
				}
				line = nl + 2;
			}
		}
		if (lws_finalize_write_http_header(wsi, start, &p, end) != 0)
			return -1;
		pss->headers_sent = 1;
		free(pss->out);
		pss->out = xmalloc(LWS_PRE + WRITE_CHUNK);
		if (j->res.body.len == 0)
			goto finished;
		lws_callback_on_writable(wsi);
		return 0;
	}
	n = j->res.body.len - pss->sent;
	if (n > WRITE_CHUNK)
		n = WRITE_CHUNK;
	final = pss->sent + n == j->res.body.len;
	memcpy(pss->out + LWS_PRE, j->res.body.buf + pss->sent, n);
	if (lws_write(wsi, (unsigned char *)pss->out + LWS_PRE, n,
	    final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
		return -1;
	pss->sent += n;
	if (!final) {
		lws_callback_on_writable(wsi);
		return 0;
	}
finished:
	final = j->close;
	job_free(j);
	pss->job = NULL;
	free(pss->out);
	pss->out = NULL;
	if (final)
		return -1;	/* lws shuts the socket down gracefully: the answer is sent */
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static void on_lws_log(int level, const char *line);

/*
 * lws' log levels: those asked for, warnings and errors (where it gives up a
 * head) and, while a failure's connection is still to be seen, info.
 */
static void
watch_lws_log(int info)
{
	lws_set_log_level(state->lws_log_levels | LLL_WARN | LLL_ERR | (info ? LLL_INFO : 0),
	    on_lws_log);
}

/*
 * Answers a head lws could not parse, on the socket itself: lws is closing
 * the connection and writes nothing more (its shutdown follows the answer).
 * The connection comes from a log line: only one of ours (peer_slot() does
 * not dereference it), and never while an answer to an earlier request is
 * being written.
 */
static void
answer_unparsable(const void *closing, enum unparsable why)
{
	const struct peer_conn *pc = *peer_slot(closing);
	struct lws *wsi;
	struct pss *pss;
	char peer[64], *out;
	size_t len;
	ssize_t n;

	if (pc == NULL)
		return;
	wsi = (struct lws *)(uintptr_t)pc->wsi;
	if ((pss = lws_wsi_user(wsi)) != NULL && pss->job != NULL)
		return;
	out = unparsable_answer(why, WSI_TOKEN_COUNT - 1, HEAD_BYTES, &len);
	n = send(lws_get_socket_fd(wsi), out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	lws_get_peer_simple(wsi, peer, sizeof peer);
	fprintf(stderr, "%s - - 414 %zu 0ms%s\n", peer, len,
	    n == (ssize_t)len ? "" : " (the answer could not be sent)");
	free(out);
}

/* Shows lws' log lines asked for, and watches them (unparsable.h). */
static void
on_lws_log(int level, const char *line)
{
	const void *closing = NULL;
	enum unparsable why;
	int watching;

	if (state == NULL || !pthread_equal(pthread_self(), state->service_thread)) {
		if (state == NULL || (level & state->lws_log_levels) != 0)
			lwsl_emit_stderr(level, line);
		return;
	}
	/* line is lws' static buffer: used up before lws is called again. */
	watching = state->unparsable.why != UNPARSABLE_NONE;
	why = unparsable_watch_line(&state->unparsable, line, &closing);
	/* The failure itself is logged as the request answered 414. */
	if ((level & state->lws_log_levels) != 0 &&
	    (watching || state->unparsable.why == UNPARSABLE_NONE))
		lwsl_emit_stderr(level, line);
	if (why != UNPARSABLE_NONE)
		answer_unparsable(closing, why);
	if (watching != (state->unparsable.why != UNPARSABLE_NONE))
		watch_lws_log(!watching);
}

/*
 * Whether a request without Content-Length but with Transfer-Encoding te
 * can take a chunked body: te is exactly "chunked" (no other coding is
 * decoded) and the method is one lws reads a body of without a length.
 */
static int
takes_chunked(struct lws *wsi, const char *te)
{
	return strcasecmp(te, "chunked") == 0 &&
	    (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0 ||
	    lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI) > 0 ||
	    lws_hdr_total_length(wsi, WSI_TOKEN_PATCH_URI) > 0);
}

/*
 * Bytes of a chunked body: decoded into the request until its last chunk,
 * then dispatched. lws still expects more body on this connection, so the
 * answer closes it (a request pipelined behind would be misread).
 */
static int
chunked_body(struct lws *wsi, struct pss *pss, const char *in, size_t len)
{
	struct http_request *req = &pss->job->req;
	struct strbuf body = STRBUF_INIT;
	const char *why;
	char msg[128];
	size_t used;
	int rc;

	pss->deadline += (double)len / (double)state->o->body_min_rate;
	body.buf = req->body;
	body.len = req->body_len;
	body.cap = pss->body_cap;
	rc = chunked_feed(&pss->dechunk, in, len, &body, state->o->max_body, &used, &why);
	req->body = body.buf;
	req->body_len = body.len;
	pss->body_cap = body.cap;
	if (rc == -2) {
		snprintf(msg, sizeof msg, "The request body exceeds the limit of %zu bytes",
		    state->o->max_body);
		refuse(wsi, pss, 413, "payload_too_large", msg);
	} else if (rc < 0)
		refuse(wsi, pss, 400, "bad_request", why);
	else if (rc == 1) {
		pss->job->close = 1;
		http_add_header(&pss->job->res, "Connection", "close");
		dispatch(wsi, pss);
	}
	return 0;
}

static int
callback_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len)
{
	struct pss *pss = user;
	struct peer_conn *pc;
	unsigned long long blen = 0;
	char msg[128];
	const char *cl, *te = NULL;

	switch (reason) {
	case LWS_CALLBACK_HTTP_BIND_PROTOCOL:
		if (pss != NULL && pss->conn == 0) {
			pss->conn = ++state->next_conn;
			conn_add(pss->conn, wsi);
		}
		break;
	case LWS_CALLBACK_HTTP:
		if (pss->conn == 0) {
			pss->conn = ++state->next_conn;
			conn_add(pss->conn, wsi);
		}
		job_free(pss->job);
		pss->job = start_job(wsi, pss, (const char *)in);
		pss->too_large = 0;
		pss->receiving = 1;
		pss->discard = 0;
		pss->chunked = 0;
		if ((pc = *peer_slot(wsi)) != NULL)
			pc->requests++;
		/*
		 * Content-Length says whether a body follows, whatever the method
		 * (RFC 9112 6.3): one continues in HTTP_BODY, the others are complete.
		 */
		cl = http_header(&pss->job->req, "content-length");
		if (cl != NULL && request_content_length(cl, &blen) != 0)
			refuse(wsi, pss, 400, "bad_request", "Content-Length is not a number");
		else if (cl == NULL && (te = http_header(&pss->job->req, "transfer-encoding")) != NULL &&
		    !takes_chunked(wsi, te))
			refuse(wsi, pss, 411, "length_required",
			    "A request body needs a Content-Length or Transfer-Encoding: chunked");
		else if (te != NULL) {
			/* lws reads on without an end: dechunk finds it. */
			pss->chunked = 1;
			pss->dechunk = (struct chunked)CHUNKED_INIT;
			pss->body_cap = 0;
			pss->deadline = now_seconds() + state->o->body_timeout;
		} else if (blen > state->o->max_body) {
			snprintf(msg, sizeof msg, "The request body exceeds the limit of %zu bytes",
			    state->o->max_body);
			refuse(wsi, pss, 413, "payload_too_large", msg);
		} else if (blen == 0)
			dispatch(wsi, pss);
		else
			pss->deadline = now_seconds() + state->o->body_timeout;
		return 0;
	case LWS_CALLBACK_HTTP_BODY:
		/* lws also reports an empty body of a request already dispatched. */
		if (pss->discard)
			return 0;
		if (!pss->receiving)
			return len == 0 ? 0 : -1;
		if (pss->chunked)
			return chunked_body(wsi, pss, in, len);
		if (len > 0 && pss->job->req.body_len == 0 &&
		    body_is_own_head(wsi, &pss->job->req, in, len))
			return -1;	/* closed: the requests before were answered */
		pss->deadline += (double)len / (double)state->o->body_min_rate;
		if (pss->job->req.body_len + len > state->o->max_body)
			pss->too_large = 1;
		if (!pss->too_large) {
			pss->job->req.body = xrealloc(pss->job->req.body,
			    pss->job->req.body_len + len + 1);
			memcpy(pss->job->req.body + pss->job->req.body_len, in, len);
			pss->job->req.body_len += len;
			pss->job->req.body[pss->job->req.body_len] = '\0';
		}
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (pss->receiving) {
			dispatch(wsi, pss);
			return 0;
		}
		/*
		 * Idle ones come once a round while pipelined bytes wait for an
		 * answer to be written; many in one round are lws spinning on a
		 * pipelined body that body_is_own_head() missed: closed.
		 */
		if (pss->spin_round != state->round) {
			pss->spin_round = state->round;
			pss->spins = 0;
		}
		return ++pss->spins > 8 ? -1 : 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return write_response(wsi, pss);
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (pss != NULL && pss->conn != 0) {
			conn_remove(pss->conn);
			pss->conn = 0;
			job_free(pss->job);
			pss->job = NULL;
			free(pss->out);
			pss->out = NULL;
		}
		break;
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		return admit_peer(user);
	case LWS_CALLBACK_WSI_CREATE:
		peer_created(wsi);
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
			peer_destroyed(wsi);	/* user may be another protocol's: not ours to read */
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		deliver();
		break;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		/* The websocket protocol decides (our pss is not its user data). */
		if (state->o->ws_protocol != NULL)
			return state->o->ws_protocol->callback(wsi, reason, NULL, in, len);
		return -1;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols http_protocol =
	{ "http", callback_http, sizeof(struct pss), 0, 0, NULL, 0 };

/*
 * Each websocket holds a descriptor, and lws sizes its tables by the limit
 * at context creation: raise the soft limit to the hard one (capped, as lws
 * allocates per possible descriptor).
 */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536)
		rl.rlim_max = 65536;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn("cannot raise the open file limit: %s", strerror(errno));
	}
}

static void
on_signal(int sig)
{
	(void)sig;
	if (state != NULL) {
		state->stopping = 1;
		lws_cancel_service(state->context);
	}
}

static void
wake_service(void *context)
{
	lws_cancel_service(context);
}

int
http_serve(const struct http_options *o, char *err)
{
	struct lws_context_creation_info info;
	/* The websocket protocol is the default for upgrades naming none. */
	static const struct lws_protocol_vhost_options ws_default = { NULL, NULL, "default", "" };
	struct lws_protocol_vhost_options ws_pvo = { NULL, &ws_default, NULL, "" };
	struct lws_protocols protocols[3];
	struct http_state hs;
	struct sigaction sa;
	const char *lws_log = getenv("AGENTLOGS_SERVER_LWS_LOG");

	memset(&hs, 0, sizeof hs);
	hs.o = o;
	hs.peers = limits_new(0, 1);
	state = &hs;

	hs.service_thread = pthread_self();
	hs.lws_log_levels = lws_log != NULL ? atoi(lws_log) : LLL_ERR;
	watch_lws_log(0);
	memset(&info, 0, sizeof info);
	info.port = o->port;
	info.iface = o->listen_host;
	memset(protocols, 0, sizeof protocols);
	protocols[0] = http_protocol;
	if (o->ws_protocol != NULL) {
		protocols[1] = *o->ws_protocol;
		ws_pvo.name = o->ws_protocol->name;
		info.pvo = &ws_pvo;
	}
	info.protocols = protocols;
	info.max_http_header_data = HEAD_BYTES;
	/* A header slot is taken from the first byte of a request to its answer. */
	info.max_http_header_pool = (unsigned short)(o->header_slots > 65535 ? 65535 :
	    o->header_slots);
	info.timeout_secs_ah_idle = o->header_timeout;	/* from the first byte, not renewed */
	/*
	 * lws' own timeout: for a connection waiting for a header slot, and
	 * between two pieces of a body (sweep_bodies() is the real limit).
	 */
	info.timeout_secs = (unsigned int)(2 * (o->header_timeout + o->body_timeout));
	if (info.timeout_secs < SLOT_WAIT)
		info.timeout_secs = SLOT_WAIT;
	info.keepalive_timeout = o->keepalive_timeout;
	raise_fd_limit();
	/*
	 * The context first, the listening vhost after: when lws_create_context()
	 * itself fails to listen, it leaks what it registered (lws 4.1.6), while
	 * a context destroyed after a failed vhost frees everything.
	 */
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	if ((hs.context = lws_create_context(&info)) == NULL) {
		limits_free(hs.peers);
		state = NULL;
		return seterr(err, "cannot start libwebsockets");
	}
	if (lws_create_vhost(hs.context, &info) == NULL) {
		lws_context_destroy(hs.context);
		limits_free(hs.peers);
		state = NULL;
		return seterr(err, "cannot listen on %s:%d", o->listen_host, o->port);
	}
	fprintf(stderr, "agentlogs-server: serving on http://%s:%d\n", o->listen_host, o->port);
	if ((hs.workers = workers_start(o, wake_service, hs.context, err)) == NULL) {
		lws_context_destroy(hs.context);
		limits_free(hs.peers);
		state = NULL;
		return -1;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	lws_sul_schedule(hs.context, 0, &hs.sweep, sweep_bodies, LWS_US_PER_SEC);
	while (!hs.stopping) {
		if (lws_service(hs.context, 0) < 0)
			break;
		hs.round++;
		if (hs.unparsable.why != UNPARSABLE_NONE) {	/* no connection closed for it */
			hs.unparsable.why = UNPARSABLE_NONE;
			watch_lws_log(0);
		}
	}

	/* Stop taking work, let the workers finish what they hold, then close. */
	workers_stop(hs.workers);
	hs.workers = NULL;
	lws_sul_cancel(&hs.sweep);
	lws_context_destroy(hs.context);
	free(conns);
	conns = NULL;
	nconns = capconns = 0;
	limits_free(hs.peers);
	state = NULL;
	return 0;
}
