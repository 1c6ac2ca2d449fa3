/* / n N over any list (ui/list-search.h). */
#include "config.h"

#include <stdlib.h>

#include "ui/list-search.h"
#include "ui/listwin.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/xmalloc.h"

void
list_search_remember(struct tui *t, const char *text)
{
	free(t->last_search);
	t->last_search = text != NULL ? xstrdup(text) : NULL;
}

/* The cursor onto the next (dir 1) or previous match of lw's search; the status line says how. */
static void
go(struct view *v, struct tui *t, struct listwin *lw, int dir)
{
	char err[ERRLEN] = "";
	long long old = lw->cur;
	int wrapped = 0, rc = listwin_find(lw, lw->needle, dir, &wrapped, err);

	if (rc < 0)
		tui_message(t, 1, "%s", err);
	else if (rc == 0)
		tui_message(t, 1, "Not found: %s", lw->needle);
	else
		tui_message(t, 0, wrapped ? "Found: %s (search wrapped)" : "Found: %s", lw->needle);
	if (lw->cur != old)
		view_preview_changed(v);
}

static void
search_done(struct view *v, struct tui *t, const char *text)
{
	struct listwin *lw = t->search_list;

	t->search_list = NULL;
	if (text == NULL || lw == NULL)
		return;
	free(lw->needle);
	lw->needle = NULL;
	if (*text == '\0') {
		tui_message(t, 0, "Search cleared.");
		return;
	}
	lw->needle = xstrdup(text);
	list_search_remember(t, text);
	go(v, t, lw, 1);
}

int
list_search(struct view *v, struct tui *t, struct listwin *lw, enum action a)
{
	if (lw->src->text == NULL)
		return 0;
	switch (a) {
	case ACT_SEARCH:
		t->search_list = lw;
		tui_prompt(t, "/", t->last_search, search_done);
		return 1;
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
		/* A list not searched yet takes up the last search of any (as less does). */
		if (lw->needle == NULL && t->last_search != NULL)
			lw->needle = xstrdup(t->last_search);
		if (lw->needle == NULL)
			tui_message(t, 0, "No search yet: / searches.");
		else
			go(v, t, lw, a == ACT_SEARCH_NEXT ? 1 : -1);
		return 1;
	default:
		return 0;
	}
}
