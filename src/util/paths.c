#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "util/paths.h"
#include "util/xmalloc.h"

static const char *
user_home(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && *h != '\0')
		return h;
	if ((pw = getpwuid(getuid())) != NULL)
		return pw->pw_dir;
	return "/";
}

char *
paths_home(void)
{
	const char *h = getenv("AGENTLOGS_HOME");

	if (h != NULL && *h != '\0')
		return xstrdup(h);
	return xprintf("%s/.agentlogs", user_home());
}

int
paths_ensure_home(const char *home, char *err)
{
	if (mkdir(home, 0700) == 0 || errno == EEXIST) {
		if (!paths_is_dir(home))
			return seterr(err, "%s exists and is not a directory", home);
		return 0;
	}
	return seterr(err, "cannot create %s: %s", home, strerror(errno));
}

char *
paths_in_home(const char *home, const char *name)
{
	return xprintf("%s/%s", home, name);
}

int
paths_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *
paths_claude_dir(void)
{
	const char *env = getenv("CLAUDE_HOME");
	char *a, *b;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	a = xprintf("%s/.claude", user_home());
	if (paths_is_dir(a))
		return a;
	b = xprintf("%s/.config/claude", user_home());
	if (paths_is_dir(b)) {
		free(a);
		return b;
	}
	free(b);
	return a;
}

char *
paths_samples_dir(void)
{
	const char *env = getenv("AGENTLOGS_SAMPLES");
	const char *candidates[] = { ABS_TOP_SRCDIR "/samples", PKGDATADIR "/samples" };
	size_t i;

	if (env != NULL && *env != '\0')
		return paths_is_dir(env) ? xstrdup(env) : NULL;
	for (i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
		if (paths_is_dir(candidates[i]))
			return xstrdup(candidates[i]);
	}
	return NULL;
}

char *
paths_basename(const char *path)
{
	size_t end = strlen(path), start;

	while (end > 1 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	return xstrndup(path + start, end - start);
}

int
paths_write_atomic(const char *path, const char *data, size_t len, int mode, char *err)
{
	/*
	 * A short unique name beside the target: path plus a suffix could pass
	 * NAME_MAX where path itself does not, and two threads of one process
	 * writing one path must not share a temporary file.
	 */
	const char *slash = strrchr(path, '/');
	char *tmp = slash != NULL ? xprintf("%.*s/.tmp-XXXXXX", (int)(slash - path), path) :
	    xstrdup(".tmp-XXXXXX");
	int fd;
	size_t off = 0;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		seterr(err, "cannot write %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	/* open() honours the umask; the mode must hold exactly (tokens are 0600). */
	fchmod(fd, mode);
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		fd = -1;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	seterr(err, "cannot write %s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

const char *
paths_under(const char *path, const char *root)
{
	size_t n;

	if (path == NULL || root == NULL || (n = strlen(root)) == 0)
		return path;
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(path, root, n) == 0 && path[n] == '/' && path[n + 1] != '\0')
		return path + n + 1;
	return path;
}
