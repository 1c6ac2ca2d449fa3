/*
 * store/search.c: a person's words as FTS5 expressions (expected strings
 * written by hand from FTS5's query syntax), a v15 store indexed by the
 * v16 migration, a v16 one's contractions made whole words by v18, and
 * arbitrary query strings: a result or one clear error, never a crash or a
 * store error.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch-dir.h"
#include "store/internal.h"
#include "store/search.h"
#include "util/log.h"
#include "util/xmalloc.h"

static char tmpdir[] = "/tmp/agentlogs-test-search-XXXXXX";

static void
expression_quotes_punctuation(void **state)
{
	static const char *const cases[][2] = {
		{ "trailer", "trailer" },
		{ "  two   words ", "two words" },
		{ "foo.bar", "\"foo.bar\"" },
		{ "can't", "can" SEARCH_GLUE "t" },	/* one word, as the index holds it */
		{ "DON'T Won" SEARCH_CURLY "t", "DON" SEARCH_GLUE "T Won" SEARCH_GLUE "t" },
		{ "\"I can't go\"", "\"I can" SEARCH_GLUE "t go\"" },
		{ "it's n't Don'T", "\"it's\" n" SEARCH_GLUE "t \"Don'T\"" },	/* only n't, N'T */
		{ "'can't'", "\"'can" SEARCH_GLUE "t'\"" },
		{ "a-b path/to/x.c", "\"a-b\" \"path/to/x.c\"" },
		{ "col:umn", "\"col:umn\"" },
		{ "prefix*", "prefix*" },
		{ "foo.ba*", "\"foo.ba\" *" },
		{ "^start", "^start" },
		{ "a AND b OR c NOT d", "a AND b OR c NOT d" },
		{ "and or not", "and or not" },	/* operators only in capitals */
		{ "\"a phrase\" x", "\"a phrase\" x" },
		{ "\"say \"\"hi\"\"\"", "\"say \"\"hi\"\"\"" },
		{ "(a OR b) c", "( a OR b ) c" },
		{ "printf(x) foo()", "\"printf(x)\" \"foo()\"" },
		{ "(a (b c)) d)", "( a ( b c ) ) \"d)\"" },
		{ "NEAR(a b, 3)", "NEAR( a b , 3 )" },
		{ "x, y", "\"x,\" y" },	/* a comma is syntax only inside NEAR() */
		{ "... -- +", "" },	/* punctuation alone: no word */
		{ "café", "café" },
		{ "", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *e = search_expression(cases[i][0]);

		if (strcmp(e, cases[i][1]) != 0)
			fail_msg("'%s' became '%s', not '%s'", cases[i][0], e, cases[i][1]);
		free(e);
	}
}

static int
count_hit(const struct search_hit *h, void *arg)
{
	(void)h;
	(*(int *)arg)++;
	return 0;
}

/* The hits of text (all, hidden commits too), or the search_run error. */
static int
hits(struct store *st, const char *text, char *err)
{
	struct search_query q = { .text = text, .limit = 1000, .include_hidden = 1 };
	int n = 0, rc = search_run(st, &q, count_hit, &n, err);

	return rc < 0 ? rc : n;
}

static long long
count(struct store *st, const char *sql)
{
	long long n = -1;

	assert_int_equal(store_query_int(st, &n, sql, NULL), 0);
	return n;
}

#define V15_ROWS \
	"INSERT INTO projects (id, name, created_at) VALUES ('p1', 'app', '2026-01-01');" \
	"INSERT INTO cognitive_commits (id, started_at, closed_at, closed_by, project_id, title)" \
	" VALUES ('c1', '2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z', 'open', 'p1'," \
	" 'Gazpacho recipe');" \
	"INSERT INTO sessions (id, commit_id, claude_session_id, started_at, ended_at)" \
	" VALUES ('s1', 'c1', 'cs1', '2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z');" \
	"INSERT INTO turns (id, session_id, seq, role, content, timestamp, tool_calls) VALUES" \
	" ('t1', 's1', 0, 'user', 'Why does the zanzibar parser fail?', '2026-01-01T10:00:00.000Z', '[]')," \
	" ('t2', 's1', 1, 'assistant', 'Looking.', '2026-01-01T10:00:01.000Z'," \
	"  '[{\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{\"command\":\"grep periwinkle\"}," \
	"\"result\":\"x.c:1:\\tmarmalade\",\"is_error\":false}]');" \
	"INSERT INTO turns (id, session_id, seq, role, content, timestamp, deleted_at) VALUES" \
	" ('t3', 's1', 2, 'user', 'zanzibar again', '2026-01-01T10:00:02.000Z', '2026-01-02');"

