/*
 * HTML: one self-contained file (styles inline, no script, nothing fetched),
 * readable offline in any browser and printable. Text is escaped, never
 * interpreted: prompts and answers keep their line breaks (pre-wrap), tool
 * calls are a list, Edit/MultiEdit/Write show what they changed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "export/doc.h"
#include "export/tool-call.h"
#include "util/paths.h"
#include "util/text.h"
#include "util/xmalloc.h"

static const char style[] =
	"body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
	"color:#1f2328;background:#fff}"
	"h1{font-size:1.5rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:3rem}"
	"h2{font-size:1.15rem;margin-top:2rem}"
	"h3{font-size:.95rem;margin:1.5rem 0 .3rem;color:#59636e}"
	"h3.user{color:#0969da}h3.assistant{color:#8250df}"
	"dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}dt{font-weight:600}dd{margin:0}"
	".text{white-space:pre-wrap;overflow-wrap:anywhere}"
	"code,pre{font:13px/1.4 ui-monospace,monospace}"
	"code{background:#f6f8fa;padding:0 .2rem;border-radius:3px;overflow-wrap:anywhere}"
	"pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;border-radius:4px}"
	".add{color:#116329;background:#dafbe1}.del{color:#82071e;background:#ffebe9}"
	"ul.tools{padding-left:1.2rem}.error{color:#cf222e}"
	"@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}"
	"code,pre{background:#161b22}.add{color:#7ee787;background:#033a16}"
	".del{color:#ffa198;background:#490202}h3.user{color:#58a6ff}h3.assistant{color:#d2a8ff}}";

/* s escaped for text and attribute values, control characters dropped. */
static void
esc(struct strbuf *sb, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&': strbuf_adds(sb, "&amp;"); break;
		case '<': strbuf_adds(sb, "&lt;"); break;
		case '>': strbuf_adds(sb, "&gt;"); break;
		case '"': strbuf_adds(sb, "&quot;"); break;
		case '\'': strbuf_adds(sb, "&#39;"); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				strbuf_addc(sb, *s);
		}
	}
}

/* s on one line (at most cols columns; 0: all of it), escaped. */
static void
esc_line(struct strbuf *sb, const char *s, int cols)
{
	struct strbuf one = STRBUF_INIT;

	text_oneline(&one, s, cols);
	esc(sb, one.buf);
	strbuf_free(&one);
}

