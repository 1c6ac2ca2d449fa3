#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui/draw.h"
#include "ui/image-cells.h"
#include "ui/image-protocol.h"

#ifdef HAVE_CHAFA
#include <chafa.h>
#include <png.h>

#include "util/strbuf.h"

/* Pictures beyond this are not decoded for a preview (a screenshot is far below). */
#define MAX_PIXELS (64L << 20)

/* The RGBA pixels of a PNG, or NULL. */
static unsigned char *
read_png(const char *file, int *width, int *height)
{
	png_image img;
	unsigned char *pixels;

	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, file))
		return NULL;
	img.format = PNG_FORMAT_RGBA;
	if (img.width == 0 || img.height == 0 || (long)img.width * img.height > MAX_PIXELS) {
		png_image_free(&img);
		return NULL;
	}
	pixels = malloc(PNG_IMAGE_SIZE(img));
	if (pixels == NULL || !png_image_finish_read(&img, NULL, pixels, 0, NULL)) {
		png_image_free(&img);
		free(pixels);
		return NULL;
	}
	*width = (int)img.width;
	*height = (int)img.height;
	return pixels;
}

/* The cells (*w x *h, at most w x h) a width x height picture takes, in proportion. */
static int
fit(int width, int height, int *w, int *h, int cell_w, int cell_h)
{
	if (width < 1 || height < 1 || *w < 4 || *h < 1 || cell_w < 1 || cell_h < 1)
		return 0;
	chafa_calc_canvas_geometry(width, height, w, h, (gfloat)cell_w / (gfloat)cell_h, FALSE,
	    FALSE);
	return *w > 0 && *h > 0;
}

int
image_box(const char *file, int cols, int rows, int cell_w, int cell_h, int *w, int *h)
{
	png_image img;

	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, file))
		return 0;
	png_image_free(&img);
	*w = cols;
	*h = rows;
	return fit((int)img.width, (int)img.height, w, h, cell_w, cell_h);
}

char *
image_pixels(const char *file, enum image_protocol p, int cols, int rows, int cell_w,
    int cell_h, int *used_cols, int *used_rows)
{
	int width, height, w = cols, h = rows;
	unsigned char *pixels;
	ChafaCanvasConfig *cfg;
	ChafaCanvas *canvas;
	ChafaTermInfo *ti;
	GString *out;
	char *seq;

	if (p != IMAGE_PROTOCOL_KITTY && p != IMAGE_PROTOCOL_SIXEL)
		return NULL;
	if ((pixels = read_png(file, &width, &height)) == NULL ||
	    !fit(width, height, &w, &h, cell_w, cell_h)) {
		free(pixels);
		return NULL;
	}
	cfg = chafa_canvas_config_new();
	chafa_canvas_config_set_geometry(cfg, w, h);
	chafa_canvas_config_set_cell_geometry(cfg, cell_w, cell_h);
	chafa_canvas_config_set_pixel_mode(cfg, p == IMAGE_PROTOCOL_KITTY ?
	    CHAFA_PIXEL_MODE_KITTY : CHAFA_PIXEL_MODE_SIXELS);
	canvas = chafa_canvas_new(cfg);
	chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, pixels, width, height,
	    width * 4);
	/* The fallback terminal knows every sequence: the protocol was chosen already. */
	ti = chafa_term_db_get_fallback_info(chafa_term_db_get_default());
	out = chafa_canvas_print(canvas, ti);
	seq = malloc(out->len + 1);
	if (seq != NULL)
		memcpy(seq, out->str, out->len + 1);
	g_string_free(out, TRUE);
	chafa_term_info_unref(ti);
	chafa_canvas_unref(canvas);
	chafa_canvas_config_unref(cfg);
	free(pixels);
	*used_cols = w;
	*used_rows = h;
	return seq;
}

int
image_cells(struct textbuf *tb, const char *file, const char *indent, int cols, int rows)
{
	int width, height, w, h, x, y;
	unsigned char *pixels = read_png(file, &width, &height);
	ChafaSymbolMap *map;
	ChafaCanvasConfig *cfg;
	ChafaCanvas *canvas;

	w = cols - (int)strlen(indent);
	h = rows;
	/* Cells are about twice as high as wide: chafa keeps the picture's proportions. */
	if (pixels == NULL || !fit(width, height, &w, &h, 1, 2)) {
		free(pixels);
		return 0;
	}
	map = chafa_symbol_map_new();
	chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_BLOCK | CHAFA_SYMBOL_TAG_SPACE);
	cfg = chafa_canvas_config_new();
	chafa_canvas_config_set_geometry(cfg, w, h);
	chafa_canvas_config_set_canvas_mode(cfg, CHAFA_CANVAS_MODE_FGBG);
	chafa_canvas_config_set_symbol_map(cfg, map);
	canvas = chafa_canvas_new(cfg);
	chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, pixels, width, height,
	    width * 4);
	for (y = 0; y < h; y++) {
		struct strbuf sb = STRBUF_INIT;
		struct rline *l = textbuf_line(tb);

		for (x = 0; x < w; x++) {
			gchar utf8[8];
			gint n = g_unichar_to_utf8(chafa_canvas_get_char_at(canvas, x, y), utf8);

			strbuf_add(&sb, utf8, (size_t)n);
		}
		rline_raw(l, ROLE_DEFAULT, indent);
		rline_raw(l, ROLE_DEFAULT, sb.buf != NULL ? sb.buf : "");
		strbuf_free(&sb);
	}
	chafa_canvas_unref(canvas);
	chafa_canvas_config_unref(cfg);
	chafa_symbol_map_unref(map);
	free(pixels);
	return h;
}
#else
int
image_box(const char *file, int cols, int rows, int cell_w, int cell_h, int *w, int *h)
{
	(void)file;
	(void)cols;
	(void)rows;
	(void)cell_w;
	(void)cell_h;
	(void)w;
	(void)h;
	return 0;
}

char *
image_pixels(const char *file, enum image_protocol p, int cols, int rows, int cell_w,
    int cell_h, int *used_cols, int *used_rows)
{
	(void)file;
	(void)p;
	(void)cols;
	(void)rows;
	(void)cell_w;
	(void)cell_h;
	(void)used_cols;
	(void)used_rows;
	return NULL;
}

int
image_cells(struct textbuf *tb, const char *file, const char *indent, int cols, int rows)
{
	(void)tb;
	(void)file;
	(void)indent;
	(void)cols;
	(void)rows;
	return 0;
}
#endif
