/*
 * libFuzzer target: the realtime socket's frame decoder on arbitrary text,
 * in the serializer the first byte picks (odd: vsn 2 arrays, even: vsn 1
 * objects; bit 1 set: a binary frame, as a vsn 2 user_broadcast_push).
 * What decodes must re-encode through rt_frame_encode into a frame that
 * decodes to the same topic, event, ref and join_ref (v1 frames carry no
 * join_ref out, so only v2 keeps it). The decoded payload also goes through
 * the broadcast, presence and REST broadcast validators, whose answers must
 * be consistent: a refusal has a reason, an acceptance the fields it promises.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "realtime-frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One message of a REST broadcast: refused with a reason, or all its fields. */
static void
validate_api_message(const cJSON *m)
{
	const char *why = NULL, *topic = NULL, *event = NULL;
	const cJSON *p = NULL;
	int priv = -1;

	if (rt_frame_api_message(m, &topic, &event, &p, &priv, &why) != 0) {
		if (why == NULL)
			abort();
	} else if (topic == NULL || *topic == '\0' || event == NULL || !cJSON_IsObject(p) ||
	    (priv != 0 && priv != 1))
		abort();
}

/* The validators on one payload (any JSON value, or NULL). */
static void
validate(const cJSON *payload)
{
	const cJSON *meta = NULL, *m;
	const char *why = NULL;
	enum rt_presence_op op = RT_UNTRACK;

	if (rt_frame_broadcast(payload, &why) != 0) {
		if (why == NULL)
			abort();
	} else if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(payload, "event")))
		abort();
	why = NULL;
	if (rt_frame_presence(payload, &op, &meta, &why) != 0) {
		if (why == NULL)
			abort();
	} else if (meta != NULL && (op != RT_TRACK || !cJSON_IsObject(meta)))
		abort();
	validate_api_message(payload);
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(payload, "messages"))
		validate_api_message(m);
}

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

/*
 * A binary frame: refused with a reason, or a v2 text frame that decodes to
 * a broadcast the broadcast validator accepts.
 */
static void
binary_push(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	struct rt_message msg;
	char *text = rt_frame_binary_push(data, size, &why);
	cJSON *m;

	if (text == NULL) {
		if (why == NULL)
			abort();
		return;
	}
	if ((m = cJSON_Parse(text)) == NULL || rt_frame_decode(1, m, &msg) != 0 ||
	    strcmp(msg.event, "broadcast") != 0 || rt_frame_broadcast(msg.payload, &why) != 0)
		abort();
	cJSON_Delete(m);
	cJSON_free(text);
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
	if (data[0] & 2) {
		binary_push(data + 1, size - 1);
		return 0;
	}
	v2 = data[0] & 1;
	if ((m = cJSON_ParseWithLength((const char *)data + 1, size - 1)) == NULL)
		return 0;
	if (rt_frame_decode(v2, m, &in) != 0) {
		cJSON_Delete(m);
		return 0;
	}
	if (in.topic == NULL || in.event == NULL)
		abort();
	validate(in.payload);
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
