/*
 * multipart/form-data (RFC 7578) as supabase-js sends a Blob or File upload:
 * a form with fields (cacheControl, maybe metadata) and one file part, whose
 * bytes and content type are the object, as Supabase Storage takes them
 * (its first part with a filename). Pure code: the unit test and the fuzzer
 * reach every byte of it.
 */
#ifndef AL_SERVER_MULTIPART_H
#define AL_SERVER_MULTIPART_H

#include <stddef.h>

/* RFC 2046 5.1.1: a boundary has 1 to 70 characters. */
#define MULTIPART_MAX_BOUNDARY 70

struct multipart_file {
	const char *data;	/* into the body given to multipart_file() */
	size_t len;
	char content_type[128];	/* the part's, "application/octet-stream" when it has none */
};

/* Whether a Content-Type value is multipart/form-data (parameters aside). */
int multipart_is_form(const char *content_type);

/*
 * The first file part (a Content-Disposition with a filename) of body, a
 * multipart/form-data whose Content-Type header value is content_type.
 * Returns 0 with f filled, else -1 with *why a one-line reason (static).
 */
int multipart_file(const char *content_type, const char *body, size_t len,
    struct multipart_file *f, const char **why);

#endif
