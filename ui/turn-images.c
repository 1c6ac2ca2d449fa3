#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "store/visual-rows.h"
#include "sync/visual-cache.h"
#include "ui/draw.h"
#include "ui/image-cells.h"
#include "ui/image-fetcher.h"
#include "ui/image-overlay.h"
#include "ui/image-protocol.h"
#include "ui/turn-images.h"
#include "ui/tui.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* A screenshot drawn in the conversation takes at most this many lines. */
#define IMAGE_ROWS 12
/* Where the terminal does not say (TIOCGWINSZ without pixels): a cell's pixels, small. */
#define CELL_W 8
#define CELL_H 16

extern char **environ;

struct turn_images {
	enum image_protocol protocol;
	int cell_w, cell_h;
	FILE *out;			/* the terminal, for kitty's and sixel's escapes */
	struct image_overlay *overlay;	/* kitty or sixel only */
	struct image_fetcher *fetcher;	/* started at the first screenshot to fetch */
	int fetcher_failed;
	int noted;			/* a fetch's failure was told: once is enough */
	char *open_sha, *open_typed;	/* i waits for this one: opened when it arrives */
	size_t open_k;
};

/* The screenshots of one turn, as visuals_of_turn gives them. */
struct shots {
	size_t n;
	char *sha[32], *typed[32];
};

static int
take_shot(const char *id, const char *sha256, const char *typed, void *arg)
{
	struct shots *s = arg;

	(void)id;
	if (s->n == sizeof s->sha / sizeof s->sha[0] || sha256 == NULL || typed == NULL)
		return 0;
	s->sha[s->n] = xstrdup(sha256);
	s->typed[s->n++] = xstrdup(typed);
	return 0;
}

static void
shots_free(struct shots *s)
{
	while (s->n > 0) {
		s->n--;
		free(s->sha[s->n]);
		free(s->typed[s->n]);
	}
}

static unsigned long
be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

/* Width and height from a PNG's IHDR or a GIF's screen descriptor; 0 when neither. */
static int
dimensions(const char *file, unsigned long *w, unsigned long *h)
{
	unsigned char b[24];
	FILE *f = fopen(file, "rb");
	size_t n = f != NULL ? fread(b, 1, sizeof b, f) : 0;

	if (f != NULL)
		fclose(f);
	if (n >= 24 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0) {
		*w = be32(b + 16);
		*h = be32(b + 20);
		return 1;
	}
	if (n >= 10 && memcmp(b, "GIF8", 4) == 0) {
		*w = b[6] | (unsigned long)b[7] << 8;
		*h = b[8] | (unsigned long)b[9] << 8;
		return 1;
	}
	return 0;
}

/* The stage of a screenshot not here yet, as its line says it. */
static const char *
cloud_note(struct tui *t, const char *sha)
{
	struct turn_images *ti = t->images;

	switch (ti->fetcher != NULL ? image_fetcher_state(ti->fetcher, sha) : IMAGE_FETCH_NONE) {
	case IMAGE_FETCH_QUEUED:
		return "in the cloud, fetching\xe2\x80\xa6";	/* … */
	case IMAGE_FETCH_FAILED:
		return "in the cloud, not fetched; i tries again";
	default:
		return "in the cloud; i fetches and opens it";
	}
}

/* Describes image k on l; returns its local file, NULL when it is not here. */
static char *
describe(struct tui *t, struct rline *l, const char *sha, const char *typed, size_t k)
{
	const char *ext = strrchr(typed, '.');
	char type[8] = "", *file = visual_cache_find(t->home, sha, typed);
	unsigned long w, h;
	struct stat st;
	size_t i;

	for (i = 0; ext != NULL && ext[i + 1] != '\0' && i < sizeof type - 1; i++)
		type[i] = (char)(ext[i + 1] >= 'a' && ext[i + 1] <= 'z' ? ext[i + 1] - 32 : ext[i + 1]);
	type[i] = '\0';
	rline_raw(l, ROLE_DEFAULT, "  ");
	rline_addf(l, ROLE_LABEL, "\xe2\x96\xa3 image %zu", k + 1);	/* ▣ */
	if (file == NULL) {
		rline_addf(l, ROLE_THINKING, " (%s, %s)", type, cloud_note(t, sha));
		return NULL;
	}
	rline_addf(l, ROLE_THINKING, " (%s", type);
	if (dimensions(file, &w, &h))
		rline_addf(l, ROLE_THINKING, " %lux%lu", w, h);
	if (stat(file, &st) == 0)
		rline_addf(l, ROLE_THINKING, ", %lld KB", ((long long)st.st_size + 1023) / 1024);
	rline_addf(l, ROLE_THINKING, "; i opens it)");
	return file;
}

