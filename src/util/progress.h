/* A one-line progress display on stderr, redrawn at most ten times a second. */
#ifndef AL_PROGRESS_H
#define AL_PROGRESS_H

#include <stdint.h>

struct progress {
	int enabled;		/* stderr is a terminal */
	int64_t last_ms;
	int width;		/* columns of the last line drawn */
};

void progress_init(struct progress *p);
/* Draws "label [#####     ] NN% detail" when enough time has passed or force is set. */
void progress_update(struct progress *p, const char *label, double fraction,
    const char *detail, int force);
/* Erases the line. */
void progress_done(struct progress *p);

#endif
