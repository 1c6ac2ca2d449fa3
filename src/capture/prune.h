/*
 * A pruned parse of transcript lines: the cJSON tree of each object on a
 * line, holding only the members the caller reads. Every byte is still
 * checked (a line is accepted only if cJSON accepts it too), but members
 * nobody reads (a thinking block's signature, ids, request metadata, ...)
 * become no nodes and their strings are never decoded or copied: strings are
 * skipped sixteen bytes at a time. The tree is what cJSON_ParseWithLengthOpts
 * would give with the unread members taken out, so record_from_json reads it
 * unchanged.
 *
 * It is stricter than cJSON, never looser: whatever it refuses (a line cJSON
 * may still take, such as a BOM, \f between tokens, \u escapes with bad hex
 * digits, keys with escapes, 64-digit numbers, deep nesting, a broken record
 * followed by a whole one) is left to the full parse, which decides as before.
 */
#ifndef AL_PRUNE_H
#define AL_PRUNE_H

#include <stddef.h>
#include <cjson/cJSON.h>

enum prune_use {
	PRUNE_DROP,	/* checked, not built */
	PRUNE_KEEP,	/* built; its own members pruned the same way */
	PRUNE_WHOLE,	/* built with everything in it */
	/*
	 * Built as PRUNE_KEEP; a string value gets a sibling of type cJSON_Raw
	 * under the same key right after it: the text as json_add_string
	 * (util/json.h) would write the string, copied from the line, when the
	 * line holds it in exactly that form and it is at most PRUNE_RAW_MAX
	 * bytes. A tool result is stored escaped: the copy spares re-escaping it.
	 */
	PRUNE_RAW,
};

#define PRUNE_RAW_MAX (128u << 10)

/* Which members of an object to build, by key (any depth, decoded). */
typedef enum prune_use (*prune_keep_fn)(const char *key, size_t len);

/*
 * Parses the JSON objects on line (several may be glued together; blanks
 * between them), at most max, allocating with cJSON's allocator (the caller's
 * arena, util/arena.h). Returns how many, or -1 when the line is not one this
 * parse takes: then nothing in objs is to be used.
 */
int prune_parse_objects(const char *line, size_t len, prune_keep_fn keep, cJSON **objs, int max);

#endif
