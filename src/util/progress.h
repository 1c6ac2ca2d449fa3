/* A one-line progress display on stderr, redrawn at most ten times a second. */
#ifndef AL_PROGRESS_H
#define AL_PROGRESS_H

#include <stdint.h>

struct progress {
	int enabled;		/* stderr is a terminal */
	int64_t last_ms;
	int64_t start_ms;	/* when the operation shown began */
	int64_t after_ms;	/* nothing is drawn before it has run this long */
	int width;		/* columns of the last line drawn */
};

void progress_init(struct progress *p);
/*
 * A new operation begins: its rate counts from now, and with after_ms > 0
 * nothing is drawn until it has run that long (a quick one shows no bar).
 */
void progress_start(struct progress *p, int64_t after_ms);
/*
 * Draws "label [#####     ] NN% detail" when enough time has passed or force
 * is set; with a negative fraction (the total is unknown), "label detail".
 */
void progress_update(struct progress *p, const char *label, double fraction,
    const char *detail, int force);
/*
 * The same with the detail "done[/total] rows, X.X MB, Y.Y MB/s" (total <= 0:
 * unknown; the rate since progress_start).
 */
void progress_rows(struct progress *p, const char *label, long long done, long long total,
    double bytes, int force);
/* Erases the line. */
void progress_done(struct progress *p);

#endif
