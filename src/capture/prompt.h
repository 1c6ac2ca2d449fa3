/*
 * What a person typed, told apart from what Claude Code writes into user
 * records on its own: slash-command markup, the output of local commands,
 * interrupt notices, IDE notices and system reminders. Titles are built from
 * what is left, on one line.
 */
#ifndef AL_PROMPT_H
#define AL_PROMPT_H

/* A commit's title takes at most about this many columns. */
#define PROMPT_TITLE_COLS 100

/* How good a title a commit has so far: a better one replaces it. */
enum prompt_kind {
	PROMPT_AGENT,		/* no prompt yet: the agent's first sentence */
	PROMPT_COMMAND,		/* a slash command ("/review 12", "/clear") */
	PROMPT_TEXT,		/* words a person typed */
};

/*
 * The prompt typed in a user record's text, newly allocated, or NULL when
 * nothing in it was typed. Markup blocks go; a slash command becomes
 * "/name args" (or "!command" for a shell command). *kind (may be NULL)
 * says which.
 */
char *prompt_typed(const char *text, enum prompt_kind *kind);

/* s as a title: one line of at most PROMPT_TITLE_COLS columns, cut at a word
 * when it can be, ending in "…" when cut. Newly allocated; NULL when blank. */
char *prompt_title(const char *s);

/* The first sentence of s (an agent's answer) as a title, or NULL when blank. */
char *prompt_first_sentence(const char *s);

#endif
