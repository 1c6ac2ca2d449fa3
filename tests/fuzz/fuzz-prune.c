/*
 * libFuzzer target: the pruned parse (capture/prune.h) against cJSON on one
 * line. Whatever line the pruned parse takes, cJSON must take too, with the
 * same objects, and the records read from both trees must be the same.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "capture/jsonl.h"
#include "util/arena.h"
#include "../fuzz/prune-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(), *prev = arena_use(a);
	cJSON *pruned[JSONL_MAX_OBJECTS], *full[JSONL_MAX_OBJECTS];
	const char *line = (const char *)data;
	int n, nfull, i;

	n = prune_parse_objects(line, size, record_member_use, pruned, JSONL_MAX_OBJECTS);
	if (n > 0) {
		/* Looser than cJSON: a line it refuses would be read all the same. */
		if (jsonl_parse_objects(line, size, full, JSONL_MAX_OBJECTS, &nfull) != n)
			abort();
		for (i = 0; i < n; i++) {
			if (!prune_agrees(full[i], pruned[i]))
				abort();
		}
	}
	arena_use(prev);
	arena_free(a);
	return 0;
}
