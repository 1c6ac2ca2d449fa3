/*
 * agentlogs key generate | show | import | rotate [--passphrase]: the master
 * key of end-to-end encryption (privacy/e2e.h). The key lives in
 * AGENTLOGS_HOME/e2e.key (0600); the account keeps only its check value (and,
 * for a passphrase, the salt), so another machine can tell whether it holds
 * the same key, or derive it from the same passphrase.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "config/config.h"
#include "privacy/e2e-keyfile.h"
#include "privacy/e2e-words.h"
#include "store/repush.h"
#include "sync/account.h"
#include "sync/auth-session.h"
#include "sync/cloud.h"
#include "sync/e2e-account.h"
#include "sync/engine.h"
#include "sync/pull.h"
#include "sync/push.h"
#include "util/log.h"
#include "util/random.h"
#include "util/xmalloc.h"

#define PASSPHRASE_MIN 12

/* The logged-in cloud client of home, for the account's key check. */
struct key_ctx {
	struct cmd_ctx *cmd;
	struct cloud *cloud;
	struct auth_session auth;
	int passphrase;
	int yes;		/* key disable --yes: the clear upload confirmed */
};

static int
key_login(struct key_ctx *k, char *err)
{
	int rc;

	if ((k->cloud = account_cloud(k->cmd->home, err)) == NULL)
		return -1;
	if ((rc = auth_session_attach(k->cmd->home, &k->auth, k->cloud, err)) != 0) {
		cloud_free(k->cloud);
		k->cloud = NULL;
		return rc > 0 ? seterr(err, "not logged in: the key's check goes to the account"
		    " (agentlogs login)") : -1;
	}
	return 0;
}

static void
key_logout(struct key_ctx *k)
{
	if (k->cloud != NULL) {
		cloud_free(k->cloud);
		auth_session_free(&k->auth);
	}
}

/* One line of stdin, without echo on a terminal, into buf; -1 at its end. */
static int
read_line(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO), got;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	got = fgets(buf, (int)size, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	return got ? 0 : -1;
}

/* The passphrase's key with the account's salt and limits a. */
static int
passphrase_key(const struct e2e_account *a, int twice, struct e2e_key *key, char *err)
{
	char pass[1024], again[1024];
	int rc = 0;

	if (read_line("Passphrase: ", pass, sizeof pass) != 0)
		rc = seterr(err, "no passphrase given");
	else if (strlen(pass) < PASSPHRASE_MIN)
		rc = seterr(err, "a passphrase needs at least %d characters", PASSPHRASE_MIN);
	else if (twice && (read_line("Again: ", again, sizeof again) != 0 ||
	    strcmp(pass, again) != 0))
		rc = seterr(err, "the passphrases differ");
	if (rc == 0)
		rc = e2e_key_derive(pass, a->salt, a->ops, a->mem, key, err);
	e2e_key_wipe(pass, sizeof pass);
	e2e_key_wipe(again, sizeof again);
	return rc;
}

/* A new key: random, or from a passphrase with a new salt; its account row in a. */
static int
new_key(const struct key_ctx *k, struct e2e_key *key, struct e2e_account *a, char *err)
{
	memset(a, 0, sizeof *a);
	if (k->passphrase) {
		a->has_salt = 1;
		e2e_kdf_limits(&a->ops, &a->mem);
		if (random_bytes(a->salt, sizeof a->salt) != 0)
			return seterr(err, "the system's random generator failed");
		if (passphrase_key(a, 1, key, err) != 0)
			return -1;
	} else if (e2e_key_random(key, err) != 0)
		return -1;
	memcpy(a->check, key->check, sizeof a->check);
	return 0;
}

/* The key on stdout: base64url on the first line, its words (privacy/e2e-words.h) on the second. */
static void
print_key(const struct e2e_key *key)
{
	char *text = e2e_key_text(key), *words = e2e_words_encode(key->key);

	printf("%s\n%s\n", text, words);
	e2e_key_wipe(text, strlen(text));
	e2e_key_wipe(words, strlen(words));
	free(text);
	free(words);
}