/* Blank lines for the picture in pixels, one spot saying where it goes; 0 when it cannot. */
static int
pixel_lines(struct turn_images *ti, struct textbuf *tb, const char *file, int cols, int tag,
    struct image_spots *spots)
{
	struct image_spot *sp;
	int w, h, y;

	if (!image_box(file, cols - 4, IMAGE_ROWS, ti->cell_w, ti->cell_h, &w, &h))
		return 0;
	spots->v = xreallocarray(spots->v, spots->n + 1, sizeof *spots->v);
	sp = &spots->v[spots->n++];
	sp->line = tb->n;
	sp->x = 4;
	sp->cols = w;
	sp->rows = h;
	sp->file = xstrdup(file);
	for (y = 0; y < h; y++)
		textbuf_line(tb)->tag = tag;
	return h;
}

/* The file named after its description l, where the picture is not drawn (from the home). */
static void
name_file(struct tui *t, struct rline *l, const char *file)
{
	size_t n = strlen(t->home);

	if (strncmp(file, t->home, n) == 0 && file[n] == '/')
		file += n + 1;
	rline_raw(l, ROLE_DEFAULT, " ");
	rline_raw(l, ROLE_THINKING, file);
}

int
turn_images_render(struct tui *t, struct textbuf *tb, const char *turn_id, int cols,
    struct image_spots *spots)
{
	struct turn_images *ti = t->images;
	struct shots s = { 0 };
	char err[ERRLEN] = "";
	size_t k;
	int missing = 0;

	image_spots_free(spots);
	if (turn_id == NULL)
		return 0;
	if (visuals_of_turn(t->st, turn_id, take_shot, &s, err) != 0)
		log_warn("%s", err);
	for (k = 0; k < s.n; k++) {
		struct rline *l = textbuf_line(tb);
		char *file = describe(t, l, s.sha[k], s.typed[k], k);
		int tag = TURN_IMAGE_TAG((int)k), drawn = 0;
		size_t first = tb->n, i;

		l->tag = tag;
		missing += file == NULL;
		if (file != NULL && (ti->protocol == IMAGE_PROTOCOL_KITTY ||
		    ti->protocol == IMAGE_PROTOCOL_SIXEL))
			drawn = pixel_lines(ti, tb, file, cols, tag, spots);
		else if (file != NULL && ti->protocol == IMAGE_PROTOCOL_SYMBOLS)
			drawn = image_cells(tb, file, "    ", cols, IMAGE_ROWS);
		if (file != NULL && !drawn)
			name_file(t, &tb->lines[first - 1], file);
		/* i on the picture opens it too. */
		for (i = first; i < tb->n; i++)
			tb->lines[i].tag = tag;
		free(file);
	}
	shots_free(&s);
	return missing;
}

void
image_spots_free(struct image_spots *spots)
{
	while (spots->n > 0)
		free(spots->v[--spots->n].file);
	free(spots->v);
	spots->v = NULL;
}

/* The fetcher, started now if it is not yet; NULL when it cannot run. */
static struct image_fetcher *
fetcher(struct tui *t)
{
	struct turn_images *ti = t->images;
	struct visual_cache_bounds b;
	char err[ERRLEN];

	if (ti->fetcher == NULL && !ti->fetcher_failed) {
		visual_cache_bounds_of(t->cfg, &b);
		if ((ti->fetcher = image_fetcher_start(t->home, &b, err)) == NULL) {
			ti->fetcher_failed = 1;
			tui_message(t, 1, "%s", err);
		}
	}
	return ti->fetcher;
}

