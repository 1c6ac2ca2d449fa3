/*
 * End-to-end encryption (privacy/e2e.h): a sealed value opens to exactly what
 * went in; a flipped byte anywhere, another record's id, column, table or
 * version as associated data, or another key, all fail; the key file is 0600
 * and one that others may read is refused; push's row JSON, written by
 * SQLite, carries sealed content and clear ids and clocks; a pulled record is
 * opened in place and a plain value is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "privacy/e2e-keyfile.h"
#include "scratch-dir.h"
#include "store/db.h"
#include "store/internal.h"
#include "store/seal-hook.h"
#include "store/synced-rows.h"
#include "sync/e2e-account.h"
#include "util/base64url.h"
#include "util/log.h"
#include "util/xmalloc.h"

static char tmpdir[] = "/tmp/agentlogs-test-e2e-XXXXXX";

static const struct e2e_place here = { "turns", "content", "0b1e0000-0000-4000-8000-000000000001",
    3 };

static void
keyring(struct e2e_keyring *kr, unsigned char fill)
{
	unsigned char raw[E2E_KEY_BYTES];

	memset(kr, 0, sizeof *kr);
	memset(raw, fill, sizeof raw);
	assert_int_equal(e2e_key_set(&kr->current, raw), 0);
}

/* Opens sealed at p with kr: the plaintext, or NULL (err then names why). */
static char *
open_at(const struct e2e_keyring *kr, const struct e2e_place *p, const char *sealed, char *err)
{
	err[0] = '\0';
	return e2e_unseal(kr, p, sealed, NULL, err);
}

static void
round_trip(void **state)
{
	const char *texts[] = { "", "a", "line one\nline two\t\"quoted\" caf\xc3\xa9 \xf0\x9f\x98\x80",
	    "[{\"name\":\"Bash\",\"input\":{\"command\":\"ls\"}}]" };
	struct e2e_keyring kr;
	char err[ERRLEN], *big = xmalloc(1 << 20), *sealed, *plain;
	size_t i, len;

	(void)state;
	keyring(&kr, 7);
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		sealed = e2e_seal(&kr.current, &here, texts[i], strlen(texts[i]), err);
		assert_non_null(sealed);
		assert_true(e2e_is_sealed(sealed));
		assert_null(strstr(sealed, "line"));
		plain = open_at(&kr, &here, sealed, err);
		assert_non_null(plain);
		assert_string_equal(plain, texts[i]);
		free(plain);
		free(sealed);
	}
	/* A megabyte of tool output; and the same text twice seals differently. */
	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	sealed = e2e_seal(&kr.current, &here, big, strlen(big), err);
	plain = e2e_unseal(&kr, &here, sealed, &len, err);
	assert_non_null(plain);
	assert_int_equal(len, strlen(big));
	assert_memory_equal(plain, big, len);
	free(plain);
	plain = e2e_seal(&kr.current, &here, big, strlen(big), err);
	assert_string_not_equal(plain, sealed);
	free(plain);
	free(sealed);
	free(big);
}

/* Every byte of the sealed value flipped in turn (one bit), through the base64 text. */
static void
flipped_byte_fails(void **state)
{
	struct e2e_keyring kr;
	char err[ERRLEN], *sealed, *text;
	unsigned char *raw;
	size_t n, i, pre = strlen(E2E_PREFIX);
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	keyring(&kr, 7);
	sealed = e2e_seal(&kr.current, &here, "secret prompt", 13, err);
	raw = base64url_decode(sealed + pre, strlen(sealed) - pre, &n);
	assert_non_null(raw);
	assert_int_equal(n, 4 + 12 + 16 + 32 + 16 + 13);
	for (i = 0; i < n; i++) {
		raw[i] ^= 0x01;
		strbuf_reset(&sb);
		strbuf_adds(&sb, E2E_PREFIX);
		base64url_append(&sb, raw, n);
		text = open_at(&kr, &here, sb.buf, err);
		assert_null(text);
		/* The key id's bytes name another key; any other byte: damaged. */
		assert_non_null(strstr(err, i < 4 ? "another key" : "damaged"));
		raw[i] ^= 0x01;
	}
	/* Cut short, and not sealed at all. */
	sealed[strlen(sealed) - 3] = '\0';
	assert_null(open_at(&kr, &here, sealed, err));
	assert_null(open_at(&kr, &here, "secret prompt", err));
	assert_non_null(strstr(err, "not sealed"));
	strbuf_free(&sb);
	free(raw);
	free(sealed);
}

