/*
 * What the parts of /storage/v1 share: storage.c (upload, download, routing),
 * storage-list.c (list, info, bulk remove) and storage-sign.c (signed URLs).
 * Metadata rows in storage.objects are read and written as the caller, so
 * the row-level security policies decide; bytes live under --storage-dir.
 */
#ifndef AL_SERVER_STORAGE_H
#define AL_SERVER_STORAGE_H

#include <libpq-fe.h>

#include "http.h"
#include "request.h"

struct server;
struct worker;

#define STORAGE_BUCKET "visuals"

/* Storage's error shape: the status travels in the body as a string. */
void storage_error(struct http_response *res, int http_status, const char *status,
    const char *error, const char *message);
/* An SQL failure (SQLSTATE state, message err) as Storage answers it. */
void storage_sql_failure(struct http_response *res, PGconn *pg, const char *state,
    const char *err);
/* NULL when name is a valid object name, else why not. */
const char *storage_invalid_name(const char *name);
/* Where the bytes of object name live (new string). */
char *storage_blob_path(const struct server *srv, const char *name);

/*
 * Serves object name: as the caller c (RLS decides), or with c NULL as the
 * server's own role (a signed URL, whose token already decided). head: the
 * status and headers only.
 */
void storage_serve(struct server *srv, struct worker *w, const struct caller *c,
    const char *name, int head, struct http_response *res);

/* storage-list.c: POST /object/list/<bucket>, GET /object/info/<bucket>/<name>,
 * DELETE /object/<bucket> with {"prefixes": [...]}. */
void storage_list(struct worker *w, const struct caller *c, const struct http_request *req,
    struct http_response *res);
void storage_info(struct worker *w, const struct caller *c, const char *name,
    struct http_response *res);
void storage_remove_many(struct server *srv, struct worker *w, const struct caller *c,
    const struct http_request *req, struct http_response *res);

/* storage-sign.c: POST /object/sign/<bucket>/<name> and /object/sign/<bucket>
 * (paths); GET /object/sign/<bucket>/<name>?token= serves without a key. */
void storage_sign_one(struct server *srv, struct worker *w, const struct caller *c,
    const struct http_request *req, const char *name, struct http_response *res);
void storage_sign_many(struct server *srv, struct worker *w, const struct caller *c,
    const struct http_request *req, struct http_response *res);
void storage_signed_get(struct server *srv, struct worker *w, const struct http_request *req,
    const char *name, struct http_response *res);

#endif
