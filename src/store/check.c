/*
 * Is the store fit to be written? A full check (PRAGMA quick_check) reads the
 * whole file: over a second per 100 MB, on every import, push, pull and cron
 * sync. So a command that found the store good records, after its clean close,
 * the file's fingerprint in DATA.checked; the next command skips the check
 * while the fingerprint still holds.
 *
 * What keeps a skip honest:
 * - the fingerprint holds device, inode, size, mtime and ctime (nanoseconds) of
 *   the database and of its WAL. Any write, truncation, replacement, chmod or
 *   utime after it was taken moves ctime, which no program can set back.
 * - it is taken only once the file system's clock has moved past the file's
 *   ctime (see fingerprint_past): a write within the same clock tick as the
 *   last one it saw would otherwise leave ctime unchanged.
 * - it is written after the close, by a process that checked at open (or
 *   skipped on a matching record) and met no error; a crash writes nothing, and
 *   a crash's leftovers (a WAL with frames, a half-checkpointed file) change
 *   the fingerprint anyway. Concurrent writers each record a state they saw;
 *   any later change misses both records, so a stale record only costs a check.
 * - what fingerprints cannot see (bytes rotting below the file system, damage
 *   done while a command had the store open) is caught by a full check at
 *   least once every RECHECK_SECONDS.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/check.h"
#include "store/internal.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define RECHECK_SECONDS (7 * 24 * 3600)
/* FAT's 2 s mtime granularity is the coarsest a store may live on. */
#define CLOCK_WAIT_MS 3000

static int
ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* One file's part of the fingerprint; *newest becomes its ctime when later. */
static void
describe(char *out, size_t len, const char *label, const char *file, struct timespec *newest)
{
	struct stat sb;

	if (stat(file, &sb) != 0 || (label[0] == 'w' && sb.st_size == 0)) {
		/* An empty WAL holds nothing: the same as none (opening makes one). */
		snprintf(out, len, "%s none", label);
		return;
	}
	snprintf(out, len, "%s %ju %ju %jd %jd.%09ld %jd.%09ld", label, (uintmax_t)sb.st_dev,
	    (uintmax_t)sb.st_ino, (intmax_t)sb.st_size, (intmax_t)sb.st_mtim.tv_sec,
	    sb.st_mtim.tv_nsec, (intmax_t)sb.st_ctim.tv_sec, sb.st_ctim.tv_nsec);
	if (ts_before(newest, &sb.st_ctim))
		*newest = sb.st_ctim;
}

/*
 * The store's state as one line; two equal lines mean nothing touched it.
 * *newest: the latest ctime in it.
 */
static char *
fingerprint(const char *path, struct timespec *newest)
{
	char db[160], wal[160], *walpath = xprintf("%s-wal", path);

	newest->tv_sec = 0;
	newest->tv_nsec = 0;
	describe(db, sizeof db, "db", path, newest);
	describe(wal, sizeof wal, "wal", walpath, newest);
	free(walpath);
	return xprintf("%s %s", db, wal);
}

/*
 * The fingerprint, taken once the file system stamps a file (fd, ours) later
 * than the last change to the store and its WAL: any change after it then
 * gets another ctime, even one within the same clock tick as the last change
 * it saw. NULL when the clock does not move in time (set back).
 */
static char *
fingerprint_past(int fd, const char *path)
{
	struct timespec ms = { 0, 1000000 }, newest;
	struct stat now;
	char *fp;
	int i;

	for (i = 0; i < CLOCK_WAIT_MS; i++) {
		if (i > 0)
			nanosleep(&ms, NULL);
		if (futimens(fd, NULL) != 0 || fstat(fd, &now) != 0)
			return NULL;
		fp = fingerprint(path, &newest);
		if (ts_before(&newest, &now.st_mtim))
			return fp;
		free(fp);
	}
	return NULL;
}

static char *
record_path(const char *path)
{
	return xprintf("%s.checked", path);
}

