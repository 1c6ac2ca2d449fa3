#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "privacy/e2e-keyfile.h"
#include "privacy/e2e-words.h"
#include "util/base64url.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/random.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

char *
e2e_keyfile_path(const char *home)
{
	return paths_in_home(home, "e2e.key");
}

int
e2e_keyfile_retire(const char *home, char *err)
{
	char *from = e2e_keyfile_path(home), *to = paths_in_home(home, "e2e.key.disabled");
	int rc = rename(from, to) == 0 || errno == ENOENT ? 0 :
	    seterr(err, "cannot move %s aside: %s", from, strerror(errno));

	free(from);
	free(to);
	return rc;
}

char *
e2e_key_text(const struct e2e_key *k)
{
	return base64url_encode(k->key, E2E_KEY_BYTES);
}

int
e2e_key_parse(const char *text, struct e2e_key *k, char *err)
{
	size_t n = 0, len;
	unsigned char *raw, words[E2E_KEY_BYTES];
	int rc;

	if (e2e_words_look_like(text)) {
		if (e2e_words_decode(text, words, err) != 0)
			return -1;
		rc = e2e_key_set(k, words);
		e2e_key_wipe(words, sizeof words);
		return rc == 0 ? 0 : seterr(err, "OpenSSL failed on the key");
	}
	text += strspn(text, " \t");
	len = strcspn(text, " \t\r\n");
	raw = base64url_decode(text, len, &n);
	if (raw == NULL || n != E2E_KEY_BYTES) {
		if (raw != NULL)
			e2e_key_wipe(raw, n);
		free(raw);
		return seterr(err, "not an agentlogs key (43 characters of base64url, or %d words)",
		    E2E_WORDS);
	}
	rc = e2e_key_set(k, raw);
	e2e_key_wipe(raw, n);
	free(raw);
	return rc == 0 ? 0 : seterr(err, "OpenSSL failed on the key");
}

int
e2e_key_random(struct e2e_key *k, char *err)
{
	unsigned char raw[E2E_KEY_BYTES];
	int rc = random_bytes(raw, sizeof raw) == 0 ? e2e_key_set(k, raw) : -1;

	e2e_key_wipe(raw, sizeof raw);
	return rc == 0 ? 0 : seterr(err, "the system's random generator failed");
}

void
e2e_kdf_limits(unsigned long long *ops, size_t *mem)
{
	const char *o = getenv("AGENTLOGS_E2E_KDF_OPS"), *m = getenv("AGENTLOGS_E2E_KDF_MEM");

	*ops = crypto_pwhash_OPSLIMIT_MODERATE;
	*mem = crypto_pwhash_MEMLIMIT_MODERATE;
	if (o != NULL && strtoull(o, NULL, 10) >= crypto_pwhash_OPSLIMIT_MIN)
		*ops = strtoull(o, NULL, 10);
	if (m != NULL && strtoull(m, NULL, 10) >= crypto_pwhash_MEMLIMIT_MIN)
		*mem = (size_t)strtoull(m, NULL, 10);
}

int
e2e_key_derive(const char *passphrase, const unsigned char salt[E2E_SALT_BYTES],
    unsigned long long ops, size_t mem, struct e2e_key *k, char *err)
{
	unsigned char raw[E2E_KEY_BYTES];
	int rc;

	if (sodium_init() < 0)
		return seterr(err, "libsodium failed to start");
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_MAX ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_MAX)
		return seterr(err, "the account's passphrase limits are out of range");
	if (crypto_pwhash(raw, sizeof raw, passphrase, strlen(passphrase), salt, ops, mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return seterr(err, "deriving the key ran out of memory (%zu MB)", mem >> 20);
	rc = e2e_key_set(k, raw);
	e2e_key_wipe(raw, sizeof raw);
	return rc == 0 ? 0 : seterr(err, "OpenSSL failed on the key");
}

/* The key after "name " on one of the file's lines, into k; 1 when absent. */
static int
key_line(const char *text, const char *name, struct e2e_key *k, char *err)
{
	size_t n = strlen(name);
	const char *line;

	for (line = text; line != NULL && *line != '\0'; line = strchr(line, '\n'),
	    line = line != NULL ? line + 1 : NULL) {
		if (strncmp(line, name, n) == 0 && line[n] == ' ')
			return e2e_key_parse(line + n + 1, k, err);
	}
	return 1;
}

int
e2e_keyfile_load(const char *home, struct e2e_keyring *kr, char *err)
{
	char *path = e2e_keyfile_path(home), buf[256];
	struct stat sb;
	FILE *f;
	size_t n;
	int rc;

	memset(kr, 0, sizeof *kr);
	if ((f = fopen(path, "r")) == NULL) {
		rc = errno == ENOENT ? 1 : seterr(err, "cannot read %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077) != 0) {
		fclose(f);
		seterr(err, "%s may be read by others: chmod 600 it (and consider the key known)",
		    path);
		free(path);
		return -1;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	rc = key_line(buf, "current", &kr->current, err);
	if (rc == 0 && (rc = key_line(buf, "previous", &kr->previous, err)) == 0)
		kr->has_previous = 1;
	else if (rc == 1 && kr->current.check[0] != '\0')
		rc = 0;
	if (rc != 0)
		seterr(err, "%s does not hold an agentlogs key", path);
	e2e_key_wipe(buf, sizeof buf);
	free(path);
	return rc == 0 ? 0 : -1;
}

int
e2e_keyfile_save(const char *home, const struct e2e_keyring *kr, char *err)
{
	char *path = e2e_keyfile_path(home), *cur = e2e_key_text(&kr->current), *prev = NULL;
	struct strbuf sb = STRBUF_INIT;
	int rc;

	strbuf_addf(&sb, "current %s\n", cur);
	if (kr->has_previous) {
		prev = e2e_key_text(&kr->previous);
		strbuf_addf(&sb, "previous %s\n", prev);
	}
	rc = paths_write_atomic(path, sb.buf, sb.len, 0600, err);
	e2e_key_wipe(sb.buf, sb.len);
	e2e_key_wipe(cur, strlen(cur));
	if (prev != NULL)
		e2e_key_wipe(prev, strlen(prev));
	strbuf_free(&sb);
	free(cur);
	free(prev);
	free(path);
	return rc;
}
