/*
 * Markdown (CommonMark with GitHub's fenced code): a heading per commit,
 * session and turn; prompts and answers as written (they are Markdown
 * already); tool calls a list item each, Edit/MultiEdit/Write followed by a
 * fenced diff or the file written. Fences and code spans are made longer than
 * any run of backticks inside them, so no content can close them early.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "export/doc.h"
#include "export/tool-call.h"
#include "util/paths.h"
#include "util/text.h"
#include "util/xmalloc.h"

/* The longest run of backticks in s. */
static size_t
longest_ticks(const char *s)
{
	size_t best = 0, run = 0;

	for (; s != NULL && *s != '\0'; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static void
ticks(struct strbuf *sb, size_t n)
{
	while (n-- > 0)
		strbuf_addc(sb, '`');
}

/* s on one line as a code span. */
static void
code_span(struct strbuf *sb, const char *s, int cols)
{
	struct strbuf one = STRBUF_INIT;
	size_t n;

	text_oneline(&one, s, cols);
	n = longest_ticks(one.buf) + 1;
	ticks(sb, n);
	/* A span starting or ending with a backtick needs a space inside its delimiters. */
	if (n > 1)
		strbuf_addc(sb, ' ');
	strbuf_adds(sb, one.buf);
	if (n > 1)
		strbuf_addc(sb, ' ');
	ticks(sb, n);
	strbuf_free(&one);
}

/* A line of a diff or of a file written, as it goes in a fenced block. */
static void
block_line(struct strbuf *sb, char kind, const char *line, size_t len)
{
	if (kind == '@') {
		strbuf_adds(sb, "@@\n");
		return;
	}
	if (kind != 'w')
		strbuf_addc(sb, kind);
	strbuf_add(sb, line, len);
	strbuf_addc(sb, '\n');
}

/* A fenced block of body (already the lines to show), in language lang. */
static void
fence(struct strbuf *sb, const char *lang, const char *body)
{
	size_t n = longest_ticks(body) + 1;

	if (n < 3)
		n = 3;
	ticks(sb, n);
	strbuf_adds(sb, lang);
	strbuf_addc(sb, '\n');
	strbuf_adds(sb, body);
	if (body[0] != '\0' && body[strlen(body) - 1] != '\n')
		strbuf_addc(sb, '\n');
	ticks(sb, n);
	strbuf_addc(sb, '\n');
}

static void
md_text(struct strbuf *sb, const char *s, int cols)
{
	text_oneline(sb, s, cols);
}

static void
md_strong(struct strbuf *sb, const char *s)
{
	strbuf_adds(sb, "**");
	text_oneline(sb, s, 60);
	strbuf_adds(sb, "**");
}

static void
md_result(struct strbuf *sb, const char *s, int is_error)
{
	strbuf_adds(sb, is_error ? " \xe2\x9c\x97 " : " \xe2\x86\x92 ");
	code_span(sb, s, 200);
}

static void
md_field(struct strbuf *sb, const char *label)
{
	strbuf_addf(sb, "- **%s:** ", label);
}

static void
md_field_end(struct strbuf *sb)
{
	strbuf_addc(sb, '\n');
}

static const struct export_inline md_inline = {
	md_text, code_span, md_strong, md_result, md_field, md_field_end,
};

/* One list item; 1 when a fenced block followed it (the next item needs a blank line). */
static int
tool_item(struct export_doc *d, const cJSON *call)
{
	struct strbuf *sb = &d->sb, body = STRBUF_INIT;
	const char *changed;
	int kind = 0;

	strbuf_adds(sb, "- ");
	changed = export_call(sb, call, d->cwd, &md_inline);
	strbuf_addc(sb, '\n');
	if (changed != NULL &&
	    (kind = export_changes(&body, changed, cJSON_GetObjectItemCaseSensitive(call, "input"),
	    block_line)) != 0) {
		strbuf_addc(sb, '\n');
		fence(sb, kind == 'd' ? "diff" : "", body.buf);
	}
	strbuf_free(&body);
	return kind != 0;
}

static void
md_begin(struct export_doc *d)
{
	(void)d;
}

static void
md_commit(struct export_doc *d, const struct commit_row *c)
{
	struct strbuf *sb = &d->sb;

	if (d->commits > 0)
		strbuf_adds(sb, "\n---\n\n");
	strbuf_adds(sb, "# ");
	export_commit_label(sb, c);
	strbuf_adds(sb, "\n\n");
	export_commit_fields(sb, c, &md_inline);
}

static void
md_session(struct export_doc *d, const struct session_row *s)
{
	struct strbuf *sb = &d->sb;

	strbuf_adds(sb, "\n## Session ");
	text_oneline(sb, s->claude_session_id != NULL ? s->claude_session_id : s->id, 0);
	strbuf_adds(sb, "\n\n*");
	if (s->git_branch != NULL && *s->git_branch != '\0') {
		strbuf_adds(sb, "on ");
		code_span(sb, s->git_branch, 0);
		strbuf_adds(sb, ", ");
	}
	export_add_time(sb, s->started_at);
	strbuf_adds(sb, " \xe2\x80\x93 ");
	export_add_time(sb, s->ended_at);
	strbuf_adds(sb, "*\n");
}

static void
md_turn(struct export_doc *d, const struct turn_row *t)
{
	struct strbuf *sb = &d->sb;
	int user = t->role != NULL && strcmp(t->role, "user") == 0;
	cJSON *calls = NULL, *call;
	int fenced = 0;

	if (!export_turn_shown(t))
		return;
	/* Every block begins with the blank line that parts it from the one before. */
	strbuf_adds(sb, user ? "\n### User \xc2\xb7 " : "\n### Assistant \xc2\xb7 ");
	export_add_time(sb, t->timestamp);
	if (!user && t->model != NULL) {
		strbuf_adds(sb, " \xc2\xb7 ");
		text_oneline(sb, t->model, 60);
	}
	strbuf_addc(sb, '\n');
	if (export_has_text(t->content)) {
		strbuf_addc(sb, '\n');
		export_add_text(sb, t->content);
		strbuf_addc(sb, '\n');
	}
	if (t->tool_calls != NULL)
		calls = cJSON_Parse(t->tool_calls);
	cJSON_ArrayForEach(call, calls) {
		if (call == calls->child || fenced)
			strbuf_addc(sb, '\n');
		fenced = tool_item(d, call);
	}
	cJSON_Delete(calls);
}

static void
md_end_commit(struct export_doc *d)
{
	(void)d;
}

static void
md_end(struct export_doc *d)
{
	(void)d;
}

const struct export_writer export_markdown = {
	md_begin, md_commit, md_session, md_turn, md_end_commit, md_end,
};
