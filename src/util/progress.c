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
	p->start_ms = monotonic_ms();
}

void
progress_start(struct progress *p, int64_t after_ms)
{
	p->start_ms = monotonic_ms();
	p->after_ms = after_ms;
	p->last_ms = 0;
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
	if (now - p->start_ms < p->after_ms || (!force && now - p->last_ms < 100))
		return;
	p->last_ms = now;
	if (fraction > 1)
		fraction = 1;
	filled = (int)(fraction * BAR_WIDTH + 0.5);
	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < filled ? '#' : ' ';
	bar[BAR_WIDTH] = '\0';
	if (fraction < 0)
		len = snprintf(line, sizeof line, "%s %s", label, detail);
	else
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
progress_rows(struct progress *p, const char *label, long long done, long long total,
    double bytes, int force)
{
	char detail[160], of[32] = "";
	double secs;

	if (!p->enabled)
		return;
	secs = (double)(monotonic_ms() - p->start_ms) / 1000.0;
	if (total > 0)
		snprintf(of, sizeof of, "/%lld", total);
	snprintf(detail, sizeof detail, "%lld%s rows, %.1f MB, %.1f MB/s", done, of, bytes / 1e6,
	    secs > 0 ? bytes / 1e6 / secs : 0.0);
	progress_update(p, label, total > 0 ? (double)done / (double)total : -1.0, detail, force);
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
