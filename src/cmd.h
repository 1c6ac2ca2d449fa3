/*
 * Commands: each cmd-*.c exports one struct cmd_entry. main.c looks the name up
 * in cmd_table and calls exec with argv[0] being the command's own name.
 */
#ifndef AL_CMD_H
#define AL_CMD_H

#include <stdio.h>

struct store;

/* Exit codes shared by every command. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct cmd_ctx {
	char *home;		/* AGENTLOGS_HOME */
	struct store *store;	/* opened on first use by cmd_store() */
};

struct cmd_entry {
	const char *name;
	const char *usage;	/* options after the name, for "usage:" lines */
	const char *summary;	/* one line for `agentlogs --help` */
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

extern const struct cmd_entry *const cmd_table[];

const struct cmd_entry *cmd_find(const char *name);
/* The store, opened (and migrated) on first use; NULL after printing the error. */
struct store *cmd_store(struct cmd_ctx *ctx);
/* analytics --opt-in/--opt-out and config set analytics.opt-in: config and profile. */
int cmd_analytics_choose(struct cmd_ctx *ctx, int opt_in, int say_value);
/* "usage: agentlogs NAME USAGE" on f. */
void cmd_print_usage(const struct cmd_entry *entry, FILE *f);
/* Prints "agentlogs NAME: message" and the usage line on stderr; returns EXIT_USAGE. */
int cmd_usage_error(const struct cmd_entry *entry, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "agentlogs: message" on stderr; returns EXIT_FAIL. */
int cmd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * For getopt_long run with opterr = 0 and an optstring starting with ":": after it
 * returned '?' or ':', prints which option was unknown or lacks its value, and
 * the usage, on stderr. Returns EXIT_USAGE.
 */
int cmd_option_error(const struct cmd_entry *entry, char **argv, int c);
/* Parses a positive integer option value; -1 when invalid. */
long cmd_parse_count(const char *s, long max);

extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_log_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_search_entry;
extern const struct cmd_entry cmd_projects_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_analytics_entry;
extern const struct cmd_entry cmd_login_entry;
extern const struct cmd_entry cmd_signup_entry;
extern const struct cmd_entry cmd_logout_entry;
extern const struct cmd_entry cmd_whoami_entry;
extern const struct cmd_entry cmd_key_entry;
extern const struct cmd_entry cmd_push_entry;
extern const struct cmd_entry cmd_pull_entry;
extern const struct cmd_entry cmd_sync_entry;
extern const struct cmd_entry cmd_conflicts_entry;
extern const struct cmd_entry cmd_resolve_entry;
extern const struct cmd_entry cmd_title_entry;
extern const struct cmd_entry cmd_publish_entry;
extern const struct cmd_entry cmd_unpublish_entry;
extern const struct cmd_entry cmd_hide_entry;
extern const struct cmd_entry cmd_unhide_entry;
extern const struct cmd_entry cmd_move_entry;
extern const struct cmd_entry cmd_rm_entry;
extern const struct cmd_entry cmd_samples_entry;
extern const struct cmd_entry cmd_daemon_entry;
extern const struct cmd_entry cmd_redact_entry;

/* The bundled samples in DIR, imported on a first run: marked as samples. */
int cmd_import_samples(struct cmd_ctx *ctx, const char *dir);

/* One headless sync (pull, push): 0 in sync, 1 failed, 2 conflicts wait. */
int cmd_sync_once(struct cmd_ctx *ctx);

#endif
