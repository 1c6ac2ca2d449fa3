/*
 * Screenshots in the terminal's pixels (ui/image-protocol.h, ui/image-cells.h):
 * - which protocol visuals.protocol and the environment choose; the expected
 *   answers come from the terminals' own documentation (kitty and ghostty
 *   speak the kitty graphics protocol, foot and mlterm sixel, plain xterm
 *   neither by default, tmux passes neither on without its own setup);
 * - the escapes written for a 16x8 PNG made here (left half red, right half
 *   blue), checked against the protocols' specifications, not against a
 *   saved copy: kitty's (sw.kovidgoyal.net/kitty/graphics-protocol) APC
 *   "ESC _G keys[;base64] ESC \", the first chunk with a=T, f=32 (RGBA), s and
 *   v its size in pixels, c and r its cells, every chunk but the last m=1,
 *   payloads of at most 4096 base64 bytes whose decoded total is s*v*4; and
 *   sixel's (DEC STD 070, VT330/340 manual) DCS "ESC P Pn;Pn;Pn q ... ESC \"
 *   holding only sixel characters (? to ~) and its controls (" # ! $ -),
 *   raster attributes that fit the cells, colours in percent.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/image-cells.h"
#include "ui/image-protocol.h"
#include "scratch-dir.h"

#ifdef HAVE_CHAFA
#include <png.h>
#define PIXELS_KNOWN IMAGE_PROTOCOL_KITTY
#else
/* Without libchafa nothing can write kitty or sixel: symbols (nothing drawn) instead. */
#define PIXELS_KNOWN IMAGE_PROTOCOL_SYMBOLS
#endif

static char scratch[] = "/tmp/agentlogs-test-image-protocol-XXXXXX";

static enum image_protocol
choose(const char *setting, const char *e1, const char *e2)
{
	char *envp[3] = { (char *)e1, (char *)e2, NULL };

	return image_protocol_choose(setting, envp);
}

static void
test_setting_wins(void **state)
{
	(void)state;
	/* A setting other than auto decides, whatever the terminal says. */
	assert_int_equal(choose("none", "TERM=xterm-kitty", NULL), IMAGE_PROTOCOL_NONE);
	assert_int_equal(choose("symbols", "TERM=xterm-kitty", NULL), IMAGE_PROTOCOL_SYMBOLS);
	assert_int_equal(choose("kitty", "TERM=xterm-256color", "TMUX=/tmp/t,1,0"), PIXELS_KNOWN);
#ifdef HAVE_CHAFA
	assert_int_equal(choose("sixel", "TERM=dumb", NULL), IMAGE_PROTOCOL_SIXEL);
#endif
	assert_string_equal(image_protocol_name(IMAGE_PROTOCOL_SIXEL), "sixel");
	assert_string_equal(image_protocol_name(IMAGE_PROTOCOL_NONE), "none");
}

static void
test_auto_from_environment(void **state)
{
	(void)state;
	assert_int_equal(choose("auto", "TERM=xterm-kitty", NULL), PIXELS_KNOWN);
	/* kitty under ssh or with TERM changed still says who it is. */
	assert_int_equal(choose("auto", "TERM=xterm-256color", "KITTY_WINDOW_ID=3"), PIXELS_KNOWN);
	assert_int_equal(choose("auto", "TERM=xterm-ghostty", NULL), PIXELS_KNOWN);
	assert_int_equal(choose("auto", "TERM=xterm-256color", "TERM_PROGRAM=ghostty"),
	    PIXELS_KNOWN);
#ifdef HAVE_CHAFA
	assert_int_equal(choose("auto", "TERM=foot", NULL), IMAGE_PROTOCOL_SIXEL);
	assert_int_equal(choose("auto", "TERM=mlterm", NULL), IMAGE_PROTOCOL_SIXEL);
#endif
	assert_int_equal(choose("auto", "TERM=xterm-256color", NULL), IMAGE_PROTOCOL_SYMBOLS);
	assert_int_equal(choose("auto", "TERM=linux", NULL), IMAGE_PROTOCOL_SYMBOLS);
	assert_int_equal(choose("auto", "TERM=dumb", NULL), IMAGE_PROTOCOL_SYMBOLS);
	assert_int_equal(choose("auto", NULL, NULL), IMAGE_PROTOCOL_SYMBOLS);
	/* Inside tmux or screen, even in kitty or foot: the multiplexer eats the escapes. */
	assert_int_equal(choose("auto", "TERM=xterm-kitty", "TMUX=/tmp/tmux-0/default,1,0"),
	    IMAGE_PROTOCOL_SYMBOLS);
	assert_int_equal(choose("auto", "TERM=screen-256color", "KITTY_WINDOW_ID=1"),
	    IMAGE_PROTOCOL_SYMBOLS);
	assert_int_equal(choose("auto", "TERM=tmux-256color", NULL), IMAGE_PROTOCOL_SYMBOLS);
	assert_int_equal(choose("auto", "TERM=foot", "STY=1234.pts-0.host"), IMAGE_PROTOCOL_SYMBOLS);
	/* A name that only starts like one is not it. */
	assert_int_equal(choose("auto", "TERMX=xterm-kitty", "KITTY_WINDOW_IDX=1"),
	    IMAGE_PROTOCOL_SYMBOLS);
	/* Anything else reads as auto. */
	assert_int_equal(choose(NULL, "TERM=xterm-kitty", NULL), PIXELS_KNOWN);
	assert_int_equal(choose("bogus", "TERM=xterm-256color", NULL), IMAGE_PROTOCOL_SYMBOLS);
}

