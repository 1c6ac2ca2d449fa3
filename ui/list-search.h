/*
 * / in any list (less and tig's way): the prompt opens with the last search
 * selected (typing replaces it), Enter goes to the next row showing the text
 * (any case), n and N to the next and previous, round either end; the status
 * line says "Not found: TEXT" or that the search wrapped. One piece for every
 * list: the rows' text comes from the list's source (listwin_source.text),
 * the walk from listwin_find, and each list keeps its own search (lw->needle),
 * which its rows highlight.
 */
#ifndef AL_UI_LIST_SEARCH_H
#define AL_UI_LIST_SEARCH_H

#include "ui/actions.h"

struct listwin;
struct tui;
struct view;

/*
 * Does a (search, search-next, search-prev) on lw, the list of view v: 1 when
 * a was one of them and the list can be searched, else 0.
 */
int list_search(struct view *v, struct tui *t, struct listwin *lw, enum action a);
/* The last text searched for in any view (the prompt's start), now text. */
void list_search_remember(struct tui *t, const char *text);

#endif
