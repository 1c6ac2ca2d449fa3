#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/watch.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* What is asked of a project folder: every way a transcript can change. */
#define SUB_MASK (IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | \
	IN_DELETE | IN_DELETE_SELF | IN_ONLYDIR)
/* ...and of projects/: folders coming and going, and projects/ itself going. */
#define TOP_MASK (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | \
	IN_MOVE_SELF | IN_ONLYDIR)

enum scan_why { SCAN_NONE, SCAN_NO_INOTIFY, SCAN_LIMIT, SCAN_NO_PROJECTS };

struct watcher {
	char *projects;
	int fd;			/* inotify, or -1 */
	int top_wd;		/* projects/'s watch, or -1 */
	int *wds;		/* every watch, projects/'s included */
	int nwds, capwds;
	enum scan_why scan;	/* why it scans, SCAN_NONE while events come */
};

static int
ends_with_jsonl(const char *name)
{
	size_t len = name != NULL ? strlen(name) : 0;

	return len > 6 && strcmp(name + len - 6, ".jsonl") == 0;
}

int
watch_decide(uint32_t mask, const char *name, int top)
{
	if (mask & IN_Q_OVERFLOW)
		return WATCH_RESCAN;
	if (mask & IN_IGNORED)	/* the watch is gone (its folder deleted) */
		return top ? WATCH_DROP_DIR | WATCH_RESCAN : WATCH_DROP_DIR;
	if (top) {
		if (mask & (IN_DELETE_SELF | IN_MOVE_SELF))
			return WATCH_RESCAN;
		if ((mask & IN_ISDIR) && (mask & (IN_CREATE | IN_MOVED_TO)))
			return WATCH_ADD_DIR | WATCH_CHANGED;
		return WATCH_NOTHING;	/* files in projects/ itself are not transcripts */
	}
	if (mask & IN_ISDIR)
		return WATCH_NOTHING;	/* only <project>/<session>.jsonl is read */
	return ends_with_jsonl(name) ? WATCH_CHANGED : WATCH_NOTHING;
}

static void
go_scan(struct watcher *w, enum scan_why why, const char *detail)
{
	if (w->scan == why)
		return;
	switch (why) {
	case SCAN_NO_INOTIFY:
		log_warn("watch: no inotify (%s): scanning %s periodically instead", detail,
		    w->projects);
		break;
	case SCAN_LIMIT:
		log_warn("watch: the inotify watch limit is reached (fs.inotify.max_user_watches):"
		    " scanning %s periodically instead", w->projects);
		break;
	case SCAN_NO_PROJECTS:
		log_warn("watch: no %s yet: scanning for it periodically", w->projects);
		break;
	case SCAN_NONE:
		break;
	}
	w->scan = why;
}

/* Adds (or finds again) the watch on path; -1 after turning to scans. */
static int
add_watch(struct watcher *w, const char *path, uint32_t mask)
{
	int wd, i;

	if (fault_hit("watch-enospc")) {
		wd = -1;
		errno = ENOSPC;
	} else
		wd = inotify_add_watch(w->fd, path, mask);
	if (wd < 0) {
		if (errno == ENOSPC)
			go_scan(w, SCAN_LIMIT, NULL);
		else if (errno != ENOENT && errno != ENOTDIR)
			log_warn("watch: %s: %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < w->nwds; i++) {
		if (w->wds[i] == wd)
			return wd;
	}
	if (w->nwds == w->capwds) {
		w->capwds = w->capwds == 0 ? 64 : w->capwds * 2;
		w->wds = xreallocarray(w->wds, (size_t)w->capwds, sizeof *w->wds);
	}
	w->wds[w->nwds++] = wd;
	return wd;
}

static void
drop_watch(struct watcher *w, int wd)
{
	int i;

	for (i = 0; i < w->nwds; i++) {
		if (w->wds[i] == wd) {
			w->wds[i] = w->wds[--w->nwds];
			break;
		}
	}
	if (wd == w->top_wd)
		w->top_wd = -1;
}

void
watch_rescan(struct watcher *w)
{
	struct dirent *de;
	DIR *d;
	char *path;

	if (w->scan == SCAN_NO_INOTIFY || w->scan == SCAN_LIMIT)
		return;		/* the kernel will not give more: scans find everything */
	if ((w->top_wd = add_watch(w, w->projects, TOP_MASK)) < 0) {
		if (w->scan == SCAN_NONE)
			go_scan(w, SCAN_NO_PROJECTS, NULL);
		return;
	}
	if (w->scan == SCAN_NO_PROJECTS) {
		log_warn("watch: %s appeared: watching it", w->projects);
		w->scan = SCAN_NONE;
	}
	if ((d = opendir(w->projects)) == NULL)
		return;
	while (w->scan == SCAN_NONE && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = xprintf("%s/%s", w->projects, de->d_name);
		add_watch(w, path, SUB_MASK);	/* ENOTDIR: not a folder, skipped */
		free(path);
	}
	closedir(d);
}

struct watcher *
watch_open(const char *claude_dir)
{
	struct watcher *w = xcalloc(1, sizeof *w);

	w->projects = xprintf("%s/projects", claude_dir);
	w->top_wd = -1;
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		go_scan(w, SCAN_NO_INOTIFY, strerror(errno));
	watch_rescan(w);
	return w;
}

void
watch_close(struct watcher *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w->wds);
	free(w->projects);
	free(w);
}

int
watch_fd(const struct watcher *w)
{
	return w->scan == SCAN_NONE ? w->fd : -1;
}

enum watch_mode
watch_mode(const struct watcher *w)
{
	return w->scan == SCAN_NONE ? WATCH_INOTIFY : WATCH_SCAN;
}

int
watch_folders(const struct watcher *w)
{
	return w->nwds;
}

int
watch_read(struct watcher *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *path;
	int out = 0, act, lost = 0;
	size_t at;

	if (w->scan != SCAN_NONE)
		return 0;
	while ((n = read(w->fd, buf, sizeof buf)) > 0) {
		if (fault_hit("watch-overflow")) {
			/* As the kernel does when its queue is full: these events are lost. */
			log_debug("watch: fault: the events just read are dropped");
			lost = 1;
			continue;
		}
		for (at = 0; at < (size_t)n; at += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)(buf + at);
			act = watch_decide(ev->mask, ev->len > 0 ? ev->name : NULL,
			    ev->wd == w->top_wd && w->top_wd >= 0);
			if (act & WATCH_DROP_DIR)
				drop_watch(w, ev->wd);
			if (act & WATCH_ADD_DIR) {
				path = xprintf("%s/%s", w->projects, ev->name);
				add_watch(w, path, SUB_MASK);
				free(path);
			}
			if (ev->mask & IN_Q_OVERFLOW)
				lost = 1;
			out |= act & (WATCH_CHANGED | WATCH_RESCAN);
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		log_warn("watch: reading events: %s", strerror(errno));
		out |= WATCH_RESCAN;
	}
	if (lost) {
		log_warn("watch: events were lost (queue overflow): rescanning %s", w->projects);
		out |= WATCH_RESCAN;
	}
	return out;
}
