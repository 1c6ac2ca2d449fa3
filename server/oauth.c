/*
 * GitHub sign-in for /auth/v1, the way GoTrue does it with PKCE:
 *
 *   GET /authorize   checks the provider, the PKCE challenge and redirect_to,
 *                    records an auth.flow_state row and sends the browser to
 *                    GitHub with a signed state naming that row.
 *   GET /callback    GitHub sends the browser back here: the state is checked,
 *                    GitHub's code traded for a GitHub token, the GitHub user
 *                    read, the user and its identity upserted, and the browser
 *                    sent on to redirect_to?code=<auth_code>.
 *   POST /token?grant_type=pkce   trades auth_code plus code_verifier for a
 *                    session, once.
 *
 * A flow lives FLOW_TTL seconds from /authorize (GoTrue's default flow-state
 * expiry). Codes, tokens and the client secret are never logged.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "auth.h"
#include "db.h"
#include "jwt.h"
#include "server.h"
#include "util/base64url.h"
#include "util/log.h"
#include "util/percent.h"
#include "util/random.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define FLOW_TTL 300			/* seconds from /authorize to the token exchange */
#define FLOW_TTL_SQL "interval '300 seconds'"
#define FLOW_SWEEP_SQL "interval '1 day'"	/* abandoned flows are deleted after this */
#define GITHUB_SCOPE "read:user user:email"
#define MAX_REDIRECT 2048		/* longer redirect_to is not honoured */
#define MAX_PARAM 1024			/* auth_code, code_verifier, GitHub's code */
#define FETCH_MAX (1u << 20)		/* largest GitHub response read */
#define CONNECT_TIMEOUT 10L
#define FETCH_TIMEOUT 20L

/* ---------------------------------------------------------------- helpers */

static void
url_encode(struct strbuf *sb, const char *s)
{
	percent_encode(sb, s, strlen(s), NULL);
}

/*
 * url with the name, value pairs (NULL-terminated; a NULL value is left out)
 * added to its query string, before any fragment.
 */
static char *
url_with_params(const char *url, const char *const *pairs)
{
	struct strbuf sb = STRBUF_INIT;
	const char *hash = strchr(url, '#');
	size_t base = hash != NULL ? (size_t)(hash - url) : strlen(url);
	const char *sep = memchr(url, '?', base) != NULL ? "&" : "?";

	strbuf_add(&sb, url, base);
	if (base > 0 && (url[base - 1] == '?' || url[base - 1] == '&'))
		sep = "";
	for (; pairs[0] != NULL; pairs += 2) {
		if (pairs[1] == NULL)
			continue;
		strbuf_adds(&sb, sep);
		strbuf_adds(&sb, pairs[0]);
		strbuf_addc(&sb, '=');
		url_encode(&sb, pairs[1]);
		sep = "&";
	}
	if (hash != NULL)
		strbuf_adds(&sb, hash);
	return strbuf_detach(&sb);
}

static void
redirect(struct http_response *res, const char *location)
{
	res->status = 302;
	res->content_type = "text/plain; charset=utf-8";
	strbuf_reset(&res->body);
	http_add_header(res, "Location", location);
	http_add_header(res, "Cache-Control", "no-store");
}

/* GoTrue's error redirect for a known flow: redirect_to?error=..&error_code=..&error_description=.. */
static void
redirect_error(struct http_response *res, const char *to, const char *error, const char *code,
    const char *desc)
{
	const char *pairs[] = { "error", error, "error_code", code, "error_description", desc, NULL };
	char *loc = url_with_params(to, pairs);

	redirect(res, loc);
	free(loc);
}

static const char *
str_member(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* RFC 7636 §4.6: S256 compares BASE64URL(SHA256(verifier)), plain the verifier itself. */
static int
pkce_verify(const char *method, const char *challenge, const char *verifier)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *enc = NULL;
	const char *candidate;
	size_t n;
	int same;

	if (strcmp(method, "s256") == 0) {
		if (EVP_Digest(verifier, strlen(verifier), md, &mdlen, EVP_sha256(), NULL) != 1)
			return 0;
		candidate = enc = base64url_encode(md, mdlen);
	} else if (strcmp(method, "plain") == 0)
		candidate = verifier;
	else
		return 0;
	n = strlen(candidate);
	same = n == strlen(challenge) && CRYPTO_memcmp(candidate, challenge, n) == 0;
	free(enc);
	return same;
}

