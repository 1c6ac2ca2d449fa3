#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "util/arena.h"
#include "util/log.h"

#define BLOCK_MIN (1u << 20)
#define ALIGN 16

struct block {
	struct block *next;
	size_t size, used;
	/* The memory follows. */
};

struct arena {
	int active;
	struct block *blocks;	/* newest first; only the first is bumped */
};

static _Thread_local struct arena arena;

static struct block *
block_new(size_t min)
{
	size_t size = min + sizeof(struct block) + ALIGN > BLOCK_MIN ?
	    min + sizeof(struct block) + ALIGN : BLOCK_MIN;
	struct block *b = malloc(size);

	if (b == NULL)
		fatalx("out of memory allocating %zu bytes", size);
	b->next = NULL;
	b->size = size - sizeof *b;
	b->used = 0;
	return b;
}

static int
in_arena(const void *p)
{
	const struct block *b;

	for (b = arena.blocks; b != NULL; b = b->next) {
		const char *start = (const char *)(b + 1);
		if ((const char *)p >= start && (const char *)p < start + b->size)
			return 1;
	}
	return 0;
}

static void *
arena_malloc(size_t n)
{
	struct block *b = arena.blocks;
	size_t at;

	if (!arena.active) {
		void *p = malloc(n);
		if (p == NULL)
			fatalx("out of memory allocating %zu bytes", n);
		return p;
	}
	at = b != NULL ? (b->used + ALIGN - 1) & ~(size_t)(ALIGN - 1) : 0;
	if (b == NULL || at + n > b->size) {
		b = block_new(n);
		b->next = arena.blocks;
		arena.blocks = b;
		at = 0;
	}
	b->used = at + n;
	return (char *)(b + 1) + at;
}

static void
arena_free(void *p)
{
	if (p != NULL && !in_arena(p))
		free(p);
}

static void
install_hooks(void)
{
	cJSON_Hooks hooks = { .malloc_fn = arena_malloc, .free_fn = arena_free };

	cJSON_InitHooks(&hooks);
}

void
arena_begin(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, install_hooks);
	arena.active = 1;
}

void
arena_pause(void)
{
	arena.active = 0;
}

void
arena_end(void)
{
	struct block *b, *next;

	arena.active = 0;
	if (arena.blocks == NULL)
		return;
	/* Keep the largest-so-far block (the newest), drop the rest: a huge line
	 * does not pin its memory forever unless lines keep being huge. */
	for (b = arena.blocks->next; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	arena.blocks->next = NULL;
	if (arena.blocks->size > 8 * BLOCK_MIN) {
		free(arena.blocks);
		arena.blocks = NULL;
		return;
	}
	arena.blocks->used = 0;
}
