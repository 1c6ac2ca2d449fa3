/*
 * Parsing the commit list's filter language (store/browse-filter.h). Only
 * strings and flags come out of here: store/browse.c turns them into bound
 * SQL terms, so no text typed in the browser reaches the SQL itself.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store/browse-filter.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

void
browse_filter_init(struct browse_filter *f)
{
	memset(f, 0, sizeof *f);
	f->published = f->hidden = f->pending = f->conflict = -1;
}

void
browse_filter_free(struct browse_filter *f)
{
	int i;

	for (i = 0; i < f->nwords; i++)
		free(f->words[i]);
	free(f->project);
	free(f->tool);
	browse_filter_init(f);
}

int
browse_filter_empty(const struct browse_filter *f)
{
	return f->nwords == 0 && f->project == NULL && f->tool == NULL && f->since[0] == '\0' &&
	    f->until[0] == '\0' && f->published < 0 && f->hidden < 0 && f->pending < 0 &&
	    f->conflict < 0;
}

/* The next term at *p: a run of non-blanks where "..." may quote blanks; NULL at the end. */
static char *
next_term(const char **p, char *err, int *bad)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = *p;
	int quoted = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0') {
		*p = s;
		return NULL;
	}
	for (; *s != '\0' && (quoted || !isspace((unsigned char)*s)); s++) {
		if (*s == '"')
			quoted = !quoted;
		else
			strbuf_addc(&sb, *s);
	}
	*p = s;
	if (quoted) {
		strbuf_free(&sb);
		*bad = seterr(err, "filter: a quote is not closed");
		return NULL;
	}
	return sb.buf != NULL ? strbuf_detach(&sb) : xstrdup("");
}

/* YYYY-MM-DD naming a real day. */
static int
valid_day(const char *s)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int i, y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return 0;
	return m != 2 || d != 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

static int *
state_of(struct browse_filter *f, const char *name)
{
	if (strcmp(name, "published") == 0)
		return &f->published;
	if (strcmp(name, "hidden") == 0)
		return &f->hidden;
	if (strcmp(name, "pending") == 0)
		return &f->pending;
	if (strcmp(name, "conflict") == 0 || strcmp(name, "conflicted") == 0)
		return &f->conflict;
	return NULL;
}

/* One term into f: 0, or -1 with err. */
static int
add_term(struct browse_filter *f, char *term, char *err)
{
	char *colon = strchr(term, ':'), *value;
	int *state;

	if (colon == NULL) {
		if (*term == '\0')
			return 0;
		if (f->nwords == BROWSE_FILTER_WORDS)
			return seterr(err, "filter: at most %d words", BROWSE_FILTER_WORDS);
		f->words[f->nwords++] = xstrdup(term);
		return 0;
	}
	*colon = '\0';
	value = colon + 1;
	if (*value == '\0')
		return seterr(err, "filter: %s: needs a value", term);
	if (strcmp(term, "project") == 0) {
		free(f->project);
		f->project = xstrdup(value);
	} else if (strcmp(term, "tool") == 0) {
		free(f->tool);
		f->tool = xstrdup(value);
	} else if (strcmp(term, "since") == 0 || strcmp(term, "until") == 0) {
		if (!valid_day(value))
			return seterr(err, "filter: %s:%s: not a day (YYYY-MM-DD)", term, value);
		memcpy(term[0] == 's' ? f->since : f->until, value, 11);
	} else if (strcmp(term, "is") == 0 || strcmp(term, "not") == 0) {
		if ((state = state_of(f, value)) == NULL)
			return seterr(err, "filter: %s:%s: not a state (published, hidden,"
			    " pending, conflict)", term, value);
		*state = term[0] == 'i';
	} else
		return seterr(err, "filter: %s: unknown term (project, since, until, tool, is,"
		    " not; quote words holding a colon)", term);
	return 0;
}

int
browse_filter_parse(struct browse_filter *f, const char *text, char *err)
{
	const char *p = text != NULL ? text : "";
	char *term;
	int bad = 0, quoted;

	browse_filter_free(f);
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		/* A term that starts quoted is words, colon or not. */
		quoted = *p == '"';
		if ((term = next_term(&p, err, &bad)) == NULL)
			break;
		if (quoted && *term != '\0' && f->nwords == BROWSE_FILTER_WORDS)
			bad = seterr(err, "filter: at most %d words", BROWSE_FILTER_WORDS);
		else if (quoted && *term != '\0')
			f->words[f->nwords++] = xstrdup(term);
		else if (!quoted && add_term(f, term, err) != 0)
			bad = -1;
		free(term);
		if (bad)
			break;
	}
	if (!bad && f->since[0] != '\0' && f->until[0] != '\0' && strcmp(f->since, f->until) > 0)
		bad = seterr(err, "filter: since:%s is after until:%s", f->since, f->until);
	if (bad) {
		browse_filter_free(f);
		return -1;
	}
	return 0;
}

/* s, quoted when it holds a blank or a colon (or is a word that would read as a term). */
static void
add_value(struct strbuf *sb, const char *s)
{
	const char *c;
	int quote = *s == '\0';

	for (c = s; *c != '\0'; c++)
		if (isspace((unsigned char)*c) || *c == ':')
			quote = 1;
	strbuf_addf(sb, quote ? "\"%s\"" : "%s", s);
}

static void
add_state(struct strbuf *sb, const char *name, int v)
{
	if (v >= 0)
		strbuf_addf(sb, "%s%s:%s", sb->len ? " " : "", v ? "is" : "not", name);
}

char *
browse_filter_text(const struct browse_filter *f)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	for (i = 0; i < f->nwords; i++) {
		if (i > 0)
			strbuf_addc(&sb, ' ');
		add_value(&sb, f->words[i]);
	}
	if (f->project != NULL) {
		strbuf_adds(&sb, sb.len ? " project:" : "project:");
		add_value(&sb, f->project);
	}
	if (f->since[0] != '\0')
		strbuf_addf(&sb, "%ssince:%s", sb.len ? " " : "", f->since);
	if (f->until[0] != '\0')
		strbuf_addf(&sb, "%suntil:%s", sb.len ? " " : "", f->until);
	if (f->tool != NULL) {
		strbuf_adds(&sb, sb.len ? " tool:" : "tool:");
		add_value(&sb, f->tool);
	}
	add_state(&sb, "published", f->published);
	add_state(&sb, "hidden", f->hidden);
	add_state(&sb, "pending", f->pending);
	add_state(&sb, "conflict", f->conflict);
	return sb.buf != NULL ? strbuf_detach(&sb) : xstrdup("");
}

const char *
browse_sort_name(enum browse_sort s)
{
	static const char *const names[BROWSE_SORT_COUNT] = {
		"default", "date", "turns", "tokens", "duration"
	};

	return (unsigned)s < BROWSE_SORT_COUNT ? names[s] : "?";
}