/* Turns e2e on and marks what the cloud holds to go up sealed with the new key. */
static int
seal_everything(struct key_ctx *k, const struct e2e_key *key, char *err)
{
	struct store *st;
	long long rows = 0;

	if (config_set(k->cmd->home, "e2e", "true", err) != 0 ||
	    (st = cmd_store(k->cmd)) == NULL || repush_content_rows(st, k->cmd->home, &rows, err) != 0)
		return -1;
	if (!k->passphrase) {
		print_key(key);
		fprintf(stderr, "This is your end-to-end key, shown once as base64url and as words"
		    " (either imports it): keep it safe (agentlogs key show prints it again)."
		    " Without it the cloud's copy cannot be read.\n");
	}
	fprintf(stderr, "e2e is on; %lld row%s will go up sealed with the next push.\n", rows,
	    rows == 1 ? "" : "s");
	return 0;
}

/* Publishes key's check in place of `expected`, the key file written first. */
static int
publish(struct key_ctx *k, const char *expected, const struct e2e_keyring *kr,
    const struct e2e_account *a, char *err)
{
	int rc;

	if (e2e_keyfile_save(k->cmd->home, kr, err) != 0)
		return -1;
	if ((rc = e2e_account_swap(k->cloud, expected, a, err)) == 1)
		seterr(err, "another machine changed the account's key meanwhile: agentlogs key"
		    " import that one");
	return rc == 0 ? 0 : -1;
}

static int
key_generate(struct key_ctx *k, char *err)
{
	struct e2e_keyring kr = { 0 }, have;
	struct e2e_account a;
	char *path;
	int rc;

	if ((rc = e2e_keyfile_load(k->cmd->home, &have, err)) <= 0) {
		e2e_key_wipe(&have, sizeof have);
		return rc < 0 ? -1 : seterr(err, "this machine has a key already (agentlogs key"
		    " rotate replaces it)");
	}
	if (key_login(k, err) != 0 || (rc = e2e_account_fetch(k->cloud, &a, err)) < 0)
		return -1;
	if (rc == 0)
		return seterr(err, "the account has an end-to-end key already: agentlogs key"
		    " import it here");
	if (new_key(k, &kr.current, &a, err) != 0)
		return -1;
	if (publish(k, NULL, &kr, &a, err) != 0) {
		path = e2e_keyfile_path(k->cmd->home);
		unlink(path);
		free(path);
		rc = -1;
	} else
		rc = seal_everything(k, &kr.current, err);
	e2e_key_wipe(&kr, sizeof kr);
	return rc;
}

static int
key_rotate(struct key_ctx *k, char *err)
{
	struct e2e_keyring kr, old;
	struct e2e_account a;
	int rc;

	if ((rc = e2e_keyfile_load(k->cmd->home, &old, err)) != 0)
		return rc < 0 ? -1 : seterr(err, "this machine has no key to rotate");
	if (key_login(k, err) != 0 || (rc = e2e_account_fetch(k->cloud, &a, err)) < 0)
		rc = -1;
	else if (rc == 1 || strcmp(a.check, old.current.check) != 0)
		rc = seterr(err, "this machine's key is not the account's: agentlogs key import"
		    " the account's key first");
	kr.has_previous = 1;
	kr.previous = old.current;
	if (rc == 0)
		rc = new_key(k, &kr.current, &a, err);
	if (rc == 0 && (rc = publish(k, old.current.check, &kr, &a, err)) != 0) {
		char e2[ERRLEN];
		if (e2e_keyfile_save(k->cmd->home, &old, e2) != 0)
			fprintf(stderr, "%s: %s\n", log_progname(), e2);
	}
	if (rc == 0)
		rc = seal_everything(k, &kr.current, err);
	e2e_key_wipe(&kr, sizeof kr);
	e2e_key_wipe(&old, sizeof old);
	return rc;
}

