/* libFuzzer target: a whole transcript (newline-separated lines) through
 * record reading and commit segmentation, with a sink that checks what it is
 * handed. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/jsonl.h"
#include "capture/record.h"
#include "capture/segment.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
sink_commit(void *arg, const struct seg_commit *c, char *err)
{
	(void)arg;
	(void)err;
	if (c->project_name == NULL || strlen(c->id) != 36 ||
	    strcmp(c->started_at, c->closed_at) > 0)
		abort();
	return 0;
}

static int
sink_turn(void *arg, const struct seg_commit *c, const struct seg_turn *t, char *err)
{
	(void)arg;
	(void)err;
	if (t->id == NULL || !cJSON_IsArray(t->tool_calls) || t->seq >= c->next_seq)
		abort();
	return 0;
}

static int
sink_result(void *arg, const char *turn_id, const char *id, const char *content, int e,
    char *err)
{
	(void)arg;
	(void)e;
	(void)err;
	if (turn_id == NULL || id == NULL || content == NULL)
		abort();
	return 0;
}

static const struct seg_sink_ops ops = {
	.commit = sink_commit, .turn = sink_turn, .tool_result = sink_result,
};

static int
feed(cJSON *obj, void *arg)
{
	struct record rec;
	char err[ERRLEN];

	if (record_from_json(&rec, obj, err) == 0 && seg_feed(arg, &rec, err) != 0)
		abort();
	record_free(&rec);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	struct segmenter seg;
	char err[ERRLEN];

	seg_init(&seg, &ops, NULL);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		jsonl_parse_line(p, (size_t)(nl - p), feed, &seg);
		p = nl + 1;
	}
	if (seg_end_session(&seg, err) != 0)
		abort();
	seg_free(&seg);
	return 0;
}
