/*
 * agentlogs daemon [run] | start | stop | status [--json] | install [--print]:
 * live capture (daemon/loop.h) in the foreground or detached, one per
 * AGENTLOGS_HOME (daemon/lock.h), its state in daemon.json
 * (daemon/status-file.h), and a systemd user unit to run it at login.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "daemon/lock.h"
#include "daemon/loop.h"
#include "daemon/status-file.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/xmalloc.h"

static int cmd_daemon_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_daemon_entry = {
	.name = "daemon",
	.usage = "[run | start | stop | status [--json] | install [--print]]",
	.summary = "capture transcripts live and sync them in the background",
	.exec = cmd_daemon_exec,
};

/* How long stop waits for the daemon to end its transaction and exit. */
#define STOP_WAIT_MS 30000

static void
help(void)
{
	cmd_print_usage(&cmd_daemon_entry, stdout);
	printf("\nWatches $CLAUDE_HOME/projects and imports each new transcript line as it is\n"
	    "written; with storage = cloud and a login, pushes new rows 500 ms after the\n"
	    "last change and pulls what other machines sync.\n\n"
	    "  run             in the foreground (the default; SIGTERM or ^C ends it)\n"
	    "  start           detached; its log is $AGENTLOGS_HOME/log\n"
	    "  stop            ends the running daemon\n"
	    "  status [--json] pid, uptime, folders watched, last import and sync, pending\n"
	    "  install [--print]  writes a systemd user unit (--print: only shows it)\n"
	    "One daemon per $AGENTLOGS_HOME (daemon.pid); its state is in daemon.json there.\n"
	    "A browser on the same home defers to it; S there sends SIGUSR1 (sync now).\n");
}

/* Holds the lock and runs; ready_fd (or -1) hears "ok" once it watches (daemon_loop). */
static int
run_locked(struct cmd_ctx *ctx, int ready_fd)
{
	char err[ERRLEN], *claude;
	int lock_fd, rc;

	/*
	 * A browser sends SIGUSR1/SIGUSR2 to whoever holds the lock: ignored until
	 * the loop handles them, they never end a daemon that is still starting.
	 */
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	if ((lock_fd = daemon_lock(ctx->home, err)) < 0)
		return cmd_fail("%s", err);
	if (ready_fd >= 0) {
		/* Detached: the log takes over from the terminal. */
		char *logf = daemon_logfile(ctx->home);
		int fd = open(logf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		int null = open("/dev/null", O_RDONLY);

		if (fd < 0 || null < 0) {
			rc = cmd_fail("cannot open %s: %s", logf, strerror(errno));
			free(logf);
			return rc;
		}
		free(logf);
		dup2(null, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
		close(null);
	}
	claude = paths_claude_dir();
	rc = daemon_loop(ctx, claude, ready_fd);
	free(claude);
	close(lock_fd);		/* the lock goes with it */
	return rc;
}

static int
start(struct cmd_ctx *ctx)
{
	char buf[8];
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return cmd_fail("pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0)
		return cmd_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		setsid();
		_exit(run_locked(ctx, fds[1]));
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof buf)) < 0 && errno == EINTR)
		;
	close(fds[0]);
	if (n == 2 && memcmp(buf, "ok", 2) == 0) {
		printf("agentlogs daemon started (pid %ld); its log is %s/log\n", (long)pid,
		    ctx->home);
		return EXIT_OK;
	}
	/* It said why on stderr before exiting. */
	waitpid(pid, &status, 0);
	return EXIT_FAIL;
}

static int
stop(struct cmd_ctx *ctx)
{
	struct timespec tick = { 0, 20 * 1000000L };
	char err[ERRLEN];
	pid_t pid;
	int waited;

	if ((pid = daemon_running(ctx->home, err)) < 0)
		return cmd_fail("%s", err);
	if (pid == 0) {
		printf("No daemon runs for %s.\n", ctx->home);
		return EXIT_OK;
	}
	if (kill(pid, SIGTERM) != 0)
		return cmd_fail("cannot signal pid %ld: %s", (long)pid, strerror(errno));
	/* The lock is released when it exits: wait for that, bounded for a stuck one. */
	for (waited = 0; daemon_running(ctx->home, err) == pid; waited += 20) {
		if (waited >= STOP_WAIT_MS)
			return cmd_fail("the daemon (pid %ld) has not stopped after %d s", (long)pid,
			    STOP_WAIT_MS / 1000);
		nanosleep(&tick, NULL);
	}
	printf("agentlogs daemon (pid %ld) stopped.\n", (long)pid);
	return EXIT_OK;
}

static const char *
member(const cJSON *o, const char *name)
{
	const char *v = daemon_status_string(o, name);

	return v != NULL ? v : "never";
}

