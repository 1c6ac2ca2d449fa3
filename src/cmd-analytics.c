/*
 * agentlogs analytics: figures about the local store (commits, sessions,
 * turns, tools, tokens), computed on this machine from data.db. --opt-in and
 * --opt-out record the person's choice (config and cloud profile); opted-in
 * machines upload noisy aggregates daily at a sync (privacy/analytics-daily.h),
 * and --show-upload prints what such an upload would send.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "config/config.h"
#include "privacy/analytics-daily.h"
#include "store/analytics.h"
#include "util/log.h"
#include "util/text.h"

static const struct option analytics_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "opt-in", no_argument, NULL, 'I' },
	{ "opt-out", no_argument, NULL, 'O' },
	{ "show-upload", no_argument, NULL, 'U' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
analytics_help(void)
{
	cmd_print_usage(&cmd_analytics_entry, stdout);
	printf("\nPrints figures about the local store: projects, commits (by how they\n"
	    "closed), Claude sessions, turns, prompts, the most used tools, tokens, and\n"
	    "turns per commit. They are computed here from data.db, and nothing leaves the\n"
	    "machine but this: opted-in machines upload, at most daily at a sync,\n"
	    "aggregate counts with Laplace noise (epsilon 1): no prompt, code, file or\n"
	    "project name, no id.\n\n"
	    "Options:\n"
	    "      --json         the figures as a JSON object\n"
	    "      --opt-in       share anonymous aggregates from this machine\n"
	    "                     (analytics.opt-in = true; other machines stay as they are)\n"
	    "      --opt-out      stop sharing on every machine; deletes your uploads\n"
	    "      --show-upload  print the JSON an upload would send now (fresh\n"
	    "                     noise), without sending it\n"
	    "  -h, --help         this help\n");
}

static void
print_text(const struct analytics *a, int opt_in)
{
	int i, w = 4;

	printf("Projects        %lld\n", a->projects);
	printf("Commits         %lld (git commit %lld, session end %lld, open %lld)\n",
	    a->commits, a->commits_git, a->commits_session_end, a->commits_open);
	printf("Sessions        %lld\n", a->sessions);
	printf("Turns           %lld (prompts %lld)\n", a->turns, a->prompts);
	printf("Turns/commit    mean %.1f, median %g, max %lld\n", a->turns_mean,
	    a->turns_median, a->turns_max);
	printf("Tokens          input %lld, output %lld, cache read %lld, cache creation %lld\n",
	    a->input_tokens, a->output_tokens, a->cache_read_tokens, a->cache_creation_tokens);
	if (a->first_at[0] != '\0')
		printf("Activity        %.10s to %.10s\n", a->first_at, a->last_at);
	printf("Tool calls      %lld\n", a->tool_calls);
	for (i = 0; i < a->ntools; i++) {
		if ((int)text_width(a->tools[i].name) > w)
			w = (int)text_width(a->tools[i].name);
	}
	if (w > 30)
		w = 30;
	for (i = 0; i < a->ntools; i++) {
		struct strbuf name = STRBUF_INIT;

		text_pad(&name, a->tools[i].name, w);
		printf("  %s %8lld", name.buf, a->tools[i].calls);
		if (a->tools[i].errors > 0)
			printf("  (%lld failed)", a->tools[i].errors);
		putchar('\n');
		strbuf_free(&name);
	}
	printf("\nComputed locally: nothing leaves the machine but opted-in aggregates.\n"
	    "Sharing anonymous aggregates: %s.\n", opt_in ?
	    "opted in (agentlogs analytics --show-upload shows what is sent)" :
	    "off (agentlogs analytics --opt-in)");
}

static void
print_json(const struct analytics *a, int opt_in)
{
	cJSON *o = cJSON_CreateObject(), *sub, *tools, *t;
	char *s;
	int i;

	cJSON_AddNumberToObject(o, "projects", (double)a->projects);
	sub = cJSON_AddObjectToObject(o, "commits");
	cJSON_AddNumberToObject(sub, "total", (double)a->commits);
	cJSON_AddNumberToObject(sub, "git_commit", (double)a->commits_git);
	cJSON_AddNumberToObject(sub, "session_end", (double)a->commits_session_end);
	cJSON_AddNumberToObject(sub, "open", (double)a->commits_open);
	cJSON_AddNumberToObject(o, "sessions", (double)a->sessions);
	cJSON_AddNumberToObject(o, "turns", (double)a->turns);
	cJSON_AddNumberToObject(o, "prompts", (double)a->prompts);
	sub = cJSON_AddObjectToObject(o, "turns_per_commit");
	cJSON_AddNumberToObject(sub, "mean", a->turns_mean);
	cJSON_AddNumberToObject(sub, "median", a->turns_median);
	cJSON_AddNumberToObject(sub, "max", (double)a->turns_max);
	sub = cJSON_AddObjectToObject(o, "tokens");
	cJSON_AddNumberToObject(sub, "input", (double)a->input_tokens);
	cJSON_AddNumberToObject(sub, "output", (double)a->output_tokens);
	cJSON_AddNumberToObject(sub, "cache_read", (double)a->cache_read_tokens);
	cJSON_AddNumberToObject(sub, "cache_creation", (double)a->cache_creation_tokens);
	cJSON_AddNumberToObject(o, "tool_calls", (double)a->tool_calls);
	tools = cJSON_AddArrayToObject(o, "top_tools");
	for (i = 0; i < a->ntools; i++) {
		t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "name", a->tools[i].name);
		cJSON_AddNumberToObject(t, "calls", (double)a->tools[i].calls);
		cJSON_AddNumberToObject(t, "errors", (double)a->tools[i].errors);
		cJSON_AddItemToArray(tools, t);
	}
	if (a->first_at[0] != '\0') {
		cJSON_AddStringToObject(o, "first_activity", a->first_at);
		cJSON_AddStringToObject(o, "last_activity", a->last_at);
	} else {
		cJSON_AddNullToObject(o, "first_activity");
		cJSON_AddNullToObject(o, "last_activity");
	}
	cJSON_AddBoolToObject(o, "opt_in", opt_in);
	s = cJSON_Print(o);
	printf("%s\n", s);
	cJSON_free(s);
	cJSON_Delete(o);
}

int
cmd_analytics_choose(struct cmd_ctx *ctx, int opt_in, int say_value)
{
	struct store *st;
	char why[ERRLEN];
	int rc;

	if ((st = cmd_store(ctx)) == NULL)
		return EXIT_FAIL;
	if ((rc = analytics_choose(ctx->home, st, opt_in, why)) < 0)
		return cmd_fail("%s", why);
	if (say_value)
		printf("analytics.opt-in = %s\n", opt_in ? "true" : "false");
	if (rc == 0)
		printf("Recorded in your cloud profile: every machine of yours follows.\n");
	else
		printf("Your cloud profile gets it at the next sync (%s).\n", why);
	return EXIT_OK;
}

static int
cmd_analytics_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct analytics a;
	struct config *cfg;
	struct store *st;
	char err[ERRLEN];
	int c, json = 0, opt = -1, opt_in, show = 0;

	optind = 0;	/* GNU: reinitialise, as the default action runs commands in turn */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", analytics_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'I':
		case 'O':
			if (opt != -1 && opt != (c == 'I'))
				return cmd_usage_error(&cmd_analytics_entry,
				    "--opt-in and --opt-out exclude each other");
			opt = c == 'I';
			break;
		case 'U':
			show = 1;
			break;
		case 'h':
			analytics_help();
			return EXIT_OK;
		default:
			return cmd_option_error(&cmd_analytics_entry, argv, c);
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_analytics_entry, "unexpected argument '%s'",
		    argv[optind]);

	if (opt != -1 && show)
		return cmd_usage_error(&cmd_analytics_entry,
		    "--show-upload goes without --opt-in and --opt-out");
	if (opt != -1)
		return cmd_analytics_choose(ctx, opt, 1);
	if (show) {
		char *body;

		if ((st = cmd_store(ctx)) == NULL)
			return EXIT_FAIL;
		if ((body = analytics_upload_body(st, err)) == NULL)
			return cmd_fail("%s", err);
		printf("%s\n", body);
		free(body);
		return EXIT_OK;
	}

	if ((cfg = config_load(ctx->home, err)) == NULL)
		return cmd_fail("%s", err);
	opt_in = config_get_bool(cfg, "analytics.opt-in");
	config_free(cfg);

	if ((st = cmd_store(ctx)) == NULL)
		return EXIT_FAIL;
	if (analytics_collect(st, &a, err) != 0)
		return cmd_fail("%s", err);
	if (json)
		print_json(&a, opt_in);
	else
		print_text(&a, opt_in);
	analytics_free(&a);
	return EXIT_OK;
}

const struct cmd_entry cmd_analytics_entry = {
	.name = "analytics",
	.usage = "[--json] [--opt-in | --opt-out | --show-upload]",
	.summary = "local figures about your agent work; opt-in anonymous aggregates",
	.exec = cmd_analytics_exec,
};
