/*
 * Push: every pending record up to the cloud, whole commits per batch
 * (see push.c).
 */
#ifndef AL_SYNC_PUSH_H
#define AL_SYNC_PUSH_H

#include "sync/engine.h"

int sync_push(struct sync_ctx *sc, struct sync_counts *n, char *err);

#endif
