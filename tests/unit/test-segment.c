/*
 * Segmentation without storage: records go in, a recording sink says which
 * commits and turns would be written, with what.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture/gitcommit.h"
#include "capture/project.h"
#include "capture/prompt.h"
#include "capture/record.h"
#include "capture/segment.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define MAXROWS 64

struct row {
	char id[64];
	char commit_id[UUID_STRLEN];
	char closed_by[16];
	char git_hash[48];
	char content[256];
	char *calls;
	int turn_count, seq;
	int writes;		/* of a commit: how often the sink got it */
	struct record_usage usage;
	char files_read[256], files_changed[256], project[64], first_prompt[64];
	char started[32], closed[32];
};

struct sink {
	struct row commits[MAXROWS], turns[MAXROWS];
	int ncommits, nturns, nresults;
};

static struct row *
upsert(struct row *rows, int *n, const char *id)
{
	int i;

	for (i = 0; i < *n; i++) {
		if (strcmp(rows[i].id, id) == 0)
			return &rows[i];
	}
	assert_true(*n < MAXROWS);
	memset(&rows[*n], 0, sizeof rows[*n]);
	snprintf(rows[*n].id, sizeof rows[*n].id, "%s", id);
	return &rows[(*n)++];
}

static int
sink_commit(void *arg, const struct seg_commit *c, char *err)
{
	struct sink *s = arg;
	struct row *r = upsert(s->commits, &s->ncommits, c->id);
	char *j;

	(void)err;
	r->writes++;
	snprintf(r->closed_by, sizeof r->closed_by, "%s", c->closed_by);
	snprintf(r->git_hash, sizeof r->git_hash, "%s", c->git_hash ? c->git_hash : "");
	snprintf(r->project, sizeof r->project, "%s", c->project_name);
	snprintf(r->first_prompt, sizeof r->first_prompt, "%s",
	    c->first_prompt ? c->first_prompt : "");
	memcpy(r->started, c->started_at, 32);
	memcpy(r->closed, c->closed_at, 32);
	r->turn_count = c->turn_count;
	j = strset_to_json(&c->files_read);
	snprintf(r->files_read, sizeof r->files_read, "%s", j);
	free(j);
	j = strset_to_json(&c->files_changed);
	snprintf(r->files_changed, sizeof r->files_changed, "%s", j);
	free(j);
	return 0;
}

static int
sink_turn(void *arg, const struct seg_commit *c, const struct seg_turn *t, char *err)
{
	struct sink *s = arg;
	struct row *r = upsert(s->turns, &s->nturns, t->id);

	(void)err;
	memcpy(r->commit_id, c->id, UUID_STRLEN);
	snprintf(r->content, sizeof r->content, "%s", t->content.len ? t->content.buf : "");
	free(r->calls);
	r->calls = cJSON_PrintUnformatted(t->tool_calls);
	r->usage = t->usage;
	r->seq = t->seq;
	return 0;
}

static int
sink_tool_result(void *arg, const char *turn_id, const char *tool_use_id, const char *content,
    int is_error, char *err)
{
	struct sink *s = arg;
	struct row *r = upsert(s->turns, &s->nturns, turn_id);
	char *calls;

	(void)err;
	(void)is_error;
	/* Record the late pairing in the stored calls, as the writer does. */
	calls = xprintf("%s+%s=%s", r->calls ? r->calls : "", tool_use_id, content);
	free(r->calls);
	r->calls = calls;
	s->nresults++;
	return 0;
}

static const struct seg_sink_ops ops = {
	.commit = sink_commit,
	.turn = sink_turn,
	.tool_result = sink_tool_result,
};

static void
feed(struct segmenter *seg, const char *json)
{
	cJSON *obj = cJSON_Parse(json);
	struct record rec;
	char err[ERRLEN];

	assert_non_null(obj);
	assert_int_equal(record_from_json(&rec, obj, err), 0);
	assert_int_equal(seg_feed(seg, &rec, err), 0);
	record_free(&rec);
	cJSON_Delete(obj);
}