static int
key_import(struct key_ctx *k, char *err)
{
	struct e2e_keyring kr = { 0 }, old;
	struct e2e_account a;
	char line[1024];
	int have, rc = 0;

	/* A passphrase needs the account's salt; a key is checked against the account when logged in. */
	if (key_login(k, err) != 0) {
		if (k->passphrase)
			return -1;
		fprintf(stderr, "%s: %s; the key is saved unchecked\n", log_progname(), err);
		have = 1;
	} else if ((have = e2e_account_fetch(k->cloud, &a, err)) < 0)
		return -1;
	if (have == 1 && k->passphrase)
		return seterr(err, "the account has no end-to-end key (agentlogs key generate)");
	if (k->passphrase) {
		if (!a.has_salt)
			return seterr(err, "the account's key is not a passphrase's: import the key");
		rc = passphrase_key(&a, 0, &kr.current, err);
	} else if (read_line("Key: ", line, sizeof line) != 0)
		rc = seterr(err, "no key on the standard input");
	else
		rc = e2e_key_parse(line, &kr.current, err);
	e2e_key_wipe(line, sizeof line);
	if (rc == 0 && have == 0 && strcmp(a.check, kr.current.check) != 0)
		rc = seterr(err, "this is not the account's end-to-end key; nothing was changed");
	/* The key it replaces (rotated elsewhere) still opens what it sealed. */
	if (rc == 0 && e2e_keyfile_load(k->cmd->home, &old, err) == 0 &&
	    strcmp(old.current.check, kr.current.check) != 0) {
		kr.has_previous = 1;
		kr.previous = old.current;
	}
	if (rc == 0)
		rc = e2e_keyfile_save(k->cmd->home, &kr, err);
	if (rc == 0)
		rc = config_set(k->cmd->home, "e2e", "true", err);
	if (rc == 0)
		fprintf(stderr, "key imported; e2e is on\n");
	e2e_key_wipe(&kr, sizeof kr);
	e2e_key_wipe(&old, sizeof old);
	return rc;
}

static int
key_show(struct key_ctx *k, char *err)
{
	struct e2e_keyring kr;
	int rc;

	if ((rc = e2e_keyfile_load(k->cmd->home, &kr, err)) != 0)
		return rc < 0 ? -1 : seterr(err, "this machine has no end-to-end key");
	fprintf(stderr, "warning: whoever sees this key can read everything in the cloud\n");
	print_key(&kr.current);
	e2e_key_wipe(&kr, sizeof kr);
	return 0;
}

/* A sync of home: pull then push (pull: 0 for a push alone); counts added to n. */
static int
sync_once(const char *home, int pull, struct sync_counts *n, long long *marked, char *err)
{
	struct sync_ctx sc;
	int rc;

	if (sync_open(&sc, home, err) != 0)
		return -1;
	rc = pull ? sync_pull(&sc, n, err) : 0;
	/* Every content row here up again, a version newer, with e2e off: in the clear. */
	if (rc == 0 && marked != NULL)
		rc = repush_content_rows(sc.st, home, marked, err);
	if (rc == 0)
		rc = sync_push(&sc, n, err);
	sync_close(&sc);
	return rc;
}

/*
 * Turns end-to-end encryption off for the account: a sync first (every row
 * here, opened), then the account's key check goes (compare-and-swap on this
 * machine's check: a rotation elsewhere wins), e2e off here, the key file set
 * aside, and every row up again in the clear at a new version. Run again
 * after a failure, it picks up where it stopped (the account without a key).
 */
