/*
 * agentlogs config get|set|unset|list: read and change $AGENTLOGS_HOME/config.
 * The keys, their help and their checks all come from options-table.c.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "config/config.h"
#include "config/options.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct config_subcmd {
	const char *name;
	const char *args;	/* after the name, for usage lines */
	int nargs;		/* operands it takes, exactly */
	const char *summary;
	int (*exec)(struct cmd_ctx *ctx, char **args, int json);
};

static int config_get_exec(struct cmd_ctx *, char **, int);
static int config_set_exec(struct cmd_ctx *, char **, int);
static int config_unset_exec(struct cmd_ctx *, char **, int);
static int config_list_exec(struct cmd_ctx *, char **, int);

static const struct config_subcmd config_subcmds[] = {
	{ "get", "KEY", 1, "print KEY's value (its default when the file does not set it)",
	  config_get_exec },
	{ "set", "KEY VALUE", 2, "check VALUE and store it in the file", config_set_exec },
	{ "unset", "KEY", 1, "remove KEY from the file, so it reverts to its default",
	  config_unset_exec },
	{ "list", "[--json]", 0, "print every key and its value, with the default where "
	  "they differ", config_list_exec },
	{ NULL, NULL, 0, NULL, NULL }
};

enum {
	OPT_JSON = 256,
};

static const struct option config_long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 }
};

/* The longest key name, to line up columns. */
static int
key_width(void)
{
	const struct option_def *od;
	size_t w = 0;

	for (od = options_table; od->name != NULL; od++) {
		if (strlen(od->name) > w)
			w = strlen(od->name);
	}
	return (int)w;
}

static void
print_subcmd_usage(const struct config_subcmd *sub, FILE *f, int first)
{
	fprintf(f, "%s %s config %s %s\n", first ? "usage:" : "      ", log_progname(),
	    sub->name, sub->args);
}

static void
print_keys(FILE *f)
{
	const struct option_def *od;
	char *allowed, *def;
	int w = key_width();

	fprintf(f, "Keys:\n");
	for (od = options_table; od->name != NULL; od++) {
		allowed = options_describe(od);
		def = config_quote(od->default_value);
		fprintf(f, "  %-*s  %s%s%s; default %s\n", w, od->name,
		    options_type_name(od->type), *allowed != '\0' ? ", " : "", allowed, def);
		fprintf(f, "  %-*s  %s\n", w, "", od->help);
		free(def);
		free(allowed);
	}
}

static void
config_help(FILE *f)
{
	const struct config_subcmd *sub;

	for (sub = config_subcmds; sub->name != NULL; sub++)
		print_subcmd_usage(sub, f, sub == config_subcmds);
	fprintf(f, "\nReads and changes $AGENTLOGS_HOME/config; see agentlogs-config(5).\n\n");
	for (sub = config_subcmds; sub->name != NULL; sub++)
		fprintf(f, "  %-5s %-10s %s\n", sub->name, sub->args, sub->summary);
	fprintf(f, "\nBooleans take true/false, yes/no, on/off or 1/0.\n\n");
	print_keys(f);
}

static void
subcmd_help(const struct config_subcmd *sub, FILE *f)
{
	print_subcmd_usage(sub, f, 1);
	fprintf(f, "\n%c%s.\n", toupper((unsigned char)sub->summary[0]), sub->summary + 1);
	if (sub->nargs > 0) {
		fprintf(f, "\n");
		print_keys(f);
	}
}

/*
 * Options of `config` (NULL sub) or of one subcommand. argv[0] is the command's
 * or subcommand's name. Returns the index of the first operand, or -1 after
 * setting *rc (help printed or a usage error).
 */
static int
parse_options(const struct config_subcmd *sub, int argc, char **argv, int *json, int *rc)
{
	int ch;

	/* Another command may have run getopt before us: 0 makes glibc start afresh. */
	optind = 0;
	opterr = 0;
	/* '+': stop at the first operand, so "set KEY -1" is a value, not an option. */
	while ((ch = getopt_long(argc, argv, "+:h", config_long_options, NULL)) != -1) {
		switch (ch) {
		case 'h':
			if (sub == NULL)
				config_help(stdout);
			else
				subcmd_help(sub, stdout);
			*rc = EXIT_OK;
			return -1;
		case OPT_JSON:
			if (sub == NULL || strcmp(sub->name, "list") != 0) {
				*rc = cmd_usage_error(&cmd_config_entry,
				    "--json applies only to 'config list'");
				return -1;
			}
			*json = 1;
			break;
		default:
			*rc = cmd_option_error(&cmd_config_entry, argv, ch);
			return -1;
		}
	}
	return optind;
}

static int
config_get_exec(struct cmd_ctx *ctx, char **args, int json)
{
	struct config *cfg;
	char err[ERRLEN];

	(void)json;
	if (options_find(args[0]) == NULL)
		return cmd_fail("unknown config key '%s' (see '%s config list')", args[0],
		    log_progname());
	if ((cfg = config_load(ctx->home, err)) == NULL)
		return cmd_fail("%s", err);
	printf("%s\n", config_get(cfg, args[0]));
	config_free(cfg);
	return EXIT_OK;
}