#define HEAD(type, uuid, ts) \
	"{\"type\":\"" type "\",\"uuid\":\"" uuid "\",\"sessionId\":\"s1\"," \
	"\"cwd\":\"/home/ann/src/app\",\"timestamp\":\"2026-01-02T03:04:" ts ".000Z\","
#define USER(uuid, ts, text) \
	HEAD("user", uuid, ts) "\"message\":{\"role\":\"user\",\"content\":\"" text "\"}}"
#define ASSISTANT(uuid, ts, msgid, block, usage) \
	HEAD("assistant", uuid, ts) "\"message\":{\"id\":\"" msgid "\",\"model\":\"m\"," \
	"\"role\":\"assistant\",\"content\":[" block "],\"usage\":" usage "}}"
#define USAGE(in, out) "{\"input_tokens\":" #in ",\"output_tokens\":" #out \
	",\"cache_read_input_tokens\":7,\"cache_creation_input_tokens\":3}"
#define TOOL_USE(id, name, input) \
	"{\"type\":\"tool_use\",\"id\":\"" id "\",\"name\":\"" name "\",\"input\":" input "}"
#define RESULT(uuid, ts, id, text, err) \
	HEAD("user", uuid, ts) "\"message\":{\"role\":\"user\",\"content\":[{\"type\":" \
	"\"tool_result\",\"tool_use_id\":\"" id "\",\"content\":\"" text "\",\"is_error\":" \
	err "}]}}"

static void
split_message_is_one_turn_with_last_usage(void **state)
{
	struct sink *s = calloc(1, sizeof *s);
	struct segmenter seg;
	char err[ERRLEN];

	(void)state;
	seg_init(&seg, &ops, s);
	feed(&seg, USER("u1", "01", "hello"));
	feed(&seg, ASSISTANT("a1", "02", "msg_1",
	    "{\"type\":\"thinking\",\"thinking\":\"hmm\"}", USAGE(3, 1)));
	feed(&seg, ASSISTANT("a2", "03", "msg_1",
	    "{\"type\":\"text\",\"text\":\"Let me read it.\"}", USAGE(3, 5)));
	feed(&seg, ASSISTANT("a3", "04", "msg_1",
	    TOOL_USE("t1", "Read", "{\"file_path\":\"/x/a.c\"}"), USAGE(3, 40)));
	feed(&seg, RESULT("r1", "05", "t1", "int main;", "false"));
	feed(&seg, ASSISTANT("a4", "06", "msg_2",
	    TOOL_USE("t2", "Edit", "{\"file_path\":\"/x/b.c\"}"), USAGE(9, 2)));
	feed(&seg, RESULT("r2", "07", "t2", "ok", "false"));
	feed(&seg, ASSISTANT("a5", "08", "msg_3",
	    TOOL_USE("t3", "Edit", "{\"file_path\":\"/x/failed.c\"}"), USAGE(9, 2)));
	feed(&seg, RESULT("r3", "09", "t3", "String to replace not found", "true"));
	assert_int_equal(seg_flush(&seg, err), 0);

	assert_int_equal(s->ncommits, 1);
	/* Written once, at the flush, not again each time it grew. */
	assert_int_equal(s->commits[0].writes, 1);
	assert_int_equal(s->nturns, 4);
	assert_string_equal(s->turns[0].id, "u1");
	assert_string_equal(s->turns[1].id, "a1");	/* the first line's uuid names the turn */
	assert_string_equal(s->turns[1].content, "Let me read it.");
	assert_int_equal(s->turns[1].usage.output, 40);	/* the last line's, not the first's */
	assert_int_equal(s->turns[1].usage.input, 3);
	assert_int_equal(s->turns[1].usage.cache_read, 7);
	assert_non_null(strstr(s->turns[1].calls, "\"result\":\"int main;\""));
	assert_int_equal(s->turns[2].seq, 2);
	assert_int_equal(s->commits[0].turn_count, 4);
	assert_string_equal(s->commits[0].files_read, "[\"/x/a.c\"]");
	assert_string_equal(s->commits[0].files_changed, "[\"/x/b.c\"]");
	assert_string_equal(s->commits[0].closed_by, "open");
	assert_string_equal(s->commits[0].project, "app");
	assert_string_equal(s->commits[0].first_prompt, "hello");
	assert_string_equal(s->commits[0].closed, "2026-01-02T03:04:09.000Z");
	seg_free(&seg);
	free(s->turns[1].calls);
	free(s->turns[2].calls);
	free(s->turns[3].calls);
	free(s->turns[0].calls);
	free(s);
}

