/*
 * A screenshot drawn as text: libchafa picks, for each cell, the Unicode block
 * or symbol whose shape is closest to the picture's light and dark there, so
 * every UTF-8 terminal shows it, in the pane's own colours. Where the
 * terminal takes pictures (ui/image-protocol.h), the same picture goes out
 * as kitty graphics or sixel escape sequences instead, drawn over blank
 * cells (ui/image-overlay.h). Only PNG is read (libpng); without libchafa
 * (configure) nothing is drawn and the file is named only.
 */
#ifndef AL_UI_IMAGE_CELLS_H
#define AL_UI_IMAGE_CELLS_H

#include "ui/image-protocol.h"

struct textbuf;

/*
 * Adds the picture in file to tb as lines at most cols wide (indent
 * included) and rows high, keeping its proportions. Returns the lines
 * added: 0 when it cannot be drawn.
 */
int image_cells(struct textbuf *tb, const char *file, const char *indent, int cols, int rows);

/*
 * The cells, *w x *h (at most cols x rows), that the PNG file takes drawn in
 * cells of cell_w x cell_h pixels, in proportion; read from its header.
 * 1, or 0 when it cannot be drawn.
 */
int image_box(const char *file, int cols, int rows, int cell_w, int cell_h, int *w, int *h);

/*
 * The escape sequences that draw the PNG file at the cursor in protocol p
 * (kitty: one "ESC _G a=T,f=32..." transmission in chunks; sixel: one
 * "ESC P ... q ... ESC \" image), scaled to image_box's cells, which go to
 * *used_cols x *used_rows. Newly allocated; NULL when it cannot be drawn.
 */
char *image_pixels(const char *file, enum image_protocol p, int cols, int rows, int cell_w,
    int cell_h, int *used_cols, int *used_rows);

#endif