#ifdef HAVE_CHAFA
#define PIC_W 16
#define PIC_H 8

/* A PNG of PIC_W x PIC_H pixels, its left half red, its right half blue; its path. */
static const char *
small_png(void)
{
	static char path[256];
	unsigned char px[PIC_W * PIC_H * 4];
	png_image img;
	int x, y;

	for (y = 0; y < PIC_H; y++) {
		for (x = 0; x < PIC_W; x++) {
			unsigned char *p = px + (y * PIC_W + x) * 4;

			p[0] = x < PIC_W / 2 ? 255 : 0;
			p[1] = 0;
			p[2] = x < PIC_W / 2 ? 0 : 255;
			p[3] = 255;
		}
	}
	snprintf(path, sizeof path, "%s/small.png", scratch);
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = PIC_W;
	img.height = PIC_H;
	img.format = PNG_FORMAT_RGBA;
	assert_true(png_image_write_to_file(&img, path, 0, px, 0, NULL));
	return path;
}

/* The value of key in a kitty control part "k=v,k=v", or -1 when absent. */
static long
kitty_key(const char *control, size_t len, char key)
{
	size_t i = 0;

	while (i < len) {
		if (control[i] == key && i + 1 < len && control[i + 1] == '=')
			return strtol(control + i + 2, NULL, 10);
		while (i < len && control[i] != ',')
			i++;
		i++;
	}
	return -1;
}

static int
kitty_has(const char *control, size_t len, const char *kv)
{
	size_t n = strlen(kv), i = 0;

	while (i < len) {
		if (strncmp(control + i, kv, n) == 0 && (i + n == len || control[i + n] == ','))
			return 1;
		while (i < len && control[i] != ',')
			i++;
		i++;
	}
	return 0;
}

static int
b64_value(char c)
{
	const char *set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != '\0' ? strchr(set, c) : NULL;

	return p != NULL ? (int)(p - set) : -1;
}

/* Appends the base64 text s (n bytes, '=' padded) decoded to out; -1 on a bad character. */
static int
b64_decode(const char *s, size_t n, unsigned char *out, size_t *len, size_t cap)
{
	unsigned int acc = 0;
	int bits = 0, v;
	size_t i;

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n && s[i] != '='; i++) {
		if ((v = b64_value(s[i])) < 0)
			return -1;
		acc = acc << 6 | (unsigned int)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (*len == cap)
				return -1;
			out[(*len)++] = (unsigned char)(acc >> bits);
		}
	}
	return 0;
}

static void
test_kitty_framing(void **state)
{
	const char *file = small_png(), *p, *end, *semi;
	unsigned char pixels[64 * 1024];
	size_t len = 0, chunks = 0;
	long s = -1, v = -1;
	int cols, rows, last_more = 1;
	char *seq;

	(void)state;
	seq = image_pixels(file, IMAGE_PROTOCOL_KITTY, 20, 6, 8, 16, &cols, &rows);
	assert_non_null(seq);
	/* 16x8 pixels in 8x16-pixel cells keep their 4:1 shape in cells: 20 wide, 2.5 high at most. */
	assert_true(cols >= 1 && cols <= 20 && rows >= 1 && rows <= 6);
	assert_true(cols >= 4 * rows - 4 && cols <= 8 * rows + 8);
	for (p = seq; *p != '\0'; p = end + 2) {
		size_t control_len;

		/* Each piece is one APC: ESC _ G ... ESC \, nothing between them. */
		assert_memory_equal(p, "\033_G", 3);
		end = strstr(p, "\033\\");
		assert_non_null(end);
		p += 3;
		assert_null(memchr(p, '\033', (size_t)(end - p)));
		semi = memchr(p, ';', (size_t)(end - p));
		control_len = (size_t)((semi != NULL ? semi : end) - p);
		assert_true(last_more);	/* nothing after the chunk with m=0 */
		if (chunks == 0) {
			assert_true(kitty_has(p, control_len, "a=T"));
			assert_true(kitty_has(p, control_len, "f=32"));
			s = kitty_key(p, control_len, 's');
			v = kitty_key(p, control_len, 'v');
			assert_int_equal(kitty_key(p, control_len, 'c'), cols);
			assert_int_equal(kitty_key(p, control_len, 'r'), rows);
			assert_true(s > 0 && v > 0);
			/* No more pixels than the cells hold. */
			assert_true(s <= cols * 8 && v <= rows * 16);
		} else {
			/* Later chunks carry m (and q) alone. */
			assert_int_equal(kitty_key(p, control_len, 'a'), -1);
			assert_int_equal(kitty_key(p, control_len, 'f'), -1);
		}
		last_more = (int)kitty_key(p, control_len, 'm');
		assert_true(last_more == 0 || last_more == 1);
		if (semi != NULL) {
			assert_true(end - semi - 1 <= 4096);
			assert_int_equal(b64_decode(semi + 1, (size_t)(end - semi - 1), pixels, &len,
			    sizeof pixels), 0);
		}
		chunks++;
	}
	assert_int_equal(last_more, 0);
	assert_true(chunks >= 2 || len > 0);
	/* RGBA, f=32: four bytes a pixel. */
	assert_int_equal((long)len, s * v * 4);
	/* Top left is red, top right blue: it is our picture, not some other. */
	assert_true(pixels[0] > 200 && pixels[2] < 60);
	assert_true(pixels[(s - 1) * 4 + 2] > 200 && pixels[(s - 1) * 4] < 60);
	free(seq);
}