static void
git_commit_closes_and_next_turn_opens(void **state)
{
	struct sink *s = calloc(1, sizeof *s);
	struct segmenter seg;
	char err[ERRLEN], expect[UUID_STRLEN];
	int i;

	(void)state;
	seg_init(&seg, &ops, s);
	feed(&seg, USER("u1", "01", "commit it"));
	/* A failed commit closes nothing. */
	feed(&seg, ASSISTANT("a1", "02", "msg_1", TOOL_USE("t1", "Bash",
	    "{\"command\":\"git commit -m x\"}"), USAGE(1, 1)));
	feed(&seg, RESULT("r1", "03", "t1", "nothing to commit, working tree clean", "true"));
	/* Output without git's summary line closes nothing either. */
	feed(&seg, ASSISTANT("a2", "04", "msg_2", TOOL_USE("t2", "Bash",
	    "{\"command\":\"git commit --amend\"}"), USAGE(1, 1)));
	feed(&seg, RESULT("r2", "05", "t2", "hint: Waiting for your editor", "false"));
	/* A commit that is not `git commit` does not close even with git-like output. */
	feed(&seg, ASSISTANT("a3", "06", "msg_3", TOOL_USE("t3", "Bash",
	    "{\"command\":\"git cherry-pick abc\"}"), USAGE(1, 1)));
	feed(&seg, RESULT("r3", "07", "t3", "[main 1234567] Picked", "false"));
	assert_int_equal(seg_flush(&seg, err), 0);	/* the batch ends: the open commit */
	assert_int_equal(s->ncommits, 1);
	assert_string_equal(s->commits[0].closed_by, "open");

	feed(&seg, ASSISTANT("a4", "08", "msg_4", TOOL_USE("t4", "Bash",
	    "{\"command\":\"git add -A && git commit -m \\\"Add x\\\"\"}"), USAGE(1, 1)));
	feed(&seg, RESULT("r4", "09", "t4",
	    "[feature/ui-v1.2 (root-commit) 5afb02e] Add x\\n 1 file changed", "false"));
	assert_string_equal(s->commits[0].closed_by, "git_commit");
	assert_string_equal(s->commits[0].git_hash, "5afb02e");
	assert_string_equal(s->commits[0].closed, "2026-01-02T03:04:09.000Z");
	assert_int_equal(s->commits[0].turn_count, 5);

	/* The agent's closing words join the commit they report on... */
	feed(&seg, ASSISTANT("a5", "10", "msg_5", "{\"type\":\"text\",\"text\":\"Done.\"}",
	    USAGE(1, 1)));
	assert_int_equal(s->ncommits, 1);
	/* ...but new tool work opens the next commit. */
	feed(&seg, ASSISTANT("a6", "11", "msg_6", TOOL_USE("t6", "Bash",
	    "{\"command\":\"make\"}"), USAGE(1, 1)));
	assert_int_equal(seg_end_session(&seg, err), 0);
	assert_int_equal(s->ncommits, 2);
	assert_string_equal(s->commits[0].closed_by, "git_commit");
	assert_string_equal(s->commits[0].closed, "2026-01-02T03:04:09.000Z");
	assert_int_equal(s->commits[0].turn_count, 6);
	assert_string_equal(s->commits[1].closed_by, "session_end");
	assert_string_equal(s->commits[1].started, "2026-01-02T03:04:11.000Z");
	assert_int_equal(s->commits[1].writes, 1);	/* when it closed, not when it opened */
	/* Deterministic ids: UUIDv5(source:session:first turn uuid). */
	uuid_v5_join(expect, "claude_code", "s1", "u1", (char *)NULL);
	assert_string_equal(s->commits[0].id, expect);
	uuid_v5_join(expect, "claude_code", "s1", "a6", (char *)NULL);
	assert_string_equal(s->commits[1].id, expect);
	for (i = 0; i < s->nturns; i++)
		assert_string_equal(s->turns[i].commit_id,
		    strcmp(s->turns[i].id, "a6") == 0 ? s->commits[1].id : s->commits[0].id);
	seg_free(&seg);
	for (i = 0; i < s->nturns; i++)
		free(s->turns[i].calls);
	free(s);
}