/* RFC 7636 §4.2: 43 to 128 unreserved characters. */
static int
valid_challenge(const char *c)
{
	size_t n = strlen(c);

	return n >= 43 && n <= 128 && strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~") == n;
}

/* ---------------------------------------------------------------- redirect_to */

struct url {
	char scheme[8];		/* "http" or "https" */
	char host[256];		/* lower case; an IPv6 literal without its brackets */
	long port;		/* as given, else the scheme's default */
};

/*
 * Splits an absolute http(s) URL. Userinfo is refused: "http://127.0.0.1@evil/"
 * goes to evil, and no legitimate redirect needs it.
 */
static int
url_parse(const char *s, struct url *u)
{
	const char *auth, *end, *h, *he, *p;
	size_t n, i;
	char *e;

	if (strncasecmp(s, "http://", 7) == 0) {
		snprintf(u->scheme, sizeof u->scheme, "http");
		auth = s + 7;
		u->port = 80;
	} else if (strncasecmp(s, "https://", 8) == 0) {
		snprintf(u->scheme, sizeof u->scheme, "https");
		auth = s + 8;
		u->port = 443;
	} else
		return -1;
	end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return -1;
	if (*auth == '[') {
		h = auth + 1;
		if ((he = memchr(h, ']', (size_t)(end - h))) == NULL)
			return -1;
		p = he + 1;
		if (p != end && *p != ':')
			return -1;
	} else {
		h = auth;
		p = memchr(auth, ':', (size_t)(end - auth));
		he = p != NULL ? p : end;
		if (p == NULL)
			p = end;
	}
	n = (size_t)(he - h);
	if (n == 0 || n >= sizeof u->host)
		return -1;
	for (i = 0; i < n; i++)
		u->host[i] = (char)(h[i] >= 'A' && h[i] <= 'Z' ? h[i] - 'A' + 'a' : h[i]);
	u->host[n] = '\0';
	if (p != end) {
		p++;
		if (p == end || end - p > 5 || strspn(p, "0123456789") < (size_t)(end - p))
			return -1;
		u->port = strtol(p, &e, 10);
		if (u->port < 1 || u->port > 65535)
			return -1;
	}
	return 0;
}

/* RFC 8252 §7.3: native apps listen on a loopback port of their choosing. */
static int
loopback(const struct url *u)
{
	return strcmp(u->host, "127.0.0.1") == 0 || strcmp(u->host, "localhost") == 0 ||
	    strcmp(u->host, "::1") == 0;
}

/*
 * GoTrue's glob (gobwas/glob with '.' and '/' as separators): '*' matches a
 * run without '.' or '/', '**' any run; everything else is literal. By
 * dynamic programming, so a hostile URL cannot make it backtrack.
 */
static int
glob_match(const char *pat, size_t plen, const char *s)
{
	size_t n = strlen(s), i, j;
	unsigned char *cur = xcalloc(n + 1, 1), *next = xcalloc(n + 1, 1), *t;
	int star, super, ok;

	cur[0] = 1;
	for (i = 0; i < plen; i++) {
		star = pat[i] == '*';
		super = star && i + 1 < plen && pat[i + 1] == '*';
		if (super)
			while (i + 1 < plen && pat[i + 1] == '*')
				i++;
		for (j = 0; j <= n; j++) {
			if (super)
				next[j] = cur[j] || (j > 0 && next[j - 1]);
			else if (star)
				next[j] = cur[j] || (j > 0 && next[j - 1] && s[j - 1] != '.' &&
				    s[j - 1] != '/');
			else
				next[j] = j > 0 && cur[j - 1] && s[j - 1] == pat[i];
		}
		t = cur;
		cur = next;
		next = t;
	}
	ok = cur[n];
	free(cur);
	free(next);
	return ok;
}

/*
 * One redirect-allow entry: a glob when it has a '*', else a prefix that must
 * end where a URL part ends ("https://app.example" does not allow
 * "https://app.example.evil").
 */
static int
allow_entry_match(const char *pat, size_t plen, const char *s)
{
	if (memchr(pat, '*', plen) != NULL)
		return glob_match(pat, plen, s);
	if (plen == 0 || strncmp(s, pat, plen) != 0)
		return 0;
	return pat[plen - 1] == '/' || s[plen] == '\0' || strchr("/?#", s[plen]) != NULL;
}

