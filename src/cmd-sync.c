/*
 * agentlogs push | pull | sync [--status], and --sync-once: the CLI over the
 * sync core (src/sync/engine.h). Each prints one summary line; a failure is
 * one line on stderr and exit 1, and leaves every record pending.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "privacy/analytics-daily.h"
#include "store/conflicts.h"
#include "store/db.h"
#include "store/sync-state.h"
#include "store/synced-rows.h"
#include "sync/cloud.h"
#include "sync/engine.h"
#include "sync/pull.h"
#include "sync/push.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

enum sync_what { DO_PUSH = 1, DO_PULL = 2, DO_BOTH = 3 };

enum {
	OPT_STATUS = 256,
	OPT_JSON,
};

static const struct option sync_options[] = {
	{ "status", no_argument, NULL, OPT_STATUS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Best effort: a failure to note it must not hide the sync's own outcome. */
static void
note_state(struct store *st, const char *key, const char *value)
{
	char err[ERRLEN];

	if (sync_state_set(st, key, value, err) != 0)
		log_debug("%s", err);
}

static long
sum(const long *a)
{
	long t = 0;
	int i;

	for (i = 0; i < NTABLES; i++)
		t += a[i];
	return t;
}

static void
print_counts(const char *verb, const long *a)
{
	printf("%s %ld commit%s, %ld session%s, %ld turn%s, %ld visual%s, %ld project%s", verb,
	    a[T_COMMITS], a[T_COMMITS] == 1 ? "" : "s", a[T_SESSIONS],
	    a[T_SESSIONS] == 1 ? "" : "s", a[T_TURNS], a[T_TURNS] == 1 ? "" : "s",
	    a[T_VISUALS], a[T_VISUALS] == 1 ? "" : "s", a[T_PROJECTS],
	    a[T_PROJECTS] == 1 ? "" : "s");
}

/*
 * The opt-in analytics' daily step (privacy/analytics-daily.h). Its failure
 * is said, not fatal: the sync itself went through, the next one tries again.
 */
static void
daily_analytics(struct sync_ctx *sc, int quiet)
{
	enum analytics_done done;
	char err[ERRLEN];

	if (analytics_daily(sc->home, sc->st, sc->cloud, sc->auth.user_id, &done, err) != 0)
		log_warn("analytics: %s (the next sync tries again)", err);
	else if (done == ANALYTICS_SENT && !quiet)
		printf("Sent today's anonymous aggregates (agentlogs analytics --show-upload shows "
		    "what).\n");
}

/*
 * One sync run: pull then push (either alone for pull/push). Returns the exit
 * status: 0 done, 1 failed, 2 conflicts wait for the person.
 */
