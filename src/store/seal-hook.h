/*
 * agentlogs_seal(table, column, id, version, text): the SQL function push's
 * row JSON wraps every content column with (store/synced-rows.c), outermost,
 * so what it seals is what would otherwise go up (redacted first, when
 * redaction is on). Each connection has it from store_open, returning text
 * unchanged; a sync with end-to-end encryption on gives it a sealer.
 */
#ifndef AL_STORE_SEAL_HOOK_H
#define AL_STORE_SEAL_HOOK_H

#include <stddef.h>

struct store;

/*
 * Seals text[0..len) of (table, column, id, version): newly allocated, or
 * NULL with err (the push then fails: nothing goes up in the clear).
 */
typedef char *(*seal_hook_fn)(void *arg, const char *table, const char *column, const char *id,
    long long version, const char *text, size_t len, char *err);

/* Sets the connection's sealer (fn NULL: values go as they are). -1 on an SQLite error. */
int seal_hook_set(struct store *st, seal_hook_fn fn, void *arg);

#endif