/* A store made before search (v15) gets its rows indexed by the v16 migration. */
static void
migration_indexes_v15_store(void **state)
{
	char err[ERRLEN], *path = xprintf("%s/v15.db", tmpdir);
	struct store *st;

	(void)state;
	unlink(path);
	st = store_open_version(path, 15, err);
	assert_non_null(st);
	assert_int_equal(store_exec(st, V15_ROWS, err), 0);
	store_close(st);
	st = store_open(path, err);
	assert_non_null(st);
	assert_int_equal(store_version(st), store_latest_version());
	assert_int_equal(hits(st, "zanzibar", err), 1);	/* t3 is a tombstone */
	assert_int_equal(hits(st, "periwinkle", err), 1);	/* a tool's input */
	assert_int_equal(hits(st, "marmalade", err), 1);	/* after a tab in its result */
	assert_int_equal(hits(st, "gazpacho", err), 1);	/* the title */
	assert_int_equal(hits(st, "error", err), 0);	/* our own is_error key is no word */
	assert_int_equal(count(st, "SELECT count(*) FROM turn_search WHERE turn_search MATCH"
	    " 'zanzibar'"), 2);	/* indexed all the same */
	assert_int_equal(store_exec(st, "INSERT INTO turn_search(turn_search)"
	    " VALUES ('integrity-check')", err), 0);
	store_close(st);
	unlink(path);
	free(path);
}

/*
 * A v16 store (n't split: "can't" indexed as can, t) gets its index rebuilt
 * by v18 with contractions whole, the turns an import left pending too, each
 * once; its triggers then index the glued text.
 */
static void
migration_glues_contractions_of_v16_store(void **state)
{
	char err[ERRLEN], *path = xprintf("%s/v16.db", tmpdir);
	struct store *st;

	(void)state;
	unlink(path);
	st = store_open_version(path, 16, err);
	assert_non_null(st);
	assert_int_equal(store_exec(st, V15_ROWS
	    "UPDATE turns SET content = 'We can''t parse it' WHERE id = 't1';"
	    "UPDATE cognitive_commits SET title = 'DON''T panic' WHERE id = 'c1';"
	    "INSERT INTO search_batch SELECT max(rowid) FROM turns;"	/* an import's */
	    "INSERT INTO turns (id, session_id, seq, role, content, timestamp, tool_calls) VALUES"
	    " ('t4', 's1', 3, 'user', 'it won" SEARCH_CURLY "t stop', '2026-01-01T10:00:03.000Z',"
	    " '[]');", err), 0);
	assert_int_equal(count(st, "SELECT count(*) FROM turn_search WHERE turn_search MATCH"
	    " '\"can t\"'"), 1);	/* v16's index */
	store_close(st);
	st = store_open(path, err);
	assert_non_null(st);
	assert_int_equal(count(st, "SELECT count(*) FROM search_batch"), 0);
	assert_int_equal(hits(st, "can't", err), 1);
	assert_int_equal(hits(st, "can", err), 0);
	assert_int_equal(hits(st, "don't", err), 1);	/* the title */
	assert_int_equal(hits(st, "won't", err), 1);	/* pending in v16: indexed once */
	assert_int_equal(hits(st, "stop", err), 1);
	assert_int_equal(count(st, "SELECT count(*) FROM turn_search WHERE turn_search MATCH"
	    " '\"won t\" OR t OR can'"), 0);
	/* The triggers keep the glued text: an edit takes the old words out. */
	assert_int_equal(store_exec(st, "UPDATE turns SET content = 'I can''t; N''T' WHERE"
	    " id = 't4'", err), 0);
	assert_int_equal(hits(st, "won't", err), 0);
	assert_int_equal(hits(st, "can't", err), 2);
	assert_int_equal(hits(st, "N'T", err), 1);
	assert_int_equal(store_exec(st, "INSERT INTO turn_search(turn_search)"
	    " VALUES ('integrity-check'); INSERT INTO commit_search(commit_search)"
	    " VALUES ('integrity-check')", err), 0);
	store_close(st);
	unlink(path);
	free(path);
}

