/*
 * The top-level keys of a JSON object, read without building the object. A
 * function call's body may be megabytes (a push_batch payload) of which the
 * server needs only the argument names; PostgreSQL parses the values itself.
 */
#ifndef AL_SERVER_JSON_KEYS_H
#define AL_SERVER_JSON_KEYS_H

#include <stddef.h>

#define JSON_KEYS_MAX_DEPTH 1000	/* cJSON's nesting limit, which it replaces */

/*
 * Checks that s[0..len) is one JSON object (RFC 8259: surrounding whitespace
 * allowed, nothing else) nested at most JSON_KEYS_MAX_DEPTH deep, and returns
 * its keys, unescaped, in order (duplicates kept) as a newly allocated array
 * in *keys, *nkeys long. Returns -1, with nothing allocated, when it is not.
 */
int json_keys_of_object(const char *s, size_t len, char ***keys, size_t *nkeys);

void json_keys_free(char **keys, size_t nkeys);

#endif
