/*
 * Pictures drawn over the screen in the terminal's own pixels (kitty
 * graphics or sixel, ui/image-protocol.h), outside curses' model of cells:
 * views leave blank cells for a picture and say where it goes while they
 * draw a frame (image_overlay_add); after curses updated the screen,
 * image_overlay_write puts each picture there with the cursor saved and
 * restored around it, so curses' idea of the cursor stays true. The pictures
 * go out only when the frame's set differs from the one on screen (a
 * scroll, another view): kitty's placements are deleted first; sixel pixels
 * are text cells to the terminal, so the screen is repainted by curses
 * first (image_overlay_repaint), which wipes them.
 */
#ifndef AL_UI_IMAGE_OVERLAY_H
#define AL_UI_IMAGE_OVERLAY_H

#include <stdio.h>

#include "ui/image-protocol.h"

struct image_overlay;

/* For protocol p (kitty or sixel) in cells of cell_w x cell_h pixels. */
struct image_overlay *image_overlay_new(enum image_protocol p, int cell_w, int cell_h);
void image_overlay_free(struct image_overlay *o);

/* A frame begins: no picture placed yet. */
void image_overlay_begin(struct image_overlay *o);
/* The PNG file goes at screen cell (y, x), in cols x rows cells. */
void image_overlay_add(struct image_overlay *o, const char *file, int y, int x, int cols,
    int rows);
/* What is on screen is gone (curses repaints it all): the next write draws again. */
void image_overlay_lost(struct image_overlay *o);
/* The pictures must go out again and, for sixel, curses must repaint first. */
int image_overlay_repaint(const struct image_overlay *o);
/*
 * After the screen update: when the frame's pictures differ from those on
 * screen (or were lost), removes kitty's and writes the frame's to out.
 */
void image_overlay_write(struct image_overlay *o, FILE *out);
/* Removes every picture (kitty) before the browser leaves the screen. */
void image_overlay_clear(struct image_overlay *o, FILE *out);

#endif
