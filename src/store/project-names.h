/*
 * Project display names are each machine's own, unique on that machine: a
 * project pulled from another machine keeps the name it had there unless a
 * project here already has it, then takes a longer one.
 */
#ifndef AL_STORE_PROJECT_NAMES_H
#define AL_STORE_PROJECT_NAMES_H

#include <cjson/cJSON.h>

#include "store/db.h"

/*
 * The first of the names a project could have (its own name, then longer ones
 * from its remote, "host/owner/repo", or its path; else the name with its id)
 * that no other project here uses, newly allocated; NULL with err on error.
 * remote and path may be NULL.
 */
char *project_free_name(struct store *st, const char *id, const char *name,
    const char *remote, const char *path, char *err);

/* A project row pulled from the cloud, new here: its name made free here. */
int project_fit_pulled(struct store *st, cJSON *row, char *err);

#endif
