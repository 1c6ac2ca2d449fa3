/*
 * The realtime socket's frames in either serializer (realtime-frame.h).
 * Apart from the socket code so that a fuzz target can reach it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>

#include "realtime-frame.h"
#include "util/log.h"
#include "util/xmalloc.h"

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

int
rt_frame_broadcast(const cJSON *payload, const char **why)
{
	if (!cJSON_IsObject(payload) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(payload, "event"))) {
		*why = "a broadcast needs a payload {type, event, payload} with event a string";
		return -1;
	}
	return 0;
}

int
rt_frame_presence(const cJSON *payload, enum rt_presence_op *op, const cJSON **meta,
    const char **why)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(payload, "event");

	*meta = NULL;
	if (!cJSON_IsObject(payload) || !cJSON_IsString(e)) {
		*why = "a presence message needs a payload {type, event, payload} with event a string";
		return -1;
	}
	/* Realtime lower-cases the event. */
	if (strcasecmp(e->valuestring, "untrack") == 0) {
		*op = RT_UNTRACK;
		return 0;
	}
	if (strcasecmp(e->valuestring, "track") != 0) {
		*why = "unknown presence event: use track or untrack";
		return -1;
	}
	*meta = cJSON_GetObjectItemCaseSensitive(payload, "payload");
	if (*meta != NULL && !cJSON_IsObject(*meta)) {
		/* Realtime's own words (PresenceHandler). */
		*why = "Presence track payload must be a map";
		return -1;
	}
	*op = RT_TRACK;
	return 0;
}

int
rt_frame_api_message(const cJSON *m, const char **topic, const char **event,
    const cJSON **payload, int *private_, const char **why)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "topic");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(m, "event");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "private");

	if (!cJSON_IsObject(m)) {
		*why = "each message must be an object {topic, event, payload, private?}";
		return -1;
	}
	if (!cJSON_IsString(t) || t->valuestring[0] == '\0' || !cJSON_IsString(e)) {
		*why = "each message needs topic and event, both strings (topic not empty)";
		return -1;
	}
	*payload = cJSON_GetObjectItemCaseSensitive(m, "payload");
	if (!cJSON_IsObject(*payload)) {
		*why = "each message needs payload, an object";
		return -1;
	}
	if (p != NULL && !cJSON_IsNull(p) && !cJSON_IsBool(p)) {
		*why = "private must be true or false";
		return -1;
	}
	*topic = t->valuestring;
	*event = e->valuestring;
	*private_ = cJSON_IsTrue(p);
	return 0;
}

/* A part of a binary frame as a JSON string: NULL (null) when empty. */
static cJSON *
part(const unsigned char *p, size_t n)
{
	char *s;
	cJSON *v;

	if (n == 0)
		return cJSON_CreateNull();
	s = xmalloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	v = cJSON_CreateString(s);
	free(s);
	return v;
}

char *
rt_frame_binary_push(const unsigned char *buf, size_t len, const char **why)
{
	size_t sizes[5], off = 7, at[5];
	cJSON *m, *p, *payload;
	char *s;
	int i;

	if (len < 7 || buf[0] != 3) {
		*why = "binary frames other than user_broadcast_push are not supported";
		return NULL;
	}
	for (i = 0; i < 5; i++) {
		sizes[i] = buf[1 + i];
		at[i] = off;
		off += sizes[i];
	}
	if (off > len) {
		*why = "a binary frame shorter than its header says";
		return NULL;
	}
	if (buf[6] != 1) {
		*why = "binary broadcast payloads are not supported: send JSON";
		return NULL;
	}
	if ((payload = cJSON_ParseWithLength((const char *)buf + off, len - off)) == NULL) {
		*why = "a user_broadcast_push whose payload is not JSON";
		return NULL;
	}
	if (sizes[2] == 0 || sizes[3] == 0 || memchr(buf + at[2], '\0', sizes[2]) != NULL ||
	    memchr(buf + at[3], '\0', sizes[3]) != NULL) {
		cJSON_Delete(payload);
		*why = "a user_broadcast_push needs a topic and an event";
		return NULL;
	}
	m = cJSON_CreateArray();
	cJSON_AddItemToArray(m, part(buf + at[0], sizes[0]));
	cJSON_AddItemToArray(m, part(buf + at[1], sizes[1]));
	cJSON_AddItemToArray(m, part(buf + at[2], sizes[2]));
	cJSON_AddItemToArray(m, cJSON_CreateString("broadcast"));
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "type", "broadcast");
	cJSON_AddItemToObject(p, "event", part(buf + at[3], sizes[3]));
	cJSON_AddItemToObject(p, "payload", payload);
	cJSON_AddItemToArray(m, p);
	if ((s = cJSON_PrintUnformatted(m)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(m);
	return s;
}
