#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/rows.h"
#include "util/json.h"
#include "util/log.h"
#include "util/timeutil.h"

cJSON *
rows_from_cloud(const struct sync_table *t, const cJSON *record, char *err)
{
	cJSON *row = cJSON_CreateObject();
	const cJSON *hint = NULL;
	char iso[32];
	int i;

	for (i = 0; i < t->ncolumns; i++) {
		const struct sync_column *c = &t->columns[i];
		const cJSON *v = cJSON_IsObject(record) ? json_member_from(record, &hint, c->name) :
		    NULL;
		cJSON *out = NULL;
		int64_t ms;

		if (v == NULL || cJSON_IsNull(v))
			out = cJSON_CreateNull();
		else if (c->kind == COL_INT && cJSON_IsNumber(v))
			out = cJSON_CreateNumber(v->valuedouble);
		else if (c->kind == COL_BOOL && cJSON_IsBool(v))
			out = cJSON_CreateBool(cJSON_IsTrue(v));
		else if (c->kind == COL_TIME && cJSON_IsString(v) &&
		    (ms = time_parse_iso_ms(v->valuestring)) >= 0) {
			time_format_iso_ms(ms, iso);
			out = cJSON_CreateString(iso);
		} else if (c->kind == COL_TEXT && cJSON_IsString(v))
			out = cJSON_CreateString(v->valuestring);
		if (out == NULL) {
			cJSON_Delete(row);
			seterr(err, "the cloud sent a bad %s.%s", t->name, c->name);
			return NULL;
		}
		cJSON_AddItemToObject(row, c->name, out);
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "id"))) {
		cJSON_Delete(row);
		seterr(err, "the cloud sent a %s row without an id", t->name);
		return NULL;
	}
	return row;
}

void
rows_compare_shared(const struct sync_table *t, cJSON *local, const cJSON *cloud)
{
	int i;

	for (i = 0; local != NULL && i < t->ncolumns; i++) {
		const char *f = t->columns[i].name;
		if (sync_column_here(t, f))
			cJSON_ReplaceItemInObjectCaseSensitive(local, f,
			    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cloud, f), 1));
	}
}

int
rows_field_equal(const cJSON *a, const cJSON *b)
{
	int an = a == NULL || cJSON_IsNull(a), bn = b == NULL || cJSON_IsNull(b);

	if (an || bn)
		return an && bn;
	return cJSON_Compare(a, b, 1);
}

int
rows_clock_cmp(const cJSON *a, const cJSON *b)
{
	const cJSON *va = cJSON_GetObjectItemCaseSensitive(a, "version");
	const cJSON *vb = cJSON_GetObjectItemCaseSensitive(b, "version");
	const cJSON *ua = cJSON_GetObjectItemCaseSensitive(a, "updated_at");
	const cJSON *ub = cJSON_GetObjectItemCaseSensitive(b, "updated_at");
	double x = cJSON_IsNumber(va) ? va->valuedouble : 0, y = cJSON_IsNumber(vb) ? vb->valuedouble : 0;
	int c;

	if (x != y)
		return x < y ? -1 : 1;
	/* Normalised times compare as strings; a missing one is oldest. */
	c = strcmp(cJSON_IsString(ua) ? ua->valuestring : "", cJSON_IsString(ub) ? ub->valuestring : "");
	return c < 0 ? -1 : c > 0;
}