int
turn_images_want(struct tui *t, const char *turn_id)
{
	struct shots s = { 0 };
	struct image_fetcher *f;
	char err[ERRLEN] = "", *file;
	size_t k;

	/* Shown nowhere (none): i alone fetches. */
	if (t->images->protocol == IMAGE_PROTOCOL_NONE)
		return 1;
	/* No cloud to ask, or not yet known (the sync thread's first word): later. */
	if (!tui_syncing_enabled(t) || (f = fetcher(t)) == NULL)
		return 0;
	if (visuals_of_turn(t->st, turn_id, take_shot, &s, err) != 0)
		log_warn("%s", err);
	for (k = 0; k < s.n; k++) {
		if ((file = visual_cache_find(t->home, s.sha[k], s.typed[k])) == NULL)
			image_fetcher_want(f, s.sha[k], s.typed[k], 0);
		free(file);
	}
	shots_free(&s);
	return 1;
}
/* Runs $AGENTLOGS_OPEN (tests), else xdg-open, on file, detached from the terminal. */
static int
open_with_viewer(const char *file)
{
	const char *viewer = getenv("AGENTLOGS_OPEN");
	pid_t pid;
	int status = -1;

	if (viewer == NULL || *viewer == '\0')
		viewer = "xdg-open";
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		setsid();
		execlp(viewer, viewer, file, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Opens file (fetched or imported) and says so. */
static void
open_file(struct tui *t, const char *file)
{
	if (open_with_viewer(file) != 0)
		tui_message(t, 1, "Cannot open %s (set AGENTLOGS_OPEN or install xdg-open).", file);
	else
		tui_message(t, 0, "Opened %s", file);
}

void
turn_images_open(struct tui *t, const char *turn_id, int tag)
{
	struct turn_images *ti = t->images;
	struct shots s = { 0 };
	struct image_fetcher *f;
	struct visual_cache_bounds b;
	char err[ERRLEN] = "", *file = NULL;
	size_t k = (size_t)TURN_IMAGE_OF_TAG(tag);

	if (tag > TURN_IMAGE_TAG(0) || turn_id == NULL) {
		tui_message(t, 0, "No image under the cursor.");
		return;
	}
	if (visuals_of_turn(t->st, turn_id, take_shot, &s, err) != 0 || k >= s.n) {
		tui_message(t, 1, "%s", err[0] != '\0' ? err : "The image is gone from the store.");
		shots_free(&s);
		return;
	}
	if ((file = visual_cache_find(t->home, s.sha[k], s.typed[k])) != NULL) {
		free(file);
		/* Here already: visual_cache_get only marks it viewed. */
		visual_cache_bounds_of(t->cfg, &b);
		if (visual_cache_get(t->home, &b, s.sha[k], s.typed[k], NULL, &file, err) != 0)
			tui_message(t, 1, "Cannot open image %zu: %s", k + 1, err);
		else
			open_file(t, file);
	} else if ((f = fetcher(t)) != NULL) {
		/* Fetched on the fetcher's thread; opened when it arrives (turn_images_news). */
		free(ti->open_sha);
		free(ti->open_typed);
		ti->open_sha = xstrdup(s.sha[k]);
		ti->open_typed = xstrdup(s.typed[k]);
		ti->open_k = k;
		image_fetcher_want(f, s.sha[k], s.typed[k], 1);
		tui_message(t, 0, "Fetching image %zu\xe2\x80\xa6", k + 1);
	}
	free(file);
	shots_free(&s);
}

/* What kitty and sixel need to know of the terminal: a cell's size in pixels. */
static void
cell_pixels(struct turn_images *ti, int fd)
{
	struct winsize ws;

	ti->cell_w = CELL_W;
	ti->cell_h = CELL_H;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0 &&
	    ws.ws_xpixel >= ws.ws_col && ws.ws_ypixel >= ws.ws_row) {
		ti->cell_w = ws.ws_xpixel / ws.ws_col;
		ti->cell_h = ws.ws_ypixel / ws.ws_row;
	}
}

void
turn_images_start(struct tui *t, FILE *out, int headless)
{
	struct turn_images *ti = xcalloc(1, sizeof *ti);
	const char *term = getenv("AGENTLOGS_TUI_TERM");
	char term_env[128];
	char *headless_env[] = { term_env, NULL };

	/* Headless, the terminal is AGENTLOGS_TUI_TERM's alone, whatever runs the tests. */
	snprintf(term_env, sizeof term_env, "TERM=%s", term != NULL && *term != '\0' ? term :
	    "xterm-256color");
	ti->protocol = image_protocol_choose(config_get(t->cfg, "visuals.protocol"),
	    headless ? headless_env : environ);
	ti->out = out;
	cell_pixels(ti, fileno(out));
	if (ti->protocol == IMAGE_PROTOCOL_KITTY || ti->protocol == IMAGE_PROTOCOL_SIXEL)
		ti->overlay = image_overlay_new(ti->protocol, ti->cell_w, ti->cell_h);
	t->images = ti;
}

void
turn_images_stop(struct tui *t)
{
	struct turn_images *ti = t->images;

	if (ti == NULL)
		return;
	image_fetcher_stop(ti->fetcher);
	image_overlay_free(ti->overlay);
	free(ti->open_sha);
	free(ti->open_typed);
	free(ti);
	t->images = NULL;
}

int
turn_images_fd(const struct tui *t)
{
	return t->images != NULL && t->images->fetcher != NULL ?
	    image_fetcher_fd(t->images->fetcher) : -1;
}

int
turn_images_busy(const struct tui *t)
{
	return t->images != NULL && t->images->fetcher != NULL &&
	    image_fetcher_busy(t->images->fetcher);
}

unsigned long
turn_images_generation(const struct tui *t)
{
	return t->images != NULL && t->images->fetcher != NULL ?
	    image_fetcher_generation(t->images->fetcher) : 0;
}

void
turn_images_news(struct tui *t)
{
	struct turn_images *ti = t->images;
	char err[ERRLEN], *sha, *file;
	int ok;

	if (ti == NULL || ti->fetcher == NULL)
		return;
	while (image_fetcher_take(ti->fetcher, &sha, &ok, err)) {
		if (ti->open_sha != NULL && strcmp(ti->open_sha, sha) == 0) {
			if (ok && (file = visual_cache_find(t->home, sha, ti->open_typed)) != NULL) {
				open_file(t, file);
				free(file);
			} else if (!ok)
				tui_message(t, 1, "Cannot fetch image %zu: %s", ti->open_k + 1, err);
			free(ti->open_sha);
			free(ti->open_typed);
			ti->open_sha = ti->open_typed = NULL;
			ti->noted = 1;
		} else if (!ok) {
			log_warn("screenshot %.12s: %s", sha, err);
			/* One note, the first time (each line says it too); never a dialog. */
			if (!ti->noted)
				tui_message(t, 0, "Screenshots not fetched: %s", err);
			ti->noted = 1;
		}
		free(sha);
	}
}

void
turn_images_frame_begin(struct tui *t)
{
	if (t->images != NULL && t->images->overlay != NULL)
		image_overlay_begin(t->images->overlay);
}

void
turn_images_place(struct tui *t, WINDOW *w, int y, int pane_rows, const struct image_spot *sp)
{
	struct image_overlay *o = t->images != NULL ? t->images->overlay : NULL;

	/* Only whole pictures: a sixel cannot be cut, and half a picture says little. */
	if (o == NULL || y < 0 || y + sp->rows > pane_rows)
		return;
	image_overlay_add(o, sp->file, getbegy(w) + y, getbegx(w) + sp->x, sp->cols, sp->rows);
}

void
turn_images_frame_ready(struct tui *t)
{
	struct image_overlay *o = t->images != NULL ? t->images->overlay : NULL;

	if (o == NULL)
		return;
	if (is_cleared(curscr))
		image_overlay_lost(o);
	else if (image_overlay_repaint(o)) {
		/* Sixel pixels stay until text covers them: curses repaints it all. */
		clearok(curscr, TRUE);
		image_overlay_lost(o);
	}
}

void
turn_images_frame_done(struct tui *t)
{
	if (t->images != NULL && t->images->overlay != NULL)
		image_overlay_write(t->images->overlay, t->images->out);
}

void
turn_images_leave(struct tui *t)
{
	if (t->images != NULL && t->images->overlay != NULL)
		image_overlay_clear(t->images->overlay, t->images->out);
}
