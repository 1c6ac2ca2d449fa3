#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "export/export.h"
#include "store/commits.h"
#include "ui/curses.h"
#include "ui/handoff.h"
#include "ui/turn-images.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

int
handoff_action(enum action a)
{
	switch (a) {
	case ACT_COPY_ID:
	case ACT_COPY_HASH:
	case ACT_COPY_PROMPT:
	case ACT_OPEN_PAGER:
	case ACT_OPEN_EDITOR:
	case ACT_PIPE:
	case ACT_EXPORT:
		return 1;
	default:
		return 0;
	}
}

/* The commit the views name, from the top one down; NULL when none does. */
static const char *
commit_named(struct tui *t)
{
	const char *id;
	int i;

	for (i = t->depth - 1; i >= 0; i--) {
		if (t->stack[i]->ops->commit_id != NULL &&
		    (id = t->stack[i]->ops->commit_id(t->stack[i])) != NULL)
			return id;
	}
	return NULL;
}

/* ---------------------------------------------------------------- copy */

/* What copy takes from the commit's row. */
struct copy_what {
	enum action a;
	char *text;
};

static int
take(const struct commit_row *c, void *arg)
{
	struct copy_what *w = arg;
	const char *s = w->a == ACT_COPY_ID ? c->id : w->a == ACT_COPY_HASH ? c->git_hash :
	    c->first_prompt;

	w->text = s != NULL ? xstrdup(s) : NULL;
	return 1;
}

/*
 * OSC 52 on the terminal curses draws on: ESC ] 52 ; c ; base64 BEL. tmux
 * (set-clipboard on or external) passes it to the outer terminal, ssh carries
 * it like any output.
 */
static int
osc52(struct tui *t, const char *text)
{
	size_t n = strlen(text);
	unsigned char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
	FILE *out = t->term_out != NULL ? t->term_out : stdout;
	int rc;

	EVP_EncodeBlock(b64, (const unsigned char *)text, (int)n);
	rc = fprintf(out, "\033]52;c;%s\a", b64) < 0 || fflush(out) != 0 ? -1 : 0;
	free(b64);
	return rc;
}

static void
copy(struct tui *t, enum action a, const char *id)
{
	static const char *const what[] = { "id", "git hash", "first prompt" };
	struct copy_what w = { a, NULL };
	const char *name = what[a == ACT_COPY_ID ? 0 : a == ACT_COPY_HASH ? 1 : 2];
	char err[ERRLEN];

	if (commits_get(t->st, id, take, &w, err) < 0) {
		tui_message(t, 1, "%s", err);
		return;
	}
	if (w.text == NULL || *w.text == '\0')
		tui_message(t, 1, "This commit has no %s.", name);
	else if (osc52(t, w.text) != 0)
		tui_message(t, 1, "Cannot write to the terminal: %s", strerror(errno));
	else
		tui_message(t, 0, "Copied the %s to the clipboard (%zu bytes).", name, strlen(w.text));
	free(w.text);
}

/* ---------------------------------------------------------------- commands */

