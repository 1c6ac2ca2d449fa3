/*
 * A screenshot drawn as text: libchafa picks, for each cell, the Unicode block
 * or symbol whose shape is closest to the picture's light and dark there, so
 * every UTF-8 terminal shows it, in the pane's own colours. Only PNG is read
 * (libpng); without libchafa (configure) nothing is drawn and the file is
 * named only.
 */
#ifndef AL_UI_IMAGE_CELLS_H
#define AL_UI_IMAGE_CELLS_H

struct textbuf;

/*
 * Adds the picture in file to tb as lines at most cols wide (indent
 * included) and rows high, keeping its proportions. Returns the lines
 * added: 0 when it cannot be drawn.
 */
int image_cells(struct textbuf *tb, const char *file, const char *indent, int cols, int rows);

#endif
