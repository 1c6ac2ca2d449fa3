/*
 * agentlogs search: the turns and commit titles holding some words, newest
 * first, each with the words in context (store/search.h), or as JSON.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "store/commits.h"
#include "store/search.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/term.h"
#include "util/text.h"

#define SHORT_ID 8
#define DEFAULT_LIMIT 20
/* Marks around the matched words off a terminal (and in JSON). */
#define PLAIN_OPEN "\xc2\xab"	/* « */
#define PLAIN_CLOSE "\xc2\xbb"	/* » */

struct search_out {
	int json;
	int color;
	int width;		/* terminal columns; 0 when not a terminal */
	long long hits;
	struct strbuf line;
};

static const struct option search_options[] = {
	{ "project", required_argument, NULL, 'p' },
	{ "since", required_argument, NULL, 's' },
	{ "limit", required_argument, NULL, 'n' },
	{ "all", no_argument, NULL, 'a' },
	{ "json", no_argument, NULL, 'j' },
	{ "rebuild", no_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
search_help(void)
{
	cmd_print_usage(&cmd_search_entry, stdout);
	printf("\nFinds the turns (prompts, answers, tool calls and their results) and the\n"
	    "commit titles that hold QUERY, the newest stored first: for each, the commit,\n"
	    "when, the project, the session and turn, then the words around the match, the\n"
	    "match highlighted on a terminal and between " PLAIN_OPEN " " PLAIN_CLOSE " elsewhere.\n\n"
	    "QUERY is words that must all appear (any case, accents ignored); \"a phrase\",\n"
	    "OR, NOT, NEAR(a b), prefix* and parentheses work as in SQLite FTS5. A\n"
	    "contraction's n't is part of its word (can't finds can't, not can or t); a\n"
	    "word with other punctuation (foo.bar, it's) is looked for as a phrase.\n\n"
	    "Options:\n"
	    "  -p, --project NAME  only this project's commits\n"
	    "  -s, --since DATE    only turns from DATE on (YYYY-MM-DD, or with THH:MM)\n"
	    "  -n, --limit N       at most N matches (default %d)\n"
	    "  -a, --all           include hidden commits\n"
	    "      --json          a JSON array of matches\n"
	    "      --rebuild       make the search index again from the store, then exit\n"
	    "  -h, --help          this help\n", DEFAULT_LIMIT);
}

/* YYYY-MM-DD, optionally followed by THH:MM and more: the prefix of a stored timestamp. */
static int
valid_since(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd";
	size_t i, n = strlen(s);

	if (n != 10 && n < 16)
		return 0;
	for (i = 0; i < n && i < sizeof shape - 1; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return 0;
	return strncmp(s + 5, "01", 2) >= 0 && strncmp(s + 5, "12", 2) <= 0 &&
	    strncmp(s + 8, "01", 2) >= 0 && strncmp(s + 8, "31", 2) <= 0;
}

/* s with SEARCH_MARK_OPEN/CLOSE replaced by open and close, appended to sb. */
static void
add_marked(struct strbuf *sb, const char *s, const char *open, const char *close)
{
	const char *p;

	while ((p = strstr(s, "\xee\x80")) != NULL) {
		strbuf_add(sb, s, (size_t)(p - s));
		if (strncmp(p, SEARCH_MARK_OPEN, 3) == 0)
			strbuf_adds(sb, open);
		else if (strncmp(p, SEARCH_MARK_CLOSE, 3) == 0)
			strbuf_adds(sb, close);
		else
			strbuf_add(sb, p, 3);
		s = p + 3;
	}
	strbuf_adds(sb, s);
}

static void
print_json(const struct search_hit *h, struct search_out *so)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "commit", h->commit_id);
	cJSON_AddItemToObject(o, "session", h->session_id != NULL ?
	    cJSON_CreateString(h->session_id) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "turn", h->turn_id != NULL ?
	    cJSON_CreateString(h->turn_id) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "seq", h->seq >= 0 ?
	    cJSON_CreateNumber((double)h->seq) : cJSON_CreateNull());
	cJSON_AddStringToObject(o, "kind", h->turn_id != NULL ? "turn" : "title");
	cJSON_AddStringToObject(o, "role", h->role);
	cJSON_AddItemToObject(o, "when", h->when != NULL ?
	    cJSON_CreateString(h->when) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "project", h->project != NULL ?
	    cJSON_CreateString(h->project) : cJSON_CreateNull());
	add_marked(&sb, h->snippet, PLAIN_OPEN, PLAIN_CLOSE);
	cJSON_AddStringToObject(o, "snippet", sb.buf != NULL ? sb.buf : "");
	s = cJSON_PrintUnformatted(o);
	printf("%s%s", so->hits == 0 ? "[\n" : ",\n", s);
	cJSON_free(s);
	cJSON_Delete(o);
	strbuf_free(&sb);
}

/*
 * Two lines a hit: where it is, then the words around it, indented:
 *   1a2b3c4d 2026-01-19 04:42 owner/repo session 5e6f7a8b turn 12 user
 *       … fixed the «trailer» bug in …
 */
static int
print_hit(const struct search_hit *h, void *arg)
{
	struct search_out *so = arg;
	struct strbuf *sb = &so->line;
	struct strbuf one = STRBUF_INIT;
	const char *when = h->when != NULL ? h->when : "";

	if (so->json) {
		print_json(h, so);
		so->hits++;
		return 0;
	}
	strbuf_reset(sb);
	strbuf_addf(sb, "%s%.*s%s ", so->color ? TERM_YELLOW : "", SHORT_ID, h->commit_id,
	    so->color ? TERM_RESET : "");
	if (strlen(when) >= 16 && when[10] == 'T')
		strbuf_addf(sb, "%.10s %.5s ", when, when + 11);
	text_oneline(sb, h->project != NULL ? h->project : "-", 0);
	if (h->turn_id != NULL)
		strbuf_addf(sb, " session %.*s turn %lld %s\n", SHORT_ID, h->session_id,
		    h->seq, h->role);
	else
		strbuf_adds(sb, " title\n");
	/* One line, control characters gone, then the marks become colour or « ». */
	text_oneline(&one, h->snippet, so->width > 4 ? so->width - 5 : 0);
	strbuf_adds(sb, "    ");
	add_marked(sb, one.buf != NULL ? one.buf : "", so->color ? TERM_BOLD TERM_RED :
	    PLAIN_OPEN, so->color ? TERM_RESET : PLAIN_CLOSE);
	strbuf_adds(sb, so->color ? TERM_RESET "\n" : "\n");
	strbuf_free(&one);
	fwrite(sb->buf, 1, sb->len, stdout);
	so->hits++;
	return 0;
}

static int
rebuild(struct cmd_ctx *ctx)
{
	struct store *st = cmd_store(ctx);
	long long turns, commits;
	char err[ERRLEN];

	if (st == NULL)
		return EXIT_FAIL;
	if (search_rebuild(st, &turns, &commits, err) != 0)
		return cmd_fail("%s", err);
	printf("Rebuilt the search index: %lld turns, %lld commits\n", turns, commits);
	return EXIT_OK;
}

static int
cmd_search_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct search_query q = { .limit = DEFAULT_LIMIT };
	struct search_out so = { 0 };
	struct store *st;
	char err[ERRLEN];
	int c, rc, n, do_rebuild = 0;

	optind = 0;	/* GNU: reinitialise, as the default action runs commands in turn */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:s:n:ah", search_options, NULL)) != -1) {
		switch (c) {
		case 'p':
			q.project = optarg;
			break;
		case 's':
			if (!valid_since(optarg))
				return cmd_usage_error(&cmd_search_entry,
				    "--since needs a date as YYYY-MM-DD, not '%s'", optarg);
			q.since = optarg;
			break;
		case 'n':
			if ((q.limit = cmd_parse_count(optarg, 1000000000L)) < 0)
				return cmd_usage_error(&cmd_search_entry,
				    "--limit needs a positive number, not '%s'", optarg);
			break;
		case 'a':
			q.include_hidden = 1;
			break;
		case 'j':
			so.json = 1;
			break;
		case 'r':
			do_rebuild = 1;
			break;
		case 'h':
			search_help();
			return EXIT_OK;
		default:
			return cmd_option_error(&cmd_search_entry, argv, c);
		}
	}
	if (do_rebuild) {
		if (optind < argc)
			return cmd_usage_error(&cmd_search_entry,
			    "--rebuild takes no query, not '%s'", argv[optind]);
		return rebuild(ctx);
	}
	if (optind == argc)
		return cmd_usage_error(&cmd_search_entry, "what to search for is missing");
	if (optind + 1 < argc)
		return cmd_usage_error(&cmd_search_entry,
		    "unexpected argument '%s' (quote a query of several words)", argv[optind + 1]);
	q.text = argv[optind];
	if (q.text[strspn(q.text, " \t\n")] == '\0')
		return cmd_usage_error(&cmd_search_entry, "what to search for is missing");
	if ((st = cmd_store(ctx)) == NULL)
		return EXIT_FAIL;
	if (q.project != NULL) {
		if ((rc = projects_exists(st, q.project, err)) < 0)
			return cmd_fail("%s", err);
		if (rc == 0)
			return cmd_fail("no project named '%s'; see 'agentlogs projects'", q.project);
	}
	if (!so.json) {
		so.width = term_width(stdout);
		so.color = term_color(stdout);
	}
	n = search_run(st, &q, print_hit, &so, err);
	strbuf_free(&so.line);
	if (so.json && n != SEARCH_BAD_QUERY)
		printf(so.hits == 0 ? "[]\n" : "\n]\n");
	if (n == SEARCH_BAD_QUERY) {
		/* One line, as for any usage error: the query is the person's to fix. */
		fprintf(stderr, "agentlogs search: cannot read the query '%s': %s\n", q.text, err);
		return EXIT_USAGE;
	}
	if (n < 0)
		return cmd_fail("%s", err);
	return EXIT_OK;
}

const struct cmd_entry cmd_search_entry = {
	.name = "search",
	.usage = "QUERY [--project NAME] [--since DATE] [--limit N] [--all] [--json] | --rebuild",
	.summary = "find turns and commit titles holding some words",
	.exec = cmd_search_exec,
};