static int
run_sync(struct cmd_ctx *ctx, enum sync_what what, int quiet)
{
	struct sync_ctx sc;
	struct sync_counts n;
	struct progress prog;
	char err[ERRLEN], now[32];
	long held;
	int rc;

	memset(&n, 0, sizeof n);
	if ((rc = sync_open(&sc, ctx->home, err)) == SYNC_OPEN_LOCAL && quiet)
		return EXIT_OK;	/* cron's --sync-once on a local home: the import was all */
	if (rc != 0)
		return cmd_fail("%s", err);
	/* Push too: with nothing pending it would say all is well on a broken store. */
	store_share_check(sc.st, ctx->store);
	if (store_check_writable(sc.st, err) != 0) {
		sync_close(&sc);
		return cmd_fail("%s", err);
	}
	progress_init(&prog);
	if (!quiet)
		sc.progress = &prog;
	rc = 0;
	if (what & DO_PULL)
		rc = sync_pull(&sc, &n, err);
	if (rc == 0 && (what & DO_PUSH))
		rc = sync_push(&sc, &n, err);
	if (rc == 0 && what == DO_BOTH) {
		long purged;
		rc = sync_purge(&sc, &purged, err);
	}
	time_now_iso(now);
	if (rc != 0) {
		note_state(sc.st, "last_error", err);
		sync_close(&sc);
		return cmd_fail("%s (nothing is lost: pending records stay pending)", err);
	}
	note_state(sc.st, "last_sync", now);
	note_state(sc.st, "last_error", NULL);
	{
		struct conflict_counts cc;
		held = conflicts_count(sc.st, NULL, &cc, err) == 0 ? (long)cc.held : -1;
	}

	if (!quiet) {
		int said = 0;
		if (what & DO_PULL) {
			if (sum(n.pulled) > 0) {
				print_counts("Pulled", n.pulled);
				printf(".\n");
				said = 1;
			}
		}
		if (what & DO_PUSH) {
			if (sum(n.pushed) > 0) {
				print_counts("Pushed", n.pushed);
				printf(" to %s.\n", cloud_url(sc.cloud));
				said = 1;
			}
			if (n.stale > 0) {
				printf("%ld record%s newer in the cloud; %s\n", n.stale,
				    n.stale == 1 ? " was" : "s were",
				    what == DO_PUSH ? "run agentlogs pull (or sync) to merge them." :
				    "the next sync merges them.");
				said = 1;
			}
		}
		if (n.merged > 0)
			printf("Merged %ld commit%s edited on both sides.\n", n.merged,
			    n.merged == 1 ? "" : "s");
		if (n.conflicts > 0 && !sc.manual)
			printf("%ld conflicting edit%s settled by the last write; the other value%s "
			    "kept in agentlogs conflicts.\n", n.conflicts, n.conflicts == 1 ? "" : "s",
			    n.conflicts == 1 ? " is" : "s are");
		if (!said && n.merged == 0)
			printf("Everything up to date with %s.\n", cloud_url(sc.cloud));
		if (held > 0)
			printf("%ld conflict%s wait%s for you: agentlogs conflicts, then agentlogs resolve.\n",
			    held, held == 1 ? "" : "s", held == 1 ? "s" : "");
	}
	if (what == DO_BOTH)
		daily_analytics(&sc, quiet);
	sync_close(&sc);
	return held > 0 ? 2 : EXIT_OK;
}

static const char *const status_labels[NTABLES] = {
	"projects", "commits", "sessions", "turns", "visuals", "conflicts"
};

/* What sync --status shows; the strings are NULL when unset. */
struct sync_status {
	int logged_in;
	struct auth_session auth;
	char *last_sync, *last_error, *cursor;
	long long pending[NTABLES];
	struct conflict_counts conflicts;
};

static void
status_free(struct sync_status *ss)
{
	if (ss->logged_in)
		auth_session_free(&ss->auth);
	free(ss->last_sync);
	free(ss->last_error);
	free(ss->cursor);
}

static int
status_read(struct cmd_ctx *ctx, struct store *st, struct sync_status *ss, char *err)
{
	int i, rc;

	memset(ss, 0, sizeof *ss);
	if ((rc = auth_session_load(ctx->home, &ss->auth, err)) < 0)
		return -1;
	ss->logged_in = rc == 0;
	ss->last_sync = sync_state_get(st, "last_sync");
	ss->last_error = sync_state_get(st, "last_error");
	if (ss->logged_in) {
		char *key = sync_cursor_key_of(&ss->auth);
		ss->cursor = sync_state_get(st, key);
		free(key);
	}
	for (i = 0; i < NTABLES; i++) {
		if ((ss->pending[i] = synced_pending_count(st, &sync_tables[i], err)) < 0)
			return -1;
	}
	return conflicts_count(st, NULL, &ss->conflicts, err);
}

static void
status_print_text(const struct sync_status *ss)
{
	const struct auth_session *s = &ss->auth;
	int i;

	if (!ss->logged_in)
		printf("user:       not logged in (agentlogs login)\n");
	else
		printf("user:       %s (%s)\ncloud:      %s\n", s->user_name != NULL ? s->user_name :
		    s->email != NULL ? s->email : "-", s->user_id, s->url);
	printf("last sync:  %s\n", ss->last_sync != NULL ? ss->last_sync : "never");
	if (ss->last_error != NULL)
		printf("last error: %s\n", ss->last_error);
	printf("pending:   ");
	for (i = 0; i < NTABLES; i++)
		printf(" %lld %s%s", ss->pending[i], status_labels[i], i + 1 < NTABLES ? "," : "\n");
	printf("conflicts:  %lld waiting for you, %lld settled by the last write to review\n",
	    ss->conflicts.held, ss->conflicts.settled);
}

static void
add_text_or_null(cJSON *o, const char *name, const char *v)
{
	cJSON_AddItemToObject(o, name, v != NULL ? cJSON_CreateString(v) : cJSON_CreateNull());
}

