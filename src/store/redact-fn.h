#ifndef AL_STORE_REDACT_FN_H
#define AL_STORE_REDACT_FN_H

struct store;
struct redactor;

/*
 * The redactor agentlogs_redact(text) uses on this connection (r must
 * outlive it); NULL for the built-in rules, which store_open sets.
 */
int store_set_redactor(struct store *st, const struct redactor *r, char *err);

#endif
