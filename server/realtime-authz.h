/*
 * Supabase Realtime's authorisation of private channels: row-level security
 * on realtime.messages (supabase/migrations/20261207000007_realtime_broadcast.sql)
 * decides, asked as the channel's user with realtime.topic() naming the
 * channel, as Realtime's Authorization module asks. Reading (joining,
 * receiving) is SELECT on a probe row of the topic; sending (broadcast,
 * presence track) is INSERT. The probes are rolled back. Used by the socket
 * (service thread) and by POST /realtime/v1/api/broadcast (a worker), each on
 * its own connection.
 */
#ifndef AL_SERVER_REALTIME_AUTHZ_H
#define AL_SERVER_REALTIME_AUTHZ_H

#include <libpq-fe.h>

/* What one user may do on one topic. */
struct rt_policies {
	int broadcast, presence;
};

/*
 * Whether role (anon, authenticated or service_role) with claims (JSON, or
 * NULL) may read the topic's broadcasts and presences: 0 with *out filled,
 * or -1 with err when the database could not answer.
 */
int rt_authz_read(PGconn *pg, const char *role, const char *claims, const char *topic,
    struct rt_policies *out, char *err);

/* The same for sending (INSERT). */
int rt_authz_write(PGconn *pg, const char *role, const char *claims, const char *topic,
    struct rt_policies *out, char *err);

/* The API role a set of claims names: anon unless authenticated or service_role. */
const char *rt_authz_role(const char *claims_json);

#endif