/*
 * Whether redirect_to may receive the code, as GoTrue decides: the site URL's
 * own origin, a loopback address on any port, or a redirect-allow entry
 * (matched without the fragment).
 */
static int
redirect_allowed(const struct settings *set, const char *to)
{
	struct url u, site;
	const char *p, *q, *e;
	char *nofrag;
	int ok = 0;

	if (strlen(to) > MAX_REDIRECT)
		return 0;
	/* Browsers drop or reinterpret these ("\t", "\\"): refuse rather than guess. */
	for (p = to; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '\\')
			return 0;
	}
	if (url_parse(to, &u) == 0) {
		if (loopback(&u))
			return 1;
		if (url_parse(set->site_url, &site) == 0 && strcmp(u.scheme, site.scheme) == 0 &&
		    strcmp(u.host, site.host) == 0 && u.port == site.port)
			return 1;
	} else if (strncasecmp(to, "http:", 5) == 0 || strncasecmp(to, "https:", 6) == 0)
		return 0;	/* a malformed web URL: never reaches the allow list */
	nofrag = xstrndup(to, strcspn(to, "#"));
	for (p = set->redirect_allow != NULL ? set->redirect_allow : ""; *p != '\0' && !ok; p = q) {
		q = p + strcspn(p, ",");
		for (e = q; e > p && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		ok = e > p && allow_entry_match(p, (size_t)(e - p), nofrag);
		if (*q == ',')
			q++;
	}
	free(nofrag);
	return ok;
}

/* ---------------------------------------------------------------- GitHub */

struct fetch {
	struct strbuf body;
	int too_large;
};

static size_t
fetch_write(char *p, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	size_t len = size * n;

	if (f->body.len + len > FETCH_MAX) {
		f->too_large = 1;
		return 0;
	}
	strbuf_add(&f->body, p, len);
	return len;
}

/*
 * One request to GitHub: a GET with token, or a POST of form. Returns the
 * JSON body whatever the status (in *status), or NULL with err filled. err
 * never holds the token or the form (they carry secrets).
 */
static cJSON *
github_fetch(const char *url, const char *token, const char *form, long *status, char *err)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct fetch f = { STRBUF_INIT, 0 };
	CURLcode rc;
	cJSON *json = NULL;
	char *auth;

	*status = 0;
	if (c == NULL) {
		seterr(err, "cannot start an HTTP request");
		return NULL;
	}
	h = curl_slist_append(h, form != NULL ? "Accept: application/json" :
	    "Accept: application/vnd.github+json");
	if (token != NULL) {
		auth = xprintf("Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
		sodium_memzero(auth, strlen(auth));
		free(auth);
		h = curl_slist_append(h, "X-GitHub-Api-Version: 2022-11-28");
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "agentlogs-server/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);	/* worker threads: no SIGALRM */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, FETCH_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
	if (form != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		seterr(err, "%s", f.too_large ? "response too large" : curl_easy_strerror(rc));
	else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		json = cJSON_ParseWithLength(f.body.buf != NULL ? f.body.buf : "", f.body.len);
		if (json == NULL)
			seterr(err, "HTTP %ld with a body that is not JSON", *status);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	strbuf_free(&f.body);
	return json;
}

static char *
api_url(const struct settings *s, const char *path)
{
	size_t n = strlen(s->github_api_url);

	while (n > 0 && s->github_api_url[n - 1] == '/')
		n--;
	return xprintf("%.*s%s", (int)n, s->github_api_url, path);
}

static char *
callback_url(const struct settings *s)
{
	size_t n = strlen(s->public_url);

	while (n > 0 && s->public_url[n - 1] == '/')
		n--;
	return xprintf("%.*s/auth/v1/callback", (int)n, s->public_url);
}

/* GitHub's code for an access token (newly allocated), or NULL with err filled. */
static char *
github_exchange(const struct settings *s, const char *code, char *err)
{
	struct strbuf form = STRBUF_INIT;
	char *cb = callback_url(s), *token = NULL;
	const char *t, *e;
	cJSON *json;
	long status;

	strbuf_adds(&form, "client_id=");
	url_encode(&form, s->github_client_id);
	strbuf_adds(&form, "&client_secret=");
	url_encode(&form, s->github_client_secret);
	strbuf_adds(&form, "&code=");
	url_encode(&form, code);
	strbuf_adds(&form, "&redirect_uri=");
	url_encode(&form, cb);
	json = github_fetch(s->github_token_url, NULL, form.buf, &status, err);
	sodium_memzero(form.buf, form.len);
	strbuf_free(&form);
	free(cb);
	if (json == NULL)
		return NULL;
	/* GitHub answers 200 with {"error": ..} for a bad code or bad credentials. */
	if ((t = str_member(json, "access_token")) != NULL && *t != '\0' && status == 200)
		token = xstrdup(t);
	else if ((e = str_member(json, "error")) != NULL)
		seterr(err, "HTTP %ld, error %.64s", status, e);
	else
		seterr(err, "HTTP %ld without an access token", status);
	cJSON_Delete(json);
	return token;
}

/* The verified email to record: /user's public one, else the primary verified one. */
static char *
github_email(const struct settings *s, const char *token, const cJSON *user)
{
	const char *e = str_member(user, "email");
	char *url, err[ERRLEN], *found = NULL;
	const cJSON *it;
	cJSON *list;
	long status;

	if (e != NULL && *e != '\0')
		return xstrdup(e);
	url = api_url(s, "/user/emails");
	list = github_fetch(url, token, NULL, &status, err);
	free(url);
	if (list == NULL || status != 200 || !cJSON_IsArray(list)) {
		log_debug("oauth: no email list from GitHub (HTTP %ld)", status);
		cJSON_Delete(list);
		return NULL;
	}
	cJSON_ArrayForEach(it, list) {
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "verified")) ||
		    (e = str_member(it, "email")) == NULL || *e == '\0')
			continue;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "primary"))) {
			free(found);
			found = xstrdup(e);
			break;
		}
		if (found == NULL)
			found = xstrdup(e);
	}
	cJSON_Delete(list);
	return found;
}

