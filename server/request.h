/*
 * What a client sent, read without I/O: percent-decoding, the query string,
 * headers, the API key and bearer token, and the path. http.c fills a struct
 * http_request from libwebsockets with these and the handlers read it with
 * them; being pure code, unit tests and the fuzzer reach every byte of it.
 */
#ifndef AL_SERVER_REQUEST_H
#define AL_SERVER_REQUEST_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "http.h"
#include "util/strbuf.h"

/*
 * Appends to sb one query argument as libwebsockets hands it over (split at
 * '&' and already decoded, NULs included), encoded again: the first '=' stays
 * the separator, every byte outside [A-Za-z0-9-._~,().*:!] becomes %XX. So a
 * "%26" sent in a value never reads as a separator once the arguments are
 * joined with '&', and percent_decode() gives back exactly the bytes sent.
 */
void request_query_append(struct strbuf *sb, const char *arg, size_t len);

/*
 * query without the parameter name (every occurrence), as a new string:
 * Supabase's gateway takes the apikey parameter out before PostgREST sees it.
 */
char *request_query_without(const char *query, const char *name);

/*
 * Adds a header to r: the name lower-cased, the value taken over with the
 * spaces and tabs around it removed.
 */
void request_add_header(struct http_request *r, const char *name, char *value);

/*
 * The token of an Authorization value in the Bearer scheme (the scheme's case
 * ignored, the spaces after it skipped; header values come trimmed): a
 * pointer into authorization, "" when the token is missing. NULL for no
 * value or another scheme.
 */
const char *request_bearer(const char *authorization);

/*
 * The API key: the apikey header, else the apikey query parameter (the
 * realtime websocket sends it so). Newly allocated, or NULL when neither.
 */
char *request_apikey(const struct http_request *req);

/*
 * Normalises an absolute path in place: empty and "." segments dropped, ".."
 * removes the segment before it (never above the root), so "//rest/./v1/"
 * is "/rest/v1/". A trailing '/' stays: "/rest/v1/turns/" names no table.
 * Returns -1 (path untouched) when path does not start with '/'.
 */
int request_path_normalise(char *path);

/*
 * Whether path is prefix or lies below it ("/rest/v1" and "/rest/v1/turns",
 * not "/rest/v10"); *rest is then what follows the prefix ("" or "/...").
 */
int request_path_prefix(const char *path, const char *prefix, const char **rest);

/*
 * A Content-Length value: 1 to 19 decimal digits and nothing else (a sign,
 * a second value or trailing junk would let client and server disagree on
 * where the body ends). Returns 0 and sets *len, or -1.
 */
int request_content_length(const char *value, unsigned long long *len);

/*
 * s for one line of a log: spaces, control bytes, '%' and bytes beyond ASCII
 * as %XX, so a path can neither split a line nor shift its fields. New.
 */
char *request_printable(const char *s);

/* Who is asking: from the apikey and the bearer token, verified. */
struct caller {
	const char *role;	/* "anon", "authenticated" or "service_role" */
	char *sub;		/* the user id, for authenticated callers */
	char *claims_json;	/* the verified claims, for request.jwt.claims */
	cJSON *claims;
};

/* What request_caller() found. */
enum caller_status {
	CALLER_OK,
	CALLER_NO_KEY,		/* no apikey header or parameter */
	CALLER_BAD_KEY,		/* not an anon or service_role key of ours */
	CALLER_BAD_JWT,		/* a bearer token that does not verify */
	CALLER_EXPIRED,		/* a bearer token past its exp */
};

/*
 * The caller of req, Supabase's way: the API key (request_apikey()) must be an
 * anon or service_role key signed with secret; an Authorization Bearer token,
 * when there is one, must verify too and then decides the role (anon,
 * authenticated with a sub, or service_role), else the key does. Fills c, or
 * on a refusal reason (ERRLEN), which never quotes a token.
 */
enum caller_status request_caller(const struct http_request *req,
    const unsigned char *secret, size_t secret_len, long long now, struct caller *c,
    char *reason);
void caller_free(struct caller *c);

/* Frees what a request owns (path, query, headers, body) and zeroes it. */
void request_free(struct http_request *r);

#endif
