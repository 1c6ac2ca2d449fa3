#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui/script.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

struct script {
	char *path;
	struct script_cmd *cmds;
	size_t n, next;
};

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
parse(struct script *s, char *line, unsigned int lineno, char *err)
{
	struct script_cmd c;
	char *word = trim(line), *arg;

	if (*word == '\0' || *word == '#')
		return 0;
	memset(&c, 0, sizeof c);
	c.line = lineno;
	arg = word + strcspn(word, " \t");
	if (*arg != '\0')
		*arg++ = '\0';
	if (strcmp(word, "type") != 0)
		arg = trim(arg);
	if (strcmp(word, "key") == 0) {
		c.op = SCRIPT_KEY;
		if ((c.key = keycode_parse(arg)) < 0)
			return seterr(err, "%s:%u: unknown key '%s'", s->path, lineno, arg);
	} else if (strcmp(word, "type") == 0) {
		c.op = SCRIPT_TYPE;
		c.text = xstrdup(arg);
	} else if (strcmp(word, "wait-idle") == 0) {
		c.op = SCRIPT_WAIT_IDLE;
	} else if (strcmp(word, "resize") == 0) {
		c.op = SCRIPT_RESIZE;
		if (sscanf(arg, "%d %d", &c.cols, &c.rows) != 2 || c.cols < 1 || c.rows < 1 ||
		    c.cols > 1000 || c.rows > 1000)
			return seterr(err, "%s:%u: expected 'resize COLS ROWS'", s->path, lineno);
	} else if (strcmp(word, "mouse") == 0) {
		static const char *const events[] = {
			[MOUSE_CLICK] = "click", [MOUSE_DOUBLE_CLICK] = "double-click",
			[MOUSE_WHEEL_UP] = "wheel-up", [MOUSE_WHEEL_DOWN] = "wheel-down",
		};
		char ev[16];
		int i;

		c.op = SCRIPT_MOUSE;
		c.key = -1;
		if (sscanf(arg, "%15s %d %d", ev, &c.cols, &c.rows) == 3 && c.cols >= 0 &&
		    c.rows >= 0) {
			for (i = 0; i < (int)(sizeof events / sizeof events[0]); i++) {
				if (strcmp(ev, events[i]) == 0)
					c.key = i;
			}
		}
		if (c.key < 0)
			return seterr(err, "%s:%u: expected 'mouse click|double-click|wheel-up|"
			    "wheel-down COL ROW'", s->path, lineno);
	} else if (strcmp(word, "save-display") == 0 || strcmp(word, "save-marks") == 0) {
		c.op = word[5] == 'd' ? SCRIPT_SAVE_DISPLAY : SCRIPT_SAVE_MARKS;
		if (*arg == '\0')
			return seterr(err, "%s:%u: %s needs a file", s->path, lineno, word);
		c.text = xstrdup(arg);
	} else
		return seterr(err, "%s:%u: unknown command '%s'", s->path, lineno, word);
	s->cmds = xreallocarray(s->cmds, s->n + 1, sizeof *s->cmds);
	s->cmds[s->n++] = c;
	return 0;
}

struct script *
script_open(const char *path, char *err)
{
	struct script *s;
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		seterr(err, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	while (getline(&line, &cap, f) >= 0) {
		if (parse(s, line, ++lineno, err) != 0) {
			free(line);
			fclose(f);
			script_free(s);
			return NULL;
		}
	}
	free(line);
	fclose(f);
	return s;
}

const struct script_cmd *
script_next(struct script *s)
{
	return s->next < s->n ? &s->cmds[s->next++] : NULL;
}

const char *
script_path(const struct script *s)
{
	return s->path;
}

void
script_free(struct script *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->cmds[i].text);
	free(s->cmds);
	free(s->path);
	free(s);
}

int
script_save_display(const char *path, int rows, int cols, char *err)
{
	return script_save_cells(path, rows, cols, 0, err);
}

/* Whether the cell drawn with attrs and pair is one of only's (0: every cell is). */
static int
cell_wanted(attr_t attrs, short pair, attr_t only)
{
	return only == 0 || ((attrs & ~A_COLOR) == (only & ~A_COLOR) &&
	    pair == (short)PAIR_NUMBER(only));
}

int
script_save_cells(const char *path, int rows, int cols, attr_t only, char *err)
{
	struct strbuf sb = STRBUF_INIT;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t attrs;
	short pair;
	cchar_t cc;
	char mb[MB_LEN_MAX + 1];
	size_t line_start, n;
	int y, x, i, w;
	FILE *f;

	for (y = 0; y < rows; y++) {
		line_start = sb.len;
		for (x = 0; x < cols; x++) {
			if (mvwin_wch(curscr, y, x, &cc) == ERR ||
			    getcchar(&cc, wc, &attrs, &pair, NULL) == ERR || wc[0] == L'\0' ||
			    !cell_wanted(attrs, pair, only)) {
				strbuf_addc(&sb, ' ');
				continue;
			}
			for (i = 0; wc[i] != L'\0'; i++) {
				mbstate_t st;
				memset(&st, 0, sizeof st);
				n = wcrtomb(mb, wc[i], &st);
				if (n == (size_t)-1)
					strbuf_addc(&sb, '?');
				else
					strbuf_add(&sb, mb, n);
			}
			/* A double-width character fills the next cell too. */
			if ((w = wcwidth(wc[0])) > 1)
				x += w - 1;
		}
		while (sb.len > line_start && sb.buf[sb.len - 1] == ' ')
			sb.len--;
		strbuf_addc(&sb, '\n');
	}
	if ((f = fopen(path, "w")) == NULL) {
		strbuf_free(&sb);
		return seterr(err, "cannot write %s: %s", path, strerror(errno));
	}
	fwrite(sb.buf, 1, sb.len, f);
	strbuf_free(&sb);
	if (fclose(f) != 0)
		return seterr(err, "cannot write %s: %s", path, strerror(errno));
	return 0;
}
