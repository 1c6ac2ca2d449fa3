/*
 * agentlogs export: commits with their sessions and turns as one Markdown,
 * JSON or HTML document (export/export.h), on stdout or into a file that
 * appears whole or not at all.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "export/export.h"
#include "store/commits.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct id_list {
	char **v;
	size_t n, cap;
};

static const struct option export_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "project", required_argument, NULL, 'p' },
	{ "all", no_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
export_help(void)
{
	cmd_print_usage(&cmd_export_entry, stdout);
	printf("\nWrites cognitive commits, each with its sessions and turns in order, as one\n"
	    "document: the commits named by ID (any unambiguous prefix, as 'agentlogs log'\n"
	    "prints it), or every commit of a project, oldest first. Prompts and answers\n"
	    "go out as written; tool calls one item each, edits as diffs.\n\n"
	    "Options:\n"
	    "  -f, --format F       markdown (the default), json (every field, as\n"
	    "                       'show --json') or html (one self-contained file,\n"
	    "                       readable offline); with -o, taken from the file's\n"
	    "                       extension (.md, .json, .html) when not given\n"
	    "  -o, --output FILE    write FILE (whole, or not at all) instead of stdout\n"
	    "  -p, --project NAME   every commit of this project\n"
	    "  -a, --all            with --project: hidden commits too\n"
	    "  -h, --help           this help\n");
}

static void
ids_add(struct id_list *l, const char *id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = xstrdup(id);
}

static void
ids_free(struct id_list *l)
{
	while (l->n > 0)
		free(l->v[--l->n]);
	free(l->v);
}

static int
add_listed(const struct commit_row *c, void *arg)
{
	ids_add(arg, c->id);
	return 0;
}

static int
cmd_export_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct commit_query q = { 0 };
	struct id_list ids = { 0 };
	enum export_format f = EXPORT_MARKDOWN;
	const char *output = NULL, *format = NULL;
	char err[ERRLEN], id[UUID_STRLEN], *title = NULL;
	struct store *st;
	int c, rc, i;

	optind = 0;	/* GNU: reinitialise, as the default action runs commands in turn */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:p:ah", export_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'p':
			q.project = optarg;
			break;
		case 'a':
			q.include_hidden = 1;
			break;
		case 'h':
			export_help();
			return EXIT_OK;
		default:
			return cmd_option_error(&cmd_export_entry, argv, c);
		}
	}
	if (format != NULL && export_format_parse(format, &f) != 0)
		return cmd_usage_error(&cmd_export_entry,
		    "--format is markdown, json or html, not '%s'", format);
	if (format == NULL && output != NULL)
		export_format_of_file(output, &f);
	if ((optind == argc) == (q.project == NULL))
		return cmd_usage_error(&cmd_export_entry, q.project == NULL ?
		    "which commits? give ids or --project NAME" :
		    "give ids or --project NAME, not both");
	if (q.include_hidden && q.project == NULL)
		return cmd_usage_error(&cmd_export_entry, "--all goes with --project");
	if ((st = cmd_store(ctx)) == NULL)
		return EXIT_FAIL;

	for (i = optind; i < argc; i++) {
		if (commits_resolve(st, argv[i], id, err) != 0) {
			ids_free(&ids);
			return cmd_fail("%s", err);
		}
		ids_add(&ids, id);
	}
	if (q.project != NULL) {
		if ((rc = projects_exists(st, q.project, err)) <= 0)
			return rc < 0 ? cmd_fail("%s", err) :
			    cmd_fail("no project named '%s'; see 'agentlogs projects'", q.project);
		if (commits_list(st, &q, add_listed, &ids, err) < 0) {
			ids_free(&ids);
			return cmd_fail("%s", err);
		}
		/* Listed newest first; a document reads oldest first. */
		for (i = 0; i < (int)ids.n / 2; i++) {
			char *t = ids.v[i];

			ids.v[i] = ids.v[ids.n - 1 - (size_t)i];
			ids.v[ids.n - 1 - (size_t)i] = t;
		}
		title = xprintf("%s: %zu commit%s", q.project, ids.n, ids.n == 1 ? "" : "s");
	}
	if (output != NULL)
		rc = export_commits_to_file(st, ids.v, ids.n, f, title, output, err);
	else
		rc = export_commits(st, ids.v, ids.n, f, title, stdout, err);
	ids_free(&ids);
	free(title);
	return rc == 0 ? EXIT_OK : cmd_fail("%s", err);
}

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.usage = "[--format markdown|json|html] [-o FILE] (ID... | --project NAME [--all])",
	.summary = "write commits as Markdown, JSON or HTML",
	.exec = cmd_export_exec,
};
