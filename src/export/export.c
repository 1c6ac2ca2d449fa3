#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/doc.h"
#include "export/export.h"
#include "export/line-diff.h"
#include "export/tool-call.h"
#include "util/paths.h"
#include "util/text.h"
#include "util/xmalloc.h"

int
export_format_parse(const char *name, enum export_format *f)
{
	if (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0)
		*f = EXPORT_MARKDOWN;
	else if (strcmp(name, "json") == 0)
		*f = EXPORT_JSON;
	else if (strcmp(name, "html") == 0)
		*f = EXPORT_HTML;
	else
		return -1;
	return 0;
}

void
export_commit_label(struct strbuf *sb, const struct commit_row *c)
{
	if (c->title != NULL && export_has_text(c->title))
		text_oneline(sb, c->title, 0);
	else if (c->git_subject != NULL && export_has_text(c->git_subject))
		text_oneline(sb, c->git_subject, 0);
	else if (c->first_prompt != NULL && export_has_text(c->first_prompt)) {
		const char *p = c->first_prompt + strspn(c->first_prompt, " \t\r\n");
		char *line = xstrndup(p, strcspn(p, "\n"));

		text_oneline(sb, line, 0);
		free(line);
	} else
		strbuf_addf(sb, "Commit %.8s", c->id);
}

void
export_add_time(struct strbuf *sb, const char *iso)
{
	if (iso != NULL && strlen(iso) >= 19 && iso[10] == 'T')
		strbuf_addf(sb, "%.10s %.8s UTC", iso, iso + 11);
	else
		text_oneline(sb, iso != NULL ? iso : "?", 0);
}

int
export_has_text(const char *s)
{
	return s != NULL && s[strspn(s, " \t\r\n")] != '\0';
}

void
export_add_text(struct strbuf *sb, const char *s)
{
	const char *start = s, *end, *p;

	for (p = s; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++) {
		if (*p == '\n')
			start = p + 1;
	}
	end = start + strlen(start);
	while (end > start && strchr(" \t\r\n", end[-1]) != NULL)
		end--;
	/* An escape sequence in a transcript must not drive the terminal a Markdown export is read on. */
	for (p = start; p < end; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch >= 0x20 || ch == '\n' || ch == '\t')
			strbuf_addc(sb, (char)ch);
	}
}

int
export_turn_shown(const struct turn_row *t)
{
	int user = t->role != NULL && strcmp(t->role, "user") == 0;
	int calls = t->tool_calls != NULL && strcmp(t->tool_calls, "[]") != 0;

	/* A user turn that only carried tool results says nothing of its own. */
	return !user || export_has_text(t->content) || calls;
}

void
export_commit_fields(struct strbuf *sb, const struct commit_row *c, const struct export_inline *in)
{
	static const char *const labels[] = { "Read", "Changed" };
	const char *files[2] = { c->files_read, c->files_changed };
	char turns[96];
	cJSON *a, *e;
	int i, n;

	in->field(sb, "Commit");
	in->code(sb, c->id, 0);
	in->field_end(sb);
	in->field(sb, "Project");
	in->text(sb, c->project != NULL ? c->project : "-", 0);
	if (c->project_path != NULL) {
		strbuf_addc(sb, ' ');
		in->code(sb, c->project_path, 0);
	}
	in->field_end(sb);
	in->field(sb, "Started");
	export_add_time(sb, c->started_at);
	in->field_end(sb);
	if (c->closed_by != NULL && strcmp(c->closed_by, "open") != 0) {
		in->field(sb, "Closed");
		export_add_time(sb, c->closed_at);
		strbuf_adds(sb, strcmp(c->closed_by, "git_commit") == 0 ? " by a git commit" :
		    " when the session ended");
		in->field_end(sb);
	}
	if (c->git_hash != NULL) {
		in->field(sb, "Git");
		in->code(sb, c->git_hash, 0);
		if (c->git_subject != NULL) {
			strbuf_addc(sb, ' ');
			in->text(sb, c->git_subject, 0);
		}
		in->field_end(sb);
	}
	in->field(sb, "Turns");
	snprintf(turns, sizeof turns, "%lld in %lld session%s", c->turns, c->sessions,
	    c->sessions == 1 ? "" : "s");
	in->text(sb, turns, 0);
	in->field_end(sb);
	for (i = 0; i < 2; i++) {
		a = files[i] != NULL ? cJSON_Parse(files[i]) : NULL;
		n = 0;
		cJSON_ArrayForEach(e, a) {
			if (!cJSON_IsString(e))
				continue;
			if (n++ == 0)
				in->field(sb, labels[i]);
			else
				strbuf_adds(sb, ", ");
			/* Named from the project's root when inside it. */
			in->code(sb, paths_under(e->valuestring, c->project_path), 0);
		}
		if (n > 0)
			in->field_end(sb);
		cJSON_Delete(a);
	}
}

const char *
export_call(struct strbuf *sb, const cJSON *call, const char *cwd, const struct export_inline *in)
{
	const char *name = tool_call_string(call, "name"), *arg, *sep;
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(call, "input");
	int is_error = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(call, "is_error"));
	char buf[32], *result = NULL;

	if (name == NULL)
		name = "?";
	in->strong(sb, name);
	arg = tool_call_argument(name, input, cwd, &sep, buf, sizeof buf);
	if (arg != NULL && *arg != '\0') {
		strbuf_adds(sb, sep);	/* " " or ": ", the same in every format */
		in->code(sb, arg, 200);
	}
	if (tool_call_result_matters(name, is_error))
		result = tool_call_first_line(tool_call_string(call, "result"));
	if (result != NULL || is_error)
		in->result(sb, result != NULL ? result : "error", is_error);
	free(result);
	/* A failed edit changed nothing. */
	return !is_error && cJSON_IsObject(input) ? name : NULL;
}