static int
status(struct cmd_ctx *ctx, int json)
{
	char err[ERRLEN];
	cJSON *o = NULL;
	pid_t pid;
	long uptime;
	double started;

	if ((pid = daemon_running(ctx->home, err)) < 0)
		return cmd_fail("%s", err);
	if (pid > 0)
		o = daemon_status_load(ctx->home);
	if (o == NULL || (pid_t)daemon_status_number(o, "pid") != pid) {
		/* Not running, or started and not yet written its first status. */
		cJSON_Delete(o);
		o = cJSON_CreateObject();
		if (pid > 0)
			cJSON_AddNumberToObject(o, "pid", (double)pid);
	}
	cJSON_AddBoolToObject(o, "running", pid > 0);
	started = daemon_status_number(o, "started_unix");
	uptime = started > 0 ? (long)(time(NULL) - (time_t)started) : -1;
	if (uptime >= 0)
		cJSON_AddNumberToObject(o, "uptime_seconds", (double)uptime);
	if (json) {
		char *s = cJSON_Print(o);
		if (s == NULL)
			fatalx("out of memory printing JSON");
		printf("%s\n", s);
		cJSON_free(s);
	} else if (pid == 0)
		printf("No daemon runs for %s.\n", ctx->home);
	else {
		printf("agentlogs daemon: pid %ld, up %ld s\n", (long)pid, uptime);
		printf("  watching:    %.0f folders (%s)\n", daemon_status_number(o, "folders"),
		    member(o, "watching"));
		printf("  last import: %s (%.0f lines, %.0f new turns since start)\n",
		    member(o, "last_import"), daemon_status_number(o, "lines"),
		    daemon_status_number(o, "turns"));
		printf("  storage:     %s; sync %s, last %s\n", member(o, "storage"),
		    member(o, "sync"), member(o, "last_sync"));
		printf("  pending:     %.0f commits; %.0f conflicts wait for you, %.0f settled to review\n",
		    daemon_status_number(o, "pending"), daemon_status_number(o, "conflicts"),
		    daemon_status_number(o, "settled"));
		if (*member(o, "last_error") != '\0' && strcmp(member(o, "last_error"), "never"))
			printf("  last error:  %s\n", member(o, "last_error"));
	}
	cJSON_Delete(o);
	return pid > 0 || json ? EXIT_OK : EXIT_FAIL;
}

static char *
unit_text(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0)
		snprintf(exe, sizeof exe, "%s", "/usr/local/bin/agentlogs");
	else
		exe[n] = '\0';
	return xprintf("[Unit]\n"
	    "Description=agentlogs: live capture and sync of coding-agent transcripts\n"
	    "Documentation=man:agentlogs(1)\n\n"
	    "[Service]\n"
	    "ExecStart=%s daemon run\n"
	    "ExecReload=/bin/kill -HUP $MAINPID\n"
	    "Restart=on-failure\n"
	    "RestartSec=5\n\n"
	    "[Install]\n"
	    "WantedBy=default.target\n", exe);
}

static int
install(int print_only)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *base, *dir, *path, *text = unit_text(), *p;
	FILE *f;
	int rc = EXIT_OK;

	if (print_only) {
		fputs(text, stdout);
		free(text);
		return EXIT_OK;
	}
	if (xdg != NULL && *xdg == '/')
		base = xstrdup(xdg);
	else if (home != NULL && *home != '\0')
		base = xprintf("%s/.config", home);
	else {
		free(text);
		return cmd_fail("neither XDG_CONFIG_HOME nor HOME is set");
	}
	dir = xprintf("%s/systemd/user", base);
	path = xprintf("%s/agentlogs.service", dir);
	/* mkdir -p */
	for (p = dir + 1; rc == EXIT_OK && *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			rc = cmd_fail("cannot make %s: %s", dir, strerror(errno));
		*p = '/';
	}
	if (rc == EXIT_OK && mkdir(dir, 0755) != 0 && errno != EEXIST)
		rc = cmd_fail("cannot make %s: %s", dir, strerror(errno));
	if (rc == EXIT_OK && ((f = fopen(path, "w")) == NULL || fputs(text, f) < 0 ||
	    fclose(f) != 0))
		rc = cmd_fail("cannot write %s: %s", path, strerror(errno));
	if (rc == EXIT_OK)
		printf("Wrote %s. To start it now and at every login:\n"
		    "  systemctl --user enable --now agentlogs\n", path);
	free(text);
	free(path);
	free(dir);
	free(base);
	return rc;
}

static int
cmd_daemon_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "run";
	int json = 0, print = 0, i;

	if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0) {
		help();
		return EXIT_OK;
	}
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && strcmp(verb, "status") == 0)
			json = 1;
		else if (strcmp(argv[i], "--print") == 0 && strcmp(verb, "install") == 0)
			print = 1;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			help();
			return EXIT_OK;
		} else
			return cmd_usage_error(&cmd_daemon_entry, "unexpected argument '%s'",
			    argv[i]);
	}
	if (strcmp(verb, "run") == 0)
		return run_locked(ctx, -1);
	if (strcmp(verb, "start") == 0)
		return start(ctx);
	if (strcmp(verb, "stop") == 0)
		return stop(ctx);
	if (strcmp(verb, "status") == 0)
		return status(ctx, json);
	if (strcmp(verb, "install") == 0)
		return install(print);
	return cmd_usage_error(&cmd_daemon_entry, "unknown subcommand '%s'", verb);
}
