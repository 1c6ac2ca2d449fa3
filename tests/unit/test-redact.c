/*
 * The redactor: each kind of secret in the format its provider issues (all
 * fake), what it becomes, and near misses that must stay as they are.
 * Expected texts are written out by hand from the providers' formats.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "privacy/redact.h"
#include "util/log.h"
#include "../fuzz/redact-check.h"

static struct redactor *builtin;

static char *
red(const struct redactor *r, const char *in)
{
	char err[ERRLEN] = "";
	size_t n;
	char *out = redact_text(r, in, strlen(in), &n, err);

	if (out == NULL)
		fail_msg("redact_text failed: %s", err);
	assert_int_equal(n, strlen(out));
	return out;
}

/* in redacts to want, and want redacts to itself. */
static void
expect(const char *in, const char *want)
{
	char *out = red(builtin, in), *again;

	assert_int_equal(redact_check(builtin, in, strlen(in)), 0);
	if (strcmp(out, want) != 0)
		fail_msg("redacting\n  %s\ngave\n  %s\nnot\n  %s", in, out, want);
	again = red(builtin, out);
	assert_string_equal(again, out);
	free(again);
	free(out);
}

static void
kept(const char *in)
{
	expect(in, in);
}

static void
test_aws(void **state)
{
	(void)state;
	expect("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
	    "export AWS_ACCESS_KEY_ID=[REDACTED:AWS_ACCESS_KEY]");
	expect("\"AccessKeyId\": \"ASIAY34FZKBOKMUTVV7A\",",
	    "\"AccessKeyId\": \"[REDACTED:AWS_ACCESS_KEY]\",");
	expect("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
	    "aws_secret_access_key = [REDACTED:AWS_SECRET_KEY]\n");
	/* One character short, one too many, lower case: not keys. */
	kept("AKIAIOSFODNN7EXAMPL is short");
	kept("AKIAIOSFODNN7EXAMPLEX is long");
	kept("akiaiosfodnn7example");
}

static void
test_github_gitlab(void **state)
{
	(void)state;
	expect("git remote set-url origin https://ghp_R2d2C3poL1ke5kyWalk3rH4nS0loChewie99@github.com/a/b",
	    "git remote set-url origin https://[REDACTED:GITHUB_TOKEN]@github.com/a/b");
	expect("gho_16C7e42F292c6912E7710c838347Ae178B4a ghu_16C7e42F292c6912E7710c838347Ae178B4a",
	    "[REDACTED:GITHUB_TOKEN] [REDACTED:GITHUB_TOKEN]");
	expect("GH_TOKEN ghs_16C7e42F292c6912E7710c838347Ae178B4a.",
	    "GH_TOKEN [REDACTED:GITHUB_TOKEN].");
	expect("ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498",
	    "[REDACTED:GITHUB_TOKEN]");
	expect("github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmn",
	    "[REDACTED:GITHUB_TOKEN]");
	expect("glpat-xB2vq9Kd_3mZpL7nT4wR", "[REDACTED:GITLAB_TOKEN]");
	kept("ghp_tooShort123 and glpat-short");
	kept("the ghp_ prefix, and github_pat_ too");
}

static void
test_ai_keys(void **state)
{
	(void)state;
	expect("ANTHROPIC_API_KEY=sk-ant-api03-Xq3vB9kLmN2pQ7rS5tU8wY1zA4cD6eF0gH-jK_mP9sR2uV5xZ8bE1fI4lO7qT0wA3dG6hJ9kM2nP5rS8vY1zB4cE7fH0iL3oQ6tW9xAAA",
	    "ANTHROPIC_API_KEY=[REDACTED:ANTHROPIC_KEY]");
	expect("key: sk-proj-Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hI6kL9nO2qR5tU8wX1zA4cD7fG0iJ3lM6oP9rS2uV5xY8_-",
	    "key: [REDACTED:OPENAI_KEY]");
	expect("openai.api_key = \"sk-T3BlbkFJ4e8Rz2QyXv7NmKp1LwSd9Gh3Jc6Bt0Fa5Uo\"",
	    "openai.api_key = \"[REDACTED:OPENAI_KEY]\"");
	kept("ask-anything-you-like and a task-list-of-many-many-many-words");
	kept("sk-learn is a library");
}

