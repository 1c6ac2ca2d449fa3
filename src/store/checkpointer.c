#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "store/checkpointer.h"
#include "store/internal.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct checkpointer {
	struct store *st;
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int nudges, stop;
};

static void *
checkpointer_main(void *arg)
{
	struct checkpointer *cp = arg;
	int nudged;

	for (;;) {
		pthread_mutex_lock(&cp->lock);
		while (cp->nudges == 0 && !cp->stop)
			pthread_cond_wait(&cp->wake, &cp->lock);
		nudged = cp->nudges;
		cp->nudges = 0;
		pthread_mutex_unlock(&cp->lock);
		if (nudged == 0)
			break;
		/* PASSIVE never blocks the writer: it copies what it can. */
		if (sqlite3_wal_checkpoint_v2(cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
		    NULL) != SQLITE_OK)
			log_debug("background checkpoint: %s", sqlite3_errmsg(cp->db));
	}
	return NULL;
}

struct checkpointer *
checkpointer_start(struct store *st, char *err)
{
	struct checkpointer *cp = xcalloc(1, sizeof *cp);
	int rc;

	cp->st = st;
	if (sqlite3_open_v2(st->path, &cp->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		seterr(err, "cannot open %s: %s", st->path, sqlite3_errmsg(cp->db));
		sqlite3_close(cp->db);
		free(cp);
		return NULL;
	}
	sqlite3_busy_timeout(cp->db, 1000);
	/*
	 * A connection that has read nothing yet does not know the store is in
	 * WAL mode, and its checkpoints do nothing (SQLite reports a log of -1
	 * frames): one read opens the WAL.
	 */
	if (sqlite3_exec(cp->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) !=
	    SQLITE_OK)
		log_debug("checkpointer: %s", sqlite3_errmsg(cp->db));
	pthread_mutex_init(&cp->lock, NULL);
	pthread_cond_init(&cp->wake, NULL);
	if ((rc = pthread_create(&cp->thread, NULL, checkpointer_main, cp)) != 0) {
		seterr(err, "cannot start the checkpoint thread: %s", strerror(rc));
		pthread_mutex_destroy(&cp->lock);
		pthread_cond_destroy(&cp->wake);
		sqlite3_close(cp->db);
		free(cp);
		return NULL;
	}
	sqlite3_wal_autocheckpoint(st->db, 0);
	return cp;
}

void
checkpointer_nudge(struct checkpointer *cp)
{
	if (cp == NULL)
		return;
	pthread_mutex_lock(&cp->lock);
	cp->nudges++;
	pthread_cond_signal(&cp->wake);
	pthread_mutex_unlock(&cp->lock);
}

void
checkpointer_stop(struct checkpointer *cp)
{
	if (cp == NULL)
		return;
	pthread_mutex_lock(&cp->lock);
	cp->stop = 1;
	pthread_cond_signal(&cp->wake);
	pthread_mutex_unlock(&cp->lock);
	pthread_join(cp->thread, NULL);
	pthread_mutex_destroy(&cp->lock);
	pthread_cond_destroy(&cp->wake);
	sqlite3_close(cp->db);
	sqlite3_wal_autocheckpoint(cp->st->db, 1000);
	free(cp);
}
