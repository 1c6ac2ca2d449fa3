/*
 * One transcript record, reduced to what agentlogs keeps. Claude Code writes
 * user records (prompts, tool results, pasted images) and assistant records
 * (one content block per line, several lines sharing message.id); everything
 * else (progress, snapshots, system notes) is dropped.
 */
#ifndef AL_RECORD_H
#define AL_RECORD_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "capture/prune.h"

enum record_kind {
	RECORD_SKIP,		/* a type we do not keep */
	RECORD_USER,
	RECORD_ASSISTANT,
};

struct record_tool_use {
	const char *id;
	const char *name;
	const cJSON *input;	/* borrowed from the parsed line */
	char *input_json;	/* input as compact JSON text, owned */
	size_t input_json_len;
};

struct record_tool_result {
	const char *tool_use_id;
	char *content;		/* text of the result */
	/* content as a JSON string (quoted and escaped): escaped here, on the
	 * reader thread, or the line's own text, so the writer only copies it */
	char *content_json;
	size_t content_json_len;
	/* Borrowed from the parsed JSON (valid while it lives), else owned: */
	unsigned content_borrowed : 1, json_borrowed : 1;
	int is_error;
};

struct record_image {
	const char *media_type;
	const char *data;	/* base64, borrowed */
	/* Set by record_image_decode (the reader thread's work, not the writer's): */
	int decoded;
	unsigned char *bytes;	/* data decoded, owned; NULL when it is not base64 */
	size_t len;
	char sha256[65];	/* of bytes, in hex */
};

struct record_usage {
	int64_t input, output, cache_read, cache_creation;
};

struct record {
	enum record_kind kind;
	/* Borrowed from the parsed JSON: valid while it lives. */
	const char *uuid, *session_id, *cwd, *git_branch, *cli_version;
	const char *message_id, *model;
	char timestamp[32];	/* normalised "YYYY-MM-DDTHH:MM:SS.mmmZ" */
	int64_t ts_ms;
	int is_meta, is_sidechain;
	int is_compact_summary;	/* Claude Code's summary of a compacted conversation */

	char *text;		/* joined text blocks, owned; NULL when none */
	char *thinking;		/* assistant thinking, owned; NULL when none */
	struct record_tool_use *uses;
	int nuses;
	struct record_tool_result *results;
	int nresults;
	struct record_image *images;
	int nimages;
	int has_usage;
	struct record_usage usage;
	int bad_numbers;	/* usage figures skipped: not whole numbers in 0..2^53 */
	size_t owned;		/* bytes of the owned strings: what the record holds */
};

/*
 * Fills rec from one parsed record. Returns 0 (rec->kind tells whether to
 * use it) or -1 when a user or assistant record lacks what every real one has
 * (uuid, sessionId, timestamp, message); err then says why.
 */
int record_from_json(struct record *rec, cJSON *obj, char *err);
/* Decodes img->data and hashes it (sets decoded, bytes, len, sha256); -1: not base64. */
int record_image_decode(struct record_image *img);
void record_free(struct record *rec);

/* Whether a pruned parse of a record (capture/prune.h) builds the member key. */
enum prune_use record_member_use(const char *key, size_t len);

/* Quick test on a line's top-level type: nonzero when it can be skipped unparsed. */
int record_type_is_skipped(const char *type);
/* The opposite: nonzero for the types agentlogs keeps (user, assistant). */
int record_type_is_kept(const char *type);
/*
 * The top-level member of a record of this type that record_from_json never
 * reads and that is worth cutting before parsing (a user record's
 * toolUseResult repeats its tool results, about a third of a transcript's
 * bytes), or NULL.
 */
const char *record_unread_member(const char *type);

#endif