/* The commit as Markdown in a new temporary file; its path, or NULL with a message. */
static char *
markdown_copy(struct tui *t, const char *id)
{
	const char *dir = getenv("TMPDIR");
	char *path = xprintf("%s/agentlogs-%.8s-XXXXXX.md", dir != NULL && *dir != '\0' ? dir : "/tmp",
	    id), err[ERRLEN];
	char *ids[1] = { (char *)id };
	FILE *f;
	int fd, rc;

	if ((fd = mkstemps(path, 3)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		tui_message(t, 1, "Cannot write %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		return NULL;
	}
	rc = export_commits(t->st, ids, 1, EXPORT_MARKDOWN, NULL, f, err);
	if (fclose(f) != 0 && rc == 0)
		rc = seterr(err, "cannot write %s: %s", path, strerror(errno));
	if (rc != 0) {
		tui_message(t, 1, "%s", err);
		unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

/*
 * Runs sh -c script with $1 = file (stdin from file when feed), curses
 * suspended; with wait_key, waits for Enter before the screen comes back (a
 * pipe's output stays readable). Returns the exit status, or -1.
 */
static int
run_on_terminal(const char *script, const char *file, int feed, int wait_key)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	pid_t pid;
	int status = -1, c;

	def_prog_mode();
	endwin();
	fflush(stdout);
	/* ^C belongs to the command while it runs, not to the browser. */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	if ((pid = fork()) == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		if (feed && freopen(file, "r", stdin) == NULL)
			_exit(127);
		execl("/bin/sh", "sh", "-c", script, "sh", file, (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (wait_key) {
		printf("\n[%s; press Enter to go back]", pid < 0 ? "could not start it" :
		    WIFEXITED(status) ? (WEXITSTATUS(status) == 0 ? "done" : "it failed") :
		    "it was stopped");
		fflush(stdout);
		while ((c = getchar()) != EOF && c != '\n' && c != '\r')
			;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (pid < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The first of the environment variables set, else fallback. */
static const char *
env_or(const char *a, const char *b, const char *fallback)
{
	const char *v;

	if (a != NULL && (v = getenv(a)) != NULL && *v != '\0')
		return v;
	if (b != NULL && (v = getenv(b)) != NULL && *v != '\0')
		return v;
	return fallback;
}

static void
open_with(struct tui *t, const char *id, const char *command, const char *what, int feed,
    int wait_key)
{
	char *file = markdown_copy(t, id), *script;
	int rc;

	if (file == NULL)
		return;
	/* The command may carry arguments ("code -w"): the shell splits it, the file is "$1". */
	script = feed ? xstrdup(command) : xprintf("%s \"$1\"", command);
	turn_images_leave(t);	/* kitty's pictures would float over the command's screen */
	rc = run_on_terminal(script, file, feed, wait_key);
	if (rc != 0)
		tui_message(t, 1, "%s '%s' %s.", what, command,
		    rc < 0 ? "could not run" : "failed");
	else
		tui_message(t, 0, "%s '%s' done.", what, command);
	unlink(file);
	free(script);
	free(file);
}

/* The prompts' answers act on the commit named when the key was pressed. */
static char prompted_id[UUID_STRLEN];

static void
pipe_done(struct view *v, struct tui *t, const char *text)
{
	(void)v;
	if (text == NULL || text[strspn(text, " ")] == '\0')
		return;
	open_with(t, prompted_id, text, "Pipe to", 1, 1);
}

static void
export_done(struct view *v, struct tui *t, const char *text)
{
	enum export_format f = EXPORT_MARKDOWN;
	char *ids[1] = { prompted_id }, err[ERRLEN];

	(void)v;
	if (text == NULL || *text == '\0')
		return;
	export_format_of_file(text, &f);	/* any other name: Markdown */
	if (export_commits_to_file(t->st, ids, 1, f, NULL, text, err) != 0)
		tui_message(t, 1, "%s", err);
	else
		tui_message(t, 0, "Exported to %s.", text);
}

void
handoff_run(struct tui *t, enum action a)
{
	const char *id = commit_named(t);
	char *name;

	if (id == NULL) {
		tui_message(t, 1, "No commit here.");
		return;
	}
	switch (a) {
	case ACT_COPY_ID:
	case ACT_COPY_HASH:
	case ACT_COPY_PROMPT:
		copy(t, a, id);
		break;
	case ACT_OPEN_PAGER:
		open_with(t, id, env_or("PAGER", NULL, "less"), "Pager", 0, 0);
		break;
	case ACT_OPEN_EDITOR:
		open_with(t, id, env_or("VISUAL", "EDITOR", "vi"), "Editor", 0, 0);
		break;
	case ACT_PIPE:
		snprintf(prompted_id, sizeof prompted_id, "%s", id);
		tui_prompt(t, "Pipe the commit to: ", NULL, pipe_done);
		break;
	case ACT_EXPORT:
		snprintf(prompted_id, sizeof prompted_id, "%s", id);
		name = xprintf("agentlogs-%.8s.md", id);
		tui_prompt(t, "Export to (.md, .json, .html): ", name, export_done);
		free(name);
		break;
	default:
		break;
	}
}
