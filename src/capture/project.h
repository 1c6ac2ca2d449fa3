/*
 * Which project a working directory belongs to. A project is a repository,
 * not a folder name: the same repository checked out on two machines (or in
 * two folders) is one project, and two repositories that happen to share a
 * folder name are two.
 *
 * The key is the normalised URL of the repository's remote when the
 * directory is a git checkout on this machine (read from .git/config; no git
 * process), else the repository's root (the directory holding .git), else
 * the full directory with any worktree suffix removed. It is never the
 * basename. The project id is a UUIDv5 of the key.
 */
#ifndef AL_PROJECT_H
#define AL_PROJECT_H

#include "util/uuid.h"

struct project_identity {
	char *key;		/* "git:host/owner/repo" or "path:/full/root" */
	char *name;		/* "owner/repo" or the root's folder name */
	char *root;		/* the checkout's root, or the directory */
	char *remote;		/* the normalised remote URL ("host/owner/repo"), or NULL */
	char id[UUID_STRLEN];
};

/* Fills id for the working directory cwd. Returns 1 when it is a git checkout here. */
int project_identify(const char *cwd, struct project_identity *id);
void project_identity_free(struct project_identity *id);

/* Whether a project at root may hold the sessions of its subdirectories (a home
 * directory or "/" may not: a session there would swallow every project). */
int project_may_contain(const char *root);

/* The same repository's URLs in every spelling ("git@host:o/r.git", "https://host/o/r",
 * "ssh://git@host:22/o/r") as "host/o/r"; NULL when url names no repository. */
char *project_remote_normalise(const char *url);

/*
 * The display name to try when the shorter ones are taken by other projects:
 * level 0 is id->name; each level adds one more leading path component of
 * the root (or the host, for a remote); NULL past the full path.
 */
char *project_name_candidate(const struct project_identity *id, int level);

#endif
