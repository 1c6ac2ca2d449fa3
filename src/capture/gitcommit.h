/* Recognising a successful `git commit` in a Bash tool call and its output. */
#ifndef AL_GITCOMMIT_H
#define AL_GITCOMMIT_H

/* Nonzero when the shell command runs `git [options] commit` anywhere in it. */
int gitcommit_is_command(const char *command);

/*
 * Finds git's summary line "[branch hash] subject" (branch may contain '-',
 * '/', '.', may be "detached HEAD" and may be followed by "(root-commit)").
 * Returns 0 and allocates *hash, *subject and, when branch is not NULL,
 * *branch (without "(root-commit)"), or -1 when there is none.
 */
int gitcommit_parse_result(const char *output, char **hash, char **subject, char **branch);

/*
 * Nonzero when a successful `git commit` ran in another repository than the
 * project's (an experiment in /tmp, a scratch checkout): the command makes a
 * repository (`git init`) or moves out of root (`cd DIR`, `git -C DIR`, DIR
 * resolved against cwd), or git reports another branch than the one the
 * transcript line was on. Any argument but command may be NULL (unknown).
 */
int gitcommit_elsewhere(const char *command, const char *out_branch, const char *line_branch,
    const char *cwd, const char *root);

#endif
