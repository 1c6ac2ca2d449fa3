/*
 * libFuzzer target: the HTTP layer itself (server/http.c and workers.c on
 * libwebsockets), serving in this process on a loopback port, fed each input
 * over one connection as a client would send it: several requests pipelined
 * back to back, in pieces, slowly.
 *
 * The input is cut into pieces at each "\n~": each piece is sent on its own;
 * a piece that starts with a digit d waits d milliseconds first (a slow
 * client). After the last piece the client half-closes and reads what comes
 * for a moment. Beyond not crashing (ASan, UBSan), the server must then
 * answer a GET /health on a new connection within 3 s: a stalled service
 * thread (lws 4.1 spun forever on a pipelined body) aborts.
 *
 * The handler answers every request 200 with its method and body length, so
 * no database is needed.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int port;

static void
echo(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	char json[128];

	(void)srv;
	(void)w;
	snprintf(json, sizeof json, "{\"method\":\"%s\",\"body\":%zu}", req->method, req->body_len);
	http_set_json(res, 200, json);
}

static void *
serve(void *arg)
{
	struct http_options o;
	char err[ERRLEN];

	(void)arg;
	memset(&o, 0, sizeof o);
	o.listen_host = "127.0.0.1";
	o.port = port;
	o.workers = 2;
	o.max_body = 65536;
	o.header_timeout = 2;
	o.body_timeout = 2;
	o.body_min_rate = 500;
	o.keepalive_timeout = 2;
	o.max_connections_per_ip = 1 << 20;
	o.header_slots = 256;
	o.handler = echo;
	if (http_serve(&o, err) != 0) {
		fprintf(stderr, "fuzz-http: %s\n", err);
		abort();
	}
	return NULL;
}

static int
dial(int timeout_ms)
{
	struct sockaddr_in a;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A free loopback port, then the server on it, once. */
static void
start(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	pthread_t t;
	int fd = socket(AF_INET, SOCK_STREAM, 0), i;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		abort();
	port = ntohs(a.sin_port);
	close(fd);
	if (pthread_create(&t, NULL, serve, NULL) != 0)
		abort();
	for (i = 0; i < 500; i++) {
		if ((fd = dial(1000)) >= 0) {
			close(fd);
			return;
		}
		usleep(10000);
	}
	abort();
}

static int
healthy(void)
{
	static const char req[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
	char buf[512];
	ssize_t n;
	int fd = dial(3000), ok;

	if (fd < 0)
		return 0;
	ok = send(fd, req, sizeof req - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof req - 1) &&
	    (n = recv(fd, buf, sizeof buf - 1, 0)) > 12 && memcmp(buf, "HTTP/1.1 200", 12) == 0;
	close(fd);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *cut;
	char buf[4096];
	int fd;

	if (port == 0)
		start();
	if ((fd = dial(200)) < 0)
		abort();
	while (p < end) {
		cut = memmem(p, (size_t)(end - p), "\n~", 2);
		if (cut == NULL)
			cut = end;
		if (p < cut && *p >= '0' && *p <= '9') {
			usleep((useconds_t)(*p - '0') * 1000);
			p++;
		}
		if (cut > p && send(fd, p, (size_t)(cut - p), MSG_NOSIGNAL) < 0)
			break;	/* the server closed it: fine */
		p = cut < end ? cut + 2 : end;
	}
	shutdown(fd, SHUT_WR);
	while (recv(fd, buf, sizeof buf, 0) > 0)
		;	/* until the server closes, or 200 ms of silence */
	close(fd);
	if (!healthy()) {
		fprintf(stderr, "fuzz-http: GET /health unanswered after this input\n");
		abort();
	}
	return 0;
}