struct github_user {
	char id[32];		/* GitHub's numeric id: provider_id and sub */
	char *email;		/* verified, or NULL */
	char *meta;		/* user_metadata / identity_data, JSON */
};

static void
github_user_free(struct github_user *g)
{
	free(g->email);
	free(g->meta);
}

/* The GitHub user behind token, in GoTrue's user_metadata shape. */
static int
github_user(const struct settings *s, const char *token, struct github_user *g, char *err)
{
	char *url = api_url(s, "/user");
	const cJSON *id;
	const char *login, *name, *avatar;
	cJSON *user, *m;
	long status;

	memset(g, 0, sizeof *g);
	user = github_fetch(url, token, NULL, &status, err);
	free(url);
	if (user == NULL)
		return -1;
	id = cJSON_GetObjectItemCaseSensitive(user, "id");
	login = str_member(user, "login");
	if (status != 200 || !cJSON_IsNumber(id) || id->valuedouble < 1 ||
	    id->valuedouble > 9007199254740991.0 || id->valuedouble != (double)(long long)id->valuedouble ||
	    login == NULL || *login == '\0') {
		cJSON_Delete(user);
		return seterr(err, "HTTP %ld without a user id and login", status);
	}
	snprintf(g->id, sizeof g->id, "%lld", (long long)id->valuedouble);
	g->email = github_email(s, token, user);
	name = str_member(user, "name");
	avatar = str_member(user, "avatar_url");
	m = cJSON_CreateObject();
	if (avatar != NULL)
		cJSON_AddStringToObject(m, "avatar_url", avatar);
	if (g->email != NULL)
		cJSON_AddStringToObject(m, "email", g->email);
	cJSON_AddBoolToObject(m, "email_verified", g->email != NULL);
	if (name != NULL && *name != '\0') {
		cJSON_AddStringToObject(m, "full_name", name);
		cJSON_AddStringToObject(m, "name", name);
	}
	cJSON_AddStringToObject(m, "iss", s->github_api_url);
	cJSON_AddStringToObject(m, "preferred_username", login);
	cJSON_AddStringToObject(m, "provider_id", g->id);
	cJSON_AddStringToObject(m, "sub", g->id);
	cJSON_AddStringToObject(m, "user_name", login);
	g->meta = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	cJSON_Delete(user);
	return 0;
}

/* ---------------------------------------------------------------- users */

enum upsert { UPSERT_OK, UPSERT_EMAIL_TAKEN, UPSERT_RACE, UPSERT_ERROR };

/*
 * The user of a GitHub identity, in the caller's transaction: found by
 * GitHub's id (a renamed login stays the same user, its metadata refreshed),
 * else created. An email already used by another account is not linked to
 * it: whoever registered that address first would own the GitHub login.
 */
