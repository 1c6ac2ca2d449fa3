/*
 * Who and where: the configured cloud, this home's machine id, and the
 * registration of the machine and the user's profile after a login.
 */
#ifndef AL_SYNC_ACCOUNT_H
#define AL_SYNC_ACCOUNT_H

#include "util/uuid.h"

struct cloud;
struct auth_session;

/* A client for the cloud in home's config (cloud.url, cloud.anon-key); NULL with err. */
struct cloud *account_cloud(const char *home, char *err);

/* AGENTLOGS_HOME/machine-id, created (a random UUID) on first use. */
int account_machine_id(const char *home, char out[UUID_STRLEN], char *err);

/* Upserts this machine into machines and the person into user_profiles. */
int account_register(const char *home, struct cloud *c, const struct auth_session *s, char *err);

/*
 * Stores a GoTrue token answer (the body of a 200) as the session of home,
 * then registers the machine. Fills s.
 */
int account_finish_login(const char *home, struct cloud *c, const char *body, size_t len,
    struct auth_session *s, char *err);

#endif
