#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "capture/gitcommit.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

static int
is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == '/';
}

/* The next shell word starting at *p (no quoting: options never need it here). */
static size_t
next_word(const char **p)
{
	const char *s = *p;

	while (*s == ' ' || *s == '\t' || *s == '\\' || *s == '\n')
		s++;
	*p = s;
	while (*s != '\0' && !isspace((unsigned char)*s) && *s != ';' && *s != '&' &&
	    *s != '|' && *s != ')')
		s++;
	return (size_t)(s - *p);
}

int
gitcommit_is_command(const char *command)
{
	const char *p = command, *w;
	size_t n;

	while ((p = strstr(p, "git")) != NULL) {
		if ((p != command && is_word_char(p[-1])) || !isspace((unsigned char)p[3])) {
			p += 3;
			continue;
		}
		w = p + 3;
		/* Skip global options; -C and -c take a value. */
		for (;;) {
			n = next_word(&w);
			if (n == 0 || w[0] != '-')
				break;
			if (n == 2 && (w[1] == 'C' || w[1] == 'c')) {
				w += n;
				n = next_word(&w);
			}
			w += n;
		}
		if (n == 6 && strncmp(w, "commit", 6) == 0)
			return 1;
		p += 3;
	}
	return 0;
}

/*
 * git commit's summary line, "[branch hash] subject": what the extended
 * regex ^\[([^]\n]+) ([0-9a-f]{7,40})\] ([^\n]*) finds (REG_NEWLINE), read by
 * hand: glibc's regexec took 200,000 instructions a call (the bounded
 * repeat and the submatches), 4% of an import's writing. At a line that
 * opens with '[', up to its first ']' (the branch holds none, the hash ends
 * there): a space, then 7 to 40 lowercase hex digits after the last space,
 * a nonempty branch before it, and "] " after. The first such line counts.
 */
struct summary {
	const char *branch, *hash, *subject;
	size_t branch_len, hash_len, subject_len;
};

static int
summary_at(const char *line, const char *end, struct summary *out)
{
	const char *close = memchr(line, ']', (size_t)(end - line)), *hash, *p;

	if (*line != '[' || close == NULL || close + 1 >= end || close[1] != ' ')
		return -1;
	for (hash = close; hash > line + 1 && hash[-1] != ' '; hash--)
		;
	if (hash - line < 3 || hash[-1] != ' ' || close - hash < 7 || close - hash > 40)
		return -1;
	for (p = hash; p < close; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return -1;
	out->branch = line + 1;
	out->branch_len = (size_t)(hash - 1 - out->branch);
	out->hash = hash;
	out->hash_len = (size_t)(close - hash);
	out->subject = close + 2;
	out->subject_len = (size_t)(end - out->subject);
	return 0;
}

int
gitcommit_parse_result(const char *output, char **hash, char **subject, char **branch)
{
	static const char root[] = " (root-commit)";
	const char *line, *end;
	struct summary s;

	for (line = output;; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL)
			end = line + strlen(line);
		if (summary_at(line, end, &s) == 0)
			break;
		if (*end == '\0')
			return -1;
	}
	*hash = xstrndup(s.hash, s.hash_len);
	*subject = xstrndup(s.subject, s.subject_len);
	if (branch != NULL) {
		if (s.branch_len > sizeof root - 1 && strncmp(s.branch + s.branch_len -
		    (sizeof root - 1), root, sizeof root - 1) == 0)
			s.branch_len -= sizeof root - 1;
		*branch = xstrndup(s.branch, s.branch_len);
	}
	return 0;
}

/* Whether path, lexically resolved against cwd, lies outside root. */
static int
outside(const char *path, size_t len, const char *cwd, const char *root)
{
	struct strbuf abs = STRBUF_INIT;
	char *p, *seg, *save = NULL;
	size_t n, rootlen;
	int out;

	if (len >= 1 && (path[0] == '"' || path[0] == '\'')) {
		if (len >= 2 && path[len - 1] == path[0])
			len--;
		path++;
		len--;
	}
	/* ~, $VAR, $(mktemp -d): somewhere we cannot see; never the checkout's own path. */
	if (len == 0 || path[0] == '~' || path[0] == '$' || path[0] == '`')
		return 1;
	if (root == NULL || *root == '\0' || (path[0] != '/' && cwd == NULL))
		return 0;
	p = path[0] == '/' ? xstrndup(path, len) : xprintf("%s/%.*s", cwd, (int)len, path);
	for (seg = strtok_r(p, "/", &save); seg != NULL; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			while (abs.len > 0 && abs.buf[abs.len - 1] != '/')
				abs.len--;
			if (abs.len > 0)
				abs.len--;
			continue;
		}
		strbuf_addc(&abs, '/');
		strbuf_adds(&abs, seg);
	}
	strbuf_addc(&abs, '\0');
	rootlen = strlen(root);
	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	n = strlen(abs.buf);
	out = !(n >= rootlen && strncmp(abs.buf, root, rootlen) == 0 &&
	    (abs.buf[rootlen] == '\0' || abs.buf[rootlen] == '/'));
	strbuf_free(&abs);
	free(p);
	return out;
}

/* Whether the word at p starts a shell command (start, or after ; & | ( or a newline). */
static int
command_start(const char *command, const char *p)
{
	while (p > command && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	return p == command || strchr(";&|(\n", p[-1]) != NULL;
}

int
gitcommit_elsewhere(const char *command, const char *out_branch, const char *line_branch,
    const char *cwd, const char *root)
{
	const char *p, *w;
	size_t n;

	if (out_branch != NULL && line_branch != NULL && *line_branch != '\0' &&
	    strcmp(out_branch, "detached HEAD") != 0 && strcmp(line_branch, "HEAD") != 0 &&
	    strcmp(out_branch, line_branch) != 0)
		return 1;
	for (p = command; (p = strstr(p, "cd")) != NULL; p += 2) {
		if (!command_start(command, p) || (p[2] != ' ' && p[2] != '\t'))
			continue;
		w = p + 2;
		n = next_word(&w);
		if (n > 0 && outside(w, n, cwd, root))
			return 1;
	}
	for (p = command; (p = strstr(p, "git")) != NULL; p += 3) {
		if ((p != command && is_word_char(p[-1])) || !isspace((unsigned char)p[3]))
			continue;
		w = p + 3;
		n = next_word(&w);
		if (n == 4 && strncmp(w, "init", 4) == 0)
			return 1;
		if (n == 2 && strncmp(w, "-C", 2) == 0) {
			w += n;
			n = next_word(&w);
			if (outside(w, n, cwd, root))
				return 1;
		}
	}
	return 0;
}
