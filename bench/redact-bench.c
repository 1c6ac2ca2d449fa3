/*
 * bench/redact's measure (see bench/README.md): recall on a generated corpus
 * of real-format fake secrets embedded in tool output, findings per MB on
 * the content of real transcripts (an agentlogs store), and throughput.
 *
 *   redact-bench STORE.db [SECONDS]
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "privacy/redact.h"
#include "privacy/redact-rules.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

/* ---------------------------------------------------------------- fake secrets */

static unsigned long long rng = 0x5eed2026ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char UPPER[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char HEX[] = "0123456789abcdef";
static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char ALPHA[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char DIGITS[] = "0123456789";
static const char PASSCH[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%^*-_+";
/* What a URL's password holds unencoded (RFC 3986 unreserved, and some sub-delims). */
static const char URLPASS[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-._~!*+";

static void
add_rand(struct strbuf *sb, const char *alphabet, unsigned n)
{
	size_t k = strlen(alphabet);

	while (n-- > 0)
		strbuf_addc(sb, alphabet[rnd((unsigned)k)]);
}

/* One kind of secret: its generator, and the contexts it is shown in. */
enum ctx { ANY, ENV_ONLY, URL_ONLY };
struct kind {
	const char *name;
	enum ctx ctx;
	void (*gen)(struct strbuf *sb);
	unsigned found, total;
};

#define GEN(fn, body) static void fn(struct strbuf *sb) { body; }
GEN(g_aws, strbuf_adds(sb, rnd(2) ? "AKIA" : "ASIA"); add_rand(sb, UPPER, 16))
GEN(g_aws_secret, add_rand(sb, B64, 40))
GEN(g_github, strbuf_adds(sb, (const char *[]){ "ghp_", "gho_", "ghu_", "ghs_", "ghr_" }[rnd(5)]);
    add_rand(sb, ALNUM, 36))
GEN(g_github_pat, strbuf_adds(sb, "github_pat_11"); add_rand(sb, UPPER, 9); add_rand(sb, ALNUM, 10);
    strbuf_addc(sb, '_'); add_rand(sb, ALNUM, 59))
GEN(g_gitlab, strbuf_adds(sb, "glpat-"); add_rand(sb, B64URL, 20))
GEN(g_anthropic, strbuf_adds(sb, "sk-ant-api03-"); add_rand(sb, B64URL, 93); strbuf_adds(sb, "AA"))
GEN(g_openai_proj, strbuf_adds(sb, "sk-proj-"); add_rand(sb, B64URL, 124 + rnd(40)))
GEN(g_openai, strbuf_adds(sb, "sk-"); add_rand(sb, ALNUM, 20); strbuf_adds(sb, "T3BlbkFJ");
    add_rand(sb, ALNUM, 20))
GEN(g_slack, strbuf_adds(sb, (const char *[]){ "xoxb-", "xoxp-", "xoxa-", "xoxr-" }[rnd(4)]);
    add_rand(sb, DIGITS, 10 + rnd(4)); strbuf_addc(sb, '-'); add_rand(sb, DIGITS, 10 + rnd(4));
    strbuf_addc(sb, '-'); add_rand(sb, ALNUM, 24))
GEN(g_slack_hook, strbuf_adds(sb, "https://hooks.slack.com/services/T"); add_rand(sb, UPPER, 8 + rnd(3));
    strbuf_adds(sb, "/B"); add_rand(sb, UPPER, 8 + rnd(3)); strbuf_addc(sb, '/');
    add_rand(sb, ALNUM, 24))
GEN(g_stripe, strbuf_adds(sb, (const char *[]){ "sk_live_", "rk_live_", "sk_test_" }[rnd(3)]);
    add_rand(sb, ALNUM, 24 + rnd(76)))
GEN(g_google, strbuf_adds(sb, "AIza"); add_rand(sb, B64URL, 35))
GEN(g_twilio, strbuf_adds(sb, rnd(2) ? "SK" : "AC"); add_rand(sb, HEX, 32))
GEN(g_sendgrid, strbuf_adds(sb, "SG."); add_rand(sb, B64URL, 22); strbuf_addc(sb, '.');
    add_rand(sb, B64URL, 43))
GEN(g_npm, strbuf_adds(sb, "npm_"); add_rand(sb, ALNUM, 36))
GEN(g_pypi, strbuf_adds(sb, "pypi-AgEIcHlwaS5vcmc"); add_rand(sb, B64URL, 70 + rnd(80)))
GEN(g_hf, strbuf_adds(sb, "hf_"); add_rand(sb, ALPHA, 34))
GEN(g_docker, strbuf_adds(sb, "dckr_pat_"); add_rand(sb, B64URL, 27))
GEN(g_do, strbuf_adds(sb, (const char *[]){ "dop_v1_", "doo_v1_", "dor_v1_" }[rnd(3)]);
    add_rand(sb, HEX, 64))
GEN(g_jwt, strbuf_adds(sb, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ"); add_rand(sb, B64URL, 40 + rnd(120));
    strbuf_addc(sb, '.'); add_rand(sb, B64URL, 43))
GEN(g_url_password, add_rand(sb, URLPASS, 10 + rnd(14)))
GEN(g_env_value, add_rand(sb, PASSCH, 8 + rnd(24)))
GEN(g_entropy, add_rand(sb, ALNUM, 32 + rnd(16)))

static void
g_pem(struct strbuf *sb)
{
	static const char *const labels[] = { "RSA PRIVATE KEY", "OPENSSH PRIVATE KEY",
		"EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY" };
	const char *label = labels[rnd(5)];
	unsigned lines = 3 + rnd(20), i;

	strbuf_addf(sb, "-----BEGIN %s-----\n", label);
	for (i = 0; i < lines; i++) {
		add_rand(sb, B64, 64);
		strbuf_addc(sb, '\n');
	}
	strbuf_addf(sb, "-----END %s-----", label);
}

static struct kind kinds[] = {
	{ "AWS_ACCESS_KEY", ANY, g_aws, 0, 0 },
	{ "AWS_SECRET_KEY", ENV_ONLY, g_aws_secret, 0, 0 },
	{ "GITHUB_TOKEN", ANY, g_github, 0, 0 },
	{ "GITHUB_PAT", ANY, g_github_pat, 0, 0 },
	{ "GITLAB_TOKEN", ANY, g_gitlab, 0, 0 },
	{ "ANTHROPIC_KEY", ANY, g_anthropic, 0, 0 },
	{ "OPENAI_PROJECT_KEY", ANY, g_openai_proj, 0, 0 },
	{ "OPENAI_KEY", ANY, g_openai, 0, 0 },
	{ "SLACK_TOKEN", ANY, g_slack, 0, 0 },
	{ "SLACK_WEBHOOK", ANY, g_slack_hook, 0, 0 },
	{ "STRIPE_KEY", ANY, g_stripe, 0, 0 },
	{ "GOOGLE_API_KEY", ANY, g_google, 0, 0 },
	{ "TWILIO_KEY", ANY, g_twilio, 0, 0 },
	{ "SENDGRID_KEY", ANY, g_sendgrid, 0, 0 },
	{ "NPM_TOKEN", ANY, g_npm, 0, 0 },
	{ "PYPI_TOKEN", ANY, g_pypi, 0, 0 },
	{ "HUGGINGFACE_TOKEN", ANY, g_hf, 0, 0 },
	{ "DOCKER_TOKEN", ANY, g_docker, 0, 0 },
	{ "DIGITALOCEAN_TOKEN", ANY, g_do, 0, 0 },
	{ "JWT", ANY, g_jwt, 0, 0 },
	{ "PRIVATE_KEY", ANY, g_pem, 0, 0 },
	{ "URL_PASSWORD", URL_ONLY, g_url_password, 0, 0 },
	{ "ENV_ASSIGNMENT", ENV_ONLY, g_env_value, 0, 0 },
	{ "HIGH_ENTROPY", ANY, g_entropy, 0, 0 },
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* Tool output around a secret: %s is where it goes. */
static const char *const any_ctx[] = {
	"$ curl -s -H \"Authorization: Bearer %s\" https://api.example.com/v1/items | jq .\n"
	"{\n  \"items\": [],\n  \"next\": null\n}\n",
	"{\"auth\": {\"token\": \"%s\"}, \"retries\": 3, \"timeout_ms\": 30000}",
	"Traceback (most recent call last):\n  File \"app/main.py\", line 12, in <module>\n"
	"    client = Client(\"%s\")\nValueError: the key was rejected (401)\n",
	"I put %s in the settings but the deploy still fails with 401 Unauthorized.",
	"config.yaml:\n  upload:\n    credential: '%s'\n    bucket: assets\n    timeout: 30\n",
	"[2026-03-04T12:00:01Z] INFO uploader: using %s for s3://assets/build-1234.tar.gz\n",
	"{\"command\":\"echo %s | gh auth login --with-token\",\"description\":\"Log in\"}",
	"     1\t# Deploy settings\n     2\tREGION=eu-west-1\n     3\tDEPLOY_KEY=%s\n     4\tREPLICAS=3\n",
	"diff --git a/config/prod.json b/config/prod.json\n+  \"apiKey\": \"%s\",\n   \"region\": \"eu\"\n",
	"The failing test prints:\\n  expected header x-api-key: %s\\n  got: (none)\\n",
};
static const char *const env_ctx[] = {
	"$ cat .env\nNODE_ENV=production\nPORT=3000\n%s=%s\nLOG_LEVEL=info\n",
	"{\"file_path\":\"/srv/app/.env\",\"content\":\"DEBUG=false\\n%s=%s\\nPORT=8080\\n\"}",
	"export %s='%s'\n",
	"  \"%s\": \"%s\",\n",
};
static const char *const env_names[] = {
	"DB_PASSWORD", "API_KEY", "SECRET_KEY", "AUTH_TOKEN", "STRIPE_SECRET", "JWT_SECRET",
	"SESSION_SECRET", "ADMIN_PASSWORD", "aws_secret_access_key", "SecretAccessKey", "password",
	"client_secret",
};
static const char *const url_ctx[] = {
	"DATABASE_URL=%s://%s:%s@db.internal.example.com:5432/app\n",
	"$ psql \"%s://%s:%s@10.0.3.12/analytics\" -c 'select 1'\n",
	"{\"broker\": \"%s://%s:%s@mq.example.net:5672/\"}",
	"git clone %s://%s:%s@git.example.com/team/app.git\n",
};
static const char *const schemes[] = { "postgres", "postgresql", "mysql", "mongodb+srv", "redis",
	"amqp", "https" };
static const char *const filler[] = {
	"total 48\ndrwxr-xr-x  6 sam sam 4096 Mar  4 11:58 .\n-rw-r--r--  1 sam sam 1067 Mar  4 11:58 README.md\n",
	"PASS src/util/strbuf.test.ts (4 tests)\nFAIL src/api/client.test.ts\n  > retries on 503\n",
	"function retry(fn, attempts = 3) {\n  for (let i = 0; i < attempts; i++) {\n    try { return fn(); } catch (e) { last = e; }\n  }\n}\n",
	"[main 4f2a9c1] Fix the upload retry\n 2 files changed, 14 insertions(+), 3 deletions(-)\n",
	"commit 5193c07a9b8e2f1d4c6a0b3e5f7d9c1a2b4e6f80\nAuthor: Sam <sam@example.com>\n",
	"src/privacy/redact.c:42:17: warning: unused variable 'n' [-Wunused-variable]\n",
};

struct case_text {
	char *text;
	size_t len;
	char *secret;
	int kind;
};

static struct case_text *
make_corpus(size_t per_kind, size_t *ncases)
{
	struct case_text *cases = xcalloc(per_kind * NKINDS, sizeof *cases);
	size_t k, i, n = 0;

	for (k = 0; k < NKINDS; k++) {
		for (i = 0; i < per_kind; i++) {
			struct strbuf secret = STRBUF_INIT, text = STRBUF_INIT;
			kinds[k].gen(&secret);
			strbuf_adds(&text, filler[rnd(6)]);
			if (kinds[k].ctx == ENV_ONLY)
				strbuf_addf(&text, env_ctx[rnd(4)], k == 1 ?
				    (rnd(2) ? "aws_secret_access_key" : "AWS_SECRET_ACCESS_KEY") :
				    env_names[rnd(12)], secret.buf);
			else if (kinds[k].ctx == URL_ONLY)
				strbuf_addf(&text, url_ctx[rnd(4)], schemes[rnd(7)], "app_user",
				    secret.buf);
			else
				strbuf_addf(&text, any_ctx[rnd(10)], secret.buf);
			strbuf_adds(&text, filler[rnd(6)]);
			cases[n].len = text.len;
			cases[n].text = strbuf_detach(&text);
			cases[n].secret = strbuf_detach(&secret);
			cases[n].kind = (int)k;
			n++;
		}
	}
	*ncases = n;
	return cases;
}

/* ---------------------------------------------------------------- measures */

/* CPU time of this thread: the figure is per core, whatever else the machine runs. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct texts {
	char **v;
	size_t *len;
	size_t n, cap, bytes;
};

static void
texts_add(struct texts *t, const char *s, size_t n)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
		t->len = xreallocarray(t->len, t->cap, sizeof *t->len);
	}
	t->v[t->n] = xmalloc(n + 1);
	memcpy(t->v[t->n], s, n);
	t->v[t->n][n] = '\0';
	t->len[t->n++] = n;
	t->bytes += n;
}

/* Every content field of the store (what push would send, were every row pending). */
static int
read_store(const char *path, struct texts *t)
{
	static const char sql[] = "SELECT content FROM turns UNION ALL SELECT thinking FROM turns"
	    " UNION ALL SELECT tool_calls FROM turns UNION ALL SELECT first_prompt FROM"
	    " cognitive_commits UNION ALL SELECT git_subject FROM cognitive_commits UNION ALL"
	    " SELECT files_read FROM cognitive_commits UNION ALL SELECT files_changed FROM"
	    " cognitive_commits UNION ALL SELECT title FROM cognitive_commits";
	sqlite3 *db;
	sqlite3_stmt *s;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "redact-bench: %s: %s\n", path, sqlite3_errmsg(db));
		return -1;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		if (v != NULL && *v != '\0')
			texts_add(t, v, (size_t)sqlite3_column_bytes(s, 0));
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return 0;
}

/*
 * MB/s of redact_find over every text, repeated for at least seconds; of
 * redact_text (what push runs: the rounds and the copy too) when whole.
 */
static double
throughput(const struct redactor *r, char *const *v, const size_t *len, size_t n, double seconds,
    int whole)
{
	struct redact_spans sp = { 0 };
	double start = now_s(), el;
	size_t bytes = 0, i, outlen;
	char err[ERRLEN];

	do {
		for (i = 0; i < n; i++) {
			if (whole)
				free(redact_text(r, v[i], len[i], &outlen, err));
			else
				redact_find(r, v[i], len[i], &sp, err);
			bytes += len[i];
		}
	} while ((el = now_s() - start) < seconds);
	redact_spans_free(&sp);
	return (double)bytes / (1 << 20) / el;
}

static void
print_context(const char *t, size_t len, const struct redact_span *s)
{
	size_t from = s->start > 40 ? s->start - 40 : 0, to = s->end + 20 < len ? s->end + 20 : len, i;
	char preview[64];

	redact_preview(t + s->start, s->end - s->start, preview, sizeof preview);
	printf("    %-15s %-14s ...", s->kind, preview);
	for (i = from; i < to; i++) {
		if (i == s->start) {
			printf("<%s>", preview);
			i = s->end - 1;
			continue;
		}
		putchar(t[i] == '\n' || t[i] == '\t' || (unsigned char)t[i] < ' ' ? ' ' : t[i]);
	}
	printf("...\n");
}

/*
 * The entropy threshold: how many random runs pass each share (recall), and
 * how many runs of the fixtures do (findings).
 */
static const double shares[] = { 0.65, 0.70, 0.75, 0.80, 0.85 };
#define NSHARES (sizeof shares / sizeof shares[0])

static void
measure_threshold(const struct texts *fx)
{
	static const unsigned lengths[] = { 20, 24, 32, 40, 64 };
	size_t i, k, s;
	char run[80];

	printf("\nentropy threshold (share of log2(min(length, 64)) bits a character):\n");
	printf("  random base62 runs passing:  ");
	for (s = 0; s < NSHARES; s++)
		printf("  >=%.2f", shares[s]);
	printf("\n");
	for (i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		unsigned pass[NSHARES] = { 0 }, n = 4000, j;
		for (j = 0; j < n; j++) {
			double sh;
			for (k = 0; k < lengths[i]; k++)
				run[k] = ALNUM[rnd(62)];
			sh = redact_entropy_share(run, lengths[i]);
			for (s = 0; s < NSHARES; s++)
				pass[s] += sh >= shares[s];
		}
		printf("    length %2u                 ", lengths[i]);
		for (s = 0; s < NSHARES; s++)
			printf("  %5.1f%%", 100.0 * pass[s] / n);
		printf("\n");
	}
	{
		unsigned long pass[NSHARES] = { 0 }, runs = 0;
		for (i = 0; i < fx->n; i++) {
			const char *t = fx->v[i];
			size_t len = fx->len[i], a = 0, b;
			while (a < len) {
				if (!RCLASS(t[a], RC_B64 | RC_B64URL)) {
					a++;
					continue;
				}
				for (b = a; b < len && RCLASS(t[b], RC_B64 | RC_B64URL); b++)
					;
				if (b - a >= 20) {
					double sh = redact_entropy_share(t + a, b - a);
					runs++;
					for (s = 0; s < NSHARES; s++)
						pass[s] += sh >= shares[s];
				}
				a = b;
			}
		}
		printf("  fixture runs (%lu of 20+)    ", runs);
		for (s = 0; s < NSHARES; s++)
			printf("  %6lu", pass[s]);
		printf("\n");
	}
}

int
main(int argc, char **argv)
{
	struct redactor *r;
	struct case_text *cases;
	struct texts fx = { 0 };
	struct redact_spans sp = { 0 };
	size_t ncases, i, k, found = 0, total = 0, shown = 0;
	size_t per_kind_found[64] = { 0 };
	const char *per_kind_name[64] = { 0 };
	char err[ERRLEN], **cv;
	size_t *cl;
	double seconds = argc > 2 ? atof(argv[2]) : 2.0, mb;

	if (argc < 2) {
		fprintf(stderr, "usage: redact-bench STORE.db [SECONDS]\n");
		return 2;
	}
	r = redactor_new(NULL, NULL, err);

	/* Recall. */
	cases = make_corpus(400, &ncases);
	cv = xcalloc(ncases, sizeof *cv);
	cl = xcalloc(ncases, sizeof *cl);
	for (i = 0; i < ncases; i++) {
		size_t n;
		char *out = redact_text(r, cases[i].text, cases[i].len, &n, err);
		struct kind *kd = &kinds[cases[i].kind];
		kd->total++;
		total++;
		if (out != NULL && memmem(out, n, cases[i].secret, strlen(cases[i].secret)) == NULL) {
			kd->found++;
			found++;
		} else if (kd->total - kd->found <= 3) {
			printf("  missed %s in: %.*s\n", kd->name, (int)cases[i].len, cases[i].text);
		}
		free(out);
		cv[i] = cases[i].text;
		cl[i] = cases[i].len;
	}
	printf("recall on the generated corpus (%zu secrets, %zu kinds, seed 0x5eed2026):\n", total,
	    NKINDS);
	for (k = 0; k < NKINDS; k++)
		printf("  %-20s %5.1f%%  (%u/%u)\n", kinds[k].name,
		    100.0 * kinds[k].found / kinds[k].total, kinds[k].found, kinds[k].total);
	printf("recall: %.2f%% (goal >= 99%%)\n", 100.0 * (double)found / (double)total);

	/* Findings on real transcripts. */
	if (read_store(argv[1], &fx) != 0)
		return 1;
	mb = (double)fx.bytes / (1 << 20);
	found = 0;
	printf("\nfindings on the fixtures' content (%zu fields, %.1f MB):\n", fx.n, mb);
	for (i = 0; i < fx.n; i++) {
		redact_find(r, fx.v[i], fx.len[i], &sp, err);
		for (k = 0; k < sp.n; k++) {
			size_t j;
			for (j = 0; per_kind_name[j] != NULL && strcmp(per_kind_name[j], sp.v[k].kind); j++)
				;
			per_kind_name[j] = sp.v[k].kind;
			per_kind_found[j]++;
			found++;
			if (shown++ < 40)
				print_context(fx.v[i], fx.len[i], &sp.v[k]);
		}
	}
	for (k = 0; per_kind_name[k] != NULL; k++)
		printf("  %-20s %zu\n", per_kind_name[k], per_kind_found[k]);
	printf("findings: %zu, %.2f per MB\n", found, mb > 0 ? (double)found / mb : 0.0);

	measure_threshold(&fx);

	/* Throughput. */
	printf("\nthroughput (redact_find, MB per CPU second of one thread, %.0f s each):\n", seconds);
	printf("  fixtures' content: %.0f MB/s\n", throughput(r, fx.v, fx.len, fx.n, seconds, 0));
	printf("  generated corpus:  %.0f MB/s\n", throughput(r, cv, cl, ncases, seconds, 0));
	printf("(goal >= 200 MB/s)\n");
	printf("redact_text (rounds until settled, and the copy: what push runs):\n");
	printf("  fixtures' content: %.0f MB/s\n", throughput(r, fx.v, fx.len, fx.n, seconds, 1));
	printf("  generated corpus:  %.0f MB/s\n", throughput(r, cv, cl, ncases, seconds, 1));
	return 0;
}
