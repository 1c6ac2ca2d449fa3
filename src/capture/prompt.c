#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "capture/prompt.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xmalloc.h"

/* Blocks Claude Code adds to user records by itself: never typed. */
static const char *const markup_tags[] = {
	"system-reminder", "ide_opened_file", "ide_selection", "ide_diagnostics",
	"local-command-stdout", "local-command-stderr", "local-command-caveat",
	"command-name", "command-message", "command-args", "command-contents",
	"user-prompt-submit-hook", "bash-input", "bash-stdout", "bash-stderr",
};

/* The notice Claude Code writes when the person stops the agent. */
#define INTERRUPT_NOTICE "[Request interrupted by user"

/* Length of the markup tag that opens at p ("<name>" or "<name ...>"), else 0. */
static size_t
markup_open(const char *p, const char **name, size_t *namelen)
{
	size_t i, n;

	if (*p != '<')
		return 0;
	for (i = 0; i < sizeof markup_tags / sizeof markup_tags[0]; i++) {
		n = strlen(markup_tags[i]);
		if (strncmp(p + 1, markup_tags[i], n) == 0 && (p[n + 1] == '>' || p[n + 1] == ' ')) {
			*name = markup_tags[i];
			*namelen = n;
			return (size_t)(strchr(p, '>') != NULL ? strchr(p, '>') - p + 1 : 0);
		}
	}
	return 0;
}

/* The text inside the first <tag>...</tag> of s, trimmed, newly allocated; NULL if none. */
static char *
tag_content(const char *s, const char *tag)
{
	char *open = xprintf("<%s>", tag), *close = xprintf("</%s>", tag), *out = NULL;
	const char *a = strstr(s, open), *b;

	if (a != NULL) {
		a += strlen(open);
		if ((b = strstr(a, close)) == NULL)
			b = a + strlen(a);
		while (a < b && strchr(" \t\r\n", *a) != NULL)
			a++;
		while (b > a && strchr(" \t\r\n", b[-1]) != NULL)
			b--;
		out = xstrndup(a, (size_t)(b - a));
	}
	free(open);
	free(close);
	return out;
}

/* "/name args" from a slash command's markup; NULL when s holds none. */
static char *
slash_command(const char *s)
{
	char *name, *args, *out;

	if (strncmp(s, "<command-", 9) != 0)
		return NULL;
	name = tag_content(s, "command-name");
	if (name == NULL || *name == '\0') {
		free(name);
		return NULL;
	}
	args = tag_content(s, "command-args");
	out = xprintf("%s%s%s%s", name[0] == '/' ? "" : "/", name,
	    args != NULL && *args != '\0' ? " " : "", args != NULL ? args : "");
	free(name);
	free(args);
	return out;
}

char *
prompt_typed(const char *text, enum prompt_kind *kind)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = text, *name, *end;
	char *closing, *out;
	size_t open, namelen, a, b;

	if (text == NULL)
		return NULL;
	text += strspn(text, " \t\r\n");
	if (kind != NULL)
		*kind = PROMPT_COMMAND;
	if ((out = slash_command(text)) != NULL)
		return out;
	if (strncmp(text, "<bash-input>", 12) == 0 &&
	    (out = tag_content(text, "bash-input")) != NULL) {
		/* A shell command typed after "!". */
		closing = *out != '\0' ? xprintf("!%s", out) : NULL;
		free(out);
		return closing;
	}
	if (kind != NULL)
		*kind = PROMPT_TEXT;
	while (*p != '\0') {
		if ((open = markup_open(p, &name, &namelen)) == 0) {
			/* Up to the next '<' at once: only there can markup open. */
			namelen = strcspn(p + 1, "<") + 1;
			strbuf_add(&sb, p, namelen);
			p += namelen;
			continue;
		}
		closing = xprintf("</%.*s>", (int)namelen, name);
		end = strstr(p + open, closing);
		/* An unclosed tag is markup only where markup starts: at the beginning. */
		if (end != NULL)
			p = end + strlen(closing);
		else if (p == text)
			p += strlen(p);
		else
			strbuf_addc(&sb, *p++);
		free(closing);
	}
	a = 0;
	b = sb.len;
	while (a < b && strchr(" \t\r\n", sb.buf[a]) != NULL)
		a++;
	while (b > a && strchr(" \t\r\n", sb.buf[b - 1]) != NULL)
		b--;
	out = NULL;
	if (a < b && strncmp(sb.buf + a, INTERRUPT_NOTICE, strlen(INTERRUPT_NOTICE)) != 0)
		out = xstrndup(sb.buf + a, b - a);
	strbuf_free(&sb);
	return out;
}

char *
prompt_title(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t ell = strlen("\xe2\x80\xa6"), cut;

	if (s == NULL)
		return NULL;
	text_oneline(&sb, s, PROMPT_TITLE_COLS);
	if (sb.len == 0) {
		strbuf_free(&sb);
		return NULL;
	}
	/* Cut: end at the last word boundary when one is near, not inside a word. */
	if (sb.len > ell && strcmp(sb.buf + sb.len - ell, "\xe2\x80\xa6") == 0) {
		for (cut = sb.len - ell; cut > 0 && sb.buf[cut - 1] != ' '; cut--)
			;
		if (cut > 0 && sb.len - ell - cut < PROMPT_TITLE_COLS / 5) {
			sb.len = cut - 1;
			strbuf_adds(&sb, "\xe2\x80\xa6");
		}
	}
	return strbuf_detach(&sb);
}

char *
prompt_first_sentence(const char *s)
{
	const char *p;
	char *sentence, *title;

	if (s == NULL)
		return NULL;
	while (*s != '\0' && strchr(" \t\r\n", *s) != NULL)
		s++;
	/* A sentence ends at ". ", "! ", "? " or a line break. */
	for (p = s; *p != '\0' && *p != '\n'; p++) {
		if ((*p == '.' || *p == '!' || *p == '?') && (p[1] == ' ' || p[1] == '\0' ||
		    p[1] == '\n')) {
			p++;
			break;
		}
	}
	sentence = xstrndup(s, (size_t)(p - s));
	title = prompt_title(sentence);
	free(sentence);
	return title;
}
