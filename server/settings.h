/*
 * agentlogs-server's settings: one table, filled from a config file, then
 * the environment (AGENTLOGS_SERVER_<NAME>), then the command line
 * (--<name> VALUE), each overriding the one before.
 */
#ifndef AL_SERVER_SETTINGS_H
#define AL_SERVER_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

struct settings {
	char *db;			/* libpq connection string or URL */
	char *listen;			/* host:port */
	char *jwt_secret_file;
	char *storage_dir;
	char *migrations_dir;
	char *site_url;			/* where the OAuth flow ends when redirect_to is missing */
	char *redirect_allow;		/* comma-separated URL prefixes; loopback always allowed */
	char *github_authorize_url;
	char *github_token_url;
	char *github_api_url;
	char *github_client_id;
	char *github_client_secret;
	char *public_url;		/* this server's own URL, for the OAuth callback */
	long workers;
	long hash_workers;		/* workers for sign-ins only */
	long max_body;			/* bytes */
	long max_user_metadata;		/* bytes of a body's data (user_metadata) */
	long header_timeout;		/* seconds */
	long body_timeout;		/* seconds, plus 1 per body_min_rate bytes */
	long body_min_rate;		/* bytes a second */
	long keepalive_timeout;		/* seconds */
	long max_connections_per_ip;
	long header_slots;
	long rate_limit_sign_in;	/* per IP in 5 minutes */
	long rate_limit_account;	/* per account in 5 minutes */
	long access_token_ttl;		/* seconds */
	long realtime_idle_timeout;	/* seconds a websocket may stay silent */
	long realtime_presence_interval;	/* seconds between presence announcements */
	/* Derived. */
	char *host;
	int port;
	unsigned char *jwt_secret;
	size_t jwt_secret_len;
};

/* Parses argv (after the subcommand) into s; returns -1 with err filled. */
int settings_load(struct settings *s, int argc, char **argv, char *err);
/* Reads the JWT secret file (required for serve and keys). */
int settings_read_secret(struct settings *s, char *err);
void settings_free(struct settings *s);
void settings_usage(FILE *f);

#endif
