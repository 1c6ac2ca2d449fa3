/*
 * The worker threads of agentlogs-server and the queues between them and
 * the service thread: jobs to do, in two queues (password hashing has its own
 * workers, so a flood of sign-ins cannot starve every other request), and
 * jobs done, which wake the service thread to write the answer.
 */
#ifndef AL_SERVER_WORKERS_H
#define AL_SERVER_WORKERS_H

#include <stdint.h>
#include <time.h>

#include "http.h"

/* One client request travelling between the service thread and a worker. */
struct job {
	uint64_t conn;		/* the connection it answers, by id: the wsi may be gone */
	struct http_request req;
	struct http_response res;
	struct timespec started;
	int close;		/* close after the answer: the request's body was not read */
	struct job *next;
};

void job_free(struct job *j);

struct workers;

/*
 * Starts o->workers general and o->hash_workers hashing threads and waits
 * until each has run o->worker_init (a worker whose init failed serves all
 * the same: its handler answers 503 until the database is back). wake(arg)
 * is called (from a worker) whenever a job is done. NULL with err filled when
 * no thread of a kind could be created: requests would then be accepted and
 * never answered.
 */
struct workers *workers_start(const struct http_options *o, void (*wake)(void *), void *arg,
    char *err);
/*
 * Sign-ins waiting per hash worker at most: each holds a header slot, and one
 * waiting longer than a few seconds is one its client has given up on.
 */
#define HASH_QUEUE_PER_WORKER 16

/*
 * Queues j for a hashing worker when hashing, else for a general one.
 * -1 (j not taken) when the hashing queue is full.
 */
int workers_submit(struct workers *ws, struct job *j, int hashing);
/* Puts j on the done queue and wakes the service thread. */
void workers_done(struct workers *ws, struct job *j);
/* The next finished job, or NULL. */
struct job *workers_take_done(struct workers *ws);
/* Lets the workers finish what they hold, joins them, frees what is left. */
void workers_stop(struct workers *ws);

#endif