int
check_record_matches(const char *path, long long *checked_at, const char **why)
{
	char *file = record_path(path), *now = NULL, line[400], stamp[40];
	struct timespec newest;
	FILE *f;
	int match = 0;

	*why = "no record of a clean close";
	if ((f = fopen(file, "re")) == NULL) {
		free(file);
		return 0;
	}
	if (fgets(line, sizeof line, f) != NULL && fgets(stamp, sizeof stamp, f) != NULL &&
	    sscanf(stamp, "checked %lld", checked_at) == 1) {
		line[strcspn(line, "\n")] = '\0';
		now = fingerprint(path, &newest);
		if (strcmp(line, now) != 0)
			*why = "changed since the last clean close";
		else if (time(NULL) - *checked_at > RECHECK_SECONDS || *checked_at > time(NULL))
			*why = "no full check within the past week";
		else
			match = 1;
	}
	fclose(f);
	free(now);
	free(file);
	return match;
}

void
check_record_write(const char *path, long long checked_at)
{
	char *file = record_path(path), *tmp = xprintf("%s.tmp.%ld", file, (long)getpid());
	char *fp, *line;
	const char *failed = NULL;
	size_t len;
	int fd;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) == -1) {
		log_debug("%s: not recorded as checked: %s", path, strerror(errno));
		free(tmp);
		free(file);
		return;
	}
	if ((fp = fingerprint_past(fd, path)) == NULL)
		failed = "the file system's clock did not move past its last change";
	else {
		line = xprintf("%s\nchecked %lld\n", fp, checked_at);
		len = strlen(line);
		/* No fsync: a record lost or emptied by a power cut only costs a check. */
		if (write(fd, line, len) != (ssize_t)len)
			failed = strerror(errno);
		free(fp);
		free(line);
	}
	if (close(fd) != 0 && failed == NULL)
		failed = strerror(errno);
	if (failed == NULL && rename(tmp, file) != 0)
		failed = strerror(errno);
	if (failed != NULL) {
		log_debug("%s: not recorded as checked: %s", path, failed);
		unlink(tmp);
	}
	free(tmp);
	free(file);
}

void
check_record_forget(const char *path)
{
	char *file = record_path(path);

	if (unlink(file) != 0 && errno != ENOENT)
		log_debug("cannot remove %s: %s", file, strerror(errno));
	free(file);
}

int
store_check_writable(struct store *st, char *err)
{
	sqlite3_stmt *q;
	char *verdict = NULL;
	const char *p, *why;
	long long checked_at = 0;

	if (sqlite3_db_readonly(st->db, "main") == 1)
		return seterr(err, "%s is read-only (%s): nothing can be written to it", st->path,
		    access(st->path, W_OK) != 0 ? strerror(errno) : "opened read-only");
	if (st->checked_at != 0)
		return 0;
	if (check_record_matches(st->path, &checked_at, &why)) {
		st->checked_at = checked_at;
		return 0;
	}
	/* A damaged page anywhere: writing more would bury it deeper. */
	log_debug("%s: full check (%s)", st->path, why);
	if ((q = store_prepare(st, "PRAGMA quick_check(1)", err)) == NULL)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		verdict = xstrdup((const char *)sqlite3_column_text(q, 0));
	else
		verdict = xstrdup(sqlite3_errmsg(st->db));
	sqlite3_finalize(q);
	if (strcmp(verdict, "ok") == 0) {
		free(verdict);
		st->checked_at = (long long)time(NULL);
		return 0;
	}
	check_record_forget(st->path);
	/* One line: "*** in database main ***\nPage 22: ..." becomes "Page 22: ...". */
	if ((p = strrchr(verdict, '\n')) == NULL)
		p = verdict;
	else
		p++;
	seterr(err, "%s is damaged (%s); nothing was written: restore it from a backup, "
	    "or move it away and import and pull again", st->path, p);
	free(verdict);
	return -1;
}

void
store_share_check(struct store *st, const struct store *checked)
{
	if (checked != NULL && strcmp(st->path, checked->path) == 0)
		st->checked_at = checked->checked_at;
}
