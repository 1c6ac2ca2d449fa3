#include "config.h"

#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sync/cloud.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define TRIES 5
#define MAX_DELAY_MS 8000
#define ABORT_POLL_MS 50	/* how soon a raised abort flag is noticed */

struct cloud {
	char *url;		/* without a trailing slash */
	char *anon_key;
	char *token;
	CURL *curl;
	CURLM *multi;		/* drives curl, so a transfer can be given up at once */
	const atomic_int *abort;	/* or NULL */
	cloud_refresh_fn refresh;
	void *refresh_arg;
	struct cloud_stats stats;
	long base_delay_ms;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct cloud *
cloud_new(const char *url, const char *anon_key, char *err)
{
	struct cloud *c;
	const char *env;
	size_t n;

	if (url == NULL || *url == '\0') {
		seterr(err, "no cloud configured: set cloud.url (agentlogs config set cloud.url URL)");
		return NULL;
	}
	if (anon_key == NULL || *anon_key == '\0') {
		seterr(err, "no cloud API key: set cloud.anon-key (agentlogs config set cloud.anon-key KEY)");
		return NULL;
	}
	pthread_once(&curl_once, curl_init_once);
	c = xcalloc(1, sizeof *c);
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	c->url = xstrndup(url, n);
	c->anon_key = xstrdup(anon_key);
	c->base_delay_ms = 250;
	/* Tests shorten the backoff; the policy stays the same. */
	if ((env = getenv("AGENTLOGS_RETRY_BASE_MS")) != NULL && atol(env) >= 0)
		c->base_delay_ms = atol(env);
	if ((c->curl = curl_easy_init()) == NULL || (c->multi = curl_multi_init()) == NULL) {
		cloud_free(c);
		seterr(err, "cannot start the HTTP client");
		return NULL;
	}
	return c;
}

void
cloud_free(struct cloud *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	free(c->url);
	free(c->anon_key);
	free(c->token);
	free(c);
}

const char *
cloud_url(const struct cloud *c)
{
	return c->url;
}

void
cloud_set_token(struct cloud *c, const char *token)
{
	free(c->token);
	c->token = token != NULL ? xstrdup(token) : NULL;
}

void
cloud_set_refresh(struct cloud *c, cloud_refresh_fn fn, void *arg)
{
	c->refresh = fn;
	c->refresh_arg = arg;
}

const struct cloud_stats *
cloud_stats(const struct cloud *c)
{
	return &c->stats;
}

void
cloud_set_abort(struct cloud *c, const atomic_int *flag)
{
	c->abort = flag;
}

int
cloud_aborted(const struct cloud *c)
{
	return c->abort != NULL && atomic_load(c->abort) != 0;
}

void
cloud_response_free(struct cloud_response *r)
{
	strbuf_free(&r->body);
	free(r->content_range);
	free(r->location);
	memset(r, 0, sizeof *r);
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	strbuf_add(arg, data, size * n);
	return size * n;
}

struct header_state {
	struct cloud_response *r;
	long retry_after;	/* seconds, or -1 */
};

static char *
header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name), end;

	if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	line += nl + 1;
	len -= nl + 1;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	for (end = len; end > 0 && (line[end - 1] == '\r' || line[end - 1] == '\n'); end--)
		;
	return xstrndup(line, end);
}

/*
 * Retry-After in seconds (an HTTP date counts as none, -1). Capped at the
 * longest backoff: a huge value must not overflow once made milliseconds.
 */
static long
retry_after_seconds(const char *v)
{
	char *end;
	long s;

	errno = 0;
	s = strtol(v, &end, 10);
	if (end == v || s < 0)
		return -1;
	if (errno == ERANGE || s > MAX_DELAY_MS / 1000)
		return MAX_DELAY_MS / 1000;
	return s;
}