static void
closing_words_that_go_on_to_work_move(void **state)
{
	struct sink *s = calloc(1, sizeof *s);
	struct segmenter seg;
	char err[ERRLEN], expect[UUID_STRLEN];
	int i;

	(void)state;
	seg_init(&seg, &ops, s);
	feed(&seg, USER("u1", "01", "commit, then go on"));
	feed(&seg, ASSISTANT("a1", "02", "msg_1", TOOL_USE("t1", "Bash",
	    "{\"command\":\"git commit -m one\"}"), USAGE(1, 1)));
	feed(&seg, RESULT("r1", "03", "t1", "[main 1111111] one", "false"));
	/* Text first, as Claude Code writes it: it looks like closing words... */
	feed(&seg, ASSISTANT("a2", "04", "msg_2", "{\"type\":\"text\",\"text\":\"Next.\"}",
	    USAGE(1, 1)));
	assert_int_equal(seg_flush(&seg, err), 0);	/* written once in the old commit */
	/* ...until the same message calls a tool: the turn opens the next commit. */
	feed(&seg, ASSISTANT("a3", "05", "msg_2", TOOL_USE("t2", "Edit",
	    "{\"file_path\":\"/x\"}"), USAGE(1, 9)));
	feed(&seg, RESULT("r2", "06", "t2", "ok", "false"));
	assert_int_equal(seg_end_session(&seg, err), 0);
	assert_int_equal(s->ncommits, 2);
	assert_int_equal(s->commits[0].turn_count, 2);
	assert_string_equal(s->commits[0].git_hash, "1111111");
	uuid_v5_join(expect, "claude_code", "s1", "a2", (char *)NULL);
	assert_string_equal(s->commits[1].id, expect);
	assert_int_equal(s->commits[1].turn_count, 1);
	assert_string_equal(s->commits[1].files_changed, "[\"/x\"]");
	assert_string_equal(s->turns[2].id, "a2");
	assert_string_equal(s->turns[2].commit_id, expect);
	assert_int_equal(s->turns[2].seq, 0);
	assert_int_equal(s->turns[2].usage.output, 9);
	seg_free(&seg);
	for (i = 0; i < s->nturns; i++)
		free(s->turns[i].calls);
	free(s);
}

