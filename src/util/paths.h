/* Where agentlogs keeps its files and where it finds transcripts. */
#ifndef AL_PATHS_H
#define AL_PATHS_H

/* $AGENTLOGS_HOME, else ~/.agentlogs. Newly allocated. */
char *paths_home(void);
/* Creates the home directory (mode 0700) when missing. Returns -1 with err filled. */
int paths_ensure_home(const char *home, char *err);
/* A file inside the home directory. Newly allocated. */
char *paths_in_home(const char *home, const char *name);
/* The Claude directory: $CLAUDE_HOME, else ~/.claude, else ~/.config/claude (the first
 * that exists; ~/.claude when none does). Newly allocated. */
char *paths_claude_dir(void);
/* Bundled sample transcripts: $AGENTLOGS_SAMPLES, else beside the source tree, else the
 * installed data directory. NULL when none is found. Newly allocated. */
char *paths_samples_dir(void);
int paths_is_dir(const char *path);
/* Last path component, without trailing slashes. Newly allocated. */
char *paths_basename(const char *path);
/*
 * path relative to root when it lies inside it ("/r/src/a.c" under "/r" is
 * "src/a.c"), else path itself: where a project's files are shown, the part
 * that matters. Points into path; root NULL or "" leaves path as it is.
 */
const char *paths_under(const char *path, const char *root);
/* Write data to path atomically (temporary file, fsync, rename) with the given mode. */
int paths_write_atomic(const char *path, const char *data, size_t len, int mode, char *err);

#endif