static void
other_place_or_key_fails(void **state)
{
	struct e2e_keyring kr, other, both;
	struct e2e_place p;
	char err[ERRLEN], *sealed, *plain;

	(void)state;
	keyring(&kr, 7);
	keyring(&other, 8);
	sealed = e2e_seal(&kr.current, &here, "secret prompt", 13, err);
	p = here;
	p.id = "0b1e0000-0000-4000-8000-000000000002";
	assert_null(open_at(&kr, &p, sealed, err));
	assert_non_null(strstr(err, "not this record's"));
	p = here;
	p.version = 4;
	assert_null(open_at(&kr, &p, sealed, err));
	p = here;
	p.column = "thinking";
	assert_null(open_at(&kr, &p, sealed, err));
	p = here;
	p.table = "visuals";
	assert_null(open_at(&kr, &p, sealed, err));
	assert_null(open_at(&other, &here, sealed, err));
	assert_non_null(strstr(err, "another key"));
	/* After a rotation the previous key still opens what it sealed. */
	both = other;
	both.has_previous = 1;
	both.previous = kr.current;
	plain = open_at(&both, &here, sealed, err);
	assert_non_null(plain);
	assert_string_equal(plain, "secret prompt");
	free(plain);
	free(sealed);
}

static void
key_file_is_private(void **state)
{
	struct e2e_keyring kr, back;
	char err[ERRLEN], *home = xprintf("%s/home", tmpdir), *path;
	struct stat sb;

	(void)state;
	assert_int_equal(mkdir(home, 0700), 0);
	assert_int_equal(e2e_keyfile_load(home, &back, err), 1);
	keyring(&kr, 9);
	kr.has_previous = 1;
	keyring(&back, 10);
	kr.previous = back.current;
	umask(022);
	assert_int_equal(e2e_keyfile_save(home, &kr, err), 0);
	path = e2e_keyfile_path(home);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(e2e_keyfile_load(home, &back, err), 0);
	assert_memory_equal(back.current.key, kr.current.key, E2E_KEY_BYTES);
	assert_string_equal(back.current.check, kr.current.check);
	assert_int_equal(back.has_previous, 1);
	assert_memory_equal(back.previous.key, kr.previous.key, E2E_KEY_BYTES);
	/* Readable by the group: refused, the key no longer counts as secret. */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(e2e_keyfile_load(home, &back, err), -1);
	assert_non_null(strstr(err, "chmod 600"));
	free(path);
	free(home);
}

/* A passphrase and salt give the same key on every machine; another salt another key. */
static void
passphrase_key(void **state)
{
	unsigned char salt[E2E_SALT_BYTES] = { 1, 2, 3 };
	struct e2e_key a, b;
	char err[ERRLEN];

	(void)state;
	/* The smallest limits libsodium takes: the derivation, not its cost, is tested. */
	assert_int_equal(e2e_key_derive("correct horse battery", salt, 1, 8192, &a, err), 0);
	assert_int_equal(e2e_key_derive("correct horse battery", salt, 1, 8192, &b, err), 0);
	assert_string_equal(a.check, b.check);
	salt[0] = 9;
	assert_int_equal(e2e_key_derive("correct horse battery", salt, 1, 8192, &b, err), 0);
	assert_string_not_equal(a.check, b.check);
}

static int
keep_json(const struct sync_table *t, const struct pending_row *r, void *arg)
{
	(void)t;
	*(char **)arg = xstrdup(r->json);
	return 0;
}

static char *
seal_with(void *arg, const char *table, const char *column, const char *id, long long version,
    const char *text, size_t len, char *err)
{
	const struct e2e_keyring *kr = arg;
	struct e2e_place p = { table, column, id, version };

	return e2e_seal(&kr->current, &p, text, len, err);
}

/*
 * Push's JSON of a pending turn with the sealer set: its content columns
 * sealed (the NULL one stays null), everything else as it is; the pulled
 * record opens back to the store's values, and a plain content value is refused.
 */
