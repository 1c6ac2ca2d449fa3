/*
 * The import's reader thread: it reads the transcripts to import, skips the
 * record types agentlogs drops, and parses the rest into records, handing
 * them over in batches through a bounded queue. The importing thread turns
 * them into commits and writes them, so parsing and SQLite work overlap on
 * two cores. Memory stays bounded by the queue, whatever the file sizes.
 */
#ifndef AL_READER_H
#define AL_READER_H

#include <pthread.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "capture/jsonl.h"
#include "capture/record.h"

struct arena;

enum item_kind {
	ITEM_FILE_BEGIN,	/* reading of file `file` starts */
	ITEM_OBJECTS,		/* a line of one or more kept records */
	ITEM_DROPPED,		/* a line of a record type agentlogs does not keep */
	ITEM_BLANK,		/* an empty line: not counted */
	ITEM_MALFORMED,		/* a line that is not JSON */
	ITEM_TOO_LONG,		/* a line over JSONL_MAX_LINE */
	ITEM_FILE_END,		/* reading of `file` ended (io_error set on a read error) */
};

/* A record read from a line, or why it could not be. */
struct parsed {
	struct record rec;
	char *error;		/* NULL when rec is usable */
};

struct item {
	enum item_kind kind;
	int file;
	int64_t end;		/* file offset just past the line */
	int nobjs;
	struct parsed *parsed;	/* nobjs of them; strings borrowed from the batch arena */
	char *io_error;		/* ITEM_FILE_END after a failed read */
};

struct batch {
	struct item *items;
	int n, cap;
	struct arena *arena;	/* holds the trees; released with the batch */
	size_t owned;		/* bytes the records hold outside the arena */
	struct batch *next;	/* in the queue or the free list */
};

/* One file the reader should read. */
struct reader_file {
	const char *path;
	int64_t offset;		/* where to start */
	int writer_gone;	/* idle: an unterminated last line will never be finished */
};

struct reader {
	const struct reader_file *files;
	int nfiles;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct batch *head, *tail, *spare;
	int queued, done, abort;
};

/* Starts the thread over files, read in order. */
int reader_start(struct reader *rd, const struct reader_file *files, int nfiles, char *err);
/* The next batch, or NULL once every file has been read. */
struct batch *reader_next(struct reader *rd);
/* Gives a batch back once its items have been used (the reader thread empties it). */
void reader_release(struct reader *rd, struct batch *b);
/* Stops the thread early (after a fatal error) and waits for it. */
void reader_stop(struct reader *rd);
/* Waits for the thread and frees what is left. */
void reader_finish(struct reader *rd);

#endif