static enum upsert
upsert_user(PGconn *pg, const struct github_user *g, char *uid, size_t uidlen, char *err)
{
	const char *p[3];
	char state[6];
	PGresult *r;

	p[0] = g->id;
	p[1] = g->meta;
	r = db_exec(pg, "UPDATE auth.identities SET identity_data = $2::jsonb,"
	    " last_sign_in_at = now(), updated_at = now()"
	    " WHERE provider = 'github' AND provider_id = $1 RETURNING user_id", 2, p, NULL, err);
	if (r == NULL)
		return UPSERT_ERROR;
	if (PQntuples(r) == 1) {
		snprintf(uid, uidlen, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		p[0] = uid;
		return db_run(pg, "UPDATE auth.users SET raw_user_meta_data ="
		    " raw_user_meta_data || $2::jsonb, updated_at = now() WHERE id = $1",
		    2, p, NULL, err) == 0 ? UPSERT_OK : UPSERT_ERROR;
	}
	PQclear(r);
	p[0] = g->email;
	p[1] = g->meta;
	r = db_exec(pg, "INSERT INTO auth.users (email, raw_app_meta_data, raw_user_meta_data)"
	    " VALUES (lower($1), '{\"provider\":\"github\",\"providers\":[\"github\"]}', $2::jsonb)"
	    " RETURNING id", 2, p, state, err);
	if (r == NULL)
		return strcmp(state, "23505") == 0 ? UPSERT_EMAIL_TAKEN : UPSERT_ERROR;
	snprintf(uid, uidlen, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	p[0] = uid;
	p[1] = g->id;
	p[2] = g->meta;
	if (db_run(pg, "INSERT INTO auth.identities (user_id, provider, provider_id, identity_data,"
	    " last_sign_in_at) VALUES ($1, 'github', $2, $3::jsonb, now())", 3, p, state, err) != 0)
		return strcmp(state, "23505") == 0 ? UPSERT_RACE : UPSERT_ERROR;
	return UPSERT_OK;
}

static void
flow_delete(PGconn *pg, const char *flow_id)
{
	const char *p[1] = { flow_id };
	char err[ERRLEN];

	if (db_run(pg, "DELETE FROM auth.flow_state WHERE id = $1::uuid", 1, p, NULL, err) != 0)
		log_warn("oauth: ending a failed flow: %s", err);
}


/* ---------------------------------------------------------------- /authorize */

static char *
state_make(const struct settings *s, const char *flow_id, long long now)
{
	cJSON *c = cJSON_CreateObject();
	char *token;

	cJSON_AddStringToObject(c, "flow_state_id", flow_id);
	cJSON_AddStringToObject(c, "provider", "github");
	cJSON_AddNumberToObject(c, "iat", (double)now);
	cJSON_AddNumberToObject(c, "exp", (double)(now + FLOW_TTL));
	token = jwt_sign(c, s->jwt_secret, s->jwt_secret_len);
	cJSON_Delete(c);
	return token;
}

void
oauth_authorize(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	const struct settings *s = &srv->settings;
	char *provider = http_query_param(req, "provider"), *to = http_query_param(req, "redirect_to"),
	    *challenge = http_query_param(req, "code_challenge"),
	    *method = http_query_param(req, "code_challenge_method"),
	    *skip = http_query_param(req, "skip_http_redirect");
	char err[ERRLEN], msg[160], flow_id[64], *state = NULL, *cb = NULL, *loc = NULL, *p;
	const char *target, *params[4];
	PGresult *r;

	if (provider == NULL || strcasecmp(provider, "github") != 0) {
		snprintf(msg, sizeof msg, "Unsupported provider: provider %.40s could not be found",
		    provider != NULL ? provider : "");
		auth_error(res, 400, "validation_failed", msg);
		goto done;
	}
	if (s->github_client_id == NULL || *s->github_client_id == '\0') {
		auth_error(res, 400, "provider_disabled", "Unsupported provider: provider is not enabled");
		goto done;
	}
	if ((challenge == NULL || *challenge == '\0') != (method == NULL || *method == '\0')) {
		auth_error(res, 400, "validation_failed",
		    "PKCE flow requires code_challenge_method and code_challenge");
		goto done;
	}
	/* GoTrue falls back to the implicit flow here; agentlogs only ever uses PKCE. */
	if (challenge == NULL || *challenge == '\0') {
		auth_error(res, 400, "validation_failed",
		    "this server supports the PKCE flow only: code_challenge is required");
		goto done;
	}
	for (p = method; *p != '\0'; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	if (strcmp(method, "s256") != 0 && strcmp(method, "plain") != 0) {
		auth_error(res, 400, "validation_failed", "code challenge method not supported");
		goto done;
	}
	if (!valid_challenge(challenge)) {
		auth_error(res, 400, "validation_failed",
		    "code challenge has to be between 43 and 128 characters");
		goto done;
	}
	/* As GoTrue: a redirect_to that is not allowed is ignored, not refused. */
	target = to != NULL && redirect_allowed(s, to) ? to : s->site_url;
	if (to != NULL && target != to)
		log_debug("oauth: redirect_to not allowed; using the site URL");
	params[0] = challenge;
	params[1] = method;
	params[2] = target;
	if (db_ensure(w->pg, err) != 0) {
		auth_database_error(res, w->pg, err);
		goto done;
	}
	/* Sweeping abandoned flows is housekeeping: a failure must not stop a sign-in. */
	if (db_run(w->pg, "DELETE FROM auth.flow_state WHERE created_at < now() - "
	    FLOW_SWEEP_SQL, 0, NULL, NULL, err) != 0)
		log_warn("oauth: sweeping old flows: %s", err);
	r = db_exec(w->pg, "INSERT INTO auth.flow_state (code_challenge, code_challenge_method,"
	    " provider, redirect_to) VALUES ($1, $2, 'github', $3) RETURNING id", 3, params, NULL, err);
	if (r == NULL) {
		auth_database_error(res, w->pg, err);
		goto done;
	}
	snprintf(flow_id, sizeof flow_id, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	state = state_make(s, flow_id, (long long)time(NULL));
	cb = callback_url(s);
	{
		const char *q[] = { "client_id", s->github_client_id, "redirect_uri", cb,
		    "response_type", "code", "scope", GITHUB_SCOPE, "state", state, NULL };
		loc = url_with_params(s->github_authorize_url, q);
	}
	if (skip != NULL && strcmp(skip, "true") == 0) {
		cJSON *o = cJSON_CreateObject();
		char *json;

		cJSON_AddStringToObject(o, "url", loc);
		json = cJSON_PrintUnformatted(o);
		http_set_json(res, 200, json);
		cJSON_free(json);
		cJSON_Delete(o);
	} else
		redirect(res, loc);
done:
	free(provider);
	free(to);
	free(challenge);
	free(method);
	free(skip);
	free(state);
	free(cb);
	free(loc);
}

/* ---------------------------------------------------------------- /callback */

struct callback {
	char *state, *code, *error, *desc;
	char flow_id[64];
	char *to;		/* the flow's redirect_to, once known */
};

/* Verifies the state and loads its flow; on failure answers and returns -1. */
static int
callback_flow(struct server *srv, struct worker *w, struct callback *cb,
    struct http_response *res)
{
	const struct settings *s = &srv->settings;
	const char *id, *prov, *params[1];
	const cJSON *exp;
	char err[ERRLEN];
	cJSON *claims;
	PGresult *r;
	int used, expired;

	if (cb->state == NULL || *cb->state == '\0') {
		auth_error(res, 400, "bad_oauth_callback", "OAuth state parameter missing");
		return -1;
	}
	/*
	 * now = 0: the signature only. Expiry is judged below from the flow's
	 * age, so that a late user is sent back to the client with an error
	 * instead of being stranded on a JSON page.
	 */
	claims = jwt_verify(cb->state, s->jwt_secret, s->jwt_secret_len, 0, err);
	id = str_member(claims, "flow_state_id");
	prov = str_member(claims, "provider");
	exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
	if (claims == NULL || id == NULL || strlen(id) != 36 || prov == NULL ||
	    strcmp(prov, "github") != 0 || !cJSON_IsNumber(exp)) {
		cJSON_Delete(claims);
		auth_error(res, 400, "bad_oauth_state", "OAuth callback with invalid state");
		return -1;
	}
	snprintf(cb->flow_id, sizeof cb->flow_id, "%s", id);
	expired = exp->valuedouble <= (double)time(NULL);
	cJSON_Delete(claims);
	params[0] = cb->flow_id;
	if (db_ensure(w->pg, err) != 0 ||
	    (r = db_exec(w->pg, "SELECT redirect_to, user_id IS NOT NULL,"
	    " created_at < now() - " FLOW_TTL_SQL " FROM auth.flow_state"
	    " WHERE id = $1::uuid AND provider = 'github'", 1, params, NULL, err)) == NULL) {
		auth_database_error(res, w->pg, err);
		return -1;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		auth_error(res, 400, "flow_state_not_found",
		    "invalid flow state, no valid flow state found");
		return -1;
	}
	cb->to = xstrdup(PQgetvalue(r, 0, 0));
	used = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
	expired |= strcmp(PQgetvalue(r, 0, 2), "t") == 0;
	PQclear(r);
	if (used) {
		/* The flow is pending its token exchange: leave it be. */
		redirect_error(res, cb->to, "invalid_request", "bad_oauth_callback",
		    "this sign-in was already completed");
		return -1;
	}
	if (expired) {
		flow_delete(w->pg, cb->flow_id);
		redirect_error(res, cb->to, "invalid_request", "flow_state_expired",
		    "the sign-in took too long: start again");
		return -1;
	}
	return 0;
}

/* GitHub's own error codes are short snake_case words; anything else is not passed on. */
static const char *
github_error_code(const char *e)
{
	size_t n = strlen(e);

	return n > 0 && n <= 64 && strspn(e, "abcdefghijklmnopqrstuvwxyz_") == n ? e :
	    "server_error";
}

void
oauth_callback(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	const struct settings *s = &srv->settings;
	struct callback cb = { 0 };
	struct github_user g = { 0 };
	char err[ERRLEN], uid[64], code[65], *token = NULL, *loc, *p;
	const char *params[3];
	enum upsert up = UPSERT_ERROR;
	PGresult *r;
	int attempt;

	cb.state = http_query_param(req, "state");
	cb.code = http_query_param(req, "code");
	cb.error = http_query_param(req, "error");
	cb.desc = http_query_param(req, "error_description");
	if (callback_flow(srv, w, &cb, res) != 0)
		goto done;
	if (cb.error != NULL && *cb.error != '\0') {
		/* error_description arrives form-encoded: '+' is a space. */
		for (p = cb.desc; p != NULL && *p != '\0'; p++)
			*p = *p == '+' ? ' ' : *p;
		if (cb.desc != NULL && strlen(cb.desc) > 256)
			cb.desc[256] = '\0';
		flow_delete(w->pg, cb.flow_id);
		redirect_error(res, cb.to, github_error_code(cb.error), github_error_code(cb.error),
		    cb.desc != NULL && *cb.desc != '\0' ? cb.desc : "GitHub refused the sign-in");
		goto done;
	}
	if (cb.code == NULL || *cb.code == '\0' || strlen(cb.code) > MAX_PARAM) {
		flow_delete(w->pg, cb.flow_id);
		redirect_error(res, cb.to, "invalid_request", "bad_oauth_callback",
		    "OAuth callback without a code");
		goto done;
	}
	if ((token = github_exchange(s, cb.code, err)) == NULL) {
		log_warn("oauth: GitHub token exchange failed: %s", err);
		flow_delete(w->pg, cb.flow_id);
		redirect_error(res, cb.to, "server_error", "unexpected_failure",
		    "Unable to exchange external code");
		goto done;
	}
	if (github_user(s, token, &g, err) != 0) {
		log_warn("oauth: reading the GitHub user failed: %s", err);
		flow_delete(w->pg, cb.flow_id);
		redirect_error(res, cb.to, "server_error", "unexpected_failure",
		    "Error getting user profile from external provider");
		goto done;
	}
	/* Two first logins of one GitHub user race on the identity: the loser retries once. */
	for (attempt = 0; attempt < 2; attempt++) {
		if (db_begin(w->pg, err) != 0)
			break;
		up = upsert_user(w->pg, &g, uid, sizeof uid, err);
		if (up == UPSERT_OK)
			break;
		db_rollback(w->pg);
		if (up != UPSERT_RACE)
			break;
	}
	if (up == UPSERT_EMAIL_TAKEN) {
		flow_delete(w->pg, cb.flow_id);
		redirect_error(res, cb.to, "invalid_request", "email_exists",
		    "A user with this email address has already been registered");
		goto done;
	}
	if (up != UPSERT_OK) {
		auth_database_error(res, w->pg, err);
		goto done;
	}
	if (random_hex(code, sizeof code, 32) != 0) {
		seterr(err, "the random generator failed");
		db_rollback(w->pg);
		auth_error(res, 500, "unexpected_failure", "cannot draw a random code");
		goto done;
	}
	params[0] = cb.flow_id;
	params[1] = code;
	params[2] = uid;
	r = db_exec(w->pg, "UPDATE auth.flow_state SET auth_code = $2, user_id = $3::uuid"
	    " WHERE id = $1::uuid AND user_id IS NULL", 3, params, NULL, err);
	if (r == NULL || db_commit(w->pg, err) != 0) {
		PQclear(r);
		db_rollback(w->pg);
		auth_database_error(res, w->pg, err);
		goto done;
	}
	if (PQcmdTuples(r)[0] == '0') {
		/* Another callback with the same state completed meanwhile. */
		PQclear(r);
		redirect_error(res, cb.to, "invalid_request", "bad_oauth_callback",
		    "this sign-in was already completed");
		goto done;
	}
	PQclear(r);
	{
		const char *q[] = { "code", code, NULL };
		loc = url_with_params(cb.to, q);
	}
	redirect(res, loc);
	free(loc);
done:
	if (token != NULL) {
		sodium_memzero(token, strlen(token));
		free(token);
	}
	github_user_free(&g);
	free(cb.state);
	free(cb.code);
	free(cb.error);
	free(cb.desc);
	free(cb.to);
}

/* ---------------------------------------------------------------- grant_type=pkce */

void
oauth_grant_pkce(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	cJSON *body = req->body != NULL ? cJSON_ParseWithLength(req->body, req->body_len) : NULL;
	const char *code, *verifier, *params[1];
	char err[ERRLEN], flow_id[64], uid[64];
	PGresult *r;
	int rc;

	if (!cJSON_IsObject(body)) {
		auth_error(res, 400, "bad_json", "the request body must be a JSON object");
		goto done;
	}
	code = str_member(body, "auth_code");
	verifier = str_member(body, "code_verifier");
	if (code == NULL || *code == '\0' || verifier == NULL || *verifier == '\0' ||
	    strlen(code) > MAX_PARAM || strlen(verifier) > MAX_PARAM) {
		auth_error(res, 400, "validation_failed",
		    "invalid request: both auth code and code verifier should be non-empty");
		goto done;
	}
	if (db_begin(w->pg, err) != 0) {
		auth_database_error(res, w->pg, err);
		goto done;
	}
	/* FOR UPDATE: of two exchanges racing with one code, the second finds it gone. */
	params[0] = code;
	r = db_exec(w->pg, "SELECT id, user_id, code_challenge, code_challenge_method,"
	    " created_at < now() - " FLOW_TTL_SQL " FROM auth.flow_state"
	    " WHERE auth_code = $1 FOR UPDATE", 1, params, NULL, err);
	if (r == NULL) {
		db_rollback(w->pg);
		auth_database_error(res, w->pg, err);
		goto done;
	}
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 1)) {
		auth_error(res, 404, "flow_state_not_found",
		    "invalid flow state, no valid flow state found");
		rc = -1;
	} else if (strcmp(PQgetvalue(r, 0, 4), "t") == 0) {
		auth_error(res, 422, "flow_state_expired", "invalid flow state, flow state has expired");
		rc = -1;
	} else if (PQgetisnull(r, 0, 2) || PQgetisnull(r, 0, 3) ||
	    !pkce_verify(PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 2), verifier)) {
		/* As GoTrue: a wrong verifier leaves the flow for the right one. */
		auth_error(res, 400, "bad_code_verifier",
		    "code challenge does not match previously saved code verifier");
		rc = -1;
	} else {
		snprintf(flow_id, sizeof flow_id, "%s", PQgetvalue(r, 0, 0));
		snprintf(uid, sizeof uid, "%s", PQgetvalue(r, 0, 1));
		rc = 0;
	}
	PQclear(r);
	if (rc != 0) {
		db_rollback(w->pg);
		goto done;
	}
	params[0] = flow_id;
	if (db_run(w->pg, "DELETE FROM auth.flow_state WHERE id = $1::uuid", 1, params, NULL,
	    err) != 0 || (rc = auth_session_for_user(srv, w, uid, res, err)) < 0 ||
	    (rc == 0 && db_commit(w->pg, err) != 0)) {
		db_rollback(w->pg);
		auth_database_error(res, w->pg, err);
	} else if (rc > 0) {
		db_rollback(w->pg);
		auth_error(res, 404, "user_not_found", "User not found");
	}
done:
	cJSON_Delete(body);
}
