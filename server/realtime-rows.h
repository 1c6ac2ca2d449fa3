/*
 * Reading changed rows for Realtime's postgres_changes off the service
 * thread: a queue of fetches, each one chunk of a user's changed rows (as the
 * agentlogs_notify trigger announces them, up to 100) for one channel, read
 * in one statement as the channel's user (so row-level security decides) by
 * worker threads with their own PostgreSQL connections. A finished fetch
 * holds one ready frame per row that passed, and wakes the service thread
 * (lws_cancel_service through the wake callback), so a slow query never
 * stalls another socket.
 */
#ifndef AGENTLOGS_SERVER_REALTIME_ROWS_H
#define AGENTLOGS_SERVER_REALTIME_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "realtime-filter.h"

#define RT_MAX_BINDINGS 32	/* postgres_changes entries per channel */

/* One outgoing text frame, with the room lws_write needs (LWS_PRE) in front. */
struct rt_msg {
	struct rt_msg *next;
	size_t len;
	unsigned char data[];
};
/* A frame holding s[0..n). */
struct rt_msg *rt_msg_new(const char *s, size_t n);

/* A binding a fetch checks each row against: its filter (copied) and id. */
struct rt_fetch_binding {
	uint32_t id;
	int filtered;		/* 0: every row passes */
	struct rt_filter f;
	char *schema, *table;	/* a join's check: the table the filter must fit */
};

/*
 * A job for the workers: reading a chunk of changed rows, or (check) asking
 * PostgreSQL, as the server's own role and reading no row, whether each
 * binding's filter names a column of its table and a value of its type.
 */
struct rt_fetch {
	struct rt_fetch *next;		/* in the queue, then in the done list */
	int check;
	char *error;			/* a check's answer: NULL, or why the join is refused */
	/* What to read and as whom: set before rt_rows_submit, read by a worker. */
	char *schema, *table, *type, *user_id, *commit_timestamp;
	char *ids;			/* the rows' ids, a PostgreSQL array literal */
	char *role, *claims;		/* claims: JSON, or NULL */
	struct rt_fetch_binding b[RT_MAX_BINDINGS];
	int nb;
	/* How to frame each row: the socket's serializer and the channel. */
	int v2;
	char *join_ref, *topic_json;
	/* The worker's answer: one frame per row the user sees and a binding takes. */
	struct rt_msg *out, *out_tail;
	size_t out_bytes;
	/* The service thread's own bookkeeping (realtime.c), never a worker's. */
	void *owner;			/* the socket; NULL once it is gone */
	uint64_t channel;		/* the channel's serial: dropped when it left */
	int done;
	struct rt_fetch *next_wait;	/* the socket's fetches, in order */
	struct rt_msg *after, *after_tail;	/* frames the socket sent after this one */
	void *join;			/* a check's join, waiting for the answer */
	void (*join_free)(void *);
};

void rt_fetch_free(struct rt_fetch *f);

/*
 * The data of a change as realtime-js reads it ({schema, table,
 * commit_timestamp, type, columns, record, old_record, errors}), record the
 * whole row (taken; NULL for a DELETE), old_record only the primary key
 * (user_id, id) on UPDATE and DELETE, as Supabase Realtime sends it for a
 * table without REPLICA IDENTITY FULL. cJSON_free the result.
 */
char *rt_row_data(const char *schema, const char *table, const char *commit_timestamp,
    const char *type, const char *id, const char *user_id, cJSON *full);
/* A postgres_changes frame for the bindings ids with data; free() the result. */
char *rt_change_frame(int v2, const char *join_ref, const char *topic_json,
    const uint32_t *ids, int nids, const char *data);

struct rt_rows;

/*
 * Starts nthreads workers reading as the database URL db says; wake(arg)
 * is called from a worker whenever a fetch is done. NULL when no thread
 * could be started.
 */
struct rt_rows *rt_rows_start(const char *db, int nthreads, void (*wake)(void *), void *arg);
/* Queues f; it comes back through rt_rows_take_done, also when the read failed. */
void rt_rows_submit(struct rt_rows *r, struct rt_fetch *f);
/* The fetches done since the last call, in the order they finished (a list on ->next). */
struct rt_fetch *rt_rows_take_done(struct rt_rows *r);
/* Cancels running reads, joins the workers, frees every fetch they hold. */
void rt_rows_stop(struct rt_rows *r);

#endif
