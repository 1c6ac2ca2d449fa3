/*
 * libFuzzer target: the realtime socket's frame decoder on arbitrary text,
 * in the serializer the first byte picks (odd: vsn 2 arrays, even: vsn 1
 * objects). What decodes must re-encode through rt_frame_encode into a frame
 * that decodes to the same topic, event, ref and join_ref (v1 frames carry no
 * join_ref out, so only v2 keeps it).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "realtime-frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a and b print the same, both absent included. */
static int
same(const cJSON *a, const cJSON *b)
{
	char *sa, *sb;
	int r;

	if (a == NULL || b == NULL)
		return a == b;
	sa = cJSON_PrintUnformatted(a);
	sb = cJSON_PrintUnformatted(b);
	r = sa != NULL && sb != NULL && strcmp(sa, sb) == 0;
	cJSON_free(sa);
	cJSON_free(sb);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_message in, out;
	char *ref = NULL, *join_ref = NULL, *text;
	cJSON *m, *again;
	int v2;

	if (size < 1)
		return 0;
	v2 = data[0] & 1;
	if ((m = cJSON_ParseWithLength((const char *)data + 1, size - 1)) == NULL)
		return 0;
	if (rt_frame_decode(v2, m, &in) != 0) {
		cJSON_Delete(m);
		return 0;
	}
	if (in.topic == NULL || in.event == NULL)
		abort();
	if (in.ref != NULL)
		ref = cJSON_PrintUnformatted(in.ref);
	if (in.join_ref != NULL)
		join_ref = cJSON_PrintUnformatted(in.join_ref);
	text = rt_frame_encode(v2, join_ref, ref, in.topic, in.event,
	    in.payload != NULL ? cJSON_Duplicate(in.payload, 1) : cJSON_CreateObject());
	again = cJSON_Parse(text);
	if (again == NULL || rt_frame_decode(v2, again, &out) != 0 ||
	    strcmp(in.topic, out.topic) != 0 || strcmp(in.event, out.event) != 0)
		abort();
	/* An absent ref goes out as null. */
	if (!(in.ref == NULL ? cJSON_IsNull(out.ref) : same(in.ref, out.ref)))
		abort();
	if (v2 && !same(in.join_ref, out.join_ref))
		abort();
	cJSON_Delete(again);
	cJSON_free(text);
	cJSON_free(ref);
	cJSON_free(join_ref);
	cJSON_Delete(m);
	return 0;
}
