/*
 * Code the browser's sync thread and the UI thread both run, run by several
 * real threads at once. Each case forks first, so every round starts in a
 * fresh process: a first use from several threads (what a lazily built table
 * gets wrong) happens once per round, not once per test run. Built with the
 * sanitizers, an overflow also fails the round; under ThreadSanitizer a race
 * is reported on the first round.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"

#define NTHREADS 8
#define JSON_ROUNDS 20
#define LOG_LINES 5000

static atomic_int go;

/* Runs fn on NTHREADS threads, released together so they collide. */
static int
run_threads(void *(*fn)(void *))
{
	pthread_t t[NTHREADS];
	void *res;
	long i;
	int failed = 0;

	atomic_store(&go, 0);
	for (i = 0; i < NTHREADS; i++) {
		if (pthread_create(&t[i], NULL, fn, (void *)i) != 0)
			return 1;
	}
	atomic_store(&go, 1);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &res);
		failed |= res != NULL;
	}
	return failed;
}

static void
wait_for_go(void)
{
	while (!atomic_load(&go))
		;
}

/* Runs body in a child process; returns its exit status (-1 if it died). */
static int
in_child(int (*body)(void))
{
	pid_t pid;
	int status;

	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(body());
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- json_add_string's first use, from NTHREADS threads at once. */

static char every_byte[256];
static char expected_json[256 * 6 + 3];

/* JSON's escapes, written out from RFC 8259 one byte at a time. */
static void
make_expected(void)
{
	char *out = expected_json;
	int c;

	for (c = 1; c < 256; c++)
		every_byte[c - 1] = (char)c;
	*out++ = '"';
	for (c = 1; c < 256; c++) {
		switch (c) {
		case '"': out += sprintf(out, "\\\""); break;
		case '\\': out += sprintf(out, "\\\\"); break;
		case '\n': out += sprintf(out, "\\n"); break;
		case '\r': out += sprintf(out, "\\r"); break;
		case '\t': out += sprintf(out, "\\t"); break;
		case '\b': out += sprintf(out, "\\b"); break;
		case '\f': out += sprintf(out, "\\f"); break;
		default:
			if (c < 0x20)
				out += sprintf(out, "\\u%04x", c);
			else
				*out++ = (char)c;
		}
	}
	*out++ = '"';
	*out = '\0';
}

static void *
escape_every_byte(void *arg)
{
	struct strbuf sb = STRBUF_INIT;
	int ok;

	(void)arg;
	wait_for_go();
	json_add_string(&sb, every_byte);
	ok = sb.len == strlen(expected_json) && strcmp(sb.buf, expected_json) == 0;
	strbuf_free(&sb);
	return ok ? NULL : (void *)1;
}

static int
json_round(void)
{
	return run_threads(escape_every_byte);
}

static void
json_first_use_from_many_threads(void **state)
{
	int round, status;

	(void)state;
	make_expected();
	for (round = 0; round < JSON_ROUNDS; round++) {
		status = in_child(json_round);
		if (status != 0)
			fail_msg("round %d: a thread's JSON escaping was wrong (exit %d)", round,
			    status);
	}
}

/* ---- log lines from NTHREADS threads into one file. */

static char log_path[] = "/tmp/agentlogs-test-threads-XXXXXX";

static void *
log_many(void *arg)
{
	long t = (long)arg, i;

	wait_for_go();
	for (i = 0; i < LOG_LINES; i++)
		log_warn("thread %ld line %ld %s", t, i, "a message long enough to be cut in two");
	return NULL;
}

static int
log_round(void)
{
	FILE *f = fopen(log_path, "w");

	if (f == NULL || dup2(fileno(f), STDERR_FILENO) == -1)
		return 2;
	return run_threads(log_many);
}

static void
log_lines_stay_whole(void **state)
{
	static char seen[NTHREADS][LOG_LINES];
	char line[256], expect[256];
	long t, i, n = 0;
	FILE *f;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(log_path)) != -1);
	close(fd);
	assert_int_equal(in_child(log_round), 0);
	assert_non_null(f = fopen(log_path, "r"));
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "agentlogs: warning: thread %ld line %ld ", &t, &i) != 2 ||
		    t < 0 || t >= NTHREADS || i < 0 || i >= LOG_LINES)
			fail_msg("line %ld is mangled: %s", n + 1, line);
		snprintf(expect, sizeof expect, "agentlogs: warning: thread %ld line %ld %s\n", t, i,
		    "a message long enough to be cut in two");
		if (strcmp(line, expect) != 0)
			fail_msg("line %ld is mangled: %s", n + 1, line);
		seen[t][i]++;
		n++;
	}
	fclose(f);
	unlink(log_path);
	assert_int_equal(n, NTHREADS * LOG_LINES);
	for (t = 0; t < NTHREADS; t++) {
		for (i = 0; i < LOG_LINES; i++)
			assert_int_equal(seen[t][i], 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_first_use_from_many_threads),
		cmocka_unit_test(log_lines_stay_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
