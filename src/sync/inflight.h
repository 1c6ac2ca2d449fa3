/*
 * One request in flight on a thread of its own, so that the sync thread can
 * work on the store meanwhile: push writes batch k while it marks batch k-1
 * synced; pull fetches page k+1 while it applies page k. While a request is in
 * flight only this thread touches the cloud client.
 */
#ifndef AL_SYNC_INFLIGHT_H
#define AL_SYNC_INFLIGHT_H

#include <pthread.h>

#include "sync/cloud.h"
#include "util/log.h"
#include "util/strbuf.h"

struct inflight {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct cloud *cloud;
	int state;		/* idle, sending, done */
	int quit;
	int started;
	const char *path;
	struct strbuf body;	/* the request's body: fill it, then submit */
	struct cloud_response r;
	int rc;
	char err[ERRLEN];
};

int inflight_start(struct inflight *f, struct cloud *c, char *err);
/* POSTs f->body to path; returns at once. */
void inflight_submit(struct inflight *f, const char *path);
/* Waits for the answer: 0 with *r filled (the caller frees it), -1 with err. */
int inflight_wait(struct inflight *f, struct cloud_response *r, char *err);
int inflight_busy(struct inflight *f);
/* Waits for a request still in flight, then ends the thread. */
void inflight_stop(struct inflight *f);

#endif
