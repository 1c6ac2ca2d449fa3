/*
 * agentlogs login | signup | logout: open and close the cloud session kept in
 * AGENTLOGS_HOME/auth.json. GitHub login goes through the browser (PKCE);
 * e-mail and password serve self-hosted servers and scripts.
 */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "sync/account.h"
#include "sync/browser-login.h"
#include "sync/cloud.h"
#include "sync/auth-session.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define LOGIN_TIMEOUT 300

enum {
	OPT_EMAIL = 256,
	OPT_PASSWORD_STDIN,
	OPT_NO_BROWSER,
};

static const struct option login_options[] = {
	{ "email", required_argument, NULL, OPT_EMAIL },
	{ "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
	{ "no-browser", no_argument, NULL, OPT_NO_BROWSER },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * One line from fd, a byte at a time with read(2): no stdio buffer keeps a copy
 * of the password behind, and nothing after the line is consumed. Returns -1
 * when the line does not fit (all of it is read all the same).
 */
static int
read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;
	int fits = 1;
	char c;

	while (read(fd, &c, 1) == 1 && c != '\n') {
		if (len + 1 < size)
			buf[len++] = c;
		else
			fits = 0;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\r")] = '\0';
	return fits ? 0 : -1;
}

/*
 * A line from stdin, or from the terminal without echo. The terminal is
 * written and read with write(2) and read(2): one stdio stream both reading
 * and writing would need a flush or seek between the two.
 */
static char *
read_password(int from_stdin, char *err)
{
	char buf[1024], *password;
	struct termios old, quiet;
	int tty = -1, hidden = 0, fits;

	if (from_stdin)
		fits = read_line(STDIN_FILENO, buf, sizeof buf);
	else {
		if ((tty = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1) {
			seterr(err, "no terminal to ask for the password: use --password-stdin");
			return NULL;
		}
		if (write(tty, "Password: ", 10) != 10)
			log_debug("cannot write the password prompt");
		if (tcgetattr(tty, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			hidden = tcsetattr(tty, TCSAFLUSH, &quiet) == 0;
		}
		fits = read_line(tty, buf, sizeof buf);
		if (hidden)
			tcsetattr(tty, TCSAFLUSH, &old);
		if (write(tty, "\n", 1) != 1)
			log_debug("cannot end the password prompt");
		close(tty);
	}
	if (fits != 0) {
		explicit_bzero(buf, sizeof buf);
		seterr(err, "the password is longer than %zu bytes", sizeof buf - 1);
		return NULL;
	}
	if (buf[0] == '\0') {
		seterr(err, "no password given");
		return NULL;
	}
	password = xstrdup(buf);
	explicit_bzero(buf, sizeof buf);
	return password;
}

/* Wipes a secret before its memory goes back to the allocator. */
static void
free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* POST {email, password} to path; the answer's body on 200, else err. */
static int
password_call(struct cloud *c, const char *path, const char *email, const char *password,
    struct cloud_response *r, char *err)
{
	cJSON *body = cJSON_CreateObject(), *secret;
	char *json;
	int rc;

	cJSON_AddStringToObject(body, "email", email);
	secret = cJSON_AddStringToObject(body, "password", password);
	json = cJSON_PrintUnformatted(body);
	explicit_bzero(secret->valuestring, strlen(secret->valuestring));
	cJSON_Delete(body);
	rc = cloud_call(c, "POST", path, json, strlen(json), NULL, r, err);
	free_secret(json);
	if (rc == 0 && r->status != 200)
		rc = cloud_refused(r, NULL, err);
	return rc;
}

static void
print_logged_in(const struct auth_session *s)
{
	printf("Logged in to %s as %s.\n", s->url,
	    s->user_name != NULL ? s->user_name : s->email != NULL ? s->email : s->user_id);
}

static int
login_or_signup(struct cmd_ctx *ctx, const struct cmd_entry *entry, int signup, int argc,
    char **argv)
{
	struct browser_login_opts bo = { 1, LOGIN_TIMEOUT };
	struct cloud_response r = { 0 };
	struct strbuf token = STRBUF_INIT;
	struct auth_session s;
	struct cloud *c;
	const char *email = NULL, *env;
	char err[ERRLEN], *password;
	int opt, from_stdin = 0, rc;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", login_options, NULL)) != -1) {
		switch (opt) {
		case OPT_EMAIL:
			email = optarg;
			break;
		case OPT_PASSWORD_STDIN:
			from_stdin = 1;
			break;
		case OPT_NO_BROWSER:
			bo.open_browser = 0;
			break;
		case 'h':
			cmd_print_usage(entry, stdout);
			printf("\n%s\n", entry->summary);
			return EXIT_OK;
		default:
			return cmd_option_error(entry, argv, opt);
		}
	}
	if (optind < argc)
		return cmd_usage_error(entry, "unexpected argument '%s'", argv[optind]);
	if (signup && email == NULL)
		return cmd_usage_error(entry, "signup needs --email");
	if ((c = account_cloud(ctx->home, err)) == NULL)
		return cmd_fail("%s", err);

	if (email == NULL) {
		/* Tests shorten the wait for the browser. */
		if ((env = getenv("AGENTLOGS_LOGIN_TIMEOUT")) != NULL && atoi(env) > 0)
			bo.timeout_s = atoi(env);
		rc = browser_login(c, &bo, &token, err);
	} else if ((password = read_password(from_stdin, err)) == NULL)
		rc = -1;
	else {
		rc = password_call(c, signup ? "/auth/v1/signup" : "/auth/v1/token?grant_type=password",
		    email, password, &r, err);
		free_secret(password);
		if (rc == 0)
			strbuf_add(&token, r.body.buf, r.body.len);
		cloud_response_free(&r);
	}
	if (rc == 0) {
		cJSON *j = cJSON_ParseWithLength(token.buf, token.len);
		/* A server that confirms e-mail first answers a sign-up with the user only. */
		if (signup && j != NULL && cJSON_GetObjectItemCaseSensitive(j, "access_token") == NULL) {
			printf("Signed up %s: confirm the address, then run agentlogs login --email %s\n",
			    email, email);
			cJSON_Delete(j);
			strbuf_free(&token);
			cloud_free(c);
			return EXIT_OK;
		}
		cJSON_Delete(j);
		rc = account_finish_login(ctx->home, c, token.buf, token.len, &s, err);
		if (rc == 0)
			print_logged_in(&s);
		auth_session_free(&s);
	}
	strbuf_free(&token);
	cloud_free(c);
	if (rc != 0)
		return cmd_fail("%s failed: %s", signup ? "sign-up" : "login", err);
	return EXIT_OK;
}

static int
cmd_login_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return login_or_signup(ctx, &cmd_login_entry, 0, argc, argv);
}

static int
cmd_signup_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return login_or_signup(ctx, &cmd_signup_entry, 1, argc, argv);
}

/* Revokes the session on the server when it can; the tokens go in any case. */
static int
cmd_logout_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct cloud_response r = { 0 };
	struct auth_session s;
	struct cloud *c;
	char err[ERRLEN];
	int rc;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		cmd_print_usage(&cmd_logout_entry, stdout);
		return EXIT_OK;
	}
	if (argc > 1)
		return cmd_usage_error(&cmd_logout_entry, "unexpected argument '%s'", argv[1]);
	if ((rc = auth_session_load(ctx->home, &s, err)) == 1) {
		printf("Not logged in.\n");
		return EXIT_OK;
	}
	if (rc < 0)
		return cmd_fail("%s", err);
	if ((c = account_cloud(ctx->home, err)) != NULL) {
		cloud_set_token(c, s.access_token);
		/*
		 * This machine's session only: GoTrue's default scope (global)
		 * would sign out every machine of the user. 401 and 403
		 * (session_not_found) say it has ended already.
		 */
		if (cloud_call(c, "POST", "/auth/v1/logout?scope=local", NULL, 0, NULL, &r,
		    err) != 0 || (r.status != 204 && r.status != 200 && r.status != 401 &&
		    r.status != 403))
			log_warn("could not end the session on the server; the tokens are removed here");
		cloud_response_free(&r);
		cloud_free(c);
	}
	rc = auth_session_remove(ctx->home, err);
	if (rc == 0)
		printf("Logged out of %s.\n", s.url);
	auth_session_free(&s);
	return rc == 0 ? EXIT_OK : cmd_fail("%s", err);
}

const struct cmd_entry cmd_login_entry = {
	.name = "login",
	.usage = "[--no-browser] | --email EMAIL [--password-stdin]",
	.summary = "log in to the cloud with GitHub (or with an e-mail and password)",
	.exec = cmd_login_exec,
};

const struct cmd_entry cmd_signup_entry = {
	.name = "signup",
	.usage = "--email EMAIL [--password-stdin]",
	.summary = "create an account with an e-mail and password (self-hosted servers)",
	.exec = cmd_signup_exec,
};

const struct cmd_entry cmd_logout_entry = {
	.name = "logout",
	.usage = "",
	.summary = "end this machine's cloud session and remove its tokens",
	.exec = cmd_logout_exec,
};