static void
late_result_goes_through_the_sink(void **state)
{
	struct sink *s = calloc(1, sizeof *s);
	struct segmenter seg;
	int i;

	(void)state;
	seg_init(&seg, &ops, s);
	feed(&seg, USER("u1", "01", "go"));
	feed(&seg, ASSISTANT("a1", "02", "msg_1", TOOL_USE("t1", "Bash",
	    "{\"command\":\"sleep 9\"}"), USAGE(1, 1)));
	/* The next message arrives before t1's result: a1 is written and forgotten. */
	feed(&seg, ASSISTANT("a2", "03", "msg_2", "{\"type\":\"text\",\"text\":\"waiting\"}",
	    USAGE(1, 1)));
	feed(&seg, RESULT("r1", "04", "t1", "slept", "false"));
	assert_int_equal(s->nresults, 1);
	assert_non_null(strstr(s->turns[1].calls, "+t1=slept"));
	/* A result for an unknown call is ignored. */
	feed(&seg, RESULT("r2", "05", "nope", "?", "false"));
	assert_int_equal(s->nresults, 1);
	seg_free(&seg);
	for (i = 0; i < s->nturns; i++)
		free(s->turns[i].calls);
	free(s);
}

/*
 * An interrupted session leaves calls that never get a result. Once
 * SEG_MAX_PENDING of them wait, each new call evicts the oldest: a git commit
 * made beside other calls must still be paired and close its commit.
 */
static void
full_pending_evicts_the_oldest(void **state)
{
	struct sink *s = calloc(1, sizeof *s);
	struct segmenter seg;
	char id[32];
	int i;

	(void)state;
	seg_init(&seg, &ops, s);
	feed(&seg, USER("u1", "01", "commit it"));
	for (i = 0; i < SEG_MAX_PENDING; i++) {
		snprintf(id, sizeof id, "orphan-%d", i);
		seg_add_pending(&seg, id, "old-turn", "Read", NULL);
	}
	feed(&seg, ASSISTANT("a1", "02", "msg_1", TOOL_USE("t-git", "Bash",
	    "{\"command\":\"git commit -m x\"}") "," TOOL_USE("t-a", "Read",
	    "{\"file_path\":\"/x/a.c\"}") "," TOOL_USE("t-b", "Read",
	    "{\"file_path\":\"/x/b.c\"}"), USAGE(1, 1)));
	/* The three oldest orphans made room; the newest calls are all still there. */
	assert_int_equal(seg.npending, SEG_MAX_PENDING);
	assert_string_equal(seg.pending[0].tool_use_id, "orphan-3");
	assert_string_equal(seg.pending[SEG_MAX_PENDING - 1].tool_use_id, "t-b");
	feed(&seg, RESULT("r1", "03", "t-a", "a", "false"));
	feed(&seg, RESULT("r2", "04", "t-git", "[main 1234567] x", "false"));
	feed(&seg, RESULT("r3", "05", "t-b", "b", "false"));
	assert_int_equal(s->ncommits, 1);
	assert_string_equal(s->commits[0].closed_by, "git_commit");
	assert_string_equal(s->commits[0].git_hash, "1234567");
	assert_int_equal(seg.npending, SEG_MAX_PENDING - 3);
	assert_string_equal(seg.pending[0].tool_use_id, "orphan-3");
	seg_free(&seg);
	for (i = 0; i < s->nturns; i++)
		free(s->turns[i].calls);
	free(s);
}

