/* libFuzzer target: one transcript line through the peek, the glued-object
 * splitter and the record reader. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "capture/jsonl.h"
#include "capture/record.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_object(cJSON *obj, void *arg)
{
	struct record rec;
	char err[ERRLEN];

	(void)arg;
	record_from_json(&rec, obj, err);
	record_free(&rec);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char type[32];
	int single;

	jsonl_peek_type((const char *)data, size, type, sizeof type, &single, NULL);
	jsonl_peek_type((const char *)data, size, type, sizeof type, &single, record_type_is_kept);
	jsonl_parse_line((const char *)data, size, on_object, NULL);
	return 0;
}
