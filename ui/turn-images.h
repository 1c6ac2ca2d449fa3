/*
 * The screenshots of a turn in the conversation: one line each,
 * "▣ image 1 (PNG 1280x720, 84 KB)" when the file is here, "(PNG, in the
 * cloud...)" when it is not yet, then the picture as visuals.protocol says
 * (ui/image-protocol.h): Unicode blocks in the text, blank lines that kitty
 * graphics or sixel cover (ui/image-overlay.h), or the file's name. A
 * screenshot not here is fetched when its turn comes on screen (or on the
 * next screen), on a thread of its own (ui/image-fetcher.h), and drawn when
 * it arrives; i opens the one under the cursor with $AGENTLOGS_OPEN or
 * xdg-open, fetching it first (sync/visual-cache.h).
 */
#ifndef AL_UI_TURN_IMAGES_H
#define AL_UI_TURN_IMAGES_H

#include <stddef.h>
#include <stdio.h>

#include "ui/curses.h"

struct textbuf;
struct tui;
struct turn_images;

/* Image lines carry tag TURN_IMAGE_TAG(k), k from 0; tool calls use tags >= 0. */
#define TURN_IMAGE_TAG(k) (-2 - (k))
#define TURN_IMAGE_OF_TAG(tag) (-2 - (tag))

/* Where a picture in pixels goes among a turn's lines: blank lines from line on. */
struct image_spot {
	size_t line;
	int x, cols, rows;	/* x: the column in the pane */
	char *file;
};

struct image_spots {
	struct image_spot *v;
	size_t n;
};

void image_spots_free(struct image_spots *spots);

/*
 * t->images for the browser: the protocol from visuals.protocol and the
 * environment (headless: AGENTLOGS_TUI_TERM's alone), escapes to out.
 */
void turn_images_start(struct tui *t, FILE *out, int headless);
void turn_images_stop(struct tui *t);

/*
 * Adds the lines of turn turn_id's screenshots to tb, at cols columns;
 * spots gets where pictures in pixels go. Returns how many are not here yet.
 */
int turn_images_render(struct tui *t, struct textbuf *tb, const char *turn_id, int cols,
    struct image_spots *spots);

/*
 * Turn turn_id is on screen (or next): its screenshots not here are fetched.
 * 1 when that is settled, 0 when it should be asked again later (no cloud to
 * ask yet).
 */
int turn_images_want(struct tui *t, const char *turn_id);

/* Opens the screenshot of the line tagged tag in turn turn_id (a message when none). */
void turn_images_open(struct tui *t, const char *turn_id, int tag);

/* The fetcher's pipe (-1 when none runs): poll it, then call turn_images_news. */
int turn_images_fd(const struct tui *t);
/* Fetches finished: opens what i waits for, one note for failures. */
void turn_images_news(struct tui *t);
/* Some fetch waits or runs. */
int turn_images_busy(const struct tui *t);
/* Changes when a fetch is queued or finishes: turns with screenshots not here render again. */
unsigned long turn_images_generation(const struct tui *t);

/*
 * A frame of the screen: begin before views draw; a view places sp's picture
 * drawn at line y of its pane w (pane_rows high) with turn_images_place;
 * ready just before doupdate(), done just after; leave before endwin().
 */
void turn_images_frame_begin(struct tui *t);
void turn_images_place(struct tui *t, WINDOW *w, int y, int pane_rows, const struct image_spot *sp);
void turn_images_frame_ready(struct tui *t);
void turn_images_frame_done(struct tui *t);
void turn_images_leave(struct tui *t);

#endif