static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct header_state *hs = arg;
	size_t len = size * n;
	char *v;

	if ((v = header_value(data, len, "content-range")) != NULL) {
		free(hs->r->content_range);
		hs->r->content_range = v;
	} else if ((v = header_value(data, len, "location")) != NULL) {
		free(hs->r->location);
		hs->r->location = v;
	} else if ((v = header_value(data, len, "retry-after")) != NULL) {
		hs->retry_after = retry_after_seconds(v);
		free(v);
	}
	return len;
}

/* A backoff wait, cut short when the abort flag goes up. Returns -1 then. */
static int
pause_ms(const struct cloud *c, long ms)
{
	struct timespec ts;
	long step;

	while (ms > 0) {
		if (cloud_aborted(c))
			return -1;
		step = ms < ABORT_POLL_MS ? ms : ABORT_POLL_MS;
		ts.tv_sec = 0;
		ts.tv_nsec = step * 1000000L;
		while (nanosleep(&ts, &ts) != 0)
			;
		ms -= step;
	}
	return cloud_aborted(c) ? -1 : 0;
}

/* libcurl's progress callback: non-zero makes it give the transfer up. */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return cloud_aborted(arg);
}

/*
 * curl_easy_perform, but on the multi handle, waking every ABORT_POLL_MS to
 * look at the abort flag: the progress callback alone may not run for a
 * second while a server says nothing.
 */
static CURLcode
perform(struct cloud *c)
{
	CURLcode rc = CURLE_OK;
	CURLMcode mc;
	CURLMsg *m;
	int running, left, done = 0;

	if ((mc = curl_multi_add_handle(c->multi, c->curl)) != CURLM_OK)
		return CURLE_FAILED_INIT;
	while (!done) {
		if ((mc = curl_multi_perform(c->multi, &running)) != CURLM_OK) {
			rc = CURLE_FAILED_INIT;
			break;
		}
		while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
			if (m->msg == CURLMSG_DONE && m->easy_handle == c->curl) {
				rc = m->data.result;
				done = 1;
			}
		}
		if (done)
			break;
		if (cloud_aborted(c)) {
			rc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
		if ((mc = curl_multi_poll(c->multi, NULL, 0, ABORT_POLL_MS, NULL)) != CURLM_OK) {
			rc = CURLE_FAILED_INIT;
			break;
		}
	}
	curl_multi_remove_handle(c->multi, c->curl);
	return rc;
}

/* Exponential backoff with full jitter: a random wait in [d/2, d]. */
static long
backoff_ms(const struct cloud *c, int attempt, long retry_after)
{
	long d = c->base_delay_ms << (attempt < 10 ? attempt : 10);

	if (d > MAX_DELAY_MS)
		d = MAX_DELAY_MS;
	if (d > 0)
		d = d / 2 + (long)((unsigned long)random() % (unsigned long)(d / 2 + 1));
	if (retry_after > 0 && retry_after * 1000 > d)
		d = retry_after * 1000 < MAX_DELAY_MS ? retry_after * 1000 : MAX_DELAY_MS;
	return d;
}

static int
has_header(const char *const *headers, const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		if (strncasecmp(headers[i], name, n) == 0 && headers[i][n] == ':')
			return 1;
	}
	return 0;
}