static void
test_chat_and_payments(void **state)
{
	(void)state;
	expect("SLACK_BOT_TOKEN=xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
	    "SLACK_BOT_TOKEN=[REDACTED:SLACK_TOKEN]");
	expect("curl -X POST https://hooks.slack.com/services/T01ABCDEF/B02GHIJKL/aBcDeFgHiJkLmNoPqRsTuVwX",
	    "curl -X POST https://hooks.slack.com/services/[REDACTED:SLACK_WEBHOOK]");
	expect("stripe.api_key = 'sk_live_51HqLyjWDarjtT1zdp7dcXa9VlHtGQ8aZ'",
	    "stripe.api_key = '[REDACTED:STRIPE_KEY]'");
	expect("rk_test_4eC39HqLyjWDarjtT1zdp7dc", "[REDACTED:STRIPE_KEY]");
	expect("client = Client('SK2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d', token)",
	    "client = Client('[REDACTED:TWILIO_KEY]', token)");
	expect("account AC0123456789abcdef0123456789abcdef", "account [REDACTED:TWILIO_KEY]");
	expect("SENDGRID 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",
	    "SENDGRID [REDACTED:SENDGRID_KEY]");
	kept("SKU 0123456789abcdef and SG.short.one");
	/* Publishable, so no Stripe rule; random enough to go all the same. */
	expect("pk_live_51HqLyjWDarjtT1zdp7dcXa9VlHtGQ8aZ is publishable",
	    "[REDACTED:HIGH_ENTROPY] is publishable");
}

