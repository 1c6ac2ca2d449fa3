/*
 * Figures about the local store for `agentlogs analytics`. Computed here, on
 * this machine, from data.db; nothing is sent anywhere. Tombstoned commits and
 * everything under them are left out.
 */
#ifndef AL_ANALYTICS_H
#define AL_ANALYTICS_H

#include "store/db.h"

#define ANALYTICS_TOP_TOOLS 10

struct analytics_tool {
	char *name;
	long long calls;
	long long errors;	/* calls whose result was an error */
};

struct analytics {
	long long projects;
	long long commits;		/* all three kinds below */
	long long commits_git;		/* closed by a git commit */
	long long commits_session_end;
	long long commits_open;
	long long sessions;		/* distinct Claude sessions */
	long long turns;
	long long prompts;		/* user turns */
	long long tool_calls;
	struct analytics_tool tools[ANALYTICS_TOP_TOOLS];	/* most called first */
	int ntools;
	long long input_tokens;
	long long output_tokens;
	long long cache_read_tokens;
	long long cache_creation_tokens;
	double turns_mean;		/* turns per commit; 0 without commits */
	double turns_median;
	long long turns_max;
	char first_at[32];		/* first commit's start, last one's close; "" if none */
	char last_at[32];
};

/* Fills a; returns -1 with err filled on a database error. */
int analytics_collect(struct store *st, struct analytics *a, char *err);
void analytics_free(struct analytics *a);

#endif
