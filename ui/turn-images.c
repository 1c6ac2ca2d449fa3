#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/visual-rows.h"
#include "sync/visual-cache.h"
#include "ui/draw.h"
#include "ui/image-cells.h"
#include "ui/turn-images.h"
#include "ui/tui.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* A screenshot drawn in the conversation takes at most this many lines. */
#define IMAGE_ROWS 12

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

/* Describes image k on l; returns its local file, NULL when it is not here. */
static char *
describe(struct rline *l, const char *home, const char *sha, const char *typed, size_t k)
{
	const char *ext = strrchr(typed, '.');
	char type[8] = "", *file = visual_cache_find(home, sha, typed);
	unsigned long w, h;
	struct stat st;
	size_t i;

	for (i = 0; ext != NULL && ext[i + 1] != '\0' && i < sizeof type - 1; i++)
		type[i] = (char)(ext[i + 1] >= 'a' && ext[i + 1] <= 'z' ? ext[i + 1] - 32 : ext[i + 1]);
	type[i] = '\0';
	rline_raw(l, ROLE_DEFAULT, "  ");
	rline_addf(l, ROLE_LABEL, "\xe2\x96\xa3 image %zu", k + 1);	/* ▣ */
	if (file == NULL) {
		rline_addf(l, ROLE_THINKING, " (%s, in the cloud; i fetches and opens it)", type);
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

void
turn_images_render(struct tui *t, struct textbuf *tb, const char *turn_id, int cols)
{
	struct shots s = { 0 };
	char err[ERRLEN] = "";
	size_t k;

	if (turn_id == NULL)
		return;
	if (visuals_of_turn(t->st, turn_id, take_shot, &s, err) != 0)
		log_warn("%s", err);
	for (k = 0; k < s.n; k++) {
		struct rline *l = textbuf_line(tb);
		char *file = describe(l, t->home, s.sha[k], s.typed[k], k);
		size_t first = tb->n, i;

		l->tag = TURN_IMAGE_TAG((int)k);
		if (file != NULL && image_cells(tb, file, "    ", cols, IMAGE_ROWS) > 0) {
			/* i on the picture opens it too. */
			for (i = first; i < tb->n; i++)
				tb->lines[i].tag = TURN_IMAGE_TAG((int)k);
		}
		free(file);
	}
	shots_free(&s);
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

void
turn_images_open(struct tui *t, const char *turn_id, int tag)
{
	struct shots s = { 0 };
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
	if (visual_cache_get(t->home, t->cfg, s.sha[k], s.typed[k], &file, err) != 0)
		tui_message(t, 1, "Cannot fetch image %zu: %s", k + 1, err);
	else if (open_with_viewer(file) != 0)
		tui_message(t, 1, "Cannot open %s (set AGENTLOGS_OPEN or install xdg-open).", file);
	else
		tui_message(t, 0, "Opened %s", file);
	free(file);
	shots_free(&s);
}
