/*
 * GitHub login through the cloud's OAuth PKCE flow (ARCHITECTURE §4): a
 * loopback listener on 127.0.0.1 (a free port) receives the browser's
 * redirect with ?code=, which is exchanged with the verifier that never left
 * this process.
 */
#ifndef AL_SYNC_BROWSER_LOGIN_H
#define AL_SYNC_BROWSER_LOGIN_H

#include <stddef.h>

#include "util/strbuf.h"

struct cloud;

struct browser_login_opts {
	int open_browser;	/* 0: only print the URL (--no-browser) */
	int timeout_s;		/* how long to wait for the browser */
};

/*
 * Runs the flow; on success fills token_json with the body of the token
 * answer (for account_finish_login) and returns 0.
 */
int browser_login(struct cloud *c, const struct browser_login_opts *o, struct strbuf *token_json,
    char *err);

#endif
