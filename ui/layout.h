/*
 * Pane geometry, pure arithmetic (no curses), so it is tested as text the
 * NeoMutt way: a header line, the list pane, the preview pane beside it or
 * below it behind a one-cell separator, the status bar and the message line.
 */
#ifndef AL_UI_LAYOUT_H
#define AL_UI_LAYOUT_H

struct strbuf;

enum split_mode {
	SPLIT_AUTO,		/* side by side from LAYOUT_WIDE columns, else stacked */
	SPLIT_VERTICAL,		/* side by side */
	SPLIT_HORIZONTAL,	/* stacked */
};

/* Side by side from here: narrower, the list would starve (titles cut to 20 columns at 120). */
#define LAYOUT_WIDE 160
#define LAYOUT_RATIO_MIN 20
#define LAYOUT_RATIO_MAX 80
#define LAYOUT_RATIO_STEP 5
#define LAYOUT_MIN_LIST_COLS 20
#define LAYOUT_MIN_PREVIEW_COLS 20
#define LAYOUT_MIN_LIST_ROWS 3
#define LAYOUT_MIN_PREVIEW_ROWS 2

struct layout_params {
	int preview;		/* the person wants the preview pane */
	int has_preview;	/* the view has one (the reader and help do not) */
	enum split_mode split;
	int ratio;		/* the preview's share of the body, in percent */
};

/* A pane; h or w 0 when it is not shown. */
struct rect {
	int y, x, h, w;
};

struct layout {
	int rows, cols;
	int side_by_side;	/* the separator is a column (else a row) */
	struct rect header, list, sep, preview, status, message;
};

void layout_compute(const struct layout_params *p, int rows, int cols, struct layout *l);
/* ratio moved by delta steps, kept within LAYOUT_RATIO_MIN..MAX. */
int layout_ratio_step(int ratio, int delta);
/* The next mode of toggle-split: auto, side by side, stacked, auto... */
enum split_mode layout_next_split(enum split_mode m);
const char *layout_split_name(enum split_mode m);
/* "80x24 stacked\nheader 0,0 80x1\n...": one pane a line, hidden ones left out. */
void layout_dump(const struct layout *l, struct strbuf *sb);

/*
 * The resolve pane's two sides within a pane of cols columns (htop's panels
 * side by side): a label column of label_cols, then this machine's side and
 * the cloud's, splitting the rest evenly around a one-column separator (the
 * cloud gets the odd column). When a side would be narrower than
 * LAYOUT_MIN_SIDE_COLS the sides stack instead: each value goes on its own
 * line below the field's label, after a tag column of LAYOUT_SIDE_TAG_COLS
 * ("local", "cloud"), and there is no separator. Rects here are columns only:
 * y is the line within a field (0 the label's), h is 1.
 */
#define LAYOUT_MIN_SIDE_COLS 16
#define LAYOUT_SIDE_TAG_COLS 8

struct sides {
	int cols;
	int stacked;
	struct rect label, local, sep, cloud;
};

void layout_sides(int cols, int label_cols, struct sides *s);
/* "80 side-by-side\nlabel 0,0 12x1\n...", as layout_dump. */
void layout_sides_dump(const struct sides *s, struct strbuf *sb);

#endif
