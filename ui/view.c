/* What every view shares: moving over a list whose length is known. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ui/view.h"

void
view_list_clamp(long long count, int rows, long long *cursor, long long *top)
{
	if (rows < 1)
		rows = 1;
	if (*cursor >= count)
		*cursor = count - 1;
	if (*cursor < 0)
		*cursor = 0;
	if (*top > *cursor)
		*top = *cursor;
	if (*cursor >= *top + rows)
		*top = *cursor - rows + 1;
	if (*top > count - rows)
		*top = count - rows;
	if (*top < 0)
		*top = 0;
}

int
view_list_move(enum action a, long long count, int rows, long long *cursor, long long *top)
{
	int half = rows / 2 > 0 ? rows / 2 : 1;

	switch (a) {
	case ACT_MOVE_DOWN:
		(*cursor)++;
		break;
	case ACT_MOVE_UP:
		(*cursor)--;
		break;
	case ACT_PAGE_DOWN:
		*cursor += rows;
		*top += rows;
		break;
	case ACT_PAGE_UP:
		*cursor -= rows;
		*top -= rows;
		break;
	case ACT_HALF_DOWN:
		*cursor += half;
		*top += half;
		break;
	case ACT_HALF_UP:
		*cursor -= half;
		*top -= half;
		break;
	case ACT_FIRST:
		*cursor = 0;
		break;
	case ACT_LAST:
		*cursor = count - 1;
		break;
	default:
		return 0;
	}
	view_list_clamp(count, rows, cursor, top);
	return 1;
}

void
view_preview_changed(struct view *v)
{
	v->preview_valid = 0;
	v->preview_top = 0;
}

const char *
view_field_label(const char *field)
{
	if (strcmp(field, "display_order") == 0)
		return "order";
	if (strcmp(field, "deleted_at") == 0)
		return "deleted";
	return field;
}

void
view_field_value(struct strbuf *out, const char *field, const char *json)
{
	cJSON *v = json != NULL ? cJSON_Parse(json) : NULL;
	char date[32];

	if (v == NULL || cJSON_IsNull(v))
		strbuf_adds(out, strcmp(field, "title") == 0 ? "(none: the default label)" :
		    strcmp(field, "deleted_at") == 0 ? "no" : "-");
	else if (cJSON_IsBool(v))
		strbuf_adds(out, cJSON_IsTrue(v) ? "yes" : "no");
	else if (cJSON_IsNumber(v))
		strbuf_addf(out, "%lld", (long long)v->valuedouble);
	else if (cJSON_IsString(v) && strcmp(field, "deleted_at") == 0) {
		format_date(v->valuestring, 0, date, sizeof date);
		strbuf_addf(out, "yes, %s", date);
	} else if (cJSON_IsString(v))
		strbuf_adds(out, v->valuestring);
	else
		strbuf_adds(out, json);
	cJSON_Delete(v);
}