static int
perform_once(struct cloud *c, const char *method, const char *path, const char *body,
    size_t body_len, const char *const *headers, struct cloud_response *r, long *retry_after,
    char *curl_err)
{
	struct curl_slist *h = NULL;
	struct header_state hs = { r, -1 };
	char *url = xprintf("%s%s", c->url, path), *line;
	curl_off_t up = 0, down = 0;
	CURLcode rc;
	size_t i;

	cloud_response_free(r);
	curl_easy_reset(c->curl);
	line = xprintf("apikey: %s", c->anon_key);
	h = curl_slist_append(h, line);
	free(line);
	if (c->token != NULL) {
		line = xprintf("Authorization: Bearer %s", c->token);
		h = curl_slist_append(h, line);
		free(line);
	}
	if (body != NULL && !has_header(headers, "content-type"))
		h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		h = curl_slist_append(h, headers[i]);

	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &hs);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	/* A stalled connection fails instead of hanging the sync. */
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
	if (body != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	} else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	curl_err[0] = '\0';
	rc = perform(c);
	c->stats.requests++;
	if (curl_easy_getinfo(c->curl, CURLINFO_SIZE_UPLOAD_T, &up) == CURLE_OK)
		c->stats.bytes_sent += (double)up;
	if (curl_easy_getinfo(c->curl, CURLINFO_SIZE_DOWNLOAD_T, &down) == CURLE_OK)
		c->stats.bytes_received += (double)down;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	else {
		r->status = 0;
		if (curl_err[0] == '\0')
			snprintf(curl_err, CURL_ERROR_SIZE, "%s", curl_easy_strerror(rc));
	}
	*retry_after = hs.retry_after;
	curl_slist_free_all(h);
	free(url);
	return rc == CURLE_OK ? 0 : -1;
}

int
cloud_call(struct cloud *c, const char *method, const char *path, const char *body,
    size_t body_len, const char *const *headers, struct cloud_response *r, char *err)
{
	char curl_err[CURL_ERROR_SIZE];
	int attempt, refreshed = 0;
	long retry_after;

	for (attempt = 0;; attempt++) {
		int ok;

		if (cloud_aborted(c))
			return seterr(err, "%s %s: cancelled", method, path);
		ok = perform_once(c, method, path, body, body_len, headers, r, &retry_after,
		    curl_err) == 0;

		if (!ok && cloud_aborted(c)) {
			r->status = 0;
			return seterr(err, "%s %s: cancelled", method, path);
		}
		if (ok && r->status == 401 && c->token != NULL && c->refresh != NULL &&
		    !refreshed) {
			char rerr[ERRLEN];
			refreshed = 1;
			if (c->refresh(c, c->refresh_arg, rerr) == 0) {
				attempt--;
				continue;
			}
			if (cloud_aborted(c))
				return seterr(err, "%s %s: cancelled", method, path);
			/*
			 * The refresh's error says why (a session the cloud has
			 * ended: log in again), the 401 only that the token is
			 * refused.
			 */
			r->status = 0;
			return seterr(err, "%s", rerr);
		}
		if (ok && r->status != 429 && r->status < 500)
			return 0;
		if (attempt + 1 >= TRIES) {
			if (ok) {
				char msg[256];
				cloud_describe_error(r, msg, sizeof msg);
				return seterr(err, "%s answered %s (gave up after %d tries)", c->url,
				    msg, TRIES);
			}
			return seterr(err, "cannot reach %s: %s (gave up after %d tries)", c->url,
			    curl_err, TRIES);
		}
		c->stats.retries++;
		log_debug("%s %s: %s; retrying", method, path,
		    ok ? "server busy or failing" : curl_err);
		if (pause_ms(c, backoff_ms(c, attempt, retry_after)) != 0)
			return seterr(err, "%s %s: cancelled", method, path);
	}
}

void
cloud_describe_error(const struct cloud_response *r, char *buf, size_t size)
{
	static const char *const keys[] = { "message", "msg", "error_description", "error" };
	cJSON *j = r->body.len > 0 ? cJSON_ParseWithLength(r->body.buf, r->body.len) : NULL;
	size_t i;

	for (i = 0; j != NULL && i < sizeof keys / sizeof keys[0]; i++) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, keys[i]);
		if (cJSON_IsString(m) && m->valuestring[0] != '\0') {
			snprintf(buf, size, "HTTP %ld: %s", r->status, m->valuestring);
			cJSON_Delete(j);
			return;
		}
	}
	cJSON_Delete(j);
	snprintf(buf, size, "HTTP %ld", r->status);
}

int
cloud_refused(const struct cloud_response *r, const char *what, char *err)
{
	char msg[256];

	cloud_describe_error(r, msg, sizeof msg);
	if (what == NULL)
		return seterr(err, "%s", msg);
	return seterr(err, "%s: %s", what, msg);
}
