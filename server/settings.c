#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "settings.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum kind { TEXT, NUMBER };

/* Every setting once: its name, where it lives, its default and what it means. */
static const struct setting {
	const char *name;
	enum kind kind;
	size_t offset;
	const char *def;
	const char *help;
} table[] = {
	{ "db", TEXT, offsetof(struct settings, db), NULL,
	  "PostgreSQL connection URL (required)" },
	{ "listen", TEXT, offsetof(struct settings, listen), "127.0.0.1:54321",
	  "address and port to serve on" },
	{ "jwt-secret-file", TEXT, offsetof(struct settings, jwt_secret_file), NULL,
	  "file holding the JWT signing secret (required to serve)" },
	{ "storage-dir", TEXT, offsetof(struct settings, storage_dir), "./storage",
	  "directory for stored objects" },
	{ "migrations-dir", TEXT, offsetof(struct settings, migrations_dir), NULL,
	  "the supabase/migrations directory (default: installed or source copy)" },
	{ "site-url", TEXT, offsetof(struct settings, site_url), "http://127.0.0.1:54321",
	  "where an OAuth flow without redirect_to ends" },
	{ "redirect-allow", TEXT, offsetof(struct settings, redirect_allow), "",
	  "comma-separated redirect URLs allowed besides site-url and loopback (prefixes, or globs with * and **)" },
	{ "github-authorize-url", TEXT, offsetof(struct settings, github_authorize_url),
	  "https://github.com/login/oauth/authorize", "GitHub's OAuth authorize URL" },
	{ "github-token-url", TEXT, offsetof(struct settings, github_token_url),
	  "https://github.com/login/oauth/access_token", "GitHub's OAuth token URL" },
	{ "github-api-url", TEXT, offsetof(struct settings, github_api_url),
	  "https://api.github.com", "GitHub's API base URL" },
	{ "github-client-id", TEXT, offsetof(struct settings, github_client_id), "",
	  "the GitHub OAuth app's client id" },
	{ "github-client-secret", TEXT, offsetof(struct settings, github_client_secret), "",
	  "the GitHub OAuth app's client secret" },
	{ "public-url", TEXT, offsetof(struct settings, public_url), NULL,
	  "this server's URL as clients reach it (default http://LISTEN)" },
	{ "workers", NUMBER, offsetof(struct settings, workers), "8",
	  "worker threads, each with its own database connection" },
	{ "hash-workers", NUMBER, offsetof(struct settings, hash_workers), "2",
	  "more worker threads, only for sign-ups and password sign-ins (Argon2 hashing)" },
	{ "max-body", NUMBER, offsetof(struct settings, max_body), "52428800",
	  "largest request body in bytes (413 beyond)" },
	{ "max-user-metadata", NUMBER, offsetof(struct settings, max_user_metadata), "16384",
	  "largest user_metadata (data) of a sign-up or PUT /user in bytes (400 beyond)" },
	{ "header-timeout", NUMBER, offsetof(struct settings, header_timeout), "10",
	  "seconds a client has to send a request's headers" },
	{ "body-timeout", NUMBER, offsetof(struct settings, body_timeout), "20",
	  "seconds a client has to send a request body, plus 1 per body-min-rate bytes (408 beyond)" },
	{ "body-min-rate", NUMBER, offsetof(struct settings, body_min_rate), "500",
	  "bytes a second a body must average to earn more than body-timeout" },
	{ "keepalive-timeout", NUMBER, offsetof(struct settings, keepalive_timeout), "5",
	  "seconds an idle connection stays open between requests" },
	{ "max-connections-per-ip", NUMBER, offsetof(struct settings, max_connections_per_ip), "256",
	  "connections one address may hold open; more are closed at once" },
	{ "header-slots", NUMBER, offsetof(struct settings, header_slots), "1024",
	  "requests read or served at once (each holds 8 KiB for headers); more wait" },
	{ "rate-limit-sign-in", NUMBER, offsetof(struct settings, rate_limit_sign_in), "30",
	  "sign-ups and password sign-ins per IP address in 5 minutes (429 beyond)" },
	{ "rate-limit-account", NUMBER, offsetof(struct settings, rate_limit_account), "10",
	  "password sign-ins per account in 5 minutes (429 beyond)" },
	{ "access-token-ttl", NUMBER, offsetof(struct settings, access_token_ttl), "3600",
	  "lifetime of access tokens in seconds" },
	{ "realtime-idle-timeout", NUMBER, offsetof(struct settings, realtime_idle_timeout), "60",
	  "seconds a realtime websocket may send nothing before it is closed" },
	{ "realtime-presence-interval", NUMBER, offsetof(struct settings, realtime_presence_interval),
	  "15", "seconds between a server's announcements of its presences to the others "
	  "(theirs leave after 3 without)" },
};

#define NSETTINGS (sizeof table / sizeof table[0])

static int
assign(struct settings *s, const struct setting *t, const char *value, const char *where,
    char *err)
{
	char *end;
	long v;

	if (t->kind == NUMBER) {
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < 1)
			return seterr(err, "%s: %s must be a positive number, not '%s'", where,
			    t->name, value);
		*(long *)((char *)s + t->offset) = v;
		return 0;
	}
	free(*(char **)((char *)s + t->offset));
	*(char **)((char *)s + t->offset) = xstrdup(value);
	return 0;
}

