#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgrst-media.h"
#include "util/strbuf.h"

#define MAX_TYPES 32	/* Accept entries looked at */

static const struct {
	const char *type;
	enum pgrst_accept accept;
} produced[] = {
	{ "application/json", PGRST_ACCEPT_JSON },
	{ "*/*", PGRST_ACCEPT_JSON },
	{ "application/vnd.pgrst.object+json", PGRST_ACCEPT_OBJECT },
	{ "application/vnd.pgrst.object", PGRST_ACCEPT_OBJECT },
	{ "application/vnd.pgrst.array+json", PGRST_ACCEPT_JSON },
	{ "application/vnd.pgrst.array", PGRST_ACCEPT_JSON },
	{ "text/csv", PGRST_ACCEPT_CSV },
};

struct media {
	const char *type;	/* not NUL-terminated: len bytes */
	size_t len;
	double q;
};

static void
set_error(struct pgrst_error *e, int status, const char *code, const char *message)
{
	memset(e, 0, sizeof *e);
	e->status = status;
	snprintf(e->code, sizeof e->code, "%s", code);
	snprintf(e->message, sizeof e->message, "%s", message);
}

/* What the client sent, for a message: printable ASCII only, at most 128 bytes. */
static void
add_clean(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 128; i++)
		strbuf_addc(sb, s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
}

/* The media type of s[0..len) without parameters or spaces, and its quality. */
static struct media
media_of(const char *s, size_t len)
{
	struct media m = { s, 0, 1.0 };
	const char *semi = memchr(s, ';', len), *q, *end = s + len;

	while (m.type < end && (*m.type == ' ' || *m.type == '\t'))
		m.type++;
	m.len = (size_t)((semi != NULL ? semi : end) - m.type);
	while (m.len > 0 && (m.type[m.len - 1] == ' ' || m.type[m.len - 1] == '\t'))
		m.len--;
	for (q = semi; q != NULL && q < end; q = memchr(q + 1, ';', (size_t)(end - q - 1))) {
		const char *v = q + 1;

		while (v < end && *v == ' ')
			v++;
		if (end - v > 2 && (v[0] == 'q' || v[0] == 'Q') && v[1] == '=')
			m.q = strtod(v + 2, NULL);
	}
	return m;
}

static int
produce(const struct media *m, enum pgrst_accept *out)
{
	size_t i;

	for (i = 0; i < sizeof produced / sizeof produced[0]; i++) {
		if (strlen(produced[i].type) == m->len &&
		    strncasecmp(produced[i].type, m->type, m->len) == 0) {
			*out = produced[i].accept;
			return 1;
		}
	}
	return 0;
}

int
pgrst_media_accept(const char *accept, enum pgrst_accept *out, struct pgrst_error *e)
{
	struct media m[MAX_TYPES];
	struct strbuf msg = STRBUF_INIT;
	const char *s = accept, *comma;
	size_t n = 0, i, best = MAX_TYPES;

	*out = PGRST_ACCEPT_JSON;
	while (s != NULL && n < MAX_TYPES) {
		comma = strchr(s, ',');
		m[n] = media_of(s, comma != NULL ? (size_t)(comma - s) : strlen(s));
		if (m[n].len > 0)
			n++;
		s = comma != NULL ? comma + 1 : NULL;
	}
	if (n == 0)
		return 0;
	/* The highest quality wins; between equals, the first. q=0 refuses a type. */
	for (i = 0; i < n; i++) {
		enum pgrst_accept a;

		if (m[i].q > 0 && produce(&m[i], &a) && (best == MAX_TYPES || m[i].q > m[best].q)) {
			best = i;
			*out = a;
		}
	}
	if (best < MAX_TYPES)
		return 0;
	strbuf_adds(&msg, "None of these media types are available: ");
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_adds(&msg, ", ");
		add_clean(&msg, m[i].type, m[i].len);
	}
	set_error(e, 406, "PGRST107", msg.buf);
	strbuf_free(&msg);
	return -1;
}

int
pgrst_media_body(const char *content_type, int rpc, const char *schema, const char *fn,
    struct pgrst_error *e)
{
	static const struct {
		const char *type;
		const char *param;
	} single[] = {
		{ "text/plain", "text" }, { "text/xml", "xml" }, { "application/octet-stream", "bytea" },
	};
	struct strbuf msg = STRBUF_INIT;
	struct media m;
	size_t i;

	if (content_type == NULL)
		return 0;
	m = media_of(content_type, strlen(content_type));
	if (m.len == 0 || (m.len == 16 && strncasecmp(m.type, "application/json", 16) == 0))
		return 0;
	for (i = 0; rpc && i < sizeof single / sizeof single[0]; i++) {
		if (strlen(single[i].type) != m.len || strncasecmp(single[i].type, m.type, m.len) != 0)
			continue;
		strbuf_addf(&msg, "%s.", schema);
		add_clean(&msg, fn, strlen(fn));
		set_error(e, 404, "PGRST202", "");
		snprintf(e->message, sizeof e->message,
		    "Could not find the function %s in the schema cache", msg.buf);
		snprintf(e->details, sizeof e->details, "Searched for the function %s with a"
		    " single unnamed %s parameter, but no matches were found in the schema cache.",
		    msg.buf, single[i].param);
		strbuf_free(&msg);
		return -1;
	}
	strbuf_adds(&msg, "Content-Type not acceptable: ");
	add_clean(&msg, m.type, m.len);
	set_error(e, 400, "PGRST102", msg.buf);
	strbuf_free(&msg);
	return -1;
}

int
pgrst_media_profile(const char *method, const char *accept_profile,
    const char *content_profile, const char *schema, struct pgrst_error *e)
{
	int reads = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	const char *profile = reads ? accept_profile : content_profile;
	char msg[PGRST_TEXT_MAX];

	if (profile == NULL || strcmp(profile, schema) == 0)
		return 0;
	snprintf(msg, sizeof msg, "The schema must be one of the following: %s", schema);
	set_error(e, 406, "PGRST106", msg);
	return -1;
}
