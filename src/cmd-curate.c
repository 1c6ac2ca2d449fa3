/*
 * agentlogs title | publish | unpublish | hide | unhide | move | rm: curation
 * from the command line (the TUI calls the same store/curate.c functions).
 * Each edit bumps the commit's version and marks it pending for sync.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "store/commits.h"
#include "store/curate.h"
#include "util/log.h"

/*
 * These commands take operands only: --help, or "--" before an operand that
 * starts with a dash (a title can). Sets *rc and returns 1 when done.
 */
static int
check_options(const struct cmd_entry *e, int *argc, char ***argv, int *rc)
{
	int i;

	for (i = 1; i < *argc; i++) {
		const char *a = (*argv)[i];
		if (strcmp(a, "--") == 0) {
			/* Drop the "--": the operands follow. */
			memmove(*argv + i, *argv + i + 1, (size_t)(*argc - i) * sizeof **argv);
			(*argc)--;
			return 0;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cmd_print_usage(e, stdout);
			printf("\n%s\n", e->summary);
			*rc = EXIT_OK;
			return 1;
		}
		if (a[0] == '-' && a[1] != '\0' && !(e == &cmd_move_entry &&
		    (strcmp(a, "--before") == 0 || strcmp(a, "--after") == 0))) {
			*rc = cmd_usage_error(e, "unknown option '%s'", a);
			return 1;
		}
	}
	return 0;
}

/* The store and the full id of argv[1]; NULL after printing the error. */
static struct store *
target(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc, char **argv, int nargs,
    char id[UUID_STRLEN], int *rc)
{
	struct store *st;
	char err[ERRLEN];

	if (argc != nargs + 1) {
		*rc = cmd_usage_error(e, argc < nargs + 1 ? "missing argument" : "too many arguments");
		return NULL;
	}
	if ((st = cmd_store(ctx)) == NULL) {
		*rc = EXIT_FAIL;
		return NULL;
	}
	if (commits_resolve(st, argv[1], id, err) != 0) {
		*rc = cmd_fail("%s", err);
		return NULL;
	}
	return st;
}

static int
done(int rc, const char *err, const char *what, const char *id)
{
	if (rc != 0)
		return cmd_fail("%s", err);
	printf("%s %.8s.\n", what, id);
	return EXIT_OK;
}

static int
cmd_title_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char id[UUID_STRLEN], err[ERRLEN];
	struct store *st;
	int rc;

	if (check_options(&cmd_title_entry, &argc, &argv, &rc))
		return rc;
	if ((st = target(ctx, &cmd_title_entry, argc, argv, 2, id, &rc)) == NULL)
		return rc;
	rc = curate_title(st, id, argv[2][0] != '\0' ? argv[2] : NULL, err);
	return done(rc, err, "Retitled", id);
}

static int
flag(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc, char **argv, const char *field,
    int on, const char *what)
{
	char id[UUID_STRLEN], err[ERRLEN];
	struct store *st;
	int rc;

	if (check_options(e, &argc, &argv, &rc))
		return rc;
	if ((st = target(ctx, e, argc, argv, 1, id, &rc)) == NULL)
		return rc;
	return done(curate_flag(st, id, field, on, err), err, what, id);
}

static int
cmd_publish_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return flag(ctx, &cmd_publish_entry, argc, argv, "published", 1, "Published");
}

static int
cmd_unpublish_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return flag(ctx, &cmd_unpublish_entry, argc, argv, "published", 0, "Unpublished");
}

static int
cmd_hide_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return flag(ctx, &cmd_hide_entry, argc, argv, "hidden", 1, "Hid");
}

static int
cmd_unhide_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return flag(ctx, &cmd_unhide_entry, argc, argv, "hidden", 0, "Unhid");
}

static int
cmd_move_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char id[UUID_STRLEN], other[UUID_STRLEN], err[ERRLEN];
	struct store *st;
	int after, rc;

	if (check_options(&cmd_move_entry, &argc, &argv, &rc))
		return rc;
	if (argc != 4 || (strcmp(argv[2], "--before") != 0 && strcmp(argv[2], "--after") != 0))
		return cmd_usage_error(&cmd_move_entry, "expected ID --before|--after OTHER");
	after = strcmp(argv[2], "--after") == 0;
	if ((st = cmd_store(ctx)) == NULL)
		return EXIT_FAIL;
	if (commits_resolve(st, argv[1], id, err) != 0 ||
	    commits_resolve(st, argv[3], other, err) != 0)
		return cmd_fail("%s", err);
	rc = curate_move(st, id, other, after, err);
	return done(rc, err, "Moved", id);
}

static int
cmd_rm_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char id[UUID_STRLEN], err[ERRLEN];
	struct store *st;
	int rc;

	if (check_options(&cmd_rm_entry, &argc, &argv, &rc))
		return rc;
	if ((st = target(ctx, &cmd_rm_entry, argc, argv, 1, id, &rc)) == NULL)
		return rc;
	return done(curate_remove(st, id, err), err, "Deleted", id);
}

const struct cmd_entry cmd_title_entry = {
	.name = "title", .usage = "[--] ID TEXT",
	.summary = "give a commit a title ('' clears it)", .exec = cmd_title_exec,
};
const struct cmd_entry cmd_publish_entry = {
	.name = "publish", .usage = "ID",
	.summary = "mark a commit published", .exec = cmd_publish_exec,
};
const struct cmd_entry cmd_unpublish_entry = {
	.name = "unpublish", .usage = "ID",
	.summary = "mark a commit unpublished", .exec = cmd_unpublish_exec,
};
const struct cmd_entry cmd_hide_entry = {
	.name = "hide", .usage = "ID",
	.summary = "hide a commit from the log (log --all still shows it)", .exec = cmd_hide_exec,
};
const struct cmd_entry cmd_unhide_entry = {
	.name = "unhide", .usage = "ID",
	.summary = "show a hidden commit again", .exec = cmd_unhide_exec,
};
const struct cmd_entry cmd_move_entry = {
	.name = "move", .usage = "ID --before|--after OTHER",
	.summary = "reorder a commit among its project's commits", .exec = cmd_move_exec,
};
const struct cmd_entry cmd_rm_entry = {
	.name = "rm", .usage = "ID",
	.summary = "delete a commit (a tombstone, synced, purged after 30 days)",
	.exec = cmd_rm_exec,
};
