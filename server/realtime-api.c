/*
 * POST /realtime/v1/api/broadcast: Supabase Realtime's REST broadcast, which
 * realtime-js uses for channel.httpSend() and for send() on a channel not
 * joined yet. {messages: [{topic, event, payload, private?}]} -> 202 with no
 * body; each message reaches the sockets joined to its topic on every server
 * of the database, as {type: "broadcast", event, payload}, through a
 * notification on RT_BCAST_CHANNEL. A private message is sent only when the
 * caller may INSERT into realtime.messages for its topic; otherwise it is
 * dropped and the answer is still 202, as Realtime's BatchBroadcast does.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "caller.h"
#include "db.h"
#include "realtime-authz.h"
#include "realtime-broadcast.h"
#include "realtime-frame.h"
#include "server.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define MAX_MESSAGES 1000

static void
unprocessable(struct http_response *res, const char *why)
{
	http_error(res, 422, "unprocessable_entity", "%s", why);
}

/* The notification for message i, or NULL with res answered. */
static char *
notification_of(const cJSON *m, struct http_response *res, int *private_, const char **topic)
{
	const char *event, *why;
	const cJSON *payload;
	cJSON *msg;
	char *text, *note;

	if (rt_frame_api_message(m, topic, &event, &payload, private_, &why) != 0) {
		unprocessable(res, why);
		return NULL;
	}
	msg = cJSON_CreateObject();
	cJSON_AddStringToObject(msg, "type", "broadcast");
	cJSON_AddStringToObject(msg, "event", event);
	cJSON_AddItemToObject(msg, "payload", cJSON_Duplicate(payload, 1));
	if ((text = cJSON_PrintUnformatted(msg)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(msg);
	note = rt_bcast_notification("", *topic, *private_, text);
	cJSON_free(text);
	if (strlen(note) > RT_BCAST_MAX_NOTIFY) {
		http_error(res, 413, "payload_too_large", "a broadcast message may hold at most "
		    "%d bytes of JSON with its topic", RT_BCAST_MAX_NOTIFY - 40);
		free(note);
		return NULL;
	}
	return note;
}

/* Sends what the caller may send; 0, or -1 with res answered. */
static int
send_all(struct worker *w, const struct caller *c, char **notes, const int *priv,
    const char **topics, int n, struct http_response *res)
{
	const char *params[2] = { RT_BCAST_CHANNEL, NULL };
	struct rt_policies may;
	char err[ERRLEN];
	int i;

	for (i = 0; i < n; i++) {
		if (priv[i] && (rt_authz_write(w->pg, c->role, c->claims_json, topics[i], &may,
		    err) != 0)) {
			log_warn("realtime: cannot authorise a REST broadcast: %s", err);
			http_error(res, 503, "database_unavailable", "cannot reach the database");
			return -1;
		}
		if (priv[i] && !may.broadcast)
			continue;
		params[1] = notes[i];
		/* Outside a transaction: each one goes out at once. */
		if (db_run(w->pg, "SELECT pg_catalog.pg_notify($1, $2)", 2, params, NULL, err) != 0) {
			log_warn("realtime: a REST broadcast failed: %s", err);
			http_error(res, 503, "database_unavailable", "cannot reach the database");
			return -1;
		}
	}
	return 0;
}

static void
broadcast(struct worker *w, const struct caller *c, const struct http_request *req,
    struct http_response *res)
{
	cJSON *body = cJSON_ParseWithLength(req->body != NULL ? req->body : "", req->body_len);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "messages"), *m;
	const char **topics = NULL;
	char **notes = NULL;
	int *priv = NULL, n = 0, i, ok = 1;

	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0 ||
	    cJSON_GetArraySize(list) > MAX_MESSAGES) {
		unprocessable(res, "the body must be {\"messages\": [...]} with 1 to 1000 messages");
		cJSON_Delete(body);
		return;
	}
	n = cJSON_GetArraySize(list);
	notes = xcalloc((size_t)n, sizeof *notes);
	topics = xcalloc((size_t)n, sizeof *topics);
	priv = xcalloc((size_t)n, sizeof *priv);
	/* Every message is checked before any is sent. */
	i = 0;
	cJSON_ArrayForEach(m, list) {
		if ((notes[i] = notification_of(m, res, &priv[i], &topics[i])) == NULL) {
			ok = 0;
			break;
		}
		i++;
	}
	if (ok && send_all(w, c, notes, priv, topics, n, res) == 0) {
		res->status = 202;
		res->content_type = "application/json";
	}
	for (i = 0; i < n; i++)
		free(notes[i]);
	free(notes);
	free(topics);
	free(priv);
	cJSON_Delete(body);
}

void
realtime_api_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res)
{
	struct caller c;

	if (strcmp(path, "/api/broadcast") != 0) {
		http_error(res, 426, "upgrade_required",
		    "realtime needs a websocket: /realtime/v1/websocket");
		return;
	}
	if (strcmp(req->method, "POST") != 0) {
		http_error(res, 405, "method_not_allowed", "use POST");
		return;
	}
	if (caller_from_request(srv, req, &c, res) != 0)
		return;
	broadcast(w, &c, req, res);
	caller_free(&c);
}