/* The same as one JSON object; the cursor as the cloud handed it out. */
static void
status_print_json(const struct sync_status *ss)
{
	cJSON *o = cJSON_CreateObject(), *user = NULL, *pending, *conflicts, *cursor;
	char *out;
	int i;

	if (ss->logged_in) {
		user = cJSON_CreateObject();
		add_text_or_null(user, "id", ss->auth.user_id);
		add_text_or_null(user, "email", ss->auth.email);
		add_text_or_null(user, "name", ss->auth.user_name);
	}
	cJSON_AddItemToObject(o, "user", user != NULL ? user : cJSON_CreateNull());
	add_text_or_null(o, "cloud", ss->logged_in ? ss->auth.url : NULL);
	add_text_or_null(o, "last_sync", ss->last_sync);
	add_text_or_null(o, "last_error", ss->last_error);
	pending = cJSON_AddObjectToObject(o, "pending");
	for (i = 0; i < NTABLES; i++)
		cJSON_AddNumberToObject(pending, status_labels[i], (double)ss->pending[i]);
	conflicts = cJSON_AddObjectToObject(o, "conflicts");
	cJSON_AddNumberToObject(conflicts, "held", (double)ss->conflicts.held);
	cJSON_AddNumberToObject(conflicts, "settled", (double)ss->conflicts.settled);
	cursor = ss->cursor != NULL ? cJSON_Parse(ss->cursor) : NULL;
	cJSON_AddItemToObject(o, "cursor", cursor != NULL ? cursor : cJSON_CreateNull());
	if ((out = cJSON_Print(o)) == NULL)
		fatalx("out of memory printing JSON");
	printf("%s\n", out);
	cJSON_free(out);
	cJSON_Delete(o);
}

static int
print_status(struct cmd_ctx *ctx, int json)
{
	struct sync_status ss;
	struct store *st;
	char err[ERRLEN];
	int rc;

	if ((st = cmd_store(ctx)) == NULL)
		return EXIT_FAIL;
	if ((rc = status_read(ctx, st, &ss, err)) == 0) {
		if (json)
			status_print_json(&ss);
		else
			status_print_text(&ss);
	}
	status_free(&ss);
	return rc == 0 ? EXIT_OK : cmd_fail("%s", err);
}

static int
sync_command(struct cmd_ctx *ctx, const struct cmd_entry *entry, enum sync_what what,
    int argc, char **argv)
{
	int c, status = 0, json = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", sync_options, NULL)) != -1) {
		switch (c) {
		case OPT_STATUS:
			if (what != DO_BOTH)
				return cmd_usage_error(entry, "--status belongs to agentlogs sync");
			status = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case 'h':
			cmd_print_usage(entry, stdout);
			printf("\n%s\n", entry->summary);
			return EXIT_OK;
		default:
			return cmd_option_error(entry, argv, c);
		}
	}
	if (optind < argc)
		return cmd_usage_error(entry, "unexpected argument '%s'", argv[optind]);
	if (json && !status)
		return cmd_usage_error(entry, "--json goes with sync --status");
	if (status)
		return print_status(ctx, json);
	return run_sync(ctx, what, 0);
}

static int
cmd_push_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return sync_command(ctx, &cmd_push_entry, DO_PUSH, argc, argv);
}

static int
cmd_pull_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return sync_command(ctx, &cmd_pull_entry, DO_PULL, argc, argv);
}

static int
cmd_sync_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return sync_command(ctx, &cmd_sync_entry, DO_BOTH, argc, argv);
}

int
cmd_sync_once(struct cmd_ctx *ctx)
{
	return run_sync(ctx, DO_BOTH, 1);
}

const struct cmd_entry cmd_push_entry = {
	.name = "push",
	.usage = "",
	.summary = "send pending commits to the cloud",
	.exec = cmd_push_exec,
};

const struct cmd_entry cmd_pull_entry = {
	.name = "pull",
	.usage = "",
	.summary = "fetch what changed in the cloud since the last pull",
	.exec = cmd_pull_exec,
};

const struct cmd_entry cmd_sync_entry = {
	.name = "sync",
	.usage = "[--status [--json]]",
	.summary = "pull, merge, then push (--status: what is pending, conflicts, last sync;"
	    " --json: the same as JSON)",
	.exec = cmd_sync_exec,
};
