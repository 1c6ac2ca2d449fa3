#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "store/visual-rows.h"
#include "sync/cloud.h"
#include "sync/e2e-account.h"
#include "sync/engine.h"
#include "sync/visuals.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/xmalloc.h"

/* Screenshots are a few MB at most; anything larger is not one of ours. */
#define MAX_VISUAL (50L << 20)

static const struct {
	const char *ext, *type;
} types[] = {
	{ "png", "image/png" }, { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
	{ "gif", "image/gif" }, { "webp", "image/webp" },
};

static const char *
type_of(const char *ext)
{
	size_t i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strcmp(types[i].ext, ext) == 0)
			return types[i].type;
	}
	return NULL;
}

static int
is_sha256(const char *s)
{
	int i;

	for (i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	}
	return s[64] == '\0';
}

static char *
read_file(const char *path, size_t *len, char *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (f == NULL) {
		seterr(err, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && size <= MAX_VISUAL &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = xmalloc((size_t)size + 1);
		if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		} else
			*len = (size_t)size;
	}
	fclose(f);
	if (buf == NULL)
		seterr(err, "cannot read %s", path);
	return buf;
}

static void
hex_sha256(const char *data, size_t len, char out[65])
{
	unsigned char d[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)data, len, d);
	hex_encode(out, 65, d, sizeof d);
}

static int
upload_one(struct sync_ctx *sc, const char *sha, const char *local, char **cloud_path,
    char *err)
{
	struct cloud_response r = { 0 };
	const char *ext = strrchr(local, '.'), *type;
	char *file, *data, *url, header[64], digest[65];
	const char *headers[3];
	size_t len = 0;
	int rc;

	if (ext == NULL || (type = type_of(ext + 1)) == NULL)
		return seterr(err, "%s: not an image agentlogs stores", local);
	file = paths_in_home(sc->home, local);
	data = read_file(file, &len, err);
	free(file);
	if (data == NULL)
		return -1;
	hex_sha256(data, len, digest);
	if (strcmp(digest, sha) != 0) {
		free(data);
		return seterr(err, "%s does not match its sha256; not uploaded", local);
	}
	if (sc->e2e != NULL && e2e_seal_bytes(sc->e2e, sha, &data, &len, err) != 0) {
		free(data);
		return -1;
	}
	*cloud_path = xprintf("%s/%s.%s", sc->auth.user_id, sha, ext + 1);
	url = xprintf("/storage/v1/object/visuals/%s", *cloud_path);
	snprintf(header, sizeof header, "Content-Type: %s", type);
	headers[0] = header;
	headers[1] = "x-upsert: true";
	headers[2] = NULL;
	rc = cloud_call(sc->cloud, "POST", url, data, len, headers, &r, err);
	if (rc == 0 && (r.status < 200 || r.status > 299))
		rc = cloud_refused(&r, "the cloud refused a screenshot", err);
	cloud_response_free(&r);
	free(url);
	free(data);
	if (rc != 0) {
		free(*cloud_path);
		*cloud_path = NULL;
	}
	return rc;
}

/* A walk over visuals that moves bytes, and how many it moved. */
struct transfer {
	struct sync_ctx *sc;
	long n;
	char *err;
};

/* Uploads one screenshot and records where it went (a visual_cb). */
static int
upload_visual(const char *id, const char *sha, const char *path, void *arg)
{
	struct transfer *u = arg;
	char *cloud_path = NULL;
	int rc;

	if (sha == NULL || !is_sha256(sha))
		return 0;
	if ((rc = upload_one(u->sc, sha, path, &cloud_path, u->err)) != 0)
		return rc;
	rc = visuals_set_cloud_path(u->sc->st, id, cloud_path, u->err);
	free(cloud_path);
	u->n++;
	return rc;
}

int
visuals_upload(struct sync_ctx *sc, long *uploaded, char *err)
{
	struct transfer u = { sc, 0, err };
	int rc = visuals_to_upload(sc->st, upload_visual, &u, err);

	*uploaded = u.n;
	return rc;
}

/* Storage says "not found" as HTTP 400 with {"statusCode":"404"} (a plain 404 elsewhere). */
static int
storage_missing(const struct cloud_response *r)
{
	cJSON *body;
	const cJSON *code;
	int missing;

	if (r->status == 404)
		return 1;
	if (r->status != 400 || r->body.buf == NULL)
		return 0;
	body = cJSON_ParseWithLength(r->body.buf, r->body.len);
	code = cJSON_GetObjectItemCaseSensitive(body, "statusCode");
	missing = cJSON_IsString(code) && strcmp(code->valuestring, "404") == 0;
	cJSON_Delete(body);
	return missing;
}

/*
 * The local file name comes from the sha256 and the extension, never from the
 * path another machine wrote: a hostile row cannot write outside dir.
 */
int
visuals_download_one(struct sync_ctx *sc, const char *sha, const char *cloud_path,
    const char *dir, char **file, char *err)
{
	struct cloud_response r = { 0 };
	const char *ext = strrchr(cloud_path, '.');
	char *url, *rel, digest[65];
	int rc;

	*file = NULL;
	if (!is_sha256(sha) || ext == NULL || type_of(ext + 1) == NULL || strchr(ext, '/') != NULL)
		return seterr(err, "%s: not a screenshot agentlogs stores", cloud_path);
	rel = xprintf("%s/%s.%s", dir, sha, ext + 1);
	*file = paths_in_home(sc->home, rel);
	free(rel);
	url = xprintf("/storage/v1/object/authenticated/visuals/%s", cloud_path);
	rc = cloud_call(sc->cloud, "GET", url, NULL, 0, NULL, &r, err);
	free(url);
	if (rc == 0 && r.status == 200 && sc->e2e != NULL && r.body.buf != NULL) {
		/* The body's buffer replaced by the opened bytes (NUL-terminated). */
		rc = e2e_open_bytes(sc->e2e, sha, &r.body.buf, &r.body.len, err);
		r.body.cap = r.body.len + 1;
	}
	if (rc == 0 && r.status == 200) {
		hex_sha256(r.body.buf != NULL ? r.body.buf : "", r.body.len, digest);
		if (strcmp(digest, sha) != 0)
			rc = seterr(err, "a screenshot from the cloud does not match its sha256");
		else {
			char *path = paths_in_home(sc->home, dir);
			rc = paths_ensure_home(path, err) == 0 ? paths_write_atomic(*file,
			    r.body.buf != NULL ? r.body.buf : "", r.body.len, 0600, err) : -1;
			free(path);
		}
	} else if (rc == 0 && storage_missing(&r))
		rc = seterr(err, "screenshot %.12s is missing from cloud storage", sha);
	else if (rc == 0)
		rc = cloud_refused(&r, "cannot download a screenshot", err);
	cloud_response_free(&r);
	if (rc != 0) {
		free(*file);
		*file = NULL;
	}
	return rc;
}
