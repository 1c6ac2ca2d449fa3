/*
 * agentlogs samples [--remove]: whether the bundled samples of a first run
 * are in the store, and their removal (also done by the first real import).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "store/db.h"
#include "store/samples.h"
#include "util/log.h"

static int cmd_samples_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_samples_entry = {
	.name = "samples",
	.usage = "[--remove]",
	.summary = "whether the bundled samples are shown (--remove: remove them)",
	.exec = cmd_samples_exec,
};

static int
remove_samples(struct store *st)
{
	char err[ERRLEN];
	long n;

	if (store_check_writable(st, err) != 0 || store_begin(st, err) != 0)
		return cmd_fail("samples: %s", err);
	if ((n = samples_remove(st, err)) < 0 || store_commit(st, err) != 0) {
		store_rollback(st);
		return cmd_fail("samples: %s", err);
	}
	if (n > 0)
		printf("Removed the bundled samples (%ld commit%s).\n", n, n == 1 ? "" : "s");
	else
		printf("No samples to remove.\n");
	return EXIT_OK;
}

static int
cmd_samples_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "remove", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st;
	char err[ERRLEN];
	int c, remove = 0, present;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":rh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			remove = 1;
			break;
		case 'h':
			cmd_print_usage(&cmd_samples_entry, stdout);
			printf("\nWith no transcripts, no account and an empty store, agentlogs shows\n"
			    "invented sample transcripts. They are never pushed nor counted in\n"
			    "analytics, and go when the first real transcript is imported.\n\n"
			    "  --remove  remove them now\n");
			return EXIT_OK;
		default:
			return cmd_option_error(&cmd_samples_entry, argv, c);
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_samples_entry, "unexpected argument '%s'", argv[optind]);
	if ((st = cmd_store(ctx)) == NULL)
		return EXIT_FAIL;
	if (remove)
		return remove_samples(st);
	if ((present = samples_present(st, err)) < 0)
		return cmd_fail("samples: %s", err);
	fputs(present ? "The bundled samples are in the store: agentlogs import brings your own"
	    " transcripts and removes them.\n" : "No samples in the store.\n", stdout);
	return EXIT_OK;
}
