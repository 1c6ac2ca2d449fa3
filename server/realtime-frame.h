/*
 * Phoenix's two JSON serializers, as Supabase Realtime accepts them: vsn 1
 * frames are objects {topic, event, payload, ref, join_ref?}, vsn 2 frames
 * arrays [join_ref, ref, topic, event, payload].
 */
#ifndef AGENTLOGS_SERVER_REALTIME_FRAME_H
#define AGENTLOGS_SERVER_REALTIME_FRAME_H

#include <cjson/cJSON.h>

/* One decoded client message; the pointers are into the parsed frame. */
struct rt_message {
	const char *topic, *event;
	const cJSON *payload;		/* any JSON value, or NULL when absent */
	const cJSON *ref, *join_ref;	/* NULL when absent; join_ref also when null */
};

/* m in serializer v2 (nonzero) or v1 into out; -1 for what Phoenix cannot decode. */
int rt_frame_decode(int v2, const cJSON *m, struct rt_message *out);

/*
 * The frame's text (cJSON_free it); payload is taken over. join_ref and
 * ref are JSON text or NULL (null); v1 has no join_ref.
 */
char *rt_frame_encode(int v2, const char *join_ref, const char *ref, const char *topic,
    const char *event, cJSON *payload);

/*
 * A client's "broadcast" message, {type: "broadcast", event, payload}, as
 * realtime-js sends it: 0, or -1 with why (a reply's reason) when it is not
 * an object with a string event.
 */
int rt_frame_broadcast(const cJSON *payload, const char **why);

enum rt_presence_op { RT_TRACK, RT_UNTRACK };

/*
 * A client's "presence" message, {type: "presence", event: "track" |
 * "untrack", payload}: the operation and, for track, the meta (payload's
 * payload, NULL when absent: an empty one); -1 with why otherwise.
 */
int rt_frame_presence(const cJSON *payload, enum rt_presence_op *op, const cJSON **meta,
    const char **why);

/*
 * One message of POST /realtime/v1/api/broadcast, {topic, event, payload,
 * private?}: 0 with the fields (pointers into m), or -1 with why.
 */
int rt_frame_api_message(const cJSON *m, const char **topic, const char **event,
    const cJSON **payload, int *private_, const char **why);

/*
 * A vsn 2 binary frame as Supabase Realtime's V2Serializer reads it: only
 * kind 3, user_broadcast_push ([3, join_ref size, ref size, topic size,
 * event size, metadata size, payload encoding, join_ref, ref, topic, event,
 * metadata, payload]) with a JSON payload (encoding 1), which newer
 * realtime-js sends for channel.send({type: "broadcast"}). Returns the same
 * message as a vsn 2 text frame, [join_ref, ref, topic, "broadcast", {type:
 * "broadcast", event, payload}] (cJSON_free it), or NULL with why.
 */
char *rt_frame_binary_push(const unsigned char *buf, size_t len, const char **why);

#endif
