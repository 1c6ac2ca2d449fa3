#include "config.h"

#include <string.h>

#include "sync/decide.h"
#include "sync/rows.h"

enum pull_step
pull_decide(int have_local, int synced, int commit, int cmp, int identical)
{
	if (!have_local)
		return PULL_TAKE;
	if (!synced && commit)
		return PULL_MERGE;
	if (cmp == 0 && synced)
		/*
		 * Our own push coming back, or a row we already have; else another
		 * machine's edit with the very same clock (the cloud kept one of the
		 * two by origin machine id), or our own delete dated by the cloud.
		 */
		return identical ? PULL_HAVE : PULL_TAKE_TIE;
	if (cmp < 0)
		return PULL_KEEP_OURS;
	if (cmp == 0)
		return PULL_NOW_SYNCED;
	return PULL_TAKE;
}

static const char *const curation_fields[] = {
	"title", "published", "hidden", "display_order", "deleted_at", NULL
};

int
merge_is_curation(const char *f)
{
	int i;

	for (i = 0; curation_fields[i] != NULL; i++) {
		if (strcmp(curation_fields[i], f) == 0)
			return 1;
	}
	return 0;
}

enum merge_step
merge_decide(const char *f, const cJSON *local, const cJSON *cloud, const cJSON *base,
    int cloud_newer, int manual)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(local, f);
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(cloud, f);
	const cJSON *b = base != NULL ? cJSON_GetObjectItemCaseSensitive(base, f) : NULL;
	int lchanged, rchanged, curation = merge_is_curation(f);

	if (strcmp(f, "version") == 0 || strcmp(f, "updated_at") == 0 || rows_field_equal(l, r))
		return MERGE_SAME;
	lchanged = base == NULL || !rows_field_equal(l, b);
	rchanged = base == NULL || !rows_field_equal(r, b);
	if (!lchanged || (rchanged && !curation && cloud_newer))
		return MERGE_TAKE_CLOUD;
	if (!rchanged || !curation)
		return MERGE_KEEP_LOCAL;
	/* Both sides changed a curation field, differently. */
	if (manual)
		return MERGE_CONFLICT_HELD;
	return cloud_newer ? MERGE_CONFLICT_CLOUD : MERGE_CONFLICT_LOCAL;
}
