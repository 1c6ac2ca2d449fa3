/*
 * Bump allocators for cJSON. Parsing a transcript line allocates a node per
 * value and drops them all soon after; allocating them from an arena and
 * releasing the arena whole costs no malloc or free per node. An arena can be
 * filled in one thread and released in another (the import's reader thread
 * parses, its writer thread consumes).
 *
 * The hooks are installed on first use and are per thread: while a thread has
 * an arena in use, its cJSON allocations come from it; otherwise, and in every
 * other thread, cJSON uses malloc and free as usual. Trees allocated from an
 * arena must never be passed to cJSON_Delete: release the arena instead.
 */
#ifndef AL_ARENA_H
#define AL_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
/* Forgets everything allocated, keeping one block for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);
/* Bytes handed out since the last reset. */
size_t arena_used(const struct arena *a);

/*
 * Takes buf (malloc'd, size bytes) to free on the next reset; its size counts
 * as used. With arena_place, strings of a huge line decode inside the line.
 */
void arena_adopt(struct arena *a, char *buf, size_t size);

/*
 * The next allocation of exactly n bytes returns at instead of new memory
 * (at most 16 waiting; -1 when full). cJSON asks for a string's room just
 * before decoding it, and decoding never writes past what it has read, so a
 * string can be decoded over its own escaped text: see capture/bigline.c.
 * arena_unplace forgets the places not taken.
 */
int arena_place(struct arena *a, char *at, size_t n);
void arena_unplace(struct arena *a);

/* cJSON allocations of this thread come from a (NULL: malloc) until the next
 * call. Returns the arena that was in use. */
struct arena *arena_use(struct arena *a);

#endif
