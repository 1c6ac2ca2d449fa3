#include "config.h"

#include <ctype.h>
#include <regex.h>
#include <string.h>

#include "capture/gitcommit.h"
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

int
gitcommit_parse_result(const char *output, char **hash, char **subject)
{
	static const char *pattern =
	    "^\\[([^]\n]+) ([0-9a-f]{7,40})\\] ([^\n]*)";
	regex_t re;
	regmatch_t m[4];
	int rc;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE) != 0)
		return -1;
	rc = regexec(&re, output, 4, m, 0);
	regfree(&re);
	if (rc != 0)
		return -1;
	*hash = xstrndup(output + m[2].rm_so, (size_t)(m[2].rm_eo - m[2].rm_so));
	*subject = xstrndup(output + m[3].rm_so, (size_t)(m[3].rm_eo - m[3].rm_so));
	return 0;
}