static int
config_set_exec(struct cmd_ctx *ctx, char **args, int json)
{
	char err[ERRLEN];

	(void)json;
	if (config_set(ctx->home, args[0], args[1], err) != 0)
		return cmd_fail("%s", err);
	/* The same as analytics --opt-in/--opt-out: the profile follows. */
	if (strcmp(args[0], "analytics.opt-in") == 0) {
		struct config *cfg = config_load(ctx->home, err);
		int in;

		if (cfg == NULL)
			return cmd_fail("%s", err);
		in = config_get_bool(cfg, "analytics.opt-in");
		config_free(cfg);
		return cmd_analytics_choose(ctx, in, 0);
	}
	return EXIT_OK;
}

static int
config_unset_exec(struct cmd_ctx *ctx, char **args, int json)
{
	char err[ERRLEN];

	(void)json;
	if (config_unset(ctx->home, args[0], err) != 0)
		return cmd_fail("%s", err);
	return EXIT_OK;
}

/* A value as JSON: booleans and numbers typed, the rest strings. */
static cJSON *
json_value(const struct option_def *od, const char *value)
{
	switch (od->type) {
	case OPTION_BOOLEAN:
		return cJSON_CreateBool(strcmp(value, "true") == 0);
	case OPTION_NUMBER:
		return cJSON_CreateNumber((double)strtol(value, NULL, 10));
	default:
		return cJSON_CreateString(value);
	}
}

static int
list_json(const struct config *cfg)
{
	const struct option_def *od;
	cJSON *array, *item;
	char *out;

	if ((array = cJSON_CreateArray()) == NULL)
		fatalx("out of memory building JSON");
	for (od = options_table; od->name != NULL; od++) {
		if ((item = cJSON_CreateObject()) == NULL)
			fatalx("out of memory building JSON");
		cJSON_AddItemToArray(array, item);
		cJSON_AddStringToObject(item, "key", od->name);
		cJSON_AddItemToObject(item, "value", json_value(od, config_get(cfg, od->name)));
		cJSON_AddItemToObject(item, "default", json_value(od, od->default_value));
		cJSON_AddStringToObject(item, "type", options_type_name(od->type));
		cJSON_AddBoolToObject(item, "set", config_is_set(cfg, od->name));
	}
	if ((out = cJSON_PrintUnformatted(array)) == NULL)
		fatalx("out of memory printing JSON");
	printf("%s\n", out);
	cJSON_free(out);
	cJSON_Delete(array);
	return EXIT_OK;
}

static int
config_list_exec(struct cmd_ctx *ctx, char **args, int json)
{
	const struct option_def *od;
	struct config *cfg;
	char err[ERRLEN], *value, *def;
	const char *v;
	int w = key_width();

	(void)args;
	if ((cfg = config_load(ctx->home, err)) == NULL)
		return cmd_fail("%s", err);
	if (json) {
		list_json(cfg);
		config_free(cfg);
		return EXIT_OK;
	}
	for (od = options_table; od->name != NULL; od++) {
		v = config_get(cfg, od->name);
		value = config_quote(v);
		if (strcmp(v, od->default_value) == 0)
			printf("%-*s = %s\n", w, od->name, value);
		else {
			def = config_quote(od->default_value);
			printf("%-*s = %s  # default: %s\n", w, od->name, value, def);
			free(def);
		}
		free(value);
	}
	config_free(cfg);
	return EXIT_OK;
}

static int
cmd_config_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct config_subcmd *sub;
	int first, json = 0, rc = EXIT_OK;

	if ((first = parse_options(NULL, argc, argv, &json, &rc)) == -1)
		return rc;
	if (first == argc)
		return cmd_usage_error(&cmd_config_entry, "missing subcommand");
	for (sub = config_subcmds; sub->name != NULL; sub++) {
		if (strcmp(sub->name, argv[first]) == 0)
			break;
	}
	if (sub->name == NULL)
		return cmd_usage_error(&cmd_config_entry, "unknown subcommand '%s'",
		    argv[first]);

	argc -= first;
	argv += first;
	if ((first = parse_options(sub, argc, argv, &json, &rc)) == -1)
		return rc;
	if (argc - first != sub->nargs) {
		if (sub->nargs == 0)
			return cmd_usage_error(&cmd_config_entry, "'%s' takes no operands",
			    sub->name);
		return cmd_usage_error(&cmd_config_entry, "'%s' expects %s", sub->name,
		    sub->args);
	}
	return sub->exec(ctx, argv + first, json);
}

const struct cmd_entry cmd_config_entry = {
	.name = "config",
	.usage = "get KEY | set KEY VALUE | unset KEY | list [--json]",
	.summary = "show or change settings (see agentlogs-config(5))",
	.exec = cmd_config_exec,
};
