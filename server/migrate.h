/* `agentlogs-server migrate`: what Supabase provides, then our migrations, once each. */
#ifndef AL_SERVER_MIGRATE_H
#define AL_SERVER_MIGRATE_H

#include <libpq-fe.h>

/* bootstrap is the path of server/bootstrap.sql; dir holds supabase/migrations. */
int migrate_run(PGconn *pg, const char *bootstrap, const char *dir, int verbose, char *err);

#endif
