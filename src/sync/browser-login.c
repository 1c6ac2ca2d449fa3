#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "sync/browser-login.h"
#include "sync/cloud.h"
#include "util/base64url.h"
#include "util/log.h"
#include "util/percent.h"
#include "util/random.h"
#include "util/xmalloc.h"

extern char **environ;

static int
listen_loopback(int *port, char *err)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return seterr(err, "cannot open a socket: %s", strerror(errno));
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		seterr(err, "cannot listen on 127.0.0.1: %s", strerror(errno));
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* Starts $BROWSER (else xdg-open) on url without waiting; its pid, or -1. */
static pid_t
open_browser(const char *url)
{
	const char *browser = getenv("BROWSER");
	posix_spawn_file_actions_t fa;
	char *argv[3];
	pid_t pid;

	if (browser == NULL || *browser == '\0')
		browser = "xdg-open";
	argv[0] = (char *)browser;
	argv[1] = (char *)url;
	argv[2] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, browser, &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

static void
reply(int fd, int status, const char *text)
{
	char buf[1024];
	int n = snprintf(buf, sizeof buf,
	    "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	    status, status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request",
	    strlen(text), text);

	if (n > 0 && write(fd, buf, (size_t)n) < 0)
		log_debug("login: the browser went away before the answer");
}

/*
 * Reads one request from the browser. 1 with *code set (or *error set), 0 for
 * a request to ignore (favicon, garbage), -1 on a socket error.
 */
static int
read_callback(int fd, char **code, char **error)
{
	char buf[8192], *path, *sp, *q;
	size_t len = 0;
	struct pollfd p = { fd, POLLIN, 0 };

	buf[0] = '\0';
	while (len < sizeof buf - 1 && strstr(buf, "\r\n\r\n") == NULL) {
		ssize_t n;
		buf[len] = '\0';
		if (poll(&p, 1, 5000) <= 0)
			break;
		if ((n = read(fd, buf + len, sizeof buf - 1 - len)) <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	buf[len] = '\0';
	if (strncmp(buf, "GET ", 4) != 0 || (sp = strchr(buf + 4, ' ')) == NULL) {
		reply(fd, 400, "Bad request.");
		return 0;
	}
	*sp = '\0';
	path = buf + 4;
	q = strchr(path, '?');
	if (q != NULL)
		*q++ = '\0';
	if (strcmp(path, "/callback") != 0 || q == NULL) {
		reply(fd, 404, "Not found.");
		return 0;
	}
	*code = percent_query_value(q, "code");
	if (*code == NULL) {
		char *e = percent_query_value(q, "error_description");
		*error = e != NULL ? e : percent_query_value(q, "error");
		if (*error == NULL)
			*error = xstrdup("the sign-in page returned neither a code nor an error");
		reply(fd, 400, "<html><body><h1>agentlogs: login failed</h1>"
		    "<p>See your terminal.</p></body></html>");
		return 1;
	}
	reply(fd, 200, "<html><body><h1>Logged in to agentlogs</h1>"
	    "<p>You can close this tab and return to the terminal.</p></body></html>");
	return 1;
}

static int
wait_for_code(int lfd, int timeout_s, char **code, char *err)
{
	time_t deadline = time(NULL) + timeout_s;
	char *error = NULL;

	for (;;) {
		struct pollfd p = { lfd, POLLIN, 0 };
		long left = (long)(deadline - time(NULL));
		int cfd, rc;

		if (left <= 0)
			return seterr(err, "login timed out after %d s without an answer from the browser",
			    timeout_s);
		if (poll(&p, 1, (int)(left > 1000 ? 1000000 : left * 1000)) <= 0)
			continue;
		if ((cfd = accept(lfd, NULL, NULL)) < 0)
			continue;
		rc = read_callback(cfd, code, &error);
		close(cfd);
		if (rc == 1 && *code != NULL)
			return 0;
		if (rc == 1) {
			seterr(err, "login refused: %s", error);
			free(error);
			return -1;
		}
	}
}

int
browser_login(struct cloud *c, const struct browser_login_opts *o, struct strbuf *token_json,
    char *err)
{
	unsigned char raw[32], digest[SHA256_DIGEST_LENGTH];
	char verifier[64], challenge[64], redirect[64], *url, *code = NULL, *b64;
	struct cloud_response r = { 0 };
	struct strbuf esc = STRBUF_INIT;
	pid_t browser = -1;
	int lfd, port = 0, rc;	/* set by listen_loopback; gcc 12 -O2 cannot see it */
	cJSON *body;
	char *json;

	if (random_bytes(raw, sizeof raw) != 0)
		return seterr(err, "cannot draw random bytes for the login");
	/* RFC 7636 §4: the verifier and its S256 challenge, base64url without padding. */
	b64 = base64url_encode(raw, sizeof raw);
	snprintf(verifier, sizeof verifier, "%s", b64);
	free(b64);
	SHA256((const unsigned char *)verifier, strlen(verifier), digest);
	b64 = base64url_encode(digest, sizeof digest);
	snprintf(challenge, sizeof challenge, "%s", b64);
	free(b64);

	if ((lfd = listen_loopback(&port, err)) < 0)
		return -1;
	snprintf(redirect, sizeof redirect, "http://127.0.0.1:%d/callback", port);
	percent_encode(&esc, redirect, strlen(redirect), NULL);
	url = xprintf("%s/auth/v1/authorize?provider=github&redirect_to=%s"
	    "&code_challenge=%s&code_challenge_method=s256", cloud_url(c), esc.buf, challenge);
	strbuf_free(&esc);

	if (o->open_browser && (browser = open_browser(url)) > 0)
		fprintf(stderr, "Opening your browser to log in with GitHub. If it does not open, "
		    "visit:\n\n  %s\n\n", url);
	else
		fprintf(stderr, "To log in with GitHub, open this address in a browser on this "
		    "machine:\n\n  %s\n\n", url);
	fprintf(stderr, "Waiting for the browser (up to %d s)...\n", o->timeout_s);
	rc = wait_for_code(lfd, o->timeout_s, &code, err);
	close(lfd);
	free(url);
	if (browser > 0)
		waitpid(browser, NULL, WNOHANG);
	if (rc != 0)
		return -1;

	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "auth_code", code);
	cJSON_AddStringToObject(body, "code_verifier", verifier);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	free(code);
	rc = cloud_call(c, "POST", "/auth/v1/token?grant_type=pkce", json, strlen(json), NULL, &r,
	    err);
	free(json);
	if (rc == 0 && r.status != 200)
		rc = cloud_refused(&r, "the cloud refused the login code", err);
	if (rc == 0)
		strbuf_add(token_json, r.body.buf, r.body.len);
	cloud_response_free(&r);
	return rc;
}
