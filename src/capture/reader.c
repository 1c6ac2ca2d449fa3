#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/bigline.h"
#include "capture/prune.h"
#include "capture/reader.h"
#include "capture/record.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* A batch is handed over once it holds this much parsed data or this many lines. */
#define BATCH_BYTES (2u << 20)
#define BATCH_ITEMS 4096
/* Batches waiting in the queue: bounds the memory the reader can run ahead by. */
#define QUEUE_MAX 4

static void batch_clear(struct batch *b);

/*
 * A batch to fill: a spare one given back by the writer, emptied here. Its
 * records were allocated on this thread: freeing them here keeps glibc's
 * per-thread caches and arena to this thread (from the writer's thread,
 * every free went to the other arena under its lock, and every malloc here
 * found its caches empty).
 */
static struct batch *
batch_get(struct reader *rd)
{
	struct batch *b;

	pthread_mutex_lock(&rd->lock);
	if ((b = rd->spare) != NULL)
		rd->spare = b->next;
	pthread_mutex_unlock(&rd->lock);
	if (b == NULL) {
		b = xcalloc(1, sizeof *b);
		b->arena = arena_new();
	} else
		batch_clear(b);
	b->n = 0;
	b->next = NULL;
	return b;
}

static void
batch_clear(struct batch *b)
{
	int i;

	for (i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];
		int j;

		for (j = 0; it->parsed != NULL && j < it->nobjs; j++) {
			record_free(&it->parsed[j].rec);
			free(it->parsed[j].error);
		}
		free(it->parsed);
		free(it->io_error);
	}
	b->n = 0;
	b->owned = 0;
	arena_reset(b->arena);
}

static void
batch_free(struct batch *b)
{
	batch_clear(b);
	free(b->items);
	arena_free(b->arena);
	free(b);
}

/* Queues a full batch, waiting while the queue is full. Returns -1 once told to stop. */
static int
push(struct reader *rd, struct batch *b)
{
	pthread_mutex_lock(&rd->lock);
	while (rd->queued >= QUEUE_MAX && !rd->abort)
		pthread_cond_wait(&rd->changed, &rd->lock);
	if (rd->abort) {
		pthread_mutex_unlock(&rd->lock);
		batch_free(b);
		return -1;
	}
	if (rd->tail != NULL)
		rd->tail->next = b;
	else
		rd->head = b;
	rd->tail = b;
	rd->queued++;
	pthread_cond_broadcast(&rd->changed);
	pthread_mutex_unlock(&rd->lock);
	return 0;
}

static struct item *
add_item(struct batch *b, enum item_kind kind, int file, int64_t end)
{
	struct item *it;

	if (b->n == b->cap) {
		b->cap = b->cap == 0 ? 256 : b->cap * 2;
		b->items = xreallocarray(b->items, (size_t)b->cap, sizeof *b->items);
	}
	it = &b->items[b->n++];
	it->kind = kind;
	it->file = file;
	it->end = end;
	it->nobjs = 0;
	it->parsed = NULL;
	it->io_error = NULL;
	return it;
}

/*
 * Classifies and parses one line into the batch's arena. A huge line (jr
 * given) becomes the arena's, its long strings decoded in place.
 */
static void
add_line(struct batch *b, int file, const char *line, size_t len, int64_t end,
    struct jsonl_reader *jr)
{
	cJSON *objs[JSONL_MAX_OBJECTS];
	char type[32], why[ERRLEN];
	const char *unread;
	int single, typed, n, parsed, i;
	struct item *it;
	struct arena *prev;

	while (len > 0 && (*line == ' ' || *line == '\t' || *line == '\r')) {
		line++;
		len--;
	}
	if (len == 0) {
		add_item(b, ITEM_BLANK, file, end);
		return;
	}
	/* Dropped types are not parsed at all, unless glued to another record. */
	typed = jsonl_peek_type(line, len, type, sizeof type, &single, record_type_is_kept) > 0;
	if (typed && single == 1 && record_type_is_skipped(type)) {
		add_item(b, ITEM_DROPPED, file, end);
		return;
	}
	it = add_item(b, ITEM_OBJECTS, file, end);
	/*
	 * A pruned parse builds only what record_from_json reads; a line it does
	 * not take (malformed, or odd) gets the full parse, which decides.
	 */
	n = parsed = -1;
	if (jr == NULL || len < BIGLINE_MIN) {
		prev = arena_use(b->arena);
		n = parsed = prune_parse_objects(line, len, record_member_use, objs,
		    JSONL_MAX_OBJECTS);
		arena_use(prev);
	}
	if (parsed < 0) {
		/* What is never read is not parsed either (the line is the reader's to change). */
		if (typed && (unread = record_unread_member(type)) != NULL)
			len = jsonl_drop_member((char *)line, len, unread);
		if (jr != NULL && len >= BIGLINE_MIN) {
			size_t size;
			char *buf = jsonl_take_buffer(jr, &size);
			arena_adopt(b->arena, buf, size);
			bigline_place_strings((char *)line, len, b->arena);
		}
		prev = arena_use(b->arena);
		n = jsonl_parse_objects(line, len, objs, JSONL_MAX_OBJECTS, &parsed);
		arena_unplace(b->arena);
		arena_use(prev);
	}
	if (n < 0)
		it->kind = ITEM_MALFORMED;	/* objects before the bad part still count */
	if (parsed == 0)
		return;
	it->nobjs = parsed;
	it->parsed = xcalloc((size_t)parsed, sizeof *it->parsed);
	for (i = 0; i < parsed; i++) {
		if (record_from_json(&it->parsed[i].rec, objs[i], why) != 0)
			it->parsed[i].error = xstrdup(why);
		b->owned += it->parsed[i].rec.owned;
	}
}

