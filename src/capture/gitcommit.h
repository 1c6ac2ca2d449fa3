/* Recognising a successful `git commit` in a Bash tool call and its output. */
#ifndef AL_GITCOMMIT_H
#define AL_GITCOMMIT_H

/* Nonzero when the shell command runs `git [options] commit` anywhere in it. */
int gitcommit_is_command(const char *command);

/*
 * Finds git's summary line "[branch hash] subject" (branch may contain '-',
 * '/', '.', may be "detached HEAD" and may be followed by "(root-commit)").
 * Returns 0 and allocates *hash and *subject, or -1 when there is none.
 */
int gitcommit_parse_result(const char *output, char **hash, char **subject);

#endif
