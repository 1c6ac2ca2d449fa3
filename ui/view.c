/* What every view shares: moving over its list, a conflict's fields as people read them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store/order-position.h"
#include "ui/list-search.h"
#include "ui/listwin.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/xmalloc.h"

int
view_list_move(struct view *v, struct tui *t, struct listwin *lw, enum action a, int lines)
{
	long long old = lw->cur;
	char err[ERRLEN] = "";

	if (list_search(v, t, lw, a))
		return 1;
	if (a == ACT_SELECT_LINE)
		listwin_select_line(lw, t->click_line, err);
	else if (!listwin_move(lw, a, lines, err))
		return 0;
	if (err[0] != '\0')
		tui_message(t, 1, "%s", err);
	/* First and last may read the list again: the row at an index can change. */
	if (lw->cur != old || a == ACT_FIRST || a == ACT_LAST)
		view_preview_changed(v);
	return 1;
}

void
view_list_fit(struct tui *t, struct listwin *lw, int lines)
{
	char err[ERRLEN] = "";

	listwin_fit(lw, lines, err);
	if (err[0] != '\0')
		tui_message(t, 1, "%s", err);
}

void
view_filter_prompt(struct tui *t, const struct browse_filter *f,
    void (*done)(struct view *v, struct tui *t, const char *text))
{
	char *text = browse_filter_text(f);

	tui_prompt(t, "Filter: ", text, done);
	free(text);
}

int
view_filter_set(struct tui *t, struct browse_filter *f, enum browse_filter_list list,
    const char *text)
{
	struct browse_filter parsed;
	char err[ERRLEN];

	if (text == NULL)
		return 0;
	browse_filter_init(&parsed);
	if (browse_filter_parse_for(&parsed, text, list, err) != 0) {
		tui_message(t, 1, "%s", err);
		return 0;
	}
	browse_filter_free(f);
	*f = parsed;
	tui_message(t, 0, browse_filter_empty(f) ? "Filter cleared." : "Filtered.");
	return 1;
}

char *
view_filter_title(const struct browse_filter *f)
{
	char *text, *title;

	if (browse_filter_empty(f))
		return NULL;
	text = browse_filter_text(f);
	title = xprintf("filter: %s", text);
	free(text);
	return title;
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
view_field_value(struct strbuf *out, struct tui *t, const char *commit_id, const char *field,
    const char *json)
{
	cJSON *v = json != NULL ? cJSON_Parse(json) : NULL;
	char date[32], err[ERRLEN], *place;

	if (v == NULL || cJSON_IsNull(v))
		strbuf_adds(out, strcmp(field, "title") == 0 ? "(none: the default label)" :
		    strcmp(field, "deleted_at") == 0 ? "no" : "-");
	else if (cJSON_IsBool(v))
		strbuf_adds(out, cJSON_IsTrue(v) ? "yes" : "no");
	else if (cJSON_IsNumber(v) && strcmp(field, "display_order") == 0 &&
	    (place = order_position(t->st, commit_id, (long long)v->valuedouble, err)) != NULL) {
		strbuf_adds(out, place);
		free(place);
	} else if (cJSON_IsNumber(v))
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
