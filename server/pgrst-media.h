/*
 * PostgREST's content negotiation for /rest/v1 (src/PostgREST/Plan.hs and
 * ApiRequest.hs, v12), as pure functions of the headers:
 * - Accept: the first media type we produce, by quality then order
 *   (application/json, the wildcard type, application/vnd.pgrst.object[+json],
 *   application/vnd.pgrst.array[+json], text/csv); none: 406 PGRST107
 *   "None of these media types are available: <what was asked>".
 * - Content-Type of a body: JSON (the default when absent). On a table any
 *   other is 400 PGRST102 "Content-Type not acceptable: <type>"; on a
 *   function, text/plain, text/xml and application/octet-stream look for a
 *   function of one unnamed parameter, which we never expose: 404 PGRST202.
 *   (PostgREST also reads text/csv and form bodies; we do not.)
 * - Accept-Profile (GET, HEAD) and Content-Profile (POST, PATCH, PUT,
 *   DELETE) other than the exposed schema: 406 PGRST106.
 */
#ifndef AL_SERVER_PGRST_MEDIA_H
#define AL_SERVER_PGRST_MEDIA_H

#include "pgrst-query.h"

/* accept may be NULL (JSON). 0 with *out set, or -1 with e filled. */
int pgrst_media_accept(const char *accept, enum pgrst_accept *out, struct pgrst_error *e);

/* content_type may be NULL. fn names the function when rpc is set. 0 or -1 with e filled. */
int pgrst_media_body(const char *content_type, int rpc, const char *schema, const char *fn,
    struct pgrst_error *e);

/* The profile header of method (may be NULL): 0 when it names schema or is absent. */
int pgrst_media_profile(const char *method, const char *accept_profile,
    const char *content_profile, const char *schema, struct pgrst_error *e);

#endif