static int
full(const struct batch *b)
{
	return b->n >= BATCH_ITEMS || arena_used(b->arena) + b->owned >= BATCH_BYTES;
}

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;
	struct batch *b = batch_get(rd);
	struct jsonl_reader jr;
	enum jsonl_status status;
	const char *line;
	size_t len;
	int64_t end;
	char ioerr[ERRLEN];
	int i;

	for (i = 0; i < rd->nfiles; i++) {
		const struct reader_file *f = &rd->files[i];

		add_item(b, ITEM_FILE_BEGIN, i, f->offset);
		if (jsonl_open(&jr, f->path, f->offset, ioerr) != 0) {
			add_item(b, ITEM_FILE_END, i, f->offset)->io_error = xstrdup(ioerr);
			continue;
		}
		for (;;) {
			status = jsonl_next(&jr, &line, &len, &end, ioerr);
			if (status == JSONL_LINE)
				add_line(b, i, line, len, end, &jr);
			else if (status == JSONL_TOO_LONG)
				add_item(b, ITEM_TOO_LONG, i, end);
			else
				break;
			if (full(b)) {
				if (push(rd, b) != 0) {
					jsonl_close(&jr);
					return NULL;
				}
				b = batch_get(rd);
			}
		}
		/*
		 * A last line without its newline: complete JSON (the writer will only
		 * add the newline) or a writer long gone is imported; a partial line
		 * of a live writer waits for the next import.
		 */
		if (status == JSONL_END && len > 0 &&
		    (f->writer_gone || jsonl_parse_line(line, len, NULL, NULL) > 0)) {
			add_line(b, i, line, len, end + (int64_t)len, NULL);
			end += (int64_t)len;
		}
		add_item(b, ITEM_FILE_END, i, end)->io_error =
		    status == JSONL_ERROR ? xstrdup(ioerr) : NULL;
		jsonl_close(&jr);
	}
	if (push(rd, b) == 0) {
		pthread_mutex_lock(&rd->lock);
		rd->done = 1;
		pthread_cond_broadcast(&rd->changed);
		pthread_mutex_unlock(&rd->lock);
	}
	return NULL;
}

int
reader_start(struct reader *rd, const struct reader_file *files, int nfiles, char *err)
{
	int rc;

	memset(rd, 0, sizeof *rd);
	rd->files = files;
	rd->nfiles = nfiles;
	pthread_mutex_init(&rd->lock, NULL);
	pthread_cond_init(&rd->changed, NULL);
	if ((rc = pthread_create(&rd->thread, NULL, reader_main, rd)) != 0) {
		pthread_mutex_destroy(&rd->lock);
		pthread_cond_destroy(&rd->changed);
		return seterr(err, "cannot start the reader thread: %s", strerror(rc));
	}
	return 0;
}

struct batch *
reader_next(struct reader *rd)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&rd->lock);
	while (rd->head == NULL && !rd->done && !rd->abort)
		pthread_cond_wait(&rd->changed, &rd->lock);
	if ((b = rd->head) != NULL) {
		if ((rd->head = b->next) == NULL)
			rd->tail = NULL;
		rd->queued--;
		pthread_cond_broadcast(&rd->changed);
	}
	pthread_mutex_unlock(&rd->lock);
	return b;
}

void
reader_release(struct reader *rd, struct batch *b)
{
	/* emptied by the reader thread when it takes it again (batch_get) */
	pthread_mutex_lock(&rd->lock);
	b->next = rd->spare;
	rd->spare = b;
	pthread_mutex_unlock(&rd->lock);
}

static void
drain(struct reader *rd)
{
	struct batch *b, *next;

	for (b = rd->head; b != NULL; b = next) {
		next = b->next;
		batch_free(b);
	}
	for (b = rd->spare; b != NULL; b = next) {
		next = b->next;
		batch_free(b);
	}
	rd->head = rd->tail = rd->spare = NULL;
	pthread_mutex_destroy(&rd->lock);
	pthread_cond_destroy(&rd->changed);
}

void
reader_stop(struct reader *rd)
{
	pthread_mutex_lock(&rd->lock);
	rd->abort = 1;
	pthread_cond_broadcast(&rd->changed);
	pthread_mutex_unlock(&rd->lock);
	pthread_join(rd->thread, NULL);
	drain(rd);
}

void
reader_finish(struct reader *rd)
{
	pthread_join(rd->thread, NULL);
	drain(rd);
}
