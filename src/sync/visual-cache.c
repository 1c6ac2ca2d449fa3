#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "sync/engine.h"
#include "sync/visual-cache.h"
#include "sync/visuals.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* "<dir>/<sha256>.<ext>" in the home, ext taken from typed; NULL when typed has none. */
static char *
file_in(const char *home, const char *dir, const char *sha256, const char *typed)
{
	const char *ext = typed != NULL ? strrchr(typed, '.') : NULL;
	char *rel, *file;

	if (ext == NULL || strchr(ext, '/') != NULL || strchr(sha256, '/') != NULL)
		return NULL;
	rel = xprintf("%s/%s%s", dir, sha256, ext);
	file = paths_in_home(home, rel);
	free(rel);
	return file;
}

/* The modification time is the last view: eviction goes by it. */
static void
mark_viewed(const char *file)
{
	struct timespec t[2] = { { time_now(), 0 }, { time_now(), 0 } };

	if (utimensat(AT_FDCWD, file, t, 0) != 0)
		log_warn("cannot mark %s as viewed: %s", file, strerror(errno));
}

/* The local file, and whether it is a fetched one (*fetched). */
static char *
find(const char *home, const char *sha256, const char *typed, int *fetched)
{
	char *file = file_in(home, "visual-cache", sha256, typed);

	*fetched = 0;
	if (file != NULL && access(file, R_OK) == 0)
		return file;
	free(file);
	file = file_in(home, VISUAL_CACHE_FETCHED, sha256, typed);
	if (file != NULL && access(file, R_OK) == 0) {
		*fetched = 1;
		return file;
	}
	free(file);
	return NULL;
}

char *
visual_cache_find(const char *home, const char *sha256, const char *typed)
{
	int fetched;

	return find(home, sha256, typed, &fetched);
}

int
visual_cache_get(const char *home, const struct config *cfg, const char *sha256,
    const char *typed, char **file, char *err)
{
	struct sync_ctx sc;
	char *dir;
	int rc, fetched;

	if ((*file = find(home, sha256, typed, &fetched)) != NULL) {
		if (fetched)
			mark_viewed(*file);
		return 0;
	}
	if (strncmp(typed, "visual-cache/", 13) == 0)
		return seterr(err, "%s is gone and was never uploaded", typed);
	dir = paths_in_home(home, "visual-cache");
	rc = paths_ensure_home(dir, err);
	free(dir);
	if (rc != 0)
		return -1;
	rc = sync_open(&sc, home, err);
	if (rc == 1)
		return seterr(err, "this screenshot is in the cloud: log in to see it");
	if (rc != 0)
		return -1;
	rc = visuals_download_one(&sc, sha256, typed, VISUAL_CACHE_FETCHED, file, err);
	sync_close(&sc);
	if (rc != 0)
		return -1;
	mark_viewed(*file);
	visual_cache_trim(home, config_get_number(cfg, "visuals.cache-mb") << 20,
	    config_get_number(cfg, "visuals.cache-days"), time_now(), *file);
	return 0;
}

struct cached {
	char *path;
	time_t viewed;
	long long size;
};

static int
by_viewed(const void *a, const void *b)
{
	const struct cached *x = a, *y = b;

	if (x->viewed != y->viewed)
		return x->viewed < y->viewed ? -1 : 1;
	return strcmp(x->path, y->path);
}

long
visual_cache_trim(const char *home, long long max_bytes, long max_days, time_t now,
    const char *keep)
{
	char *dir = paths_in_home(home, VISUAL_CACHE_FETCHED);
	DIR *d = opendir(dir);
	struct cached *c = NULL;
	struct dirent *e;
	size_t n = 0, cap = 0, i;
	long long total = 0;
	long gone = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		struct stat st;
		char *path;

		if (e->d_name[0] == '.')
			continue;
		path = xprintf("%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			c = xreallocarray(c, cap, sizeof *c);
		}
		c[n].path = path;
		c[n].viewed = st.st_mtime;
		c[n].size = (long long)st.st_size;
		total += c[n++].size;
	}
	if (d != NULL)
		closedir(d);
	qsort(c, n, sizeof *c, by_viewed);
	for (i = 0; i < n; i++) {
		int stale = now - c[i].viewed > (time_t)max_days * 86400;

		if ((stale || total > max_bytes) && (keep == NULL || strcmp(keep, c[i].path) != 0)) {
			if (unlink(c[i].path) == 0) {
				total -= c[i].size;
				gone++;
			} else
				log_warn("cannot evict %s: %s", c[i].path, strerror(errno));
		}
		free(c[i].path);
	}
	free(c);
	free(dir);
	return gone;
}
