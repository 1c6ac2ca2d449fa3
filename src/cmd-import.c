/* agentlogs import: bring new transcript lines into the local store. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "capture/import.h"
#include "cmd.h"
#include "config/config.h"
#include "store/db.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/xmalloc.h"

static int cmd_import_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.usage = "[--claude-dir DIR] [--project NAME] [--from-start] [--json] [--quiet]",
	.summary = "import new Claude Code transcript lines into the local store",
	.exec = cmd_import_exec,
};

static void
print_json(const struct import_stats *s)
{
	cJSON *o = cJSON_CreateObject();
	char *json;

	cJSON_AddNumberToObject(o, "files", (double)s->files);
	cJSON_AddNumberToObject(o, "files_read", (double)s->files_read);
	cJSON_AddNumberToObject(o, "files_unchanged", (double)s->files_unchanged);
	cJSON_AddNumberToObject(o, "files_failed", (double)s->files_failed);
	cJSON_AddNumberToObject(o, "files_filtered", (double)s->files_filtered);
	cJSON_AddNumberToObject(o, "bytes", (double)s->bytes);
	cJSON_AddNumberToObject(o, "lines", (double)s->lines);
	cJSON_AddNumberToObject(o, "skipped_lines", (double)s->skipped);
	cJSON_AddNumberToObject(o, "skipped_values", (double)s->bad_values);
	cJSON_AddNumberToObject(o, "new_commits", (double)s->commits_new);
	cJSON_AddNumberToObject(o, "new_sessions", (double)s->sessions_new);
	cJSON_AddNumberToObject(o, "new_turns", (double)s->turns_new);
	cJSON_AddNumberToObject(o, "new_visuals", (double)s->visuals_new);
	cJSON_AddNumberToObject(o, "samples_removed", (double)s->samples_removed);
	if ((json = cJSON_Print(o)) == NULL)
		fatalx("out of memory printing JSON");
	printf("%s\n", json);
	cJSON_free(json);
	cJSON_Delete(o);
}

static void
print_summary(const struct import_stats *s)
{
	if (s->samples_removed > 0)
		printf("Removed the bundled samples (%ld commit%s): your own transcripts replace them.\n",
		    s->samples_removed, s->samples_removed == 1 ? "" : "s");
	printf("Imported %ld file%s (%ld unchanged", s->files, s->files == 1 ? "" : "s",
	    s->files_unchanged);
	if (s->files_filtered > 0)
		printf(", %ld other projects", s->files_filtered);
	if (s->files_failed > 0)
		printf(", %ld unreadable", s->files_failed);
	printf("): %ld new commit%s, %ld session%s, %ld turn%s; %ld line%s skipped",
	    s->commits_new, s->commits_new == 1 ? "" : "s",
	    s->sessions_new, s->sessions_new == 1 ? "" : "s",
	    s->turns_new, s->turns_new == 1 ? "" : "s",
	    s->skipped, s->skipped == 1 ? "" : "s");
	if (s->bad_values > 0)
		printf(", %ld usage value%s", s->bad_values, s->bad_values == 1 ? "" : "s");
	printf("\n");
}

static int
run_import(struct cmd_ctx *ctx, struct import_opts *o, int json)
{
	struct import_stats stats;
	struct store *st;
	struct config *cfg;
	char err[ERRLEN], *path;
	int rc = EXIT_OK;

	if ((cfg = config_load(ctx->home, err)) == NULL)
		return cmd_fail("%s", err);
	o->idle_minutes = (int)config_get_number(cfg, "import.idle-minutes");
	config_free(cfg);
	o->progress = !json && isatty(STDERR_FILENO);

	/* No store yet: reading can start while it is created (import_read_ahead). */
	path = paths_in_home(ctx->home, "data.db");
	if (o->project == NULL && !o->from_start && access(path, F_OK) != 0)
		o->ahead = import_read_ahead(o->claude_dir, o->idle_minutes);
	free(path);
	if ((st = cmd_store(ctx)) == NULL)
		rc = EXIT_FAIL;
	else if (store_check_writable(st, err) != 0 ||
	    import_run(st, ctx->home, o, &stats, err) != 0)
		rc = cmd_fail("import: %s", err);
	import_ahead_free(o->ahead);
	o->ahead = NULL;
	if (rc != EXIT_OK)
		return rc;
	if (json)
		print_json(&stats);
	else
		print_summary(&stats);
	return EXIT_OK;
}

static int
cmd_import_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "claude-dir", required_argument, NULL, 'd' },
		{ "project", required_argument, NULL, 'p' },
		{ "from-start", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct import_opts o = { .idle_minutes = 30 };
	char *dir = NULL;
	int c, json = 0, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:d:p:sjqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			free(dir);
			dir = xstrdup(optarg);
			break;
		case 'p':
			o.project = optarg;
			break;
		case 's':
			o.from_start = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			cmd_print_usage(&cmd_import_entry, stdout);
			printf("\n%s.\n\n"
			    "  --claude-dir DIR  read DIR/projects (default $CLAUDE_HOME, ~/.claude,\n"
			    "                    then ~/.config/claude)\n"
			    "  --project NAME    import only transcripts of project NAME\n"
			    "  --from-start      read every transcript again from its first line:\n"
			    "                    commits are derived afresh; what comes out the same\n"
			    "                    is left as it is\n"
			    "  --json            print the summary as JSON\n"
			    "  --quiet           no warnings for skipped lines (still counted)\n",
			    "Imports new lines of every transcript, resuming where the last import "
			    "stopped");
			free(dir);
			return EXIT_OK;
		default:
			free(dir);
			return cmd_option_error(&cmd_import_entry, argv, c);
		}
	}
	if (optind < argc) {
		free(dir);
		return cmd_usage_error(&cmd_import_entry, "unexpected argument '%s'", argv[optind]);
	}
	if (dir == NULL)
		dir = paths_claude_dir();
	o.claude_dir = dir;
	rc = run_import(ctx, &o, json);
	free(dir);
	return rc;
}

int
cmd_import_samples(struct cmd_ctx *ctx, const char *dir)
{
	struct import_opts o = { .claude_dir = dir, .samples = 1 };

	return run_import(ctx, &o, 0);
}
