/*
 * agentlogs projects: every project with its commit, session and turn counts,
 * when it was last active and where it lives, most recently active first.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "store/commits.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/term.h"
#include "util/text.h"

#define NAME_MAX_TTY 30		/* widest name column on a terminal */

struct projects_state {
	int json;
	int width;		/* terminal columns; 0 when not a terminal */
	int name_width;
	cJSON *array;
	struct strbuf line;
};

static const struct option projects_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
projects_help(void)
{
	cmd_print_usage(&cmd_projects_entry, stdout);
	printf("\nLists the projects, most recently active first: the number of commits\n"
	    "(hidden ones included), of Claude sessions and of turns, the last activity\n"
	    "(UTC) and the local path.\n\n"
	    "Options:\n"
	    "      --json  a JSON array of projects\n"
	    "  -h, --help  this help\n");
}

static int
print_project(const struct project_row *p, void *arg)
{
	struct projects_state *ps = arg;
	struct strbuf *sb = &ps->line;
	const char *last = p->last_activity;
	size_t start;
	int w;

	if (ps->json) {
		cJSON_AddItemToArray(ps->array, project_row_json(p));
		return 0;
	}
	strbuf_reset(sb);
	start = sb->len;
	if (ps->width > 0)
		text_pad(sb, p->name, ps->name_width);
	else {
		text_oneline(sb, p->name, 0);
		for (w = (int)text_width(sb->buf + start); w < ps->name_width; w++)
			strbuf_addc(sb, ' ');
	}
	strbuf_addf(sb, " %7lld %8lld %7lld  ", p->commits, p->sessions, p->turns);
	if (last != NULL && strlen(last) >= 16 && last[10] == 'T')
		strbuf_addf(sb, "%.10s %.5s", last, last + 11);
	else
		strbuf_addf(sb, "%-16s", last != NULL ? last : "-");
	strbuf_adds(sb, "  ");
	text_oneline(sb, p->local_path != NULL ? p->local_path : "-", 0);
	strbuf_addc(sb, '\n');
	fwrite(sb->buf, 1, sb->len, stdout);
	return 0;
}

static int
cmd_projects_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct projects_state ps = { 0 };
	struct store *st;
	char err[ERRLEN], *s;
	long long nw;
	int c, n;

	optind = 0;	/* GNU: reinitialise, as the default action runs commands in turn */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", projects_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			ps.json = 1;
			break;
		case 'h':
			projects_help();
			return EXIT_OK;
		default:
			return cmd_option_error(&cmd_projects_entry, argv, c);
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_projects_entry, "unexpected argument '%s'",
		    argv[optind]);
	if ((st = cmd_store(ctx)) == NULL)
		return EXIT_FAIL;

	if (ps.json)
		ps.array = cJSON_CreateArray();
	else {
		if (projects_name_width(st, &nw, err) != 0)
			return cmd_fail("%s", err);
		ps.width = term_width(stdout);
		ps.name_width = nw < 7 ? 7 : (int)nw;
		if (ps.width > 0 && ps.name_width > NAME_MAX_TTY)
			ps.name_width = NAME_MAX_TTY;
		printf("%-*s %7s %8s %7s  %-16s  %s\n", ps.name_width, "PROJECT", "COMMITS",
		    "SESSIONS", "TURNS", "LAST ACTIVITY", "PATH");
	}
	n = projects_list(st, print_project, &ps, err);
	strbuf_free(&ps.line);
	if (ps.json) {
		/* Projects are few: one array, printed whole. */
		if (n >= 0) {
			s = cJSON_Print(ps.array);
			printf("%s\n", s);
			cJSON_free(s);
		}
		cJSON_Delete(ps.array);
	}
	if (n < 0)
		return cmd_fail("%s", err);
	return EXIT_OK;
}

const struct cmd_entry cmd_projects_entry = {
	.name = "projects",
	.usage = "[--json]",
	.summary = "list projects with their commit, session and turn counts",
	.exec = cmd_projects_exec,
};