static void
test_registries_and_clouds(void **state)
{
	(void)state;
	expect("//registry.npmjs.org/:_authToken=npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
	    "//registry.npmjs.org/:_authToken=[REDACTED:NPM_TOKEN]");
	expect("password = pypi-AgEIcHlwaS5vcmcCJDU3NWY5ZTk2LTc3ZjEtNDk3My1hODE0LTQ0ZjI2YTAxZjZlMQACKlszLCJhNTk",
	    "password = [REDACTED:PYPI_TOKEN]");
	expect("HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "HF_TOKEN=[REDACTED:HUGGINGFACE_TOKEN]");
	expect("docker login -p dckr_pat_2b3e36beeb386dfdaacb9b46004",
	    "docker login -p [REDACTED:DOCKER_TOKEN]");
	expect("DIGITALOCEAN dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	    "DIGITALOCEAN [REDACTED:DIGITALOCEAN_TOKEN]");
	expect("maps?key=AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q&x=1",
	    "maps?key=[REDACTED:GOOGLE_API_KEY]&x=1");
	kept("npm_modules hf_hub_download dop_v1_short AIzaShort");
}

static void
test_jwt(void **state)
{
	(void)state;
	expect("Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
	    "Authorization: Bearer [REDACTED:JWT]");
	/* Unsigned: no secret in it. */
	kept("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0In0.");
}

static void
test_private_keys(void **state)
{
	(void)state;
	expect("key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1b2C3d4E5f6\nG7h8I9j0==\n-----END RSA PRIVATE KEY-----\nthat was it",
	    "key:\n[REDACTED:PRIVATE_KEY]\nthat was it");
	/* JSON inside JSON: the newlines escaped. */
	expect("{\"content\":\"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n-----END OPENSSH PRIVATE KEY-----\\n\"}",
	    "{\"content\":\"[REDACTED:PRIVATE_KEY]\\n\"}");
	/* Cut short by a tool: up to where the key's characters stop. */
	expect("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBk\n... (truncated)",
	    "[REDACTED:PRIVATE_KEY]... (truncated)");
	kept("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----");
	kept("-----BEGIN CERTIFICATE-----");
}

static void
test_urls(void **state)
{
	(void)state;
	expect("DATABASE_URL is postgres://app:s3cretPass@db.example.com:5432/app",
	    "DATABASE_URL is postgres://app:[REDACTED:URL_PASSWORD]@db.example.com:5432/app");
	expect("mongodb+srv://admin:Tr0ub4dor&3@cluster0.mongodb.net/test",
	    "mongodb+srv://admin:[REDACTED:URL_PASSWORD]@cluster0.mongodb.net/test");
	expect("Server=db;User Id=sa;Password=Pa55w0rd!;Database=x",
	    "Server=db;User Id=sa;Password=[REDACTED:PASSWORD];Database=x");
	kept("https://example.com/a/b?c=d and postgres://user@host/db");
	kept("postgres://user:${DB_PASS}@host/db and redis://:***@cache");
	kept("ssh git@github.com:owner/repo.git, http://localhost:8080/x");
}

static void
test_assignments(void **state)
{
	(void)state;
	expect("DB_PASSWORD=hunter2\nAPI_KEY=abc123\nDEBUG=1\n",
	    "DB_PASSWORD=[REDACTED:PASSWORD]\nAPI_KEY=[REDACTED:SECRET]\nDEBUG=1\n");
	expect("SECRET_KEY_BASE=\"f00dfacecafe\"", "SECRET_KEY_BASE=\"[REDACTED:SECRET]\"");
	/* A .env file inside JSON: its newlines escaped, the name right after "\n". */
	expect("{\"content\":\"A=1\\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\\nPIN=1\"}",
	    "{\"content\":\"A=1\\nAWS_SECRET_ACCESS_KEY=[REDACTED:AWS_SECRET_KEY]\\nPIN=1\"}");
	expect("{\"password\": \"correct-horse-battery\"}", "{\"password\": \"[REDACTED:PASSWORD]\"}");
	expect("{\\\"client_secret\\\": \\\"Zx9vQ2mL7pR4tY8w\\\"}",
	    "{\\\"client_secret\\\": \\\"[REDACTED:SECRET]\\\"}");
	expect("apiKey: 'x7Gq2LmP9vRt4WzY'", "apiKey: '[REDACTED:SECRET]'");
	/* Numbers, code, types, prose and stand-ins stay. */
	kept("max_tokens=4096 input_tokens: 1234");
	kept("token = response.data.token");
	kept("{\"password\": \"Enter your password\"}");
	kept("password: string; token?: string");
	kept("API_KEY=$(cat key.txt) TOKEN=${TOKEN} PASSWORD=<your password>");
	kept("if (token == NULL) key != old_key");
	kept("monkey=banana12345 keyboard=azerty1234");
	/* Stand-ins, as Go code in the fixtures has them; a real password with such a word goes. */
	kept("PostHogAPIKey = \"phc_development_key\" APIKey:    \"test-key\",");
	kept("API_KEY=your_api_key_here");
	expect("DB_PASSWORD=Test1234!", "DB_PASSWORD=[REDACTED:PASSWORD]");
}

static void
test_high_entropy(void **state)
{
	(void)state;
	expect("session id Xk3pQ9zR7mW2vB8nL4tY6hJ1cF5dG0sA here",
	    "session id [REDACTED:HIGH_ENTROPY] here");
	/* Hashes, uuids, paths and identifiers are not keys. */
	kept("commit 5193c07a9b8e2f1d4c6a0b3e5f7d9c1a2b4e6f80");
	kept("sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	kept("id 3f2a6c1e-9b7d-4e5f-8a0c-1d2e3f4a5b6c");
	kept("/home/sam/src/agentlogs/src/privacy/redact-tokens.c:42");
	kept("getUserAuthenticationTokenFromRequestHeader and TestRedactHighEntropy2024");
}

static void
test_user_patterns_and_allow(void **state)
{
	char err[ERRLEN] = "";
	struct redactor *r = redactor_new("ACME-[0-9]{6}|internal\\.corp", "AKIAIOSFODNN7EXAMPLE, hunter2",
	    err);
	char *out;

	(void)state;
	assert_non_null(r);
	out = red(r, "ticket ACME-123456 on internal.corp, AKIAIOSFODNN7EXAMPLE PASSWORD=hunter2 "
	    "ASIAY34FZKBOKMUTVV7A");
	assert_string_equal(out, "ticket [REDACTED:CUSTOM] on [REDACTED:CUSTOM], AKIAIOSFODNN7EXAMPLE "
	    "PASSWORD=hunter2 [REDACTED:AWS_ACCESS_KEY]");
	free(out);
	redactor_free(r);

	/* A pattern that does not compile: no redactor, one line saying so. */
	assert_null(redactor_new("(unclosed", NULL, err));
	assert_non_null(strstr(err, "redact.patterns"));
	assert_null(strchr(err, '\n'));

	/* One that matches its own replacement can never finish: a failure, not a loop. */
	r = redactor_new("REDACTED|ACME", NULL, err);
	assert_non_null(r);
	assert_null(redact_text(r, "ACME", 4, &(size_t){ 0 }, err));
	assert_non_null(strstr(err, "redact.patterns"));
	redactor_free(r);
}

static void
test_preview(void **state)
{
	char out[64];

	(void)state;
	redact_preview("ghp_R2d2C3poL1ke5kyWalk3rH4nS0loChewie99", 40, out, sizeof out);
	assert_string_equal(out, "ghp_\u2026ie99");
	redact_preview("hunter2", 7, out, sizeof out);
	assert_string_equal(out, "h\u20262");
	redact_preview("abc", 3, out, sizeof out);
	assert_string_equal(out, "\u2026");
}

static void
test_spans(void **state)
{
	struct redact_spans s = { 0 };
	const char *t = "a AKIAIOSFODNN7EXAMPLE b PASSWORD=pw12 c";
	char err[ERRLEN];

	(void)state;
	assert_int_equal(redact_find(builtin, t, strlen(t), &s, err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].start, 2);
	assert_int_equal(s.v[0].end, 22);
	assert_string_equal(s.v[0].kind, "AWS_ACCESS_KEY");
	assert_int_equal(s.v[1].start, 34);
	assert_int_equal(s.v[1].end, 38);
	assert_string_equal(s.v[1].kind, "PASSWORD");
	redact_spans_free(&s);
}

/*
 * The fuzz target's invariants on texts glued from secrets' pieces, in a
 * fixed pseudo-random order: what a redaction exposes must be redacted too.
 */
static void
test_invariants(void **state)
{
	static const char *const pieces[] = {
		"AKIA", "IOSFODNN7EXAMPLE", "ghp_", "R2d2C3poL1ke5kyWalk3rH4nS0loChewie99", "sk-",
		"sk-ant-", "xoxb-", "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----",
		"://", "user:", "pa55word", "@host", "=", ": ", "\"", "\\n", "\n", " ", "PASSWORD",
		"TOKEN", "api_key", "eyJhbGciOiJIUzI1NiJ9", ".", "Xk3pQ9zR7mW2vB8nL4tY6hJ1cF5dG0sA",
		"[REDACTED:", "]", "SG.", "0123456789abcdef0123456789abcdef", "AC", "SK", "_", "-",
		"hooks.slack.com/services/", "T01ABCDEF/B02GHIJKL/", "dop_v1_", "AIza", "x", "9",
	};
	unsigned long seed = 42;
	char text[512];
	int round, k;

	(void)state;
	for (round = 0; round < 20000; round++) {
		size_t n = 0;
		for (k = 0; k < 12; k++) {
			const char *p;
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			p = pieces[(seed >> 33) % (sizeof pieces / sizeof pieces[0])];
			if (n + strlen(p) >= sizeof text)
				break;
			memcpy(text + n, p, strlen(p));
			n += strlen(p);
		}
		if (redact_check(builtin, text, n) != 0)
			fail_msg("invariant %d broken on: %.*s", redact_check(builtin, text, n), (int)n,
			    text);
	}
}

int
main(void)
{
	char err[ERRLEN];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aws),
		cmocka_unit_test(test_github_gitlab),
		cmocka_unit_test(test_ai_keys),
		cmocka_unit_test(test_chat_and_payments),
		cmocka_unit_test(test_registries_and_clouds),
		cmocka_unit_test(test_jwt),
		cmocka_unit_test(test_private_keys),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_assignments),
		cmocka_unit_test(test_high_entropy),
		cmocka_unit_test(test_user_patterns_and_allow),
		cmocka_unit_test(test_preview),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_invariants),
	};
	int rc;

	builtin = redactor_new(NULL, NULL, err);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	redactor_free(builtin);
	return rc;
}
