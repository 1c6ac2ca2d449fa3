/* JSON output that is faster than cJSON's printer on long strings. */
#ifndef AL_JSON_H
#define AL_JSON_H

#include <cjson/cJSON.h>

#include "util/strbuf.h"

/* Appends s as a JSON string literal, quotes included. */
void json_add_string(struct strbuf *sb, const char *s);
/*
 * Appends item as compact JSON. Tool results make turns' JSON mostly long
 * strings, which this copies in runs instead of byte by byte.
 */
void json_add(struct strbuf *sb, const cJSON *item);
/*
 * A cJSON_Raw node holding a copy of text's len bytes (already JSON). Its
 * length is kept in the node (valueint), so neither this copy nor json_add's
 * needs a strlen of it: tool results are most of a transcript's bytes.
 */
cJSON *json_raw_new(const char *text, size_t len);
/*
 * obj's member named key (case-sensitive), or NULL, looked for from *hint on
 * (NULL: the first member), then from the start; *hint moves past it. Reading
 * members in about the order they were written, each lookup is one compare
 * instead of a walk from the start.
 */
const cJSON *json_member_from(const cJSON *obj, const cJSON **hint, const char *key);

#endif