/* Each line of s (blank lines around it dropped) to line() as kind. */
static int
each_line(struct strbuf *sb, const char *s, char kind, export_line_fn line)
{
	struct strbuf clean = STRBUF_INIT;
	const char *p, *nl;
	int n = 0;

	if (s != NULL)
		export_add_text(&clean, s);
	for (p = clean.buf; clean.len > 0; p = nl + 1) {
		nl = strchr(p, '\n');
		line(sb, kind, p, nl != NULL ? (size_t)(nl - p) : strlen(p));
		n++;
		if (nl == NULL)
			break;
	}
	strbuf_free(&clean);
	return n;
}

int
export_changes(struct strbuf *sb, const char *name, const cJSON *input, export_line_fn line)
{
	const cJSON *e;
	int n = 0;

	if (strcmp(name, "Edit") == 0)
		n = line_diff(sb, tool_call_string(input, "old_string"),
		    tool_call_string(input, "new_string"), line);
	else if (strcmp(name, "MultiEdit") == 0) {
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(input, "edits")) {
			if (n > 0)
				line(sb, '@', "", 0);
			n += line_diff(sb, tool_call_string(e, "old_string"),
			    tool_call_string(e, "new_string"), line);
		}
	} else if (strcmp(name, "Write") == 0)
		return each_line(sb, tool_call_string(input, "content"), 'w', line) > 0 ? 'w' : 0;
	return n > 0 ? 'd' : 0;
}

static void
flush(struct export_doc *d)
{
	if (d->sb.len > 0 && fwrite(d->sb.buf, 1, d->sb.len, d->out) != d->sb.len && !d->failed) {
		d->failed = 1;
		seterr(d->err, "cannot write the export: %s", strerror(errno));
	}
	strbuf_reset(&d->sb);
}

struct walk {
	struct export_doc *d;
	const struct export_writer *w;
};

static int
walk_turn(const struct turn_row *t, void *arg)
{
	struct walk *k = arg;

	k->w->turn(k->d, t);
	flush(k->d);
	return k->d->failed;
}

static int
walk_session(const struct session_row *s, void *arg)
{
	struct walk *k = arg;

	k->w->session(k->d, s);
	k->d->cwd = s->cwd;
	if (turns_list(k->d->st, s->id, walk_turn, k, k->d->err) < 0)
		k->d->failed = 1;
	k->d->cwd = NULL;
	return k->d->failed;
}

static int
walk_commit(const struct commit_row *c, void *arg)
{
	struct walk *k = arg;

	k->w->commit(k->d, c);
	k->d->commits++;
	if (sessions_list(k->d->st, c->id, walk_session, k, k->d->err) < 0)
		k->d->failed = 1;
	k->w->end_commit(k->d);
	flush(k->d);
	return 1;
}

int
export_commits(struct store *st, char *const *ids, size_t n, enum export_format f,
    const char *title, FILE *out, char *err)
{
	static const struct export_writer *const writers[] = {
		[EXPORT_MARKDOWN] = &export_markdown,
		[EXPORT_JSON] = &export_json,
		[EXPORT_HTML] = &export_html,
	};
	struct export_doc d = { .st = st, .out = out, .sb = STRBUF_INIT, .title = title };
	struct walk k = { &d, writers[f] };
	size_t i;
	int got;

	k.w->begin(&d);
	for (i = 0; i < n && !d.failed; i++) {
		if ((got = commits_get(st, ids[i], walk_commit, &k, d.err)) < 0)
			d.failed = 1;
		else if (got == 0 && !d.failed) {
			d.failed = 1;
			seterr(d.err, "no commit %s", ids[i]);
		}
	}
	if (!d.failed) {
		k.w->end(&d);
		flush(&d);
	}
	if (!d.failed && fflush(out) != 0) {
		d.failed = 1;
		seterr(d.err, "cannot write the export: %s", strerror(errno));
	}
	strbuf_free(&d.sb);
	cJSON_Delete(d.json.commit);	/* what a failed walk left */
	if (d.failed)
		return seterr(err, "%s", d.err);
	return 0;
}

int
export_format_of_file(const char *path, enum export_format *f)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return -1;
	if (strcmp(dot, ".htm") == 0)
		return export_format_parse("html", f);
	return export_format_parse(dot + 1, f);
}

int
export_commits_to_file(struct store *st, char *const *ids, size_t n, enum export_format f,
    const char *title, const char *path, char *err)
{
	char *tmp = xprintf("%s.XXXXXX", path);
	FILE *out;
	int fd, rc;

	if ((fd = mkstemp(tmp)) < 0 || (out = fdopen(fd, "w")) == NULL) {
		rc = seterr(err, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return rc;
	}
	rc = export_commits(st, ids, n, f, title, out, err);
	if (fclose(out) != 0 && rc == 0)
		rc = seterr(err, "cannot write %s: %s", path, strerror(errno));
	/* mkstemp made it 0600; an export is an ordinary file (umask applies). */
	if (rc == 0) {
		mode_t mask = umask(0);

		umask(mask);
		chmod(tmp, 0666 & ~mask);
	}
	if (rc == 0 && rename(tmp, path) != 0)
		rc = seterr(err, "cannot write %s: %s", path, strerror(errno));
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
