/*
 * Screenshots pulled from the cloud are fetched when someone looks at one,
 * not by the pull: into AGENTLOGS_HOME/visual-cache/fetched, a cache bounded
 * by visuals.cache-mb and visuals.cache-days (the least recently viewed go
 * first). Screenshots imported on this machine live in visual-cache itself
 * and are never evicted: they are the only copy until pushed.
 */
#ifndef AL_SYNC_VISUAL_CACHE_H
#define AL_SYNC_VISUAL_CACHE_H

#include <stdatomic.h>
#include <time.h>

struct config;

/* The cache's bounds: visuals.cache-mb (in bytes here) and visuals.cache-days. */
struct visual_cache_bounds {
	long long max_bytes;
	long max_days;
};

/* The longest a fetch holds the browser's screen before it gives up. */
#define VISUAL_FETCH_TIMEOUT_MS 8000

/* Where fetched screenshots go, relative to the home. */
#define VISUAL_CACHE_FETCHED "visual-cache/fetched"

/*
 * The local file of the screenshot sha256 whose stored path or cloud path is
 * typed (its extension names the type): imported here, or fetched before.
 * NULL when neither is here. Newly allocated.
 */
char *visual_cache_find(const char *home, const char *sha256, const char *typed);

/* cfg's bounds. */
void visual_cache_bounds_of(const struct config *cfg, struct visual_cache_bounds *b);

/*
 * The local file of a screenshot, fetched from the cloud first when it is not
 * here (see visual_cache_find), then the cache trimmed to b; a fetched file
 * is marked as viewed now (AGENTLOGS_NOW in tests). A fetch gives up when
 * *cancel is raised (by another thread; NULL: never) or, raising it, after
 * VISUAL_FETCH_TIMEOUT_MS ($AGENTLOGS_FETCH_TIMEOUT_MS). It blocks: the
 * browser calls it on its image fetcher's thread (ui/image-fetcher.h).
 * Returns 0 with *file set (the caller frees it), or -1 with err filled.
 */
int visual_cache_get(const char *home, const struct visual_cache_bounds *b, const char *sha256,
    const char *typed, atomic_int *cancel, char **file, char *err);

/*
 * Trims the fetched screenshots: those not viewed for max_days go, then the
 * least recently viewed until they take at most max_bytes; keep (a path, or
 * NULL) stays whatever its age or size. Returns how many files went.
 */
long visual_cache_trim(const char *home, long long max_bytes, long max_days, time_t now,
    const char *keep);

#endif