static const struct setting *
find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		if (strlen(table[i].name) == len && strncmp(table[i].name, name, len) == 0)
			return &table[i];
	}
	return NULL;
}

/* key = value lines, # comments. */
static int
load_file(struct settings *s, const char *path, char *err)
{
	FILE *f = fopen(path, "r");
	char line[4096], where[600], *p, *eq, *k, *v, *e;
	const struct setting *t;
	int n = 0;

	if (f == NULL)
		return seterr(err, "cannot read %s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		n++;
		snprintf(where, sizeof where, "%s:%d", path, n);
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			fclose(f);
			return seterr(err, "%s: expected 'name = value'", where);
		}
		for (e = eq; e > p && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		k = p;
		for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
			;
		if ((t = find(k, (size_t)(e - k))) == NULL) {
			fclose(f);
			return seterr(err, "%s: unknown setting '%.*s'", where, (int)(e - k), k);
		}
		if (assign(s, t, v, where, err) != 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

void
settings_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Settings (--NAME VALUE, or AGENTLOGS_SERVER_NAME, or NAME = VALUE in --config FILE):\n");
	for (i = 0; i < NSETTINGS; i++)
		fprintf(f, "  --%-22s %s%s%s%s\n", table[i].name, table[i].help,
		    table[i].def != NULL && *table[i].def != '\0' ? " (default " : "",
		    table[i].def != NULL && *table[i].def != '\0' ? table[i].def : "",
		    table[i].def != NULL && *table[i].def != '\0' ? ")" : "");
}

int
settings_load(struct settings *s, int argc, char **argv, char *err)
{
	const struct setting *t;
	char env[128], *v, *colon;
	const char *config = NULL;
	size_t i, j;
	int a;

	memset(s, 0, sizeof *s);
	for (i = 0; i < NSETTINGS; i++) {
		if (table[i].def != NULL)
			assign(s, &table[i], table[i].def, "default", err);
	}
	for (a = 0; a < argc; a++) {
		if (strcmp(argv[a], "--config") == 0 && a + 1 < argc)
			config = argv[++a];
	}
	if (config == NULL)
		config = getenv("AGENTLOGS_SERVER_CONFIG");
	if (config != NULL && *config != '\0' && load_file(s, config, err) != 0)
		return -1;
	for (i = 0; i < NSETTINGS; i++) {
		snprintf(env, sizeof env, "AGENTLOGS_SERVER_%s", table[i].name);
		for (j = 0; env[j] != '\0'; j++)
			env[j] = env[j] == '-' ? '_' : (char)((env[j] >= 'a' && env[j] <= 'z') ? env[j] - 32 : env[j]);
		if ((v = getenv(env)) != NULL && *v != '\0' &&
		    assign(s, &table[i], v, env, err) != 0)
			return -1;
	}
	for (a = 0; a < argc; a++) {
		if (strcmp(argv[a], "--config") == 0) {
			a++;
			continue;
		}
		if (strncmp(argv[a], "--", 2) != 0)
			return seterr(err, "unexpected argument '%s'", argv[a]);
		v = strchr(argv[a], '=');
		t = find(argv[a] + 2, v != NULL ? (size_t)(v - argv[a] - 2) : strlen(argv[a] + 2));
		if (t == NULL)
			return seterr(err, "unknown option '%s'", argv[a]);
		if (v == NULL) {
			if (a + 1 >= argc)
				return seterr(err, "option '%s' needs a value", argv[a]);
			v = argv[++a];
		} else
			v++;
		if (assign(s, t, v, argv[a], err) != 0)
			return -1;
	}
	if ((colon = strrchr(s->listen, ':')) == NULL)
		return seterr(err, "listen: expected HOST:PORT, not '%s'", s->listen);
	s->host = xstrndup(s->listen, (size_t)(colon - s->listen));
	s->port = atoi(colon + 1);
	if (s->port <= 0 || s->port > 65535)
		return seterr(err, "listen: bad port in '%s'", s->listen);
	if (s->public_url == NULL)
		s->public_url = xprintf("http://%s", s->listen);
	return 0;
}

int
settings_read_secret(struct settings *s, char *err)
{
	FILE *f;
	char buf[4096];
	size_t n;
	struct stat st;

	if (s->jwt_secret_file == NULL)
		return seterr(err, "no JWT secret: give --jwt-secret-file FILE");
	if ((f = fopen(s->jwt_secret_file, "r")) == NULL)
		return seterr(err, "cannot read %s: %s", s->jwt_secret_file, strerror(errno));
	/* Anyone who reads the secret can mint tokens for every user, as ssh keys. */
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0) {
		fclose(f);
		return seterr(err, "%s: the JWT secret must not be readable by others "
		    "(chmod 600 %s)", s->jwt_secret_file, s->jwt_secret_file);
	}
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	if (n < 32)
		return seterr(err, "%s: the JWT secret must be at least 32 bytes",
		    s->jwt_secret_file);
	s->jwt_secret = xmalloc(n);
	memcpy(s->jwt_secret, buf, n);
	s->jwt_secret_len = n;
	return 0;
}

void
settings_free(struct settings *s)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		if (table[i].kind == TEXT)
			free(*(char **)((char *)s + table[i].offset));
	}
	free(s->host);
	free(s->jwt_secret);
	memset(s, 0, sizeof *s);
}