static void
git_commit_detection(void **state)
{
	char *hash = NULL, *subject = NULL, *branch = NULL;

	(void)state;
	assert_true(gitcommit_is_command("git commit -m 'x'"));
	assert_true(gitcommit_is_command("cd a && git add . && git commit -am x"));
	assert_true(gitcommit_is_command("git -C /tmp/repo commit -m x"));
	assert_true(gitcommit_is_command("git -c user.name=x commit"));
	assert_true(gitcommit_is_command("git --no-pager commit"));
	assert_false(gitcommit_is_command("git commit-tree abc"));
	assert_false(gitcommit_is_command("git log --grep commit"));
	assert_false(gitcommit_is_command("legit commit"));
	assert_false(gitcommit_is_command("echo git"));

	assert_int_equal(gitcommit_parse_result("[main 1a2b3c4] Add forecast\n 2 files", &hash,
	    &subject, NULL), 0);
	assert_string_equal(hash, "1a2b3c4");
	assert_string_equal(subject, "Add forecast");
	free(hash);
	free(subject);
	assert_int_equal(gitcommit_parse_result("warning: x\n[detached HEAD "
	    "0123456789abcdef0123456789abcdef01234567] Fix", &hash, &subject, NULL), 0);
	assert_string_equal(hash, "0123456789abcdef0123456789abcdef01234567");
	free(hash);
	free(subject);
	/* A line opening with '[' that is no summary, then the summary two lines on. */
	assert_int_equal(gitcommit_parse_result("[hook] lint ok\nx [a 1a2b3c4] no\n"
	    "[dev 9f8e7d6] Ship it\n", &hash, &subject, &branch), 0);
	assert_string_equal(hash, "9f8e7d6");
	assert_string_equal(subject, "Ship it");
	assert_string_equal(branch, "dev");
	free(hash);
	free(subject);
	free(branch);
	assert_int_equal(gitcommit_parse_result("[alex/ent-109.x 5afb02e] y", &hash, &subject, NULL), 0);
	assert_string_equal(hash, "5afb02e");
	free(hash);
	free(subject);
	assert_int_equal(gitcommit_parse_result("[master (root-commit) 1a2b3c4] init", &hash,
	    &subject, &branch), 0);
	assert_string_equal(branch, "master");
	free(hash);
	free(subject);
	free(branch);
	/* Another repository: made, moved to, or on another branch than the line's. */
	assert_true(gitcommit_elsewhere("cd /tmp/x && git init && git commit -m init", NULL,
	    "main", "/home/ann/app", "/home/ann/app"));
	assert_true(gitcommit_elsewhere("cd /tmp/x && git commit -m a", "main", "main",
	    "/home/ann/app", "/home/ann/app"));
	assert_true(gitcommit_elsewhere("git -C ../other commit -m a", "main", "main",
	    "/home/ann/app", "/home/ann/app"));
	assert_true(gitcommit_elsewhere("cd \"$(mktemp -d)\" && git commit", NULL, NULL,
	    "/home/ann/app", "/home/ann/app"));
	assert_true(gitcommit_elsewhere("git commit -m a", "master", "feature/x",
	    "/home/ann/app", "/home/ann/app"));
	/* The project's own: moving inside it, or no branch to compare. */
	assert_false(gitcommit_elsewhere("cd sub/../web && git commit -m a", "main", "main",
	    "/home/ann/app", "/home/ann/app"));
	assert_false(gitcommit_elsewhere("cd /home/ann/app && git commit -am a", "main", NULL,
	    "/home/ann/app/sub", "/home/ann/app"));
	assert_false(gitcommit_elsewhere("git -C /home/ann/app/web commit", "detached HEAD",
	    "main", "/home/ann/app", "/home/ann/app"));
	assert_false(gitcommit_elsewhere("abcd /tmp; git commit", "main", "main",
	    "/home/ann/app", "/home/ann/app"));
	assert_int_equal(gitcommit_parse_result("[main xyz1234] no", &hash, &subject, NULL), -1);
	assert_int_equal(gitcommit_parse_result("see [main 1a2b3c4] inline", &hash, &subject, NULL), -1);
}

static void
project_names(void **state)
{
	char *n;

	(void)state;
	n = seg_project_name("/Users/alex/workspace/cli/.worktrees/1");
	assert_string_equal(n, "cli");
	free(n);
	n = seg_project_name("/home/ann/src/app/");
	assert_string_equal(n, "app");
	free(n);
	n = seg_project_name("/repo/.claude/worktrees/feature-x/sub");
	assert_string_equal(n, "repo");
	free(n);
	n = seg_project_name("/");
	assert_string_equal(n, "unknown");
	free(n);
	n = seg_project_path("/Users/alex/workspace/cli/.worktrees/1");
	assert_string_equal(n, "/Users/alex/workspace/cli");
	free(n);
}

