/*
 * agentlogs-server: a self-hostable, Supabase-compatible backend for
 * agentlogs: auth, REST, storage and realtime on one port, on PostgreSQL.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "db.h"
#include "jwt.h"
#include "migrate.h"
#include "realtime.h"
#include "server.h"
#include "throttle.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/xmalloc.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: agentlogs-server <command> [settings]\n\n"
	    "Commands:\n"
	    "  serve     serve /auth/v1, /rest/v1, /storage/v1 and /realtime/v1 on one port\n"
	    "  migrate   create what Supabase provides, then apply supabase/migrations once each\n"
	    "  keys      print the anon and service_role API keys (JWTs signed with the secret)\n\n");
	settings_usage(f);
	fprintf(f, "\nSee agentlogs-server(8).\n");
}

/* A file shipped with the server: installed, else in the source tree. */
static char *
data_file(const char *rel)
{
	char *p = xprintf("%s/%s", PKGDATADIR, rel);

	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return xprintf("%s/%s", ABS_TOP_SRCDIR, rel);
}

static int
cmd_migrate(struct settings *s)
{
	char err[ERRLEN], *bootstrap = data_file("server/bootstrap.sql"), *dir;
	PGconn *pg;
	int rc;

	dir = s->migrations_dir != NULL ? xstrdup(s->migrations_dir) :
	    data_file("supabase/migrations");
	if (s->db == NULL) {
		fprintf(stderr, "agentlogs-server: migrate needs --db URL\n");
		rc = 2;
	} else if ((pg = db_connect(s->db, err)) == NULL) {
		fprintf(stderr, "agentlogs-server: %s\n", err);
		rc = 1;
	} else {
		rc = migrate_run(pg, bootstrap, dir, 1, err) == 0 ? 0 : 1;
		if (rc != 0)
			fprintf(stderr, "agentlogs-server: migrate: %s\n", err);
		else
			printf("database is up to date\n");
		PQfinish(pg);
	}
	free(bootstrap);
	free(dir);
	return rc;
}

static int
cmd_keys(struct settings *s)
{
	char err[ERRLEN], *anon, *service;
	long long now = (long long)time(NULL);

	if (settings_read_secret(s, err) != 0) {
		fprintf(stderr, "agentlogs-server: %s\n", err);
		return 1;
	}
	anon = jwt_make_api_key(s->jwt_secret, s->jwt_secret_len, "anon", now);
	service = jwt_make_api_key(s->jwt_secret, s->jwt_secret_len, "service_role", now);
	printf("anon key:         %s\nservice_role key: %s\n", anon, service);
	free(anon);
	free(service);
	return 0;
}

static int
worker_init(struct server *srv, struct worker **out, char *err)
{
	struct worker *w = xcalloc(1, sizeof *w);

	w->srv = srv;
	*out = w;
	/* Down now is no reason to stay down: db_ready() reconnects it. */
	if ((w->pg = db_open(srv->settings.db, err)) == NULL || err[0] != '\0')
		return -1;
	health_note(srv, 1);
	return 0;
}

static void
worker_done(struct worker *w)
{
	if (w == NULL)
		return;
	if (w->pg != NULL)
		PQfinish(w->pg);
	free(w);
}

static void
handle(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	char err[ERRLEN];

	if (w != NULL && db_ready(w->pg, &srv->db_backoff, err) != 0)
		log_debug("%s", err);
	health_note(srv, w != NULL && db_usable(w->pg));
	router_handle(srv, w, req, res);
}

static int
cmd_serve(struct server *srv)
{
	struct settings *s = &srv->settings;
	struct http_options o = { 0 };
	struct realtime *rt;
	char err[ERRLEN];
	int rc = 0;

	if (s->db == NULL) {
		fprintf(stderr, "agentlogs-server: serve needs --db URL\n");
		return 2;
	}
	if (settings_read_secret(s, err) != 0 || paths_ensure_home(s->storage_dir, err) != 0) {
		fprintf(stderr, "agentlogs-server: %s\n", err);
		return 1;
	}
	o.listen_host = s->host;
	o.port = s->port;
	o.workers = (int)s->workers;
	o.hash_workers = (int)s->hash_workers;
	o.max_body = (size_t)s->max_body;
	o.header_timeout = (int)s->header_timeout;
	o.body_timeout = (int)s->body_timeout;
	o.body_min_rate = s->body_min_rate;
	o.keepalive_timeout = (int)s->keepalive_timeout;
	o.max_connections_per_ip = (int)s->max_connections_per_ip;
	o.header_slots = (int)s->header_slots;
	o.handler = handle;
	o.answer_now = router_answer_now;
	o.is_hashing = router_is_hashing;
	o.srv = srv;
	o.worker_init = worker_init;
	o.worker_done = worker_done;
	/* Once, before the workers start: GitHub sign-in calls libcurl on them. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "agentlogs-server: cannot initialise libcurl\n");
		return 1;
	}
	srv->throttle = throttle_new(s->rate_limit_sign_in, s->rate_limit_account);
	rt = realtime_new(srv);
	o.ws_protocol = realtime_protocol(rt);
	if (http_serve(&o, err) != 0) {
		fprintf(stderr, "agentlogs-server: %s\n", err);
		rc = 1;
	}
	realtime_free(rt);
	throttle_free(srv->throttle);
	srv->throttle = NULL;
	curl_global_cleanup();
	if (rc == 0)
		fprintf(stderr, "agentlogs-server: stopped\n");
	return rc;
}

int
main(int argc, char **argv)
{
	struct server srv;
	char err[ERRLEN];
	int rc;

	log_set_progname("agentlogs-server");
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("agentlogs-server %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "serve") != 0 && strcmp(argv[1], "migrate") != 0 &&
	    strcmp(argv[1], "keys") != 0) {
		fprintf(stderr, "agentlogs-server: '%s' is not a command; see --help\n", argv[1]);
		return 2;
	}
	memset(&srv, 0, sizeof srv);
	db_backoff_init(&srv.db_backoff);
	if (settings_load(&srv.settings, argc - 2, argv + 2, err) != 0) {
		fprintf(stderr, "agentlogs-server: %s\n", err);
		settings_free(&srv.settings);
		db_backoff_free(&srv.db_backoff);
		return 2;
	}
	if (strcmp(argv[1], "serve") == 0)
		rc = cmd_serve(&srv);
	else if (strcmp(argv[1], "migrate") == 0)
		rc = cmd_migrate(&srv.settings);
	else
		rc = cmd_keys(&srv.settings);
	settings_free(&srv.settings);
	db_backoff_free(&srv.db_backoff);
	return rc;
}
