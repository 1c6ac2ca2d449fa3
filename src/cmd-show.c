/*
 * agentlogs show: one cognitive commit in full: its header, then each
 * session and its turns in order, tool calls summarised one line each.
 * Thinking is left out of the text (it is in --json).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "export/tool-call.h"
#include "store/commits.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/strbuf.h"
#include "util/term.h"
#include "util/text.h"
#include "util/xmalloc.h"

#define PIPE_WIDTH 80		/* wrapping when the output is not a terminal */
#define LABEL_WIDTH 10		/* "Changed:  " */
#define TEXT_INDENT "    "
#define TOOL_INDENT "    "
#define TOOL_MARK "\xe2\x8f\xba "	/* U+23FA, as Claude Code draws a tool call */
#define ARROW " \xe2\x86\x92 "		/* U+2192 */
#define ERROR_MARK " \xe2\x9c\x97 "	/* U+2717 */

struct show_state {
	struct store *st;
	int json;
	int color;
	int width;
	const char *cwd;	/* to shorten paths: the session's, or the project's */
	char day[11];		/* date of the last time printed, to print dates only on change */
	char *model;		/* the last model named: named again only when it changes */
	cJSON *sessions;	/* --json: the array being filled */
	cJSON *turns;
	struct strbuf out;
	int failed;
	char err[ERRLEN];
};

static const struct option show_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
show_help(void)
{
	cmd_print_usage(&cmd_show_entry, stdout);
	printf("\nShows one cognitive commit: its header (project, times, how it closed,\n"
	    "files read and changed), then each session and its turns in order, with\n"
	    "tool calls summarised one per line. ID is any unambiguous prefix of the\n"
	    "commit's id, as 'agentlogs log' prints it.\n\n"
	    "Options:\n"
	    "      --json  the commit with its sessions and turns, every field\n"
	    "              (thinking and tool calls included)\n"
	    "  -h, --help  this help\n");
}

static void
color(struct show_state *ss, const char *code)
{
	if (ss->color)
		strbuf_adds(&ss->out, code);
}

static void
flush(struct show_state *ss)
{
	if (ss->out.len > 0)
		fwrite(ss->out.buf, 1, ss->out.len, stdout);
	strbuf_reset(&ss->out);
}

/* "2026-01-19T04:42:58.051Z" → "2026-01-19 04:42:58 UTC"; as is when malformed. */
static void
add_time(struct strbuf *sb, const char *iso)
{
	if (iso != NULL && strlen(iso) >= 19 && iso[10] == 'T')
		strbuf_addf(sb, "%.10s %.8s UTC", iso, iso + 11);
	else
		text_oneline(sb, iso != NULL ? iso : "?", 0);
}

/* The time of day, with the date in front when it differs from the last one. */
static void
add_clock(struct show_state *ss, const char *iso)
{
	if (iso == NULL || strlen(iso) < 19 || iso[10] != 'T') {
		text_oneline(&ss->out, iso != NULL ? iso : "?", 0);
		return;
	}
	if (strncmp(ss->day, iso, 10) != 0) {
		snprintf(ss->day, sizeof ss->day, "%.10s", iso);
		strbuf_addf(&ss->out, "%.10s ", iso);
	}
	strbuf_addf(&ss->out, "%.8s", iso + 11);
}

/* 1234 → "1.2k": token counts only need their size. */
static void
add_count(struct strbuf *sb, long long n)
{
	if (n < 1000)
		strbuf_addf(sb, "%lld", n);
	else if (n < 10000)
		strbuf_addf(sb, "%.1fk", (double)n / 1e3);
	else if (n < 1000000)
		strbuf_addf(sb, "%lldk", (n + 500) / 1000);
	else
		strbuf_addf(sb, "%.1fM", (double)n / 1e6);
}

/* A path inside the current directory (the session's, or the project's for the
 * header), relative to it. */
static const char *
short_path(const struct show_state *ss, const char *path)
{
	return paths_under(path, ss->cwd);
}

/* "Label:" padded to LABEL_WIDTH, then text wrapped so continuation lines line up. */
static void
add_field(struct show_state *ss, const char *label, const char *value)
{
	struct strbuf w = STRBUF_INIT;
	char indent[LABEL_WIDTH + 1];

	memset(indent, ' ', LABEL_WIDTH);
	indent[LABEL_WIDTH] = '\0';
	text_wrap(&w, value, indent, ss->width);
	strbuf_addf(&ss->out, "%-*s", LABEL_WIDTH, label);
	strbuf_adds(&ss->out, w.buf + LABEL_WIDTH);
	strbuf_free(&w);
}