static int
key_disable(struct key_ctx *k, char *err)
{
	struct sync_counts n;
	struct e2e_keyring kr;
	struct e2e_account a;
	long long marked = 0, sent = 0;
	int rc, have, t;

	if (!k->yes)
		return seterr(err, "this sends every prompt and answer to the cloud in the clear:"
		    " agentlogs key disable --yes");
	if ((rc = e2e_keyfile_load(k->cmd->home, &kr, err)) != 0)
		return rc < 0 ? -1 : seterr(err, "this machine has no end-to-end key");
	if (key_login(k, err) != 0 || (have = e2e_account_fetch(k->cloud, &a, err)) < 0)
		rc = -1;
	else if (have == 0 && strcmp(a.check, kr.current.check) != 0)
		rc = seterr(err, "this machine's key is not the account's: agentlogs key import"
		    " the account's key first");
	memset(&n, 0, sizeof n);
	if (rc == 0 && have == 0 && (rc = sync_once(k->cmd->home, 1, &n, NULL, err)) == 0 &&
	    (rc = e2e_account_delete(k->cloud, kr.current.check, err)) == 1)
		rc = seterr(err, "another machine changed the account's key meanwhile: nothing"
		    " was changed");
	e2e_key_wipe(&kr, sizeof kr);
	if (rc != 0)
		return -1;
	if (config_set(k->cmd->home, "e2e", "false", err) != 0 ||
	    e2e_keyfile_retire(k->cmd->home, err) != 0)
		return -1;
	memset(&n, 0, sizeof n);
	if (sync_once(k->cmd->home, 0, &n, &marked, err) != 0)
		return -1;
	for (t = 0; t < NTABLES; t++)
		sent += n.pushed[t];
	fprintf(stderr, "e2e is off: the account's key check is deleted, %lld row%s marked to go"
	    " up again in the clear and %lld sent; other machines turn e2e off at their next sync."
	    " This machine's key is kept in e2e.key.disabled (it opens what it sealed).\n",
	    marked, marked == 1 ? "" : "s", sent);
	return 0;
}

static void
key_help(void)
{
	cmd_print_usage(&cmd_key_entry, stdout);
	printf("\nThe master key of end-to-end encryption (config key e2e):\n"
	    "  generate    a new random key (printed once), or with --passphrase one derived\n"
	    "              from a passphrase (Argon2id); sets the account's key check and\n"
	    "              turns e2e on\n"
	    "  show        prints this machine's key\n"
	    "  import      reads the account's key from the standard input (or asks for the\n"
	    "              passphrase) and turns e2e on\n"
	    "  rotate      replaces the key; every row goes up again sealed with the new one\n"
	    "  disable --yes\n"
	    "              turns e2e off for the account: after a sync, deletes the key check\n"
	    "              and sends every row again in the clear; other machines follow\n"
	    "Keys print as base64url and as 26 words; import takes either.\n"
	    "The key is kept in $AGENTLOGS_HOME/e2e.key (mode 0600). Lose it and the cloud's\n"
	    "copy can never be read again; the local stores keep their plain text.\n");
}

static int
cmd_key_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(struct key_ctx *, char *); } subs[] = {
		{ "generate", key_generate }, { "show", key_show }, { "import", key_import },
		{ "rotate", key_rotate }, { "disable", key_disable },
	};
	struct key_ctx k = { .cmd = ctx };
	char err[ERRLEN] = "";
	size_t i;
	int rc, a;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		key_help();
		return EXIT_OK;
	}
	if (argc < 2)
		return cmd_usage_error(&cmd_key_entry, "which? generate, show, import, rotate or"
		    " disable");
	for (a = 2; a < argc; a++) {
		if (strcmp(argv[a], "--passphrase") == 0 && strcmp(argv[1], "show") != 0 &&
		    strcmp(argv[1], "disable") != 0)
			k.passphrase = 1;
		else if (strcmp(argv[a], "--yes") == 0 && strcmp(argv[1], "disable") == 0)
			k.yes = 1;
		else
			return cmd_usage_error(&cmd_key_entry, "unexpected argument '%s'", argv[a]);
	}
	for (i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(argv[1], subs[i].name) == 0)
			break;
	}
	if (i == sizeof subs / sizeof subs[0])
		return cmd_usage_error(&cmd_key_entry, "unknown subcommand '%s'", argv[1]);
	rc = subs[i].fn(&k, err);
	key_logout(&k);
	return rc == 0 ? EXIT_OK : cmd_fail("%s", err);
}

const struct cmd_entry cmd_key_entry = {
	.name = "key",
	.usage = "generate|show|import|rotate [--passphrase] | disable --yes",
	.summary = "the end-to-end encryption key (generate, show, import, rotate, disable)",
	.exec = cmd_key_exec,
};
