/*
 * The watcher: tells its owner when transcripts under <claude dir>/projects
 * may have changed, so that the incremental import (capture/import.h) reads
 * just the new bytes. One inotify watch on projects/ and one on every project
 * folder: new folders get a watch of their own; new files, appends, renames,
 * deletes and truncations are reported as a change.
 *
 * Nothing is missed, whatever the kernel allows:
 *   - the event queue overflowed (IN_Q_OVERFLOW): events were lost, so the
 *     owner rescans everything (watch_rescan, then a full import);
 *   - the watch limit (fs.inotify.max_user_watches: ENOSPC), no inotify, or
 *     no projects/ yet: the watcher says so once and turns to periodic scans
 *     (WATCH_SCAN), which the owner runs with backoff (capture/debounce.h).
 * The fault points "watch-overflow" (every read of the queue from the Nth on
 * finds it overflowed) and "watch-enospc" (the limit reached from the Nth
 * watch on) simulate both for the tests.
 */
#ifndef AL_WATCH_H
#define AL_WATCH_H

#include <stdint.h>

enum watch_mode {
	WATCH_INOTIFY,		/* events wake the owner */
	WATCH_SCAN,		/* no events: the owner scans on a timer */
};

/* What one inotify event asks of the owner (watch_decide). */
#define WATCH_NOTHING 0
#define WATCH_CHANGED 1		/* import: a transcript may have new bytes */
#define WATCH_ADD_DIR 2		/* a new project folder: watch it too */
#define WATCH_RESCAN 4		/* events were lost: watch everything again and import all */
#define WATCH_DROP_DIR 8	/* a watched folder is gone */

/*
 * Pure: the action for one event of mask (an inotify mask) on a name (NULL or
 * "" for the watched folder itself); top: the event came from projects/.
 */
int watch_decide(uint32_t mask, const char *name, int top);

struct watcher;

/* Starts watching dir/projects; never fails for lack of inotify (it scans instead). */
struct watcher *watch_open(const char *claude_dir);
void watch_close(struct watcher *w);
/* The fd to poll for events, or -1 in WATCH_SCAN mode. */
int watch_fd(const struct watcher *w);
enum watch_mode watch_mode(const struct watcher *w);
/* Folders watched now (projects/ included). */
int watch_folders(const struct watcher *w);
/* Reads the events waiting (non-blocking): WATCH_CHANGED and/or WATCH_RESCAN, or 0. */
int watch_read(struct watcher *w);
/*
 * Adds a watch to every folder not watched yet (after an overflow, at start, or
 * from a scan: projects/ may have appeared). May turn to WATCH_SCAN.
 */
void watch_rescan(struct watcher *w);

#endif
