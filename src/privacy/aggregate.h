/*
 * The figures an opted-in machine uploads (`agentlogs analytics`, the seed's
 * Phase 6): counts over the whole local store, never a string of it. Every
 * figure's domain is fixed here (tool and model names map onto the lists
 * below; the rest is "mcp" or "other"), so the upload's keys say nothing
 * about the person either.
 *
 * Differential privacy, per upload: the unit protected is one Claude session
 * (a row of `sessions`). Each session's contribution to every figure is
 * clamped (the AGG_CLAMP_* below), which bounds how much adding or removing
 * one session can move each group of figures (its L1 sensitivity, in
 * aggregate_sensitivity). The budget AGG_EPSILON is split evenly over the
 * AGG_GROUPS groups; each figure of group g gets Laplace noise of scale
 * sensitivity(g) / (AGG_EPSILON / AGG_GROUPS), is rounded and clamped at 0.
 * By composition an upload is AGG_EPSILON-differentially private; k uploads
 * (k days) are k * AGG_EPSILON.
 */
#ifndef AL_PRIVACY_AGGREGATE_H
#define AL_PRIVACY_AGGREGATE_H

#include <cjson/cJSON.h>

#include "privacy/laplace.h"
#include "store/db.h"

#define AGG_VERSION 1
#define AGG_EPSILON 1.0

/* Per-session clamps (what one session can add at most). */
#define AGG_CLAMP_TURNS 1000
#define AGG_CLAMP_TOOL_CALLS 500	/* a session's calls over all tools */
#define AGG_CLAMP_MODEL_TURNS 500	/* a session's assistant turns over all models */
#define AGG_CLAMP_INPUT 200000LL
#define AGG_CLAMP_OUTPUT 200000LL
#define AGG_CLAMP_CACHE_READ 20000000LL
#define AGG_CLAMP_CACHE_CREATION 2000000LL

/* Commits by turns: 0-1, 2-3, 4-7, 8-15, 16-31, 32-63, 64+. */
#define AGG_BUCKETS 7
#define AGG_TOOLS 23	/* agg_tool_names: the built-in tools, "mcp", "other" */
#define AGG_MODELS 4	/* opus, sonnet, haiku, other */
#define AGG_TOKENS 4	/* input, output, cache_read, cache_creation */

/* The groups of figures the budget is split over. */
enum agg_group {
	AGG_G_SESSIONS, AGG_G_COMMITS, AGG_G_TURNS, AGG_G_TURNS_PER_COMMIT, AGG_G_TOOLS,
	AGG_G_MODELS, AGG_G_INPUT, AGG_G_OUTPUT, AGG_G_CACHE_READ, AGG_G_CACHE_CREATION,
	AGG_GROUPS
};

struct aggregate {
	long long sessions;		/* distinct Claude sessions */
	long long commits;
	long long turns;
	long long turns_per_commit[AGG_BUCKETS];
	long long tools[AGG_TOOLS];	/* tool calls by tool */
	long long models[AGG_MODELS];	/* assistant turns by model family */
	long long tokens[AGG_TOKENS];
};

extern const char *const agg_bucket_names[AGG_BUCKETS];
extern const char *const agg_tool_names[AGG_TOOLS];
extern const char *const agg_model_names[AGG_MODELS];
extern const char *const agg_token_names[AGG_TOKENS];

/* The exact (clamped) figures of the store's live, non-sample records. */
int aggregate_collect(struct store *st, struct aggregate *a, char *err);

/* How far one session moves group g (L1), given the clamps. */
double aggregate_sensitivity(enum agg_group g);

/* Adds Laplace noise to every figure, rounds it, clamps it at 0. */
void aggregate_add_noise(struct aggregate *a, const struct noise_source *src);

/* The upload's body: {"version", "epsilon", "figures": {...}}. */
cJSON *aggregate_json(const struct aggregate *a);

/* The category of a tool or model name (indexes of the lists above). */
int aggregate_tool_index(const char *name);
int aggregate_model_index(const char *model);

#endif