/* A word for the fuzz: syntax, words, punctuation and bytes FTS5 treats specially. */
static const char *const pieces[] = {
	"\"", "\"\"", "(", ")", "*", "^", ":", "+", "-", ",", ".", "'", "{", "}", "AND", "OR",
	"NOT", "NEAR", "NEAR(", "zanzibar", "parser", "x", "é", "\xe2\x80\x8b", "\x1a", "\xff",
	"content:", "tools:", "-content:", "{content tools}:", "rank", "rowid", " ", " ", "\t",
	"can't", "N" SEARCH_CURLY "T", "n", SEARCH_GLUE,
};

/* xorshift: a fixed sequence, so a failure repeats. */
static uint32_t
next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
arbitrary_queries_never_fail_the_store(void **state)
{
	char err[ERRLEN], q[256], *path = xprintf("%s/fuzz.db", tmpdir);
	struct store *st;
	uint32_t seed = 0x5eed;
	int i, bad = 0, ok = 0;

	(void)state;
	unlink(path);
	st = store_open(path, err);
	assert_non_null(st);
	assert_int_equal(store_exec(st, V15_ROWS, err), 0);
	for (i = 0; i < 20000; i++) {
		int k, n = 1 + (int)(next(&seed) % 8), rc;

		q[0] = '\0';
		for (k = 0; k < n; k++) {
			const char *p = pieces[next(&seed) % (sizeof pieces / sizeof pieces[0])];

			if (strlen(q) + strlen(p) + 1 < sizeof q)
				strcat(strcat(q, p), next(&seed) % 2 ? " " : "");
		}
		err[0] = '\0';
		rc = hits(st, q, err);
		if (rc == SEARCH_BAD_QUERY) {
			/* One clear line: something said, no newline in it. */
			if (err[0] == '\0' || strchr(err, '\n') != NULL)
				fail_msg("query '%s': error '%s'", q, err);
			bad++;
		} else if (rc < 0)
			fail_msg("query '%s': store error %d: %s", q, rc, err);
		else
			ok++;
	}
	/* Both kinds happen: the fuzz reaches FTS5's errors and its hits. */
	assert_true(bad > 100);
	assert_true(ok > 100);
	store_close(st);
	unlink(path);
	free(path);
}

/* Words without quotes, opening parentheses or capital operators never fail. */
static void
plain_words_never_fail(void **state)
{
	static const char *const plain[] = {
		"foo.bar", "can't", "a-b", "x:y", "1+1", "*", "^", "-x", "c++", "e-mail@host.org",
		"{a}", "50%", "--since", "'quoted'", "a,b", "NEAR", "near(x", "foo)", ":", "^*", "printf(x)", "foo()", "a)b(", "f(x,y)",
	};
	char err[ERRLEN], *path = xprintf("%s/plain.db", tmpdir);
	struct store *st;
	size_t i;

	(void)state;
	unlink(path);
	st = store_open(path, err);
	assert_non_null(st);
	for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		int rc = hits(st, plain[i], err);

		if (rc < 0)
			fail_msg("'%s' failed: %s", plain[i], err);
	}
	store_close(st);
	unlink(path);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(expression_quotes_punctuation),
		cmocka_unit_test(migration_indexes_v15_store),
		cmocka_unit_test(migration_glues_contractions_of_v16_store),
		cmocka_unit_test(arbitrary_queries_never_fail_the_store),
		cmocka_unit_test(plain_words_never_fail),
	};

	return run_tests_in_scratch_dir(tmpdir, tests);
}
