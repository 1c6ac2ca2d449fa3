/*
 * The realtime socket's frames in either serializer (realtime-frame.h).
 * Apart from the socket code so that a fuzz target can reach it.
 */
#include "config.h"

#include <string.h>
#include <cjson/cJSON.h>

#include "realtime-frame.h"
#include "util/log.h"

int
rt_frame_decode(int v2, const cJSON *m, struct rt_message *out)
{
	const cJSON *t, *e;

	memset(out, 0, sizeof *out);
	if (v2) {
		/* phoenix.js's V2 JSON serializer sends exactly five elements. */
		if (!cJSON_IsArray(m) || cJSON_GetArraySize(m) != 5)
			return -1;
		out->join_ref = cJSON_GetArrayItem(m, 0);
		out->ref = cJSON_GetArrayItem(m, 1);
		t = cJSON_GetArrayItem(m, 2);
		e = cJSON_GetArrayItem(m, 3);
		out->payload = cJSON_GetArrayItem(m, 4);
	} else {
		if (!cJSON_IsObject(m))
			return -1;
		out->join_ref = cJSON_GetObjectItemCaseSensitive(m, "join_ref");
		out->ref = cJSON_GetObjectItemCaseSensitive(m, "ref");
		t = cJSON_GetObjectItemCaseSensitive(m, "topic");
		e = cJSON_GetObjectItemCaseSensitive(m, "event");
		out->payload = cJSON_GetObjectItemCaseSensitive(m, "payload");
	}
	if (!cJSON_IsString(t) || !cJSON_IsString(e)) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	out->topic = t->valuestring;
	out->event = e->valuestring;
	if (out->join_ref != NULL && cJSON_IsNull(out->join_ref))
		out->join_ref = NULL;
	return 0;
}

char *
rt_frame_encode(int v2, const char *join_ref, const char *ref, const char *topic,
    const char *event, cJSON *payload)
{
	cJSON *m;
	char *s;

	if (v2) {
		m = cJSON_CreateArray();
		cJSON_AddItemToArray(m, cJSON_CreateRaw(join_ref != NULL ? join_ref : "null"));
		cJSON_AddItemToArray(m, cJSON_CreateRaw(ref != NULL ? ref : "null"));
		cJSON_AddItemToArray(m, cJSON_CreateString(topic));
		cJSON_AddItemToArray(m, cJSON_CreateString(event));
		cJSON_AddItemToArray(m, payload);
	} else {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "topic", topic);
		cJSON_AddStringToObject(m, "event", event);
		cJSON_AddItemToObject(m, "payload", payload);
		cJSON_AddRawToObject(m, "ref", ref != NULL ? ref : "null");
	}
	if ((s = cJSON_PrintUnformatted(m)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(m);
	return s;
}
