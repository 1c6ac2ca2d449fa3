#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/project.h"
#include "capture/segment.h"
#include "util/paths.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

/* A small text file's first line (no newline), newly allocated; NULL when unreadable. */
static char *
read_line(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	if (fgets(buf, sizeof buf, f) == NULL) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	n = strcspn(buf, "\r\n");
	return xstrndup(buf, n);
}

/* p relative to dir unless absolute, newly allocated. */
static char *
resolve(const char *dir, const char *p)
{
	return p[0] == '/' ? xstrdup(p) : xprintf("%s/%s", dir, p);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* The url of remote "origin" in a git config file, else of the first remote; NULL if none. */
static char *
config_remote_url(const char *config)
{
	FILE *f = fopen(config, "r");
	char line[4096], *s, *v, *origin = NULL, *first = NULL;
	int in_remote = 0, is_origin = 0;

	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof line, f) != NULL) {
		s = trim(line);
		if (*s == '[') {
			in_remote = strncmp(s, "[remote ", 8) == 0;
			is_origin = in_remote && strncmp(s, "[remote \"origin\"]", 17) == 0;
			continue;
		}
		if (!in_remote || strncmp(s, "url", 3) != 0)
			continue;
		v = trim(s + 3);
		if (*v != '=')
			continue;
		v = trim(v + 1);
		if (is_origin && origin == NULL)
			origin = xstrdup(v);
		else if (first == NULL)
			first = xstrdup(v);
	}
	fclose(f);
	if (origin != NULL) {
		free(first);
		return origin;
	}
	return first;
}

char *
project_remote_normalise(const char *url)
{
	const char *p = url, *host, *path, *colon, *slash, *at;
	struct strbuf sb = STRBUF_INIT;
	size_t hostlen, len;

	if (url == NULL || *url == '\0')
		return NULL;
	if ((colon = strstr(p, "://")) != NULL) {
		/* scheme://[user@]host[:port]/path */
		host = colon + 3;
		slash = strchr(host, '/');
		if (slash == NULL)
			return NULL;
		at = memchr(host, '@', (size_t)(slash - host));
		if (at != NULL)
			host = at + 1;
		hostlen = strcspn(host, ":/");
		path = slash + 1;
	} else if ((colon = strchr(p, ':')) != NULL && (slash = strchr(p, '/')) != NULL &&
	    colon < slash) {
		/* scp-like [user@]host:path */
		host = p;
		at = memchr(p, '@', (size_t)(colon - p));
		if (at != NULL)
			host = at + 1;
		hostlen = (size_t)(colon - host);
		path = colon + 1;
	} else
		return NULL;	/* a local path: no host to share across machines */
	while (*path == '/')
		path++;
	len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	if (len > 4 && strncmp(path + len - 4, ".git", 4) == 0)
		len -= 4;
	if (hostlen == 0 || len == 0)
		return NULL;
	for (size_t i = 0; i < hostlen; i++)
		strbuf_addc(&sb, (char)tolower((unsigned char)host[i]));
	strbuf_addc(&sb, '/');
	strbuf_add(&sb, path, len);
	return strbuf_detach(&sb);
}

/*
 * The checkout holding dir: its root and its config file, from the nearest
 * .git going up (a directory, or a file naming the git dir, as in worktrees,
 * whose root is then the main checkout's). Returns 0 when there is none.
 */
static int
find_checkout(const char *dir, char **root, char **config)
{
	char *d = xstrdup(dir), *dotgit, *gitdir, *common, *line, *slash, *real;
	struct stat st;

	for (;;) {
		dotgit = xprintf("%s/.git", *d != '\0' ? d : "");
		if (stat(dotgit, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				*config = xprintf("%s/config", dotgit);
				*root = d;
				free(dotgit);
				return 1;
			}
			line = read_line(dotgit);
			if (line != NULL && strncmp(line, "gitdir:", 7) == 0) {
				gitdir = resolve(d, trim(line + 7));
				common = xprintf("%s/commondir", gitdir);
				free(line);
				line = read_line(common);
				free(common);
				common = line != NULL ? resolve(gitdir, trim(line)) : xstrdup(gitdir);
				if ((real = realpath(common, NULL)) != NULL) {
					free(common);
					common = real;
				}
				*config = xprintf("%s/config", common);
				/* A worktree belongs to the checkout whose .git holds it. */
				slash = strrchr(common, '/');
				if (slash != NULL && strcmp(slash, "/.git") == 0 && slash > common) {
					*slash = '\0';
					free(d);
					d = xstrdup(common);
				}
				free(gitdir);
				free(common);
				free(line);
				*root = d;
				free(dotgit);
				return 1;
			}
			free(line);
		}
		free(dotgit);
		if ((slash = strrchr(d, '/')) == NULL || *d == '\0') {
			free(d);
			return 0;
		}
		*slash = '\0';
	}
}

int
project_identify(const char *cwd, struct project_identity *id)
{
	char *config = NULL, *url;
	const char *base;
	int found;

	memset(id, 0, sizeof *id);
	if ((found = cwd != NULL && find_checkout(cwd, &id->root, &config))) {
		url = config_remote_url(config);
		id->remote = project_remote_normalise(url);
		free(url);
		free(config);
	} else
		id->root = cwd != NULL ? seg_project_path(cwd) : xstrdup("unknown");
	if (id->remote != NULL) {
		id->key = xprintf("git:%s", id->remote);
		/* owner/repo: the last two components of the remote's path. */
		base = id->remote + strlen(id->remote);
		for (int slashes = 0; base > id->remote; base--) {
			if (base[-1] == '/' && ++slashes == 2)
				break;
		}
		id->name = xstrdup(strchr(base, '/') != NULL ? base : id->remote);
	} else {
		id->key = xprintf("path:%s", id->root);
		id->name = paths_basename(id->root);
		if (*id->name == '\0' || strcmp(id->name, "/") == 0) {
			free(id->name);
			id->name = xstrdup("unknown");
		}
	}
	uuid_v5_join(id->id, "project", id->key, (char *)NULL);
	return found;
}

int
project_may_contain(const char *root)
{
	const char *home = getenv("HOME"), *p;
	int n = 0;

	if (root == NULL || (home != NULL && strcmp(root, home) == 0))
		return 0;
	for (p = root; *p != '\0'; p++) {
		if (*p != '/' && (p == root || p[-1] == '/'))
			n++;
	}
	/* "/", "/Users/ann", "/home/ann": a session there is not a project holding all others. */
	return n >= 2 && !(n == 2 && (strncmp(root, "/Users/", 7) == 0 ||
	    strncmp(root, "/home/", 6) == 0));
}

void
project_identity_free(struct project_identity *id)
{
	free(id->key);
	free(id->name);
	free(id->root);
	free(id->remote);
	memset(id, 0, sizeof *id);
}

char *
project_name_candidate(const struct project_identity *id, int level)
{
	const char *full = id->remote != NULL ? id->remote : id->root, *p;
	int want, n = 0;

	if (level == 0)
		return xstrdup(id->name);
	for (p = full; *p != '\0'; p++) {
		if (*p != '/' && (p == full || p[-1] == '/'))
			n++;
	}
	/* The name was the last one (folder) or two (owner/repo) components: add one a level. */
	want = level + (id->remote != NULL ? 2 : 1);
	if (want < n) {
		for (p = full + strlen(full); p > full; p--) {
			if (p[-1] == '/' && --want == 0)
				break;
		}
		return xstrdup(p);
	}
	if (want == n)
		return xstrdup(full);
	/* Keys are unique: the last resort can never be taken by another project. */
	return want == n + 1 ? xstrdup(id->key) : NULL;
}
