/*
 * agentlogs log: the cognitive commits, newest first, one per line (like
 * `git log --oneline`), or as a JSON array. Rows stream from the store as
 * they are read, so a large history starts printing at once.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "capture/prompt.h"
#include "cmd.h"
#include "store/commits.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/term.h"
#include "util/text.h"

#define SHORT_ID 8
#define SHORT_HASH 7
#define PROJECT_MAX 16		/* widest project column on a terminal */
#define CLOSED_WIDTH 11		/* "session_end", "git 1a2b3c4" */
#define DATE_WIDTH 16		/* "2026-01-19 04:42" */
#define TURNS_WIDTH 9		/* "123 turns" */
#define TITLE_MIN 20		/* below this, narrow terminals lose columns instead */

struct log_state {
	int json;
	int color;
	int width;		/* terminal columns; 0 when not a terminal */
	int project_width;	/* 0: no project column */
	int turns;		/* show the turns column */
	int title_room;		/* columns for the title on a terminal; 0: no limit */
	long long rows;
	struct strbuf line;
};

static const struct option log_options[] = {
	{ "project", required_argument, NULL, 'p' },
	{ "limit", required_argument, NULL, 'n' },
	{ "all", no_argument, NULL, 'a' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
log_help(void)
{
	cmd_print_usage(&cmd_log_entry, stdout);
	printf("\nLists cognitive commits, newest first: id, start (UTC), project, how the\n"
	    "commit closed (the git commit's hash, session_end or open), turns, and its\n"
	    "title (else the git subject, else the first prompt), cut to about 100 columns.\n\n"
	    "Options:\n"
	    "  -p, --project NAME  only this project's commits\n"
	    "  -n, --limit N       at most N commits (default: all)\n"
	    "  -a, --all           include hidden commits\n"
	    "      --json          a JSON array of commits with every field\n"
	    "  -h, --help          this help\n");
}

/* What a commit is called: its title, else what git said, else what was asked. */
static const char *
commit_label(const struct commit_row *c)
{
	if (c->title != NULL && *c->title != '\0')
		return c->title;
	if (c->git_subject != NULL && *c->git_subject != '\0')
		return c->git_subject;
	if (c->first_prompt != NULL && *c->first_prompt != '\0')
		return c->first_prompt;
	return "(no prompt)";
}

/* "2026-01-19T04:42:58.051Z" → "2026-01-19 04:42" (UTC, as stored). */
static void
add_date(struct strbuf *sb, const char *iso)
{
	if (iso != NULL && strlen(iso) >= 16 && iso[10] == 'T') {
		strbuf_add(sb, iso, 10);
		strbuf_addc(sb, ' ');
		strbuf_add(sb, iso + 11, 5);
	} else
		text_pad(sb, iso != NULL ? iso : "", 16);
}

static int
print_json(const struct commit_row *c, struct log_state *ls)
{
	cJSON *o = commit_row_json(c);
	char *s = cJSON_PrintUnformatted(o);

	/* One object per line inside the array: valid JSON that line tools can still cut. */
	printf("%s%s", ls->rows == 0 ? "[\n" : ",\n", s);
	cJSON_free(s);
	cJSON_Delete(o);
	return 0;
}

static int
print_line(const struct commit_row *c, void *arg)
{
	struct log_state *ls = arg;
	struct strbuf *sb = &ls->line;
	char *title;

	if (ls->json) {
		print_json(c, ls);
		ls->rows++;
		return 0;
	}
	strbuf_reset(sb);
	if (ls->color)
		strbuf_adds(sb, TERM_YELLOW);
	strbuf_addf(sb, "%.*s", SHORT_ID, c->id);
	if (ls->color)
		strbuf_adds(sb, TERM_RESET);
	strbuf_addc(sb, ' ');
	add_date(sb, c->started_at);
	strbuf_addc(sb, ' ');
	if (ls->width > 0 && ls->project_width > 0) {
		text_pad(sb, c->project != NULL ? c->project : "-", ls->project_width);
		strbuf_addc(sb, ' ');
	} else if (ls->width == 0) {
		/* Not a terminal: never cut a name, but keep the columns when it fits. */
		size_t start = sb->len;
		int w;

		text_oneline(sb, c->project != NULL ? c->project : "-", 0);
		for (w = (int)text_width(sb->buf + start); w < ls->project_width; w++)
			strbuf_addc(sb, ' ');
		strbuf_addc(sb, ' ');
	}
	if (c->closed_by != NULL && strcmp(c->closed_by, "git_commit") == 0 &&
	    c->git_hash != NULL)
		strbuf_addf(sb, "git %-*.*s ", CLOSED_WIDTH - 4, SHORT_HASH, c->git_hash);
	else
		strbuf_addf(sb, "%-*s ", CLOSED_WIDTH, c->closed_by != NULL ? c->closed_by : "?");
	if (ls->turns)
		strbuf_addf(sb, "%3lld turn%s ", c->turns, c->turns == 1 ? " " : "s");
	/* About 100 columns at most, even into a pipe: the whole text is in show. */
	title = prompt_title(commit_label(c));
	text_oneline(sb, title != NULL ? title : "", ls->title_room);
	free(title);
	strbuf_addc(sb, '\n');
	fwrite(sb->buf, 1, sb->len, stdout);
	ls->rows++;
	return 0;
}

/*
 * On a terminal every line fits its width: the title gets what the fixed
 * columns leave, and a narrow terminal drops the turns, then the project
 * column, before the title shrinks below TITLE_MIN.
 */
static void
fit_columns(struct log_state *ls)
{
	int fixed;

	if (ls->project_width > PROJECT_MAX)
		ls->project_width = PROJECT_MAX;
	for (;;) {
		fixed = SHORT_ID + 1 + DATE_WIDTH + 1 + CLOSED_WIDTH + 1;
		if (ls->project_width > 0)
			fixed += ls->project_width + 1;
		if (ls->turns)
			fixed += TURNS_WIDTH + 1;
		/* The last column stays empty: some terminals wrap on writing it. */
		ls->title_room = ls->width - 1 - fixed;
		if (ls->title_room >= TITLE_MIN)
			break;
		if (ls->turns)
			ls->turns = 0;
		else if (ls->project_width > 0)
			ls->project_width = 0;
		else
			break;
	}
	if (ls->title_room < 1)
		ls->title_room = 1;
}

static int
cmd_log_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct commit_query q = { 0 };
	struct log_state ls = { 0 };
	struct store *st;
	char err[ERRLEN];
	long long pw;
	int c, rc, n;

	optind = 0;	/* GNU: reinitialise, as the default action runs commands in turn */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:n:ah", log_options, NULL)) != -1) {
		switch (c) {
		case 'p':
			q.project = optarg;
			break;
		case 'n':
			if ((q.limit = cmd_parse_count(optarg, 1000000000L)) < 0)
				return cmd_usage_error(&cmd_log_entry,
				    "--limit needs a positive number, not '%s'", optarg);
			break;
		case 'a':
			q.include_hidden = 1;
			break;
		case 'j':
			ls.json = 1;
			break;
		case 'h':
			log_help();
			return EXIT_OK;
		default:
			return cmd_option_error(&cmd_log_entry, argv, c);
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_log_entry, "unexpected argument '%s'", argv[optind]);
	if ((st = cmd_store(ctx)) == NULL)
		return EXIT_FAIL;

	if (q.project != NULL) {
		if ((rc = projects_exists(st, q.project, err)) < 0)
			return cmd_fail("%s", err);
		if (rc == 0)
			return cmd_fail("no project named '%s'; see 'agentlogs projects'", q.project);
	}
	if (!ls.json) {
		if (projects_name_width(st, &pw, err) != 0)
			return cmd_fail("%s", err);
		ls.width = term_width(stdout);
		ls.color = term_color(stdout);
		ls.project_width = (int)pw;
		ls.turns = 1;
		if (ls.width > 0)
			fit_columns(&ls);
	}
	n = commits_list(st, &q, print_line, &ls, err);
	strbuf_free(&ls.line);
	if (ls.json)
		printf(ls.rows == 0 ? "[]\n" : "\n]\n");
	if (n < 0)
		return cmd_fail("%s", err);
	return EXIT_OK;
}

const struct cmd_entry cmd_log_entry = {
	.name = "log",
	.usage = "[--project NAME] [--limit N] [--all] [--json]",
	.summary = "list cognitive commits, newest first",
	.exec = cmd_log_exec,
};