static void
expect_typed(const char *text, const char *want, enum prompt_kind want_kind)
{
	enum prompt_kind kind = PROMPT_AGENT;
	char *got = prompt_typed(text, &kind);

	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(kind, want_kind);
	free(got);
}

static void
typed_prompts(void **state)
{
	char *t;

	(void)state;
	expect_typed("fix the bug", "fix the bug", PROMPT_TEXT);
	expect_typed("<command-name>/clear</command-name>\n<command-message>clear"
	    "</command-message>\n<command-args></command-args>", "/clear", PROMPT_COMMAND);
	expect_typed("<command-message>superpowers:brainstorm</command-message>\n"
	    "<command-name>/superpowers:brainstorm</command-name>\n<command-args>a b"
	    "</command-args>", "/superpowers:brainstorm a b", PROMPT_COMMAND);
	expect_typed("<local-command-stdout>Goodbye!</local-command-stdout>", NULL, 0);
	expect_typed("[Request interrupted by user for tool use]", NULL, 0);
	expect_typed("<ide_opened_file>opened x</ide_opened_file>\n\nnow test it",
	    "now test it", PROMPT_TEXT);
	expect_typed("<system-reminder>unclosed", NULL, 0);
	expect_typed("<bash-input>ls -l</bash-input>", "!ls -l", PROMPT_COMMAND);
	expect_typed("why is <command-name> shown?", "why is <command-name> shown?", PROMPT_TEXT);
	expect_typed("  \n ", NULL, 0);

	t = prompt_title("short\n\n  prompt");
	assert_string_equal(t, "short prompt");
	free(t);
	t = prompt_first_sentence("Pushed it. Now the PR.");
	assert_string_equal(t, "Pushed it.");
	free(t);
	t = prompt_first_sentence("Version 1.2 is out\nand more");
	assert_string_equal(t, "Version 1.2 is out");
	free(t);
	assert_null(prompt_title(" \t"));
}

static void
expect_remote(const char *url, const char *want)
{
	char *got = project_remote_normalise(url);

	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got, want);
	free(got);
}

static void
project_identities(void **state)
{
	struct project_identity id;
	char *n;
	int level;
	static const char *const names[] = { "cli", "workspace/cli", "alex/workspace/cli",
		"/Users/alex/workspace/cli", "path:/Users/alex/workspace/cli", NULL };

	(void)state;
	expect_remote("git@github.com:ann/app.git", "github.com/ann/app");
	expect_remote("https://GitHub.com/ann/app/", "github.com/ann/app");
	expect_remote("ssh://git@github.com:22/ann/app.git", "github.com/ann/app");
	expect_remote("https://user:pw@gitlab.example/g/sub/r.git", "gitlab.example/g/sub/r");
	expect_remote("/srv/git/app.git", NULL);
	expect_remote("", NULL);

	/* No checkout on this machine: the full path (worktrees folded), never the basename. */
	assert_int_equal(project_identify("/Users/alex/workspace/cli/.worktrees/1", &id), 0);
	assert_string_equal(id.key, "path:/Users/alex/workspace/cli");
	assert_string_equal(id.name, "cli");
	for (level = 0; names[level] != NULL; level++) {
		n = project_name_candidate(&id, level);
		assert_string_equal(n, names[level]);
		free(n);
	}
	assert_null(project_name_candidate(&id, level));
	project_identity_free(&id);
	assert_false(project_may_contain("/Users/alex"));
	assert_false(project_may_contain("/"));
	assert_true(project_may_contain("/srv/mono"));
}