static void
push_json_sealed(void **state)
{
	char err[ERRLEN], *path = xprintf("%s/data.db", tmpdir), *json = NULL;
	struct store *st = store_open(path, err);
	struct e2e_keyring kr;
	cJSON *row, *c;

	(void)state;
	free(path);
	assert_non_null(st);
	keyring(&kr, 7);
	assert_int_equal(store_foreign_keys(st, 0, err), 0);
	if (store_exec(st, "INSERT INTO turns (id, session_id, seq, role, content,"
	    " thinking, timestamp, tool_calls, version, updated_at, sync_status, cloud_version)"
	    " VALUES ('t1', 's1', 0, 'user', 'the secret prompt', NULL,"
	    " '2026-02-01T10:00:00.000Z', '[{\"name\":\"Read\"}]', 5, '2026-02-02T00:00:00.000Z',"
	    " 'pending', 4); INSERT INTO sessions (id, commit_id, claude_session_id, started_at,"
	    " ended_at, version, sync_status) VALUES ('s1', 'c1', 'x', '2026-02-01T10:00:00.000Z',"
	    " '2026-02-01T10:00:00.000Z', 1,"
	    " 'synced')", err) != 0)
		fail_msg("%s", err);
	assert_int_equal(seal_hook_set(st, seal_with, &kr), 0);
	assert_int_equal(synced_pending_rows(st, &sync_tables[T_TURNS], "c1", 0, keep_json, &json,
	    err), 0);
	assert_non_null(json);
	assert_null(strstr(json, "secret"));
	assert_null(strstr(json, "Read"));
	row = cJSON_Parse(json);
	assert_string_equal(cJSON_GetObjectItem(row, "id")->valuestring, "t1");
	assert_int_equal(cJSON_GetObjectItem(row, "version")->valueint, 5);
	assert_string_equal(cJSON_GetObjectItem(row, "role")->valuestring, "user");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(row, "thinking")));
	assert_true(e2e_is_sealed(cJSON_GetObjectItem(row, "content")->valuestring));
	assert_int_equal(e2e_unseal_record(&kr, &sync_tables[T_TURNS], row, err), 0);
	assert_string_equal(cJSON_GetObjectItem(row, "content")->valuestring, "the secret prompt");
	assert_string_equal(cJSON_GetObjectItem(row, "tool_calls")->valuestring,
	    "[{\"name\":\"Read\"}]");
	/* The cloud's own defaults for a null pass; any other plain text is refused. */
	c = cJSON_GetObjectItem(row, "content");
	cJSON_SetValuestring(c, "");
	cJSON_SetValuestring(cJSON_GetObjectItem(row, "tool_calls"), "[]");
	assert_int_equal(e2e_unseal_record(&kr, &sync_tables[T_TURNS], row, err), 0);
	cJSON_SetValuestring(c, "injected");
	assert_int_equal(e2e_unseal_record(&kr, &sync_tables[T_TURNS], row, err), -1);
	assert_non_null(strstr(err, "turns.content"));
	cJSON_Delete(row);
	free(json);
	/* Without a sealer (a connection's default) the text goes as it is. */
	assert_int_equal(seal_hook_set(st, NULL, NULL), 0);
	json = NULL;
	assert_int_equal(synced_pending_rows(st, &sync_tables[T_TURNS], "c1", 0, keep_json, &json,
	    err), 0);
	assert_non_null(strstr(json, "\"content\":\"the secret prompt\""));
	free(json);
	store_close(st);
}

/* Screenshot bytes (with NULs): sealed and opened; plain bytes pass (the sha256 check follows). */
static void
screenshot_bytes(void **state)
{
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	const char *sha = "60214d20fec4cd49064bab7e4cc2f0e8159afecc015175f901a5f81c75d9e558";
	struct e2e_keyring kr, other;
	char err[ERRLEN], *data = xmalloc(sizeof png);
	size_t len = sizeof png;

	(void)state;
	keyring(&kr, 7);
	keyring(&other, 8);
	memcpy(data, png, len);
	assert_int_equal(e2e_seal_bytes(&kr, sha, &data, &len, err), 0);
	assert_true(e2e_is_sealed(data));
	assert_null(memchr(data, '\0', len));
	assert_int_equal(e2e_open_bytes(&other, sha, &data, &len, err), -1);
	assert_int_equal(e2e_open_bytes(&kr, "0000", &data, &len, err), -1);
	assert_int_equal(e2e_open_bytes(&kr, sha, &data, &len, err), 0);
	assert_int_equal(len, sizeof png);
	assert_memory_equal(data, png, len);
	assert_int_equal(e2e_open_bytes(&kr, sha, &data, &len, err), 0);
	assert_memory_equal(data, png, len);
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(flipped_byte_fails),
		cmocka_unit_test(other_place_or_key_fails),
		cmocka_unit_test(key_file_is_private),
		cmocka_unit_test(passphrase_key),
		cmocka_unit_test(push_json_sealed),
		cmocka_unit_test(screenshot_bytes),
	};

	return run_tests_in_scratch_dir(tmpdir, tests);
}
