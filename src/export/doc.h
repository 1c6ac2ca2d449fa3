/*
 * The export's writers (export/markdown.c, export/html.c, export/json.c) and
 * the walk that feeds them (export/export.c): one document, commits in the
 * order asked, each commit's sessions and their turns in order.
 */
#ifndef AL_EXPORT_DOC_H
#define AL_EXPORT_DOC_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "export/export.h"
#include "store/commits.h"
#include "util/log.h"
#include "util/strbuf.h"

struct export_doc {
	struct store *st;
	FILE *out;
	struct strbuf sb;	/* what is written next; flushed after each turn */
	const char *title;
	const char *cwd;	/* the session's, to shorten paths */
	int commits;		/* commits begun so far */
	struct {
		cJSON *commit, *sessions, *turns;
	} json;			/* export/json.c: the commit being built */
	int failed;
	char err[ERRLEN];
};

struct export_writer {
	void (*begin)(struct export_doc *d);
	void (*commit)(struct export_doc *d, const struct commit_row *c);
	void (*session)(struct export_doc *d, const struct session_row *s);
	void (*turn)(struct export_doc *d, const struct turn_row *t);
	void (*end_commit)(struct export_doc *d);
	void (*end)(struct export_doc *d);
};

extern const struct export_writer export_markdown, export_html, export_json;

/* How a format writes inline text, for the parts the formats share (export.c). */
struct export_inline {
	/* Plain text on one line (at most cols columns, 0: all), escaped as the format needs. */
	void (*text)(struct strbuf *sb, const char *s, int cols);
	/* A code span on one line. */
	void (*code)(struct strbuf *sb, const char *s, int cols);
	void (*strong)(struct strbuf *sb, const char *s);
	/* A tool call's result after its argument: " → s", or " ✗ s" for an error. */
	void (*result)(struct strbuf *sb, const char *s, int is_error);
	/* A header field begins, and ends. */
	void (*field)(struct strbuf *sb, const char *label);
	void (*field_end)(struct strbuf *sb);
};

/* A commit's header fields: id, project, times, git commit, turns, files read and changed. */
void export_commit_fields(struct strbuf *sb, const struct commit_row *c,
    const struct export_inline *in);
/*
 * A tool call on one line: its name, what it was about, a command's first
 * line of output or an error. Returns the call's name when what it changed
 * should follow (export_changes), else NULL.
 */
const char *export_call(struct strbuf *sb, const cJSON *call, const char *cwd,
    const struct export_inline *in);

/* Helpers the writers share (export/export.c). */
/* A commit's label: its title, the git subject, or its first prompt's first line. */
void export_commit_label(struct strbuf *sb, const struct commit_row *c);
/* "2026-01-19T04:42:58.051Z" → "2026-01-19 04:42:58 UTC"; as is when malformed. */
void export_add_time(struct strbuf *sb, const char *iso);
/* Whether a turn is worth reading (a user turn of tool results alone is not). */
int export_turn_shown(const struct turn_row *t);
/* Whether a turn's content has anything but whitespace. */
int export_has_text(const char *s);

#endif
