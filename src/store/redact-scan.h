/*
 * The content fields `agentlogs redact --dry-run` reads: those of the rows
 * the next push sends (pending), or every row of one commit.
 */
#ifndef AL_STORE_REDACT_SCAN_H
#define AL_STORE_REDACT_SCAN_H

#include <stddef.h>

struct store;

struct content_field {
	const char *table, *commit_id, *row_id, *field;
	const char *text;
	size_t len;
};

/* Returns non-zero to stop. */
typedef int (*content_field_cb)(const struct content_field *f, void *arg);

/*
 * Each non-empty content field (sync/tables.h) of the pending rows
 * (commit_id NULL) or of every row of commit_id. 0, the callback's
 * non-zero, or -1 with err filled.
 */
int redact_scan_fields(struct store *st, const char *commit_id, content_field_cb cb, void *arg,
    char *err);

#endif