/* A JSON array of paths as "a, b, c" under a label (relative to the project's
 * directory when inside it); nothing when empty. */
static void
add_files(struct show_state *ss, const char *label, const char *json)
{
	struct strbuf list = STRBUF_INIT;
	cJSON *a, *e;
	int n = 0;

	if (json == NULL || (a = cJSON_Parse(json)) == NULL)
		return;
	cJSON_ArrayForEach(e, a) {
		if (cJSON_IsString(e))
			strbuf_addf(&list, "%s%s", n++ > 0 ? ", " : "",
			    short_path(ss, e->valuestring));
	}
	cJSON_Delete(a);
	if (n > 0)
		add_field(ss, label, list.buf);
	strbuf_free(&list);
}

/* Git commits the agent made in other repositories (experiments in /tmp), one a line. */
static void
add_elsewhere(struct show_state *ss, const char *json)
{
	cJSON *a, *e;

	if (json == NULL || (a = cJSON_Parse(json)) == NULL)
		return;
	cJSON_ArrayForEach(e, a) {
		if (cJSON_IsString(e)) {
			char *v = xprintf("git commit %s in another repository", e->valuestring);
			add_field(ss, "Other:", v);
			free(v);
		}
	}
	cJSON_Delete(a);
}

static void
print_header(struct show_state *ss, const struct commit_row *c)
{
	struct strbuf sb = STRBUF_INIT;

	color(ss, TERM_YELLOW);
	strbuf_addf(&ss->out, "commit %s", c->id);
	color(ss, TERM_RESET);
	strbuf_addc(&ss->out, '\n');

	strbuf_adds(&sb, c->project != NULL ? c->project : "-");
	if (c->project_path != NULL)
		strbuf_addf(&sb, " (%s)", c->project_path);
	add_field(ss, "Project:", sb.buf);
	if (c->title != NULL && *c->title != '\0')
		add_field(ss, "Title:", c->title);

	strbuf_reset(&sb);
	add_time(&sb, c->started_at);
	add_field(ss, "Started:", sb.buf);
	strbuf_reset(&sb);
	add_time(&sb, c->closed_at);
	if (c->closed_by != NULL && strcmp(c->closed_by, "git_commit") == 0)
		strbuf_adds(&sb, " by a git commit");
	else if (c->closed_by != NULL && strcmp(c->closed_by, "session_end") == 0)
		strbuf_adds(&sb, " when the session ended");
	else
		strbuf_adds(&sb, " (still open)");
	add_field(ss, c->closed_by != NULL && strcmp(c->closed_by, "open") == 0 ?
	    "Last:" : "Closed:", sb.buf);
	if (c->git_hash != NULL) {
		strbuf_reset(&sb);
		strbuf_adds(&sb, c->git_hash);
		if (c->git_subject != NULL) {
			strbuf_addc(&sb, ' ');
			text_oneline(&sb, c->git_subject, 0);
		}
		add_field(ss, "Git:", sb.buf);
	}

	strbuf_reset(&sb);
	strbuf_addf(&sb, "%lld in %lld session%s", c->turns, c->sessions,
	    c->sessions == 1 ? "" : "s");
	add_field(ss, "Turns:", sb.buf);

	strbuf_reset(&sb);
	if (c->parallel)
		strbuf_adds(&sb, "parallel, ");
	if (c->published)
		strbuf_adds(&sb, "published, ");
	if (c->hidden)
		strbuf_adds(&sb, "hidden, ");
	if (c->display_order != 0)
		strbuf_addf(&sb, "order %lld, ", c->display_order);
	if (sb.len > 0) {
		sb.buf[sb.len -= 2] = '\0';
		add_field(ss, "Flags:", sb.buf);
	}
	ss->cwd = c->project_path;
	add_files(ss, "Read:", c->files_read);
	add_files(ss, "Changed:", c->files_changed);
	ss->cwd = NULL;
	add_elsewhere(ss, c->git_elsewhere);
	strbuf_free(&sb);
}

