#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "capture/project.h"
#include "store/internal.h"
#include "store/project-names.h"
#include "util/xmalloc.h"

/* 1 when another project here is called name, 0 if not, -1 on error. */
static int
name_taken(struct store *st, const char *id, const char *name, char *err)
{
	sqlite3_stmt *s = store_cached(st, "SELECT 1 FROM projects WHERE name = ?1 AND id <> ?2",
	    err);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, name);
	store_bind_text(s, 2, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc == SQLITE_ROW;
	return store_fail(st, st->path, err);
}

char *
project_free_name(struct store *st, const char *id, const char *name, const char *remote,
    const char *path, char *err)
{
	struct project_identity pi = {
		.name = (char *)name, .remote = (char *)remote, .root = (char *)path,
	};
	char *cand = NULL;
	int level, taken = 1;

	/* Without a remote or a path only the name itself and the last resort remain. */
	if (remote != NULL || path != NULL)
		pi.key = remote != NULL ? xprintf("git:%s", remote) : xprintf("path:%s", path);
	for (level = 0; taken == 1 && (remote != NULL || path != NULL || level == 0) &&
	    (cand = project_name_candidate(&pi, level)) != NULL; level++) {
		if ((taken = name_taken(st, id, cand, err)) != 0)
			free(cand);
	}
	free(pi.key);
	if (taken == 0)
		return cand;
	if (taken < 0)
		return NULL;
	/* Ids are unique: this one is free unless a project was named so by hand. */
	return xprintf("%s (%s)", name, id);
}

/* The row's text field f, or NULL. */
static const char *
field(const cJSON *row, const char *f)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, f);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
project_fit_pulled(struct store *st, cJSON *row, char *err)
{
	const char *name = field(row, "name");
	char *free_name;

	if (name == NULL)
		return 0;
	if ((free_name = project_free_name(st, field(row, "id"), name, field(row, "remote_url"),
	    field(row, "local_path"), err)) == NULL)
		return -1;
	if (strcmp(free_name, name) != 0)
		cJSON_ReplaceItemInObjectCaseSensitive(row, "name", cJSON_CreateString(free_name));
	free(free_name);
	return 0;
}
