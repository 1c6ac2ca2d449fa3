/*
 * agentlogs: git for AI coding-agent conversations.
 * argv → one struct cmd_entry; with no command, import, then open the browser
 * (ui/tui.h) on a terminal, or print the log when the output is not one.
 */
#include "config.h"

#include <dirent.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "store/db.h"
#include "store/samples.h"
#include "sync/auth-session.h"
#include "ui/tui.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/xmalloc.h"

static void
usage(FILE *f)
{
	const struct cmd_entry *const *e;

	fprintf(f, "usage: agentlogs [--help] [--version] [--sync-once] <command> [<args>]\n\n"
	    "With no command, imports new transcripts and opens the browser (on a\n"
	    "terminal; elsewhere it prints the log).\n"
	    "--sync-once imports, then runs one sync (for cron): exit 0 in sync, 1 failed,\n"
	    "2 conflicts wait for you.\n\n"
	    "Commands:\n");
	for (e = cmd_table; *e != NULL; e++)
		fprintf(f, "  %-10s %s\n", (*e)->name, (*e)->summary);
	fprintf(f, "\nRun 'agentlogs <command> --help' for a command's options.\n"
	    "Files live in $AGENTLOGS_HOME (default ~/.agentlogs); see agentlogs(1).\n");
}

/* True when DIR/projects holds at least one entry. */
static int
has_projects(const char *claude_dir)
{
	char *projects = xprintf("%s/projects", claude_dir);
	DIR *d = opendir(projects);
	struct dirent *de;
	int found = 0;

	free(projects);
	if (d == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL)
		found = de->d_name[0] != '.';
	closedir(d);
	return found;
}

/*
 * Samples only on a first run: an empty store, no account, no transcripts.
 * 1 when the samples should be imported, 0 when not, -1 after an error.
 */
static int
first_run(struct cmd_ctx *ctx)
{
	struct auth_session s;
	struct store *st;
	char err[ERRLEN];
	int rc;

	if ((rc = auth_session_load(ctx->home, &s, err)) < 0) {
		cmd_fail("%s", err);
		return -1;
	}
	if (rc == 0) {
		auth_session_free(&s);
		return 0;
	}
	if ((st = cmd_store(ctx)) == NULL)
		return -1;
	if ((rc = samples_store_is_empty(st, err)) < 0)
		cmd_fail("%s", err);
	return rc;
}

/*
 * The first-run experience: import the person's history (or, on a first run,
 * our samples), then browse it, or show the log when the output is not a
 * terminal. Without transcripts a store that is not new is only browsed.
 */
static int
default_action(struct cmd_ctx *ctx)
{
	char *claude = paths_claude_dir(), *samples = NULL;
	char *import_argv[] = { "import", NULL };
	char *log_argv[] = { "log", "--limit", "30", NULL };
	int rc = EXIT_OK, first;

	if (has_projects(claude))
		rc = cmd_import_entry.exec(ctx, 1, import_argv);
	else if ((first = first_run(ctx)) < 0)
		rc = EXIT_FAIL;
	else if (first) {
		if ((samples = paths_samples_dir()) == NULL)
			rc = cmd_fail("no transcripts in %s/projects and no bundled samples found",
			    claude);
		else {
			fprintf(stderr, "No transcripts in %s/projects yet: showing the bundled "
			    "samples.\n", claude);
			rc = cmd_import_samples(ctx, samples);
		}
	}
	if (rc == EXIT_OK && tui_wanted()) {
		fflush(stdout);
		if ((rc = tui_run(ctx)) == TUI_NO_TERMINAL)
			rc = cmd_log_entry.exec(ctx, 3, log_argv);
	} else if (rc == EXIT_OK)
		rc = cmd_log_entry.exec(ctx, 3, log_argv);
	free(samples);
	free(claude);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cmd_ctx ctx = { 0 };
	const struct cmd_entry *entry;
	int rc;

	setlocale(LC_ALL, "");
	log_set_progname("agentlogs");
	ctx.home = paths_home();

	if (argc < 2)
		rc = default_action(&ctx);
	else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (entry = cmd_find(argv[2])) != NULL) {
			char *help_argv[] = { argv[2], "--help", NULL };
			rc = entry->exec(&ctx, 2, help_argv);
		} else {
			usage(stdout);
			rc = EXIT_OK;
		}
	} else if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("agentlogs %s\n", PACKAGE_VERSION);
		rc = EXIT_OK;
	} else if (strcmp(argv[1], "--sync-once") == 0) {
		/* One headless cycle for cron and CI: import new lines, then sync. */
		char *import_argv[] = { "import", NULL };
		if (argc > 2) {
			fprintf(stderr, "agentlogs: --sync-once takes no arguments\n");
			rc = EXIT_USAGE;
		} else {
			/* A machine that only views synced history has no transcripts. */
			char *claude = paths_claude_dir();
			rc = has_projects(claude) ? cmd_import_entry.exec(&ctx, 1, import_argv) :
			    EXIT_OK;
			free(claude);
			if (rc == EXIT_OK)
				rc = cmd_sync_once(&ctx);
		}
	} else if (argv[1][0] == '-') {
		fprintf(stderr, "agentlogs: unknown option '%s'\n", argv[1]);
		usage(stderr);
		rc = EXIT_USAGE;
	} else if ((entry = cmd_find(argv[1])) == NULL) {
		fprintf(stderr, "agentlogs: '%s' is not a command; see 'agentlogs --help'\n",
		    argv[1]);
		rc = EXIT_USAGE;
	} else
		rc = entry->exec(&ctx, argc - 1, argv + 1);

	if (fflush(stdout) != 0 && rc == EXIT_OK)
		rc = cmd_fail("cannot write output");
	store_close(ctx.store);
	free(ctx.home);
	return rc;
}
