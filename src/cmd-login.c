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
#include "sync/session.h"
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

/* A line from stdin, or from the terminal without echo. */
static char *
read_password(int from_stdin, char *err)
{
	char buf[1024];
	struct termios old, quiet;
	FILE *in = stdin;
	int tty = -1, hidden = 0;

	if (!from_stdin) {
		if ((tty = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1 ||
		    (in = fdopen(tty, "r+")) == NULL) {
			if (tty != -1)
				close(tty);
			seterr(err, "no terminal to ask for the password: use --password-stdin");
			return NULL;
		}
		fputs("Password: ", in);
		fflush(in);
		if (tcgetattr(tty, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			hidden = tcsetattr(tty, TCSAFLUSH, &quiet) == 0;
		}
	}
	if (fgets(buf, sizeof buf, in) == NULL)
		buf[0] = '\0';
	if (!from_stdin) {
		if (hidden)
			tcsetattr(tty, TCSAFLUSH, &old);
		fputs("\n", in);
		fclose(in);
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		seterr(err, "no password given");
		return NULL;
	}
	return xstrdup(buf);
}

/* POST {email, password} to path; the answer's body on 200, else err. */
static int
password_call(struct cloud *c, const char *path, const char *email, const char *password,
    struct cloud_response *r, char *err)
{
	cJSON *body = cJSON_CreateObject();
	char *json;
	int rc;

	cJSON_AddStringToObject(body, "email", email);
	cJSON_AddStringToObject(body, "password", password);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	rc = cloud_call(c, "POST", path, json, strlen(json), NULL, r, err);
	free(json);
	if (rc == 0 && r->status != 200)
		rc = cloud_refused(r, NULL, err);
	return rc;
}

static void
print_logged_in(const struct session *s)
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
	struct session s;
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
		free(password);
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
		session_free(&s);
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
	struct session s;
	struct cloud *c;
	char err[ERRLEN];
	int rc;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		cmd_print_usage(&cmd_logout_entry, stdout);
		return EXIT_OK;
	}
	if (argc > 1)
		return cmd_usage_error(&cmd_logout_entry, "unexpected argument '%s'", argv[1]);
	if ((rc = session_load(ctx->home, &s, err)) == 1) {
		printf("Not logged in.\n");
		return EXIT_OK;
	}
	if (rc < 0)
		return cmd_fail("%s", err);
	if ((c = account_cloud(ctx->home, err)) != NULL) {
		cloud_set_token(c, s.access_token);
		if (cloud_call(c, "POST", "/auth/v1/logout", NULL, 0, NULL, &r, err) != 0 ||
		    (r.status != 204 && r.status != 200 && r.status != 401))
			log_warn("could not end the session on the server; the tokens are removed here");
		cloud_response_free(&r);
		cloud_free(c);
	}
	rc = session_remove(ctx->home, err);
	if (rc == 0)
		printf("Logged out of %s.\n", s.url);
	session_free(&s);
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
	.summary = "end the cloud session and remove its tokens from this machine",
	.exec = cmd_logout_exec,
};
