/*
 * agentlogs redact --dry-run [ID] [--json]: what the next push would redact
 * (the pending rows), or what redaction makes of one commit's rows: where,
 * which kind, and a preview that never shows a whole secret.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "config/config.h"
#include "privacy/redact.h"
#include "store/commits.h"
#include "store/redact-scan.h"
#include "util/log.h"
#include "util/uuid.h"

enum { OPT_JSON = 256, OPT_DRY_RUN };

static const struct option redact_options[] = {
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct listing {
	const struct redactor *r;
	struct redact_spans spans;
	cJSON *array;		/* --json, else NULL: text lines */
	long found;
	char err[ERRLEN];
};

static int
list_field(const struct content_field *f, void *arg)
{
	struct listing *l = arg;
	char preview[64];
	size_t i;

	if (redact_find(l->r, f->text, f->len, &l->spans, l->err) != 0)
		return 1;	/* the message in l->err */
	for (i = 0; i < l->spans.n; i++) {
		const struct redact_span *s = &l->spans.v[i];
		redact_preview(f->text + s->start, s->end - s->start, preview, sizeof preview);
		l->found++;
		if (l->array != NULL) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "commit_id", f->commit_id);
			cJSON_AddStringToObject(o, "table", f->table);
			cJSON_AddStringToObject(o, "id", f->row_id);
			cJSON_AddStringToObject(o, "field", f->field);
			cJSON_AddStringToObject(o, "kind", s->kind);
			cJSON_AddStringToObject(o, "preview", preview);
			cJSON_AddNumberToObject(o, "offset", (double)s->start);
			cJSON_AddNumberToObject(o, "length", (double)(s->end - s->start));
			cJSON_AddItemToArray(l->array, o);
		} else
			printf("%.8s  %-17s %-14s %-18s %s\n", f->commit_id, f->table, f->field,
			    s->kind, preview);
	}
	return 0;
}

static int
redact_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct listing l = { 0 };
	struct config *cfg;
	struct redactor *r;
	struct store *st;
	char id[UUID_STRLEN], err[ERRLEN];
	int c, json = 0, dry = 0, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", redact_options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = 1;
			break;
		case OPT_DRY_RUN:
			dry = 1;
			break;
		case 'h':
			cmd_print_usage(&cmd_redact_entry, stdout);
			return EXIT_OK;
		default:
			return cmd_option_error(&cmd_redact_entry, argv, c);
		}
	}
	if (!dry)
		return cmd_usage_error(&cmd_redact_entry, "only --dry-run: push redacts what it"
		    " sends by itself");
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_redact_entry, "one commit at most");
	if ((cfg = config_load(ctx->home, err)) == NULL)
		return cmd_fail("%s", err);
	r = redactor_from_config(cfg, err);
	config_free(cfg);
	if (r == NULL)
		return cmd_fail("%s", err);
	if ((st = cmd_store(ctx)) == NULL) {
		redactor_free(r);
		return EXIT_FAIL;
	}
	if (optind < argc && commits_resolve(st, argv[optind], id, err) != 0) {
		redactor_free(r);
		return cmd_fail("%s", err);
	}
	l.r = r;
	l.array = json ? cJSON_CreateArray() : NULL;
	rc = redact_scan_fields(st, optind < argc ? id : NULL, list_field, &l, err);
	if (rc == 0 && json) {
		char *text = cJSON_Print(l.array);
		printf("%s\n", text);
		free(text);
	} else if (rc == 0 && !redactor_enabled(r))
		printf("redact.enabled is false: nothing is redacted.\n");
	else if (rc == 0)
		printf("%ld secret%s would be redacted%s.\n", l.found, l.found == 1 ? "" : "s",
		    optind < argc ? " in this commit" : " by the next push");
	cJSON_Delete(l.array);
	redact_spans_free(&l.spans);
	redactor_free(r);
	if (rc != 0)
		return cmd_fail("%s", rc > 0 ? l.err : err);
	return EXIT_OK;
}

const struct cmd_entry cmd_redact_entry = {
	.name = "redact",
	.usage = "--dry-run [ID] [--json]",
	.summary = "list the secrets a push would redact (of the pending rows, or of commit ID)",
	.exec = redact_exec,
};
