/*
 * Pull's side of redaction: the cloud holds redacted copies of what this
 * machine pushed. Where a pulled value (or the merge base) is exactly the
 * redaction of the local value, it stands for the local original: the row
 * takes the original back, so a pull never replaces an original with its
 * redacted copy, and redacted against original never counts as a change or
 * a conflict.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "privacy/redact.h"
#include "sync/redact-rows.h"
#include "util/log.h"

/* Whether other is the redaction of local (both strings, different). */
static int
redaction_of(const struct redactor *r, const cJSON *local, const cJSON *other)
{
	char err[ERRLEN], *red;
	size_t n, len;
	int same;

	if (!cJSON_IsString(local) || !cJSON_IsString(other) ||
	    strcmp(local->valuestring, other->valuestring) == 0 ||
	    strstr(other->valuestring, REDACT_OPEN) == NULL)
		return 0;
	len = strlen(local->valuestring);
	if ((red = redact_text(r, local->valuestring, len, &n, err)) == NULL)
		return 0;
	same = n == strlen(other->valuestring) && memcmp(red, other->valuestring, n) == 0;
	free(red);
	return same;
}

void
redact_rows_restore(const struct redactor *r, const struct sync_table *t, const cJSON *local,
    cJSON *other)
{
	int i;

	if (r == NULL || local == NULL || other == NULL)
		return;
	for (i = 0; i < t->ncolumns; i++) {
		const char *f = t->columns[i].name;
		const cJSON *l;
		if (!t->columns[i].content)
			continue;
		l = cJSON_GetObjectItemCaseSensitive(local, f);
		if (redaction_of(r, l, cJSON_GetObjectItemCaseSensitive(other, f)))
			cJSON_ReplaceItemInObjectCaseSensitive(other, f, cJSON_Duplicate(l, 1));
	}
}
