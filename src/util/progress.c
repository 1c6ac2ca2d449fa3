#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util/progress.h"

#define BAR_WIDTH 24

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
terminal_columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

void
progress_init(struct progress *p)
{
	memset(p, 0, sizeof *p);
	p->enabled = isatty(STDERR_FILENO);
}

void
progress_update(struct progress *p, const char *label, double fraction, const char *detail,
    int force)
{
	char bar[BAR_WIDTH + 1], line[512];
	int64_t now;
	int filled, i, len, cols;

	if (!p->enabled)
		return;
	now = monotonic_ms();
	if (!force && now - p->last_ms < 100)
		return;
	p->last_ms = now;
	if (fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	filled = (int)(fraction * BAR_WIDTH + 0.5);
	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < filled ? '#' : ' ';
	bar[BAR_WIDTH] = '\0';
	len = snprintf(line, sizeof line, "%s [%s] %3d%% %s", label, bar,
	    (int)(fraction * 100), detail);
	cols = terminal_columns() - 1;
	if (len > cols)
		len = cols;
	if (len < 0)
		len = 0;
	fprintf(stderr, "\r%.*s", len, line);
	for (i = len; i < p->width; i++)
		fputc(' ', stderr);
	p->width = len;
	fflush(stderr);
}

void
progress_done(struct progress *p)
{
	if (!p->enabled || p->width == 0)
		return;
	fprintf(stderr, "\r%*s\r", p->width, "");
	fflush(stderr);
	p->width = 0;
}
