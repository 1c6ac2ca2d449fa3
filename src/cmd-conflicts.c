/*
 * agentlogs conflicts: the open conflicts with both sides, from this
 * machine's view (store/conflicts.h); --ack acknowledges the settled ones.
 * agentlogs resolve ID --keep local|cloud, or --field NAME=local|cloud...
 * Both close the records on every machine once they sync.
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
#include "store/order-position.h"
#include "sync/account.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum { OPT_JSON = 256, OPT_KEEP, OPT_FIELD, OPT_ACK };

static const struct option conflicts_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "ack", no_argument, NULL, OPT_ACK },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct listing {
	struct store *st;
	cJSON *array;		/* --json: the objects, else NULL: text lines */
};

/*
 * A value as people read it: an order as the commit's place in its project
 * ("4th of 12, after ..."), anything else as its JSON. Newly allocated.
 */
static char *
readable(struct store *st, const struct conflict_row *c, const char *json)
{
	cJSON *v = json != NULL ? cJSON_Parse(json) : NULL;
	char err[ERRLEN], *text = NULL;

	if (strcmp(c->field, "display_order") == 0 && cJSON_IsNumber(v)) {
		text = order_position(st, c->record_id, (long long)v->valuedouble, err);
		if (text == NULL && err[0] != '\0')
			log_debug("%s", err);
	}
	cJSON_Delete(v);
	return text != NULL ? text : xstrdup(json != NULL ? json : "null");
}

static void
add_text_or_null(cJSON *o, const char *name, const char *v)
{
	cJSON_AddItemToObject(o, name, v != NULL ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static void
add_json_value(cJSON *o, const char *name, const char *json)
{
	cJSON *v = json != NULL ? cJSON_Parse(json) : NULL;

	cJSON_AddItemToObject(o, name, v != NULL ? v : cJSON_CreateNull());
}

static int
print_conflict(const struct conflict_row *c, void *arg)
{
	struct listing *l = arg;
	char *lv = readable(l->st, c, c->local_value), *cv = readable(l->st, c, c->cloud_value);
	cJSON *o;

	if (l->array != NULL) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", c->id);
		cJSON_AddStringToObject(o, "commit_id", c->record_id);
		cJSON_AddStringToObject(o, "field", c->field);
		add_json_value(o, "local", c->local_value);
		add_json_value(o, "cloud", c->cloud_value);
		if (strcmp(c->field, "display_order") == 0) {
			cJSON_AddStringToObject(o, "local_position", lv);
			cJSON_AddStringToObject(o, "cloud_position", cv);
		}
		add_text_or_null(o, "local_machine", c->local_machine);
		add_text_or_null(o, "cloud_machine", c->cloud_machine);
		add_text_or_null(o, "winner", c->winner);
		cJSON_AddStringToObject(o, "detected_at", c->detected_at);
		cJSON_AddItemToArray(l->array, o);
	} else
		printf("%.8s  %-13s local %s  cloud %s  %s\n", c->record_id, c->field, lv, cv,
		    c->winner == NULL ? "(waiting for you)" :
		    strcmp(c->winner, "local") == 0 ? "(local kept: last write)" :
		    "(cloud kept: last write)");
	free(lv);
	free(cv);
	return 0;
}

/* Acknowledges the settled conflicts of one commit (prefix) or of all (NULL). */
static int
acknowledge(struct store *st, const char *me, const char *prefix)
{
	char id[UUID_STRLEN], err[ERRLEN];
	int n;

	if (prefix != NULL && commits_resolve(st, prefix, id, err) != 0)
		return cmd_fail("%s", err);
	if ((n = conflicts_review(st, me, prefix != NULL ? id : NULL, NULL, err)) < 0)
		return cmd_fail("%s", err);
	if (n == 0) {
		printf("No settled conflict to acknowledge%s%.8s.\n", prefix != NULL ? " on " : "",
		    prefix != NULL ? id : "");
		return EXIT_OK;
	}
	printf("Acknowledged %d settled conflict%s%s%.8s; every machine drops %s at its next"
	    " sync.\n", n, n == 1 ? "" : "s", prefix != NULL ? " of " : "",
	    prefix != NULL ? id : "", n == 1 ? "it" : "them");
	return EXIT_OK;
}

static int
cmd_conflicts_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct listing l = { NULL, NULL };
	char err[ERRLEN], me[UUID_STRLEN], *s;
	int c, rc, ack = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", conflicts_options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			if (l.array == NULL)
				l.array = cJSON_CreateArray();
			break;
		case OPT_ACK:
			ack = 1;
			break;
		case 'h':
			cJSON_Delete(l.array);
			cmd_print_usage(&cmd_conflicts_entry, stdout);
			printf("\n%s\n\n"
			    "  --json         the list as a JSON array\n"
			    "  --ack [ID]     acknowledge the conflicts settled by the last write (of\n"
			    "                 one commit, or all): reviewed, nothing changes; every\n"
			    "                 machine drops them at its next sync\n",
			    cmd_conflicts_entry.summary);
			return EXIT_OK;
		default:
			cJSON_Delete(l.array);
			return cmd_option_error(&cmd_conflicts_entry, argv, c);
		}
	}
	if (ack && l.array != NULL) {
		cJSON_Delete(l.array);
		return cmd_usage_error(&cmd_conflicts_entry, "--ack takes no --json");
	}
	if (optind + (ack ? 1 : 0) < argc) {
		cJSON_Delete(l.array);
		return cmd_usage_error(&cmd_conflicts_entry, "unexpected argument '%s'",
		    argv[optind + (ack ? 1 : 0)]);
	}
	if ((l.st = cmd_store(ctx)) == NULL || account_machine_id(ctx->home, me, err) != 0) {
		cJSON_Delete(l.array);
		return l.st == NULL ? EXIT_FAIL : cmd_fail("%s", err);
	}
	if (ack)
		return acknowledge(l.st, me, optind < argc ? argv[optind] : NULL);
	rc = conflicts_list(l.st, me, print_conflict, &l, err);
	if (l.array != NULL) {
		if (rc == 0) {
			s = cJSON_Print(l.array);
			printf("%s\n", s);
			free(s);
		}
		cJSON_Delete(l.array);
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
	char id[UUID_STRLEN], me[UUID_STRLEN], err[ERRLEN], **fields = NULL;
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
	if ((st = cmd_store(ctx)) == NULL || commits_resolve(st, argv[optind], id, err) != 0 ||
	    account_machine_id(ctx->home, me, err) != 0) {
		free(fields);
		return st == NULL ? EXIT_FAIL : cmd_fail("%s", err);
	}
	if (keep != NULL) {
		if ((n = conflicts_resolve(st, me, id, NULL, keep, err)) < 0)
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
		if (conflicts_resolve(st, me, id, name, eq + 1, err) < 0)
			rc = cmd_fail("%s", err);
		else
			printf("Resolved %s of %.8s: %s value kept.\n", name, id, eq + 1);
		free(name);
	}
	free(fields);
	return rc;
}

const struct cmd_entry cmd_conflicts_entry = {
	.name = "conflicts", .usage = "[--json] | --ack [ID]",
	.summary = "list conflicting edits (every machine's): held ones wait for you, settled"
	    " ones for review",
	.exec = cmd_conflicts_exec,
};

const struct cmd_entry cmd_resolve_entry = {
	.name = "resolve", .usage = "ID --keep local|cloud | ID --field NAME=local|cloud...",
	.summary = "settle a commit's conflicts; the choice syncs as a new version",
	.exec = cmd_resolve_exec,
};