static void
bad_records(void **state)
{
	struct record rec;
	char err[ERRLEN];
	cJSON *obj;

	(void)state;
	obj = cJSON_Parse("{\"type\":\"user\",\"uuid\":\"u\",\"sessionId\":\"s\","
	    "\"timestamp\":\"yesterday\",\"message\":{\"content\":\"x\"}}");
	assert_int_equal(record_from_json(&rec, obj, err), -1);
	assert_non_null(strstr(err, "timestamp"));
	record_free(&rec);
	cJSON_Delete(obj);
	obj = cJSON_Parse("{\"type\":\"assistant\",\"uuid\":\"u\"}");
	assert_int_equal(record_from_json(&rec, obj, err), -1);
	record_free(&rec);
	cJSON_Delete(obj);
	obj = cJSON_Parse("{\"type\":\"progress\",\"data\":{}}");
	assert_int_equal(record_from_json(&rec, obj, err), 0);
	assert_int_equal(rec.kind, RECORD_SKIP);
	record_free(&rec);
	cJSON_Delete(obj);
}

/*
 * gitcommit_parse_result reads the summary by hand; the regex it replaced is
 * the specification: on many random lines of the characters that matter,
 * both find the same hash, subject and branch (or both none).
 */
static void
summary_as_the_regex_reads_it(void **state)
{
	static const char *const parts[] = {
		"[", "]", " ", "\n", "a", "f", "0", "9", "1a2b3c4", "g", "main", "-",
		"(root-commit)", " (root-commit)", "] ", "deadbeef00",
		"0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef012345678",
		" 1a2b3c4] ", " deadbeef00] ok", "[main 1a2b3c4] x", "\n[",
	};
	regex_t re;
	regmatch_t m[4];
	char line[8 * 48], *hash, *subject, *branch, *want;
	unsigned seed = 11;
	int i, k, n, found, matched = 0;
	size_t len;

	(void)state;
	assert_int_equal(regcomp(&re, "^\\[([^]\n]+) ([0-9a-f]{7,40})\\] ([^\n]*)",
	    REG_EXTENDED | REG_NEWLINE), 0);
	for (i = 0; i < 40000; i++) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (int)(seed >> 16) % 8;
		/* Mostly lines that open as a summary does, for matches and near misses. */
		snprintf(line, sizeof line, "%s", (seed >> 8) % 4 == 0 ? "" : "[");
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			strcat(line, parts[(seed >> 16) % (sizeof parts / sizeof parts[0])]);
		}
		found = regexec(&re, line, 4, m, 0) == 0;
		assert_int_equal(gitcommit_parse_result(line, &hash, &subject, &branch),
		    found ? 0 : -1);
		if (!found)
			continue;
		matched++;
		want = xstrndup(line + m[2].rm_so, (size_t)(m[2].rm_eo - m[2].rm_so));
		assert_string_equal(hash, want);
		free(want);
		want = xstrndup(line + m[3].rm_so, (size_t)(m[3].rm_eo - m[3].rm_so));
		assert_string_equal(subject, want);
		free(want);
		len = (size_t)(m[1].rm_eo - m[1].rm_so);
		if (len > 14 && strncmp(line + m[1].rm_eo - 14, " (root-commit)", 14) == 0)
			len -= 14;
		want = xstrndup(line + m[1].rm_so, len);
		assert_string_equal(branch, want);
		free(want);
		free(hash);
		free(subject);
		free(branch);
	}
	regfree(&re);
	assert_true(matched >= 200);	/* lines that match, not only ones that do not */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_message_is_one_turn_with_last_usage),
		cmocka_unit_test(git_commit_closes_and_next_turn_opens),
		cmocka_unit_test(closing_words_that_go_on_to_work_move),
		cmocka_unit_test(late_result_goes_through_the_sink),
		cmocka_unit_test(full_pending_evicts_the_oldest),
		cmocka_unit_test(git_commit_detection),
		cmocka_unit_test(summary_as_the_regex_reads_it),
		cmocka_unit_test(project_names),
		cmocka_unit_test(bad_records),
		cmocka_unit_test(typed_prompts),
		cmocka_unit_test(project_identities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
