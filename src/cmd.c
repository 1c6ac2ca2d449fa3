#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "store/db.h"
#include "sync/auth-session.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/xmalloc.h"

const struct cmd_entry *const cmd_table[] = {
	&cmd_import_entry,
	&cmd_log_entry,
	&cmd_show_entry,
	&cmd_export_entry,
	&cmd_search_entry,
	&cmd_projects_entry,
	&cmd_analytics_entry,
	&cmd_config_entry,
	&cmd_login_entry,
	&cmd_signup_entry,
	&cmd_logout_entry,
	&cmd_whoami_entry,
	&cmd_key_entry,
	&cmd_push_entry,
	&cmd_pull_entry,
	&cmd_sync_entry,
	&cmd_conflicts_entry,
	&cmd_resolve_entry,
	&cmd_title_entry,
	&cmd_publish_entry,
	&cmd_unpublish_entry,
	&cmd_hide_entry,
	&cmd_unhide_entry,
	&cmd_move_entry,
	&cmd_rm_entry,
	&cmd_samples_entry,
	&cmd_daemon_entry,
	&cmd_redact_entry,
	NULL
};

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry *const *e;

	for (e = cmd_table; *e != NULL; e++) {
		if (strcmp((*e)->name, name) == 0)
			return *e;
	}
	return NULL;
}

struct store *
cmd_store(struct cmd_ctx *ctx)
{
	char err[ERRLEN], *path;

	if (ctx->store != NULL)
		return ctx->store;
	if (paths_ensure_home(ctx->home, err) != 0) {
		cmd_fail("%s", err);
		return NULL;
	}
	path = paths_in_home(ctx->home, "data.db");
	ctx->store = store_open(path, err);
	free(path);
	if (ctx->store == NULL)
		cmd_fail("%s", err);
	else {
		/* Loading the login sets how far this clock runs ahead of the cloud's,
		 * for the edits this command stamps; a problem with it is the sync's. */
		struct auth_session s;
		if (auth_session_load(ctx->home, &s, err) == 0)
			auth_session_free(&s);
	}
	return ctx->store;
}

void
cmd_print_usage(const struct cmd_entry *entry, FILE *f)
{
	fprintf(f, "usage: %s %s%s%s\n", log_progname(), entry->name,
	    *entry->usage != '\0' ? " " : "", entry->usage);
}

int
cmd_usage_error(const struct cmd_entry *entry, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", log_progname(), entry->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cmd_print_usage(entry, stderr);
	return EXIT_USAGE;
}

int
cmd_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", log_progname());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

long
cmd_parse_count(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max)
		return -1;
	return v;
}

int
cmd_option_error(const struct cmd_entry *entry, char **argv, int c)
{
	const char *arg = argv[optind - 1];
	int islong = arg[0] == '-' && arg[1] == '-';
	int len = (int)strcspn(arg, "=");

	/* getopt sets optopt for short options (and for a long one given a value it
	 * does not take), and 0 for an unknown long one. */
	if (c == ':' && islong)
		return cmd_usage_error(entry, "option '%.*s' needs a value", len, arg);
	if (c == ':')
		return cmd_usage_error(entry, "option '-%c' needs a value", optopt);
	if (optopt == 0)
		return cmd_usage_error(entry, "unknown option '%.*s'", len, arg);
	if (islong && arg[len] == '=')
		return cmd_usage_error(entry, "option '%.*s' takes no value", len, arg);
	return cmd_usage_error(entry, "unknown option '-%c'", optopt);
}
