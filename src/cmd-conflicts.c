/*
 * agentlogs conflicts: the open conflicts with both sides.
 * agentlogs resolve ID --keep local|cloud, or --field NAME=local|cloud...
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "store/commits.h"
#include "store/conflicts.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum { OPT_JSON = 256, OPT_KEEP, OPT_FIELD };

static const struct option conflicts_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
print_conflict(const struct conflict_row *c, void *arg)
{
	cJSON *array = arg, *o;

	if (array != NULL) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)c->id);
		cJSON_AddStringToObject(o, "commit_id", c->record_id);
		cJSON_AddStringToObject(o, "field", c->field);
		cJSON_AddItemToObject(o, "local", c->local_value != NULL ?
		    cJSON_Parse(c->local_value) : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "cloud", c->cloud_value != NULL ?
		    cJSON_Parse(c->cloud_value) : cJSON_CreateNull());
		if (c->winner != NULL)
			cJSON_AddStringToObject(o, "winner", c->winner);
		else
			cJSON_AddNullToObject(o, "winner");
		cJSON_AddStringToObject(o, "detected_at", c->detected_at);
		cJSON_AddItemToArray(array, o);
		return 0;
	}
	printf("%.8s  %-13s local %s  cloud %s  %s\n", c->record_id, c->field,
	    c->local_value != NULL ? c->local_value : "null",
	    c->cloud_value != NULL ? c->cloud_value : "null",
	    c->winner == NULL ? "(waiting for you)" :
	    strcmp(c->winner, "local") == 0 ? "(local kept: last write)" :
	    "(cloud kept: last write)");
	return 0;
}

static int
cmd_conflicts_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store *st;
	cJSON *array = NULL;
	char err[ERRLEN], *s;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", conflicts_options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			array = cJSON_CreateArray();
			break;
		case 'h':
			cmd_print_usage(&cmd_conflicts_entry, stdout);
			printf("\n%s\n", cmd_conflicts_entry.summary);
			return EXIT_OK;
		default:
			cJSON_Delete(array);
			return cmd_option_error(&cmd_conflicts_entry, argv, c);
		}
	}
	if (optind < argc) {
		cJSON_Delete(array);
		return cmd_usage_error(&cmd_conflicts_entry, "unexpected argument '%s'", argv[optind]);
	}
	if ((st = cmd_store(ctx)) == NULL) {
		cJSON_Delete(array);
		return EXIT_FAIL;
	}
	rc = conflicts_list(st, print_conflict, array, err);
	if (array != NULL) {
		if (rc == 0) {
			s = cJSON_Print(array);
			printf("%s\n", s);
			free(s);
		}
		cJSON_Delete(array);
	}
	return rc == 0 ? EXIT_OK : cmd_fail("%s", err);
}

static const struct option resolve_options[] = {
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "field", required_argument, NULL, OPT_FIELD },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
cmd_resolve_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char id[UUID_STRLEN], err[ERRLEN], **fields = NULL;
	const char *keep = NULL;
	struct store *st;
	int c, nfields = 0, i, rc = EXIT_OK, n;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", resolve_options, NULL)) != -1) {
		switch (c) {
		case OPT_KEEP:
			keep = optarg;
			break;
		case OPT_FIELD:
			fields = xrealloc(fields, (size_t)(nfields + 1) * sizeof *fields);
			fields[nfields++] = optarg;
			break;
		case 'h':
			free(fields);
			cmd_print_usage(&cmd_resolve_entry, stdout);
			printf("\n%s\n", cmd_resolve_entry.summary);
			return EXIT_OK;
		default:
			free(fields);
			return cmd_option_error(&cmd_resolve_entry, argv, c);
		}
	}
	if (optind != argc - 1 || (keep == NULL) == (nfields == 0)) {
		free(fields);
		return cmd_usage_error(&cmd_resolve_entry,
		    "give a commit id and either --keep or --field");
	}
	if ((st = cmd_store(ctx)) == NULL || commits_resolve(st, argv[optind], id, err) != 0) {
		free(fields);
		return st == NULL ? EXIT_FAIL : cmd_fail("%s", err);
	}
	if (keep != NULL) {
		if ((n = conflicts_resolve(st, id, NULL, keep, err)) < 0)
			rc = cmd_fail("%s", err);
		else
			printf("Resolved %d conflict%s of %.8s, keeping the %s value%s.\n", n,
			    n == 1 ? "" : "s", id, keep, n == 1 ? "" : "s");
	}
	for (i = 0; i < nfields && rc == EXIT_OK; i++) {
		char *eq = strchr(fields[i], '='), *name;
		if (eq == NULL) {
			rc = cmd_usage_error(&cmd_resolve_entry, "--field takes NAME=local|cloud");
			break;
		}
		name = xstrndup(fields[i], (size_t)(eq - fields[i]));
		if (conflicts_resolve(st, id, name, eq + 1, err) < 0)
			rc = cmd_fail("%s", err);
		else
			printf("Resolved %s of %.8s: %s value kept.\n", name, id, eq + 1);
		free(name);
	}
	free(fields);
	return rc;
}

const struct cmd_entry cmd_conflicts_entry = {
	.name = "conflicts", .usage = "[--json]",
	.summary = "list conflicting edits: held ones wait for you, settled ones for review",
	.exec = cmd_conflicts_exec,
};

const struct cmd_entry cmd_resolve_entry = {
	.name = "resolve", .usage = "ID --keep local|cloud | ID --field NAME=local|cloud...",
	.summary = "settle a commit's conflicts; the choice syncs as a new version",
	.exec = cmd_resolve_exec,
};