static void
head(struct export_doc *d, const struct commit_row *first)
{
	struct strbuf t = STRBUF_INIT;

	if (d->title != NULL)
		strbuf_adds(&t, d->title);
	else if (first != NULL)
		export_commit_label(&t, first);
	else
		strbuf_adds(&t, "agentlogs export");
	strbuf_adds(&d->sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"agentlogs " PACKAGE_VERSION "\">\n<title>");
	esc(&d->sb, t.buf);
	strbuf_addf(&d->sb, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", style);
	strbuf_free(&t);
}

/* A line of a diff (in a span of its colour) or of a file written, escaped. */
static void
pre_line(struct strbuf *sb, char kind, const char *line, size_t len)
{
	char *l = xstrndup(line, len);

	if (kind == '-' || kind == '+')
		strbuf_addf(sb, "<span class=\"%s\">%c", kind == '-' ? "del" : "add", kind);
	else if (kind == '@')
		strbuf_adds(sb, "@@");
	else if (kind == ' ')
		strbuf_addc(sb, ' ');	/* a line kept, as a unified diff shows it */
	esc(sb, l);
	strbuf_adds(sb, kind == '-' || kind == '+' ? "</span>\n" : "\n");
	free(l);
}

static void
h_text(struct strbuf *sb, const char *s, int cols)
{
	esc_line(sb, s, cols);
}

static void
h_code(struct strbuf *sb, const char *s, int cols)
{
	strbuf_adds(sb, "<code>");
	esc_line(sb, s, cols);
	strbuf_adds(sb, "</code>");
}

static void
h_strong(struct strbuf *sb, const char *s)
{
	strbuf_adds(sb, "<b>");
	esc_line(sb, s, 60);
	strbuf_adds(sb, "</b>");
}

static void
h_result(struct strbuf *sb, const char *s, int is_error)
{
	strbuf_adds(sb, is_error ? " <span class=\"error\">\xe2\x9c\x97 " : " \xe2\x86\x92 ");
	h_code(sb, s, 200);
	if (is_error)
		strbuf_adds(sb, "</span>");
}

static void
h_field(struct strbuf *sb, const char *label)
{
	strbuf_addf(sb, "<dt>%s</dt><dd>", label);
}

static void
h_field_end(struct strbuf *sb)
{
	strbuf_adds(sb, "</dd>\n");
}

static const struct export_inline h_inline = {
	h_text, h_code, h_strong, h_result, h_field, h_field_end,
};

static void
tool_item(struct export_doc *d, const cJSON *call)
{
	struct strbuf *sb = &d->sb, body = STRBUF_INIT;
	const char *changed;

	strbuf_adds(sb, "<li>");
	changed = export_call(sb, call, d->cwd, &h_inline);
	if (changed != NULL &&
	    export_changes(&body, changed, cJSON_GetObjectItemCaseSensitive(call, "input"), pre_line) != 0)
		strbuf_addf(sb, "<pre>%s</pre>", body.buf);
	strbuf_free(&body);
	strbuf_adds(sb, "</li>\n");
}

static void
h_begin(struct export_doc *d)
{
	(void)d;	/* the head waits for the first commit: its label is the title */
}

static void
h_commit(struct export_doc *d, const struct commit_row *c)
{
	struct strbuf *sb = &d->sb, label = STRBUF_INIT;

	if (d->commits == 0)
		head(d, c);
	export_commit_label(&label, c);
	strbuf_addf(sb, "<article id=\"c-%s\">\n<h1>", c->id);
	esc(sb, label.buf);
	strbuf_adds(sb, "</h1>\n<dl>\n");
	strbuf_free(&label);
	export_commit_fields(sb, c, &h_inline);
	strbuf_adds(sb, "</dl>\n");
}

static void
h_session(struct export_doc *d, const struct session_row *s)
{
	struct strbuf *sb = &d->sb;

	strbuf_adds(sb, "<h2>Session ");
	esc_line(sb, s->claude_session_id != NULL ? s->claude_session_id : s->id, 0);
	strbuf_adds(sb, "</h2>\n<p><em>");
	if (s->git_branch != NULL && *s->git_branch != '\0') {
		strbuf_adds(sb, "on <code>");
		esc(sb, s->git_branch);
		strbuf_adds(sb, "</code>, ");
	}
	export_add_time(sb, s->started_at);
	strbuf_adds(sb, " \xe2\x80\x93 ");
	export_add_time(sb, s->ended_at);
	strbuf_adds(sb, "</em></p>\n");
}

static void
h_turn(struct export_doc *d, const struct turn_row *t)
{
	struct strbuf *sb = &d->sb, text = STRBUF_INIT;
	int user = t->role != NULL && strcmp(t->role, "user") == 0;
	cJSON *calls = NULL, *call;

	if (!export_turn_shown(t))
		return;
	strbuf_addf(sb, "<section id=\"t-%s\">\n<h3 class=\"%s\">%s \xc2\xb7 ", t->id,
	    user ? "user" : "assistant", user ? "User" : "Assistant");
	export_add_time(sb, t->timestamp);
	if (!user && t->model != NULL) {
		strbuf_adds(sb, " \xc2\xb7 ");
		esc_line(sb, t->model, 60);
	}
	strbuf_adds(sb, "</h3>\n");
	if (export_has_text(t->content)) {
		export_add_text(&text, t->content);
		strbuf_adds(sb, "<div class=\"text\">");
		esc(sb, text.buf);
		strbuf_adds(sb, "</div>\n");
	}
	strbuf_free(&text);
	if (t->tool_calls != NULL)
		calls = cJSON_Parse(t->tool_calls);
	if (cJSON_GetArraySize(calls) > 0) {
		strbuf_adds(sb, "<ul class=\"tools\">\n");
		cJSON_ArrayForEach(call, calls)
			tool_item(d, call);
		strbuf_adds(sb, "</ul>\n");
	}
	cJSON_Delete(calls);
	strbuf_adds(sb, "</section>\n");
}

static void
h_end_commit(struct export_doc *d)
{
	strbuf_adds(&d->sb, "</article>\n");
}

static void
h_end(struct export_doc *d)
{
	if (d->commits == 0)
		head(d, NULL);
	strbuf_adds(&d->sb, "</main>\n</body>\n</html>\n");
}

const struct export_writer export_html = {
	h_begin, h_commit, h_session, h_turn, h_end_commit, h_end,
};
