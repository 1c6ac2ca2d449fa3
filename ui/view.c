/* What every view shares: moving over a list whose length is known. */
#include "config.h"

#include <stdlib.h>

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
