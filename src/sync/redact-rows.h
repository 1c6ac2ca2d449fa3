#ifndef AL_SYNC_REDACT_ROWS_H
#define AL_SYNC_REDACT_ROWS_H

#include <cjson/cJSON.h>

#include "sync/tables.h"

struct redactor;

/*
 * Each content field of other (a pulled row, or the merge base) that is
 * the redaction of local's takes local's original instead. r NULL: nothing.
 */
void redact_rows_restore(const struct redactor *r, const struct sync_table *t,
    const cJSON *local, cJSON *other);

#endif
