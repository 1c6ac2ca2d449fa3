/*
 * The per-session figures `analytics` reads (tables turn_stats and
 * tool_stats, kept by triggers on turns; migration v14): what C has to add
 * to what the triggers do.
 */
#ifndef AL_TURN_STATS_H
#define AL_TURN_STATS_H

#include <cjson/cJSON.h>

#include "store/db.h"
#include "util/strbuf.h"

/* 1 when a user turn's text holds words a person typed (turns.typed), else 0. */
int turn_typed(const char *content);

/* Defines typed_prompt(content), turn_typed in SQL, on the connection. */
int turn_stats_functions(struct store *st);

/*
 * Counts the typed prompts of the sessions whose count a write to a user turn
 * without turns.typed left unknown. Import and pull call it before they
 * commit; analytics stays right without (it counts the rest itself).
 */
int turn_stats_count_prompts(struct store *st, char *err);

/*
 * What the triggers need of a turn's tool calls (calls is the tool_calls
 * array), without inputs and results: a JSON array with, per call, "o" or
 * "x" (it failed) and its name ("O" or "X" without a name), into sb (reset
 * first). Stored as turns.tool_summary.
 */
void turn_tool_summary(const cJSON *calls, struct strbuf *sb);

#endif
