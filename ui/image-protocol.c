#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui/image-protocol.h"

#ifdef HAVE_CHAFA
#include <chafa.h>
#endif

/* NAME's value in envp, or NULL. */
static const char *
env_value(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	}
	return NULL;
}

static int
is(const char *value, const char *want)
{
	return value != NULL && strcmp(value, want) == 0;
}

static int
starts(const char *value, const char *prefix)
{
	return value != NULL && strncmp(value, prefix, strlen(prefix)) == 0;
}

/* What chafa's terminal database says of envp. */
static enum image_protocol
from_term_db(char *const *envp)
{
#ifdef HAVE_CHAFA
	ChafaTermInfo *ti = chafa_term_db_detect(chafa_term_db_get_default(), (gchar **)envp);
	enum image_protocol p = IMAGE_PROTOCOL_SYMBOLS;

	if (ti == NULL)
		return p;
	if (chafa_term_info_have_seq(ti, CHAFA_TERM_SEQ_BEGIN_KITTY_IMMEDIATE_IMAGE_V1))
		p = IMAGE_PROTOCOL_KITTY;
	else if (chafa_term_info_have_seq(ti, CHAFA_TERM_SEQ_BEGIN_SIXELS))
		p = IMAGE_PROTOCOL_SIXEL;
	chafa_term_info_unref(ti);
	return p;
#else
	(void)envp;
	return IMAGE_PROTOCOL_SYMBOLS;
#endif
}

static enum image_protocol
automatic(char *const *envp)
{
	const char *term = env_value(envp, "TERM");
	const char *program = env_value(envp, "TERM_PROGRAM");

	/* A multiplexer between us and the terminal eats the escapes (or misplaces them). */
	if (env_value(envp, "TMUX") != NULL || env_value(envp, "STY") != NULL ||
	    starts(term, "screen") || starts(term, "tmux"))
		return IMAGE_PROTOCOL_SYMBOLS;
	if (term == NULL || is(term, "dumb") || is(term, "linux"))
		return IMAGE_PROTOCOL_SYMBOLS;
	/* kitty sets KITTY_WINDOW_ID even where TERM was changed (ssh, xterm-256color). */
	if (env_value(envp, "KITTY_WINDOW_ID") != NULL || is(term, "xterm-kitty") ||
	    is(term, "xterm-ghostty") || is(program, "ghostty"))
		return IMAGE_PROTOCOL_KITTY;
	return from_term_db(envp);
}

enum image_protocol
image_protocol_choose(const char *setting, char *const *envp)
{
	enum image_protocol p;

	if (is(setting, "none"))
		return IMAGE_PROTOCOL_NONE;
	if (is(setting, "symbols"))
		return IMAGE_PROTOCOL_SYMBOLS;
	if (is(setting, "kitty"))
		p = IMAGE_PROTOCOL_KITTY;
	else if (is(setting, "sixel"))
		p = IMAGE_PROTOCOL_SIXEL;
	else
		p = automatic(envp);
#ifndef HAVE_CHAFA
	if (p == IMAGE_PROTOCOL_KITTY || p == IMAGE_PROTOCOL_SIXEL)
		p = IMAGE_PROTOCOL_SYMBOLS;
#endif
	return p;
}

const char *
image_protocol_name(enum image_protocol p)
{
	static const char *const names[] = { "none", "symbols", "kitty", "sixel" };

	return (size_t)p < sizeof names / sizeof names[0] ? names[p] : "?";
}
