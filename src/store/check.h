/*
 * The record that spares a full check: the fingerprint of a store a command
 * found good, taken after its clean close (see check.c). store_check_writable
 * (store/db.h) reads it; store_close writes it.
 */
#ifndef AL_CHECK_H
#define AL_CHECK_H

/*
 * 1 when the record at PATH.checked still describes PATH and its WAL, and the
 * last full check is recent; *checked_at is then that check's time. 0 with
 * *why saying what calls for a full check.
 */
int check_record_matches(const char *path, long long *checked_at, const char **why);
/* Best effort, after the store's last close by this command: a failure only costs a check. */
void check_record_write(const char *path, long long checked_at);
/* The store failed its check: no record may speak for it. */
void check_record_forget(const char *path);

#endif
