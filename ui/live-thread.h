/*
 * The browser's own live capture (capture/live.h) on a thread of its own,
 * with its own store connection, so that importing many new lines never
 * holds up keys or drawing, and a store locked by another writer (waited on
 * for up to the busy timeout) never freezes the screen. After an import that
 * wrote rows it pokes live_thread_fd() (the UI reads the store again when
 * data_version moved); when the new rows are due to go up it nudges the sync
 * thread it was given. The daemon runs the same capture on its main thread.
 */
#ifndef AL_UI_LIVE_THREAD_H
#define AL_UI_LIVE_THREAD_H

struct sync_thread;
struct live_thread;

/*
 * Opens home's store and starts watching claude_dir/projects, then imports
 * what is new; sync (may be NULL) is nudged when imported rows should go up
 * and must outlive the thread. NULL with err filled when it cannot start.
 */
struct live_thread *live_thread_start(const char *home, const char *claude_dir,
    int idle_minutes, struct sync_thread *sync, char *err);
/* Stops the thread (an import under way finishes first) and frees everything. */
void live_thread_stop(struct live_thread *lt);
/* Readable after an import wrote rows. */
int live_thread_fd(const struct live_thread *lt);
void live_thread_drain(struct live_thread *lt);
/* Waits until the first import (the lines written since the browser's own) is done. */
void live_thread_wait_first(struct live_thread *lt);

#endif
