/*
 * Screenshots fetched from the cloud off the UI thread: the browser asks for
 * the ones that come on screen (and the next screen), a worker thread of its
 * own fetches them one at a time (sync/visual-cache.h: its own store
 * connection and cloud client) and pokes image_fetcher_fd() after each, so
 * the browser never waits on the network. Each screenshot is fetched at most
 * once per browser run unless asked again on purpose (i after a failure).
 */
#ifndef AL_UI_IMAGE_FETCHER_H
#define AL_UI_IMAGE_FETCHER_H

struct image_fetcher;
struct visual_cache_bounds;

enum image_fetch_state {
	IMAGE_FETCH_NONE,	/* never asked for */
	IMAGE_FETCH_QUEUED,	/* asked for, waiting or being fetched */
	IMAGE_FETCH_DONE,	/* in the cache */
	IMAGE_FETCH_FAILED,	/* the fetch failed (a note says why) */
};

/* Starts the thread; NULL with err filled when it cannot. */
struct image_fetcher *image_fetcher_start(const char *home, const struct visual_cache_bounds *b,
    char *err);
/* Cancels the fetch under way, joins the thread and frees everything. */
void image_fetcher_stop(struct image_fetcher *f);
/* Readable after a fetch was queued or finished. */
int image_fetcher_fd(const struct image_fetcher *f);

/*
 * Asks for the screenshot sha256 whose stored or cloud path is typed: queued
 * unless it was asked for before (again when retry and it failed). Returns
 * its state after the call.
 */
enum image_fetch_state image_fetcher_want(struct image_fetcher *f, const char *sha256,
    const char *typed, int retry);
enum image_fetch_state image_fetcher_state(struct image_fetcher *f, const char *sha256);
/* Some fetch waits or runs. */
int image_fetcher_busy(struct image_fetcher *f);

/*
 * Takes the oldest finished fetch not taken yet (and drains the pipe): 1 with
 * *sha256 (newly allocated), *ok and, when it failed, err; 0 when none.
 */
int image_fetcher_take(struct image_fetcher *f, char **sha256, int *ok, char *err);

/* Changes when a fetch is queued or finishes: what a turn's screenshots show changes then. */
unsigned long image_fetcher_generation(struct image_fetcher *f);

#endif