static void
add_tool(struct show_state *ss, const cJSON *call)
{
	const char *name = tool_call_string(call, "name"), *arg, *sep;
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(call, "input");
	int is_error = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(call, "is_error"));
	char *result = NULL, buf[32];
	int avail, used, argroom;
	size_t start;

	if (name == NULL)
		name = "?";
	arg = tool_call_argument(name, input, ss->cwd, &sep, buf, sizeof buf);
	if (tool_call_result_matters(name, is_error))
		result = tool_call_first_line(tool_call_string(call, "result"));

	strbuf_adds(&ss->out, TOOL_INDENT TOOL_MARK);
	start = ss->out.len;
	avail = ss->width - (int)text_width(TOOL_INDENT TOOL_MARK) - 1;
	text_oneline(&ss->out, name, avail / 3);
	used = (int)text_width(ss->out.buf + start);
	if (arg != NULL && *arg != '\0') {
		strbuf_adds(&ss->out, sep);
		used += (int)text_width(sep);
		argroom = avail - used;
		/* Leave the result up to half the room, but not more than it needs:
		 * for a git commit the result says more than the command. */
		if (result != NULL) {
			int want = (int)text_width(result) + 3;

			argroom -= want < argroom / 2 ? want : argroom / 2;
		}
		start = ss->out.len;
		text_oneline(&ss->out, arg, argroom > 8 ? argroom : 8);
		used += (int)text_width(ss->out.buf + start);
	}
	if (result != NULL) {
		if (is_error)
			color(ss, TERM_RED);
		strbuf_adds(&ss->out, is_error ? ERROR_MARK : ARROW);
		used += 3;
		text_oneline(&ss->out, result, avail - used > 8 ? avail - used : 8);
		if (is_error)
			color(ss, TERM_RESET);
	} else if (is_error) {
		color(ss, TERM_RED);
		strbuf_adds(&ss->out, ERROR_MARK "error");
		color(ss, TERM_RESET);
	}
	strbuf_addc(&ss->out, '\n');
	free(result);
}

static void
add_usage(struct show_state *ss, const struct turn_row *t)
{
	struct strbuf *sb = &ss->out;

	if (t->input_tokens == 0 && t->output_tokens == 0 && t->cache_read_tokens == 0 &&
	    t->cache_creation_tokens == 0)
		return;
	strbuf_adds(sb, " \xc2\xb7 in ");
	add_count(sb, t->input_tokens);
	strbuf_adds(sb, " out ");
	add_count(sb, t->output_tokens);
	if (t->cache_read_tokens != 0 || t->cache_creation_tokens != 0) {
		strbuf_adds(sb, " cache ");
		add_count(sb, t->cache_read_tokens);
		strbuf_adds(sb, "r/");
		add_count(sb, t->cache_creation_tokens);
		strbuf_adds(sb, "w");
	}
}

/* A turn's text, wrapped, without the blank lines models put around it. */
static void
add_text(struct show_state *ss, const char *content)
{
	const char *start = content, *end, *p;
	char *text;

	for (p = content; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++) {
		if (*p == '\n')
			start = p + 1;
	}
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
	    end[-1] == '\n'))
		end--;
	text = xstrndup(start, (size_t)(end - start));
	text_wrap(&ss->out, text, TEXT_INDENT, ss->width);
	free(text);
}

static int
print_turn(const struct turn_row *t, void *arg)
{
	struct show_state *ss = arg;
	cJSON *calls = NULL, *call;
	int user = t->role != NULL && strcmp(t->role, "user") == 0;
	int empty = t->content == NULL || t->content[strspn(t->content, " \t\r\n")] == '\0';

	if (ss->json) {
		cJSON_AddItemToArray(ss->turns, turn_row_json(t));
		return 0;
	}
	if (t->tool_calls != NULL && strcmp(t->tool_calls, "[]") != 0)
		calls = cJSON_Parse(t->tool_calls);
	/* A user turn that only carried tool results says nothing of its own. */
	if (user && empty && cJSON_GetArraySize(calls) == 0) {
		cJSON_Delete(calls);
		return 0;
	}
	strbuf_adds(&ss->out, "\n  ");
	color(ss, TERM_BOLD);
	strbuf_adds(&ss->out, t->role != NULL ? t->role : "?");
	color(ss, TERM_RESET);
	strbuf_addc(&ss->out, ' ');
	add_clock(ss, t->timestamp);
	if (!user && t->model != NULL &&
	    (ss->model == NULL || strcmp(ss->model, t->model) != 0)) {
		strbuf_adds(&ss->out, " \xc2\xb7 ");
		text_oneline(&ss->out, t->model, 40);
		free(ss->model);
		ss->model = xstrdup(t->model);
	}
	add_usage(ss, t);
	strbuf_addc(&ss->out, '\n');
	if (!empty)
		add_text(ss, t->content);
	cJSON_ArrayForEach(call, calls)
		add_tool(ss, call);
	cJSON_Delete(calls);
	flush(ss);
	return 0;
}

