/*
 * The login to the cloud (struct auth_session: its tokens and user), not to
 * be confused with a Claude Code session (the `sessions` table, rows of
 * store/commits.h), kept in AGENTLOGS_HOME/auth.json (mode 0600, replaced
 * atomically) and its refresh. Refresh tokens rotate: a spent one is refused
 * and revokes the session. So every refresh runs under an exclusive lock on
 * auth.lock and first re-reads auth.json: when another process (the TUI, a
 * daemon, a cron --sync-once) refreshed meanwhile, its tokens are adopted
 * instead of spending the old refresh token a second time.
 */
#ifndef AL_SYNC_AUTH_SESSION_H
#define AL_SYNC_AUTH_SESSION_H

#include <cjson/cJSON.h>

struct cloud;

struct auth_session {
	char *home;		/* the AGENTLOGS_HOME holding auth.json */
	char *url;		/* the cloud the tokens belong to */
	char *access_token;
	char *refresh_token;
	long long expires_at;	/* Unix seconds */
	long long clock_ahead;	/* seconds this machine's clock ran ahead of the cloud's */
	char *user_id;
	char *email;		/* or NULL */
	char *user_name;	/* GitHub login, or NULL */
};

/* 0 loaded, 1 logged out (no auth.json), -1 error (err filled). */
int auth_session_load(const char *home, struct auth_session *s, char *err);
int auth_session_save(const char *home, const struct auth_session *s, char *err);
/* Removes auth.json; 0 also when there was none. */
int auth_session_remove(const char *home, char *err);
void auth_session_free(struct auth_session *s);

/* Fills s from a GoTrue token response ({access_token, refresh_token, expires_at|expires_in, user}). */
int auth_session_from_token_response(struct auth_session *s, const char *url, const cJSON *j, char *err);

/*
 * Refreshes s (and auth.json) under the lock. With `force` 0 it only refreshes
 * when the access token expires within a minute. Sets c's bearer token.
 */
int auth_session_refresh(const char *home, struct auth_session *s, struct cloud *c, int force, char *err);

/*
 * Prepares c for authenticated calls as the person logged in at home: loads
 * the session, refreshes it when due, sets the bearer token and the refresh
 * hook used after a 401. The session must outlive c's use.
 * Returns 1 when logged out ("not logged in" in err), -1 on error (s freed).
 */
int auth_session_attach(const char *home, struct auth_session *s, struct cloud *c, char *err);

#endif
