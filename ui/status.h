/*
 * The header line and the status bar, as text: pure functions of the sync
 * snapshot and the clock, so they are tested without a terminal.
 *   header:  user (or "local only"), machine, project filter, the open views
 *   status:  live / syncing / polling / offline / local ("daemon live" and so
 *            on while a daemon syncs for the browser), ↑N pending, !N
 *            conflicts, the time since the last sync, the last error on one
 *            line, and where the cursor is ("commits 3/8") at the right; a
 *            note (the samples') in place of the sync figures
 */
#ifndef AL_UI_STATUS_H
#define AL_UI_STATUS_H

#include <stddef.h>
#include <time.h>

#include "ui/draw.h"
#include "ui/sync-thread.h"

/* "just now", "42s ago", "5m ago", "3h ago", "2d ago"; "never" for 0. */
void status_since(time_t then, time_t now, char *out, size_t size);
void status_bar(struct rline *l, const struct sync_status *s, time_t now,
    const char *position, const char *note, int cols);
void header_bar(struct rline *l, const char *user, const char *machine, const char *filter,
    const char *views, int cols);

#endif
