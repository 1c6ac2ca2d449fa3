/*
 * Parsing the commit list's filter language (store/browse-filter.h). Only
 * strings and flags come out of here: store/browse.c turns them into bound
 * SQL terms, so no text typed in the browser reaches the SQL itself.
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
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
	f->published = f->hidden = f->pending = f->conflict = f->held = -1;
}

void
browse_filter_free(struct browse_filter *f)
{
	int i;

	for (i = 0; i < f->nwords; i++)
		free(f->words[i]);
	free(f->project);
	free(f->tool);
	free(f->field);
	free(f->table);
	browse_filter_init(f);
}

int
browse_filter_empty(const struct browse_filter *f)
{
	return f->nwords == 0 && f->project == NULL && f->tool == NULL && f->field == NULL &&
	    f->table == NULL && f->since[0] == '\0' && f->until[0] == '\0' && f->published < 0 &&
	    f->hidden < 0 && f->pending < 0 && f->conflict < 0 && f->held < 0;
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

#define IN(l) (1u << (l))
#define ANY_LIST (IN(BROWSE_FILTER_COMMITS) | IN(BROWSE_FILTER_PENDING) | IN(BROWSE_FILTER_CONFLICTS))
#define COMMIT_LISTS (IN(BROWSE_FILTER_COMMITS) | IN(BROWSE_FILTER_PENDING))

/* A term's or a state's name and the lists taking it. */
struct named {
	const char *name;
	unsigned lists;
};

/* The NAME: terms, in the order errors name them. */
static const struct named terms[] = {
	{ "project", ANY_LIST }, { "since", ANY_LIST }, { "until", ANY_LIST },
	{ "tool", COMMIT_LISTS }, { "field", IN(BROWSE_FILTER_CONFLICTS) },
	{ "table", IN(BROWSE_FILTER_CONFLICTS) }, { "is", ANY_LIST }, { "not", ANY_LIST },
};

/* The is: and not: states: where each goes in a filter (settled is held turned round). */
static const struct {
	struct named n;
	size_t field;
	int negated;
} states[] = {
	{ { "published", COMMIT_LISTS }, offsetof(struct browse_filter, published), 0 },
	{ { "hidden", COMMIT_LISTS }, offsetof(struct browse_filter, hidden), 0 },
	{ { "pending", IN(BROWSE_FILTER_COMMITS) }, offsetof(struct browse_filter, pending), 0 },
	{ { "conflict", COMMIT_LISTS }, offsetof(struct browse_filter, conflict), 0 },
	{ { "conflicted", COMMIT_LISTS }, offsetof(struct browse_filter, conflict), 0 },
	{ { "held", IN(BROWSE_FILTER_CONFLICTS) }, offsetof(struct browse_filter, held), 0 },
	{ { "settled", IN(BROWSE_FILTER_CONFLICTS) }, offsetof(struct browse_filter, held), 1 },
};

/* The names list takes ("a, b, c"), from n entries stride bytes apart; skip left out. */
static void
names_for(char *out, size_t size, const struct named *first, size_t n, size_t stride,
    enum browse_filter_list list, const char *skip)
{
	struct strbuf sb = STRBUF_INIT;
	const struct named *e;
	size_t i;

	for (i = 0; i < n; i++) {
		e = (const struct named *)(const void *)((const char *)first + i * stride);
		if ((e->lists & IN(list)) && (skip == NULL || strcmp(e->name, skip) != 0))
			strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", e->name);
	}
	snprintf(out, size, "%s", sb.buf != NULL ? sb.buf : "");
	strbuf_free(&sb);
}

/* is:NAME (on 1) or not:NAME (on 0) into f: 0, or -1 with err. */
static int
set_state(struct browse_filter *f, const char *term, const char *name, int on,
    enum browse_filter_list list, char *err)
{
	char names[128];
	size_t i;

	for (i = 0; i < sizeof states / sizeof states[0]; i++) {
		if (strcmp(states[i].n.name, name) == 0 && (states[i].n.lists & IN(list))) {
			*(int *)(void *)((char *)f + states[i].field) = states[i].negated ? !on : on;
			return 0;
		}
	}
	names_for(names, sizeof names, &states[0].n, sizeof states / sizeof states[0],
	    sizeof states[0], list, "conflicted");
	return seterr(err, "filter: %s:%s: not a state (%s)", term, name, names);
}

static void
set_text(char **slot, const char *value)
{
	free(*slot);
	*slot = xstrdup(value);
}

/* One term into f: 0, or -1 with err. */
static int
add_term(struct browse_filter *f, char *term, enum browse_filter_list list, char *err)
{
	char *colon = strchr(term, ':'), *value, names[128];
	size_t i;

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
	for (i = 0; i < sizeof terms / sizeof terms[0]; i++)
		if (strcmp(terms[i].name, term) == 0 && (terms[i].lists & IN(list)))
			break;
	if (i == sizeof terms / sizeof terms[0]) {
		names_for(names, sizeof names, terms, sizeof terms / sizeof terms[0],
		    sizeof terms[0], list, NULL);
		return seterr(err, "filter: %s: unknown term (%s; quote words holding a colon)",
		    term, names);
	}
	if (*value == '\0')
		return seterr(err, "filter: %s: needs a value", term);
	if (strcmp(term, "project") == 0)
		set_text(&f->project, value);
	else if (strcmp(term, "tool") == 0)
		set_text(&f->tool, value);
	else if (strcmp(term, "field") == 0)
		set_text(&f->field, value);
	else if (strcmp(term, "table") == 0)
		set_text(&f->table, value);
	else if (strcmp(term, "since") == 0 || strcmp(term, "until") == 0) {
		if (!valid_day(value))
			return seterr(err, "filter: %s:%s: not a day (YYYY-MM-DD)", term, value);
		memcpy(term[0] == 's' ? f->since : f->until, value, 11);
	} else
		return set_state(f, term, value, term[0] == 'i', list, err);
	return 0;
}

int
browse_filter_parse(struct browse_filter *f, const char *text, char *err)
{
	return browse_filter_parse_for(f, text, BROWSE_FILTER_COMMITS, err);
}

int
browse_filter_parse_for(struct browse_filter *f, const char *text, enum browse_filter_list list,
    char *err)
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
		else if (!quoted && add_term(f, term, list, err) != 0)
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

/* " NAME:value", when there is a value. */
static void
add_named(struct strbuf *sb, const char *name, const char *value)
{
	if (value == NULL)
		return;
	strbuf_addf(sb, "%s%s:", sb->len ? " " : "", name);
	add_value(sb, value);
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
	add_named(&sb, "project", f->project);
	if (f->since[0] != '\0')
		strbuf_addf(&sb, "%ssince:%s", sb.len ? " " : "", f->since);
	if (f->until[0] != '\0')
		strbuf_addf(&sb, "%suntil:%s", sb.len ? " " : "", f->until);
	add_named(&sb, "tool", f->tool);
	add_named(&sb, "field", f->field);
	add_named(&sb, "table", f->table);
	add_state(&sb, "published", f->published);
	add_state(&sb, "hidden", f->hidden);
	add_state(&sb, "pending", f->pending);
	add_state(&sb, "conflict", f->conflict);
	if (f->held >= 0)
		strbuf_addf(&sb, "%sis:%s", sb.len ? " " : "", f->held ? "held" : "settled");
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