static int
print_session(const struct session_row *s, void *arg)
{
	struct show_state *ss = arg;
	cJSON *o;

	if (ss->json) {
		o = session_row_json(s);
		ss->turns = cJSON_AddArrayToObject(o, "turns");
		cJSON_AddItemToArray(ss->sessions, o);
	} else {
		strbuf_addc(&ss->out, '\n');
		color(ss, TERM_BOLD);
		strbuf_adds(&ss->out, "Session ");
		text_oneline(&ss->out, s->claude_session_id, 0);
		color(ss, TERM_RESET);
		strbuf_addf(&ss->out, " (%lld turn%s)\n  ", s->turns, s->turns == 1 ? "" : "s");
		if (s->git_branch != NULL && *s->git_branch != '\0') {
			strbuf_adds(&ss->out, "on ");
			text_oneline(&ss->out, s->git_branch, 40);
			strbuf_adds(&ss->out, ", ");
		}
		ss->day[0] = '\0';
		free(ss->model);
		ss->model = NULL;
		add_clock(ss, s->started_at);
		strbuf_adds(&ss->out, " \xe2\x80\x93 ");	/* en dash */
		add_clock(ss, s->ended_at);
		strbuf_adds(&ss->out, " UTC\n");
		flush(ss);
	}
	ss->cwd = s->cwd;
	if (turns_list(ss->st, s->id, print_turn, ss, ss->err) < 0) {
		ss->failed = 1;
		return 1;
	}
	ss->cwd = NULL;
	return 0;
}

static int
print_commit(const struct commit_row *c, void *arg)
{
	struct show_state *ss = arg;
	cJSON *o = NULL;
	char *s;

	if (ss->json) {
		/* "sessions" becomes the array of sessions, each holding its turns. */
		o = commit_row_json(c);
		ss->sessions = cJSON_CreateArray();
		cJSON_ReplaceItemInObjectCaseSensitive(o, "sessions", ss->sessions);
	} else {
		print_header(ss, c);
		flush(ss);
	}
	if (sessions_list(ss->st, c->id, print_session, ss, ss->err) < 0)
		ss->failed = 1;
	if (o != NULL) {
		if (!ss->failed) {
			s = cJSON_Print(o);
			printf("%s\n", s);
			cJSON_free(s);
		}
		cJSON_Delete(o);
	}
	return 1;
}

static int
cmd_show_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct show_state ss = { 0 };
	char id[UUID_STRLEN];
	int c, n;

	optind = 0;	/* GNU: reinitialise, as the default action runs commands in turn */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", show_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			ss.json = 1;
			break;
		case 'h':
			show_help();
			return EXIT_OK;
		default:
			return cmd_option_error(&cmd_show_entry, argv, c);
		}
	}
	if (optind == argc)
		return cmd_usage_error(&cmd_show_entry, "which commit? give an id prefix");
	if (optind + 1 < argc)
		return cmd_usage_error(&cmd_show_entry, "unexpected argument '%s'",
		    argv[optind + 1]);
	if ((ss.st = cmd_store(ctx)) == NULL)
		return EXIT_FAIL;
	if (commits_resolve(ss.st, argv[optind], id, ss.err) != 0)
		return cmd_fail("%s", ss.err);

	if ((ss.width = term_width(stdout)) == 0)
		ss.width = PIPE_WIDTH;
	ss.color = term_color(stdout);
	n = commits_get(ss.st, id, print_commit, &ss, ss.err);
	strbuf_free(&ss.out);
	free(ss.model);
	if (n < 0 || ss.failed)
		return cmd_fail("%s", ss.err);
	if (n == 0)
		return cmd_fail("no commit matches '%s'", argv[optind]);
	return EXIT_OK;
}

const struct cmd_entry cmd_show_entry = {
	.name = "show",
	.usage = "[--json] ID",
	.summary = "show one commit with its sessions and turns",
	.exec = cmd_show_exec,
};