static void
test_sixel_framing(void **state)
{
	const char *file = small_png(), *p, *q, *body, *end;
	int cols, rows, red = 0, blue = 0;
	long ph, pv, lines = 0;
	char *seq;

	(void)state;
	seq = image_pixels(file, IMAGE_PROTOCOL_SIXEL, 20, 6, 8, 16, &cols, &rows);
	assert_non_null(seq);
	/* DCS: ESC P, numeric parameters, the final q. */
	assert_memory_equal(seq, "\033P", 2);
	for (q = seq + 2; *q >= '0' && *q <= ';' && *q != ':'; q++)
		;
	assert_int_equal(*q, 'q');
	body = q + 1;
	/* ST ends it, and it is the only escape inside. */
	end = strstr(body, "\033\\");
	assert_non_null(end);
	assert_string_equal(end, "\033\\");
	for (p = body; p < end; p++) {
		assert_true((*p >= '?' && *p <= '~') || (*p >= '0' && *p <= '9') || *p == ';' ||
		    *p == '"' || *p == '#' || *p == '!' || *p == '$' || *p == '-');
		lines += *p == '-';
	}
	/* Raster attributes "Pan;Pad;Ph;Pv: the picture's size, within its cells. */
	assert_int_equal(*body, '"');
	assert_int_equal(sscanf(body + 1, "%*d;%*d;%ld;%ld", &ph, &pv), 2);
	assert_true(ph > 0 && ph <= cols * 8 && pv > 0 && pv <= rows * 16);
	/* A sixel is six pixel rows: a graphics new line (-) between (or after) bands. */
	assert_true(lines == (pv + 5) / 6 || lines == (pv + 5) / 6 - 1);
	/* Colours "#Pc;2;R;G;B" in percent: our red and our blue are among them. */
	for (p = strchr(body, '#'); p != NULL && p < end; p = strchr(p + 1, '#')) {
		int c, r, g, b;

		if (sscanf(p, "#%d;2;%d;%d;%d", &c, &r, &g, &b) != 4)
			continue;
		assert_true(r >= 0 && r <= 100 && g >= 0 && g <= 100 && b >= 0 && b <= 100);
		red |= r > 80 && g < 20 && b < 20;
		blue |= b > 80 && r < 20 && g < 20;
	}
	assert_true(red);
	assert_true(blue);
	free(seq);
}

static void
test_not_a_png(void **state)
{
	char path[256];
	FILE *f;
	int cols, rows;

	(void)state;
	snprintf(path, sizeof path, "%s/fake.png", scratch);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("\x89PNG\r\n\x1a\nnot really", f);
	fclose(f);
	assert_null(image_pixels(path, IMAGE_PROTOCOL_KITTY, 20, 6, 8, 16, &cols, &rows));
	assert_null(image_pixels(path, IMAGE_PROTOCOL_SIXEL, 20, 6, 8, 16, &cols, &rows));
	/* Symbols are not escapes. */
	assert_null(image_pixels(small_png(), IMAGE_PROTOCOL_SYMBOLS, 20, 6, 8, 16, &cols, &rows));
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setting_wins),
		cmocka_unit_test(test_auto_from_environment),
#ifdef HAVE_CHAFA
		cmocka_unit_test(test_kitty_framing),
		cmocka_unit_test(test_sixel_framing),
		cmocka_unit_test(test_not_a_png),
#endif
	};

	return run_tests_in_scratch_dir(scratch, tests);
}
