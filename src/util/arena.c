#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "util/arena.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define BLOCK_MIN (1u << 20)
#define ALIGN 16

struct block {
	struct block *next;
	size_t size, used;
	/* The memory follows. */
};

/* A buffer of someone else's the arena frees on reset (arena_adopt). */
struct adopted {
	struct adopted *next;
	char *buf;
	size_t size;
};

#define PLACES_MAX 16

struct arena {
	struct block *blocks;	/* newest first; only the first is bumped */
	size_t total;
	struct adopted *adopted;
	/* Where the next allocations of these sizes go instead (arena_place). */
	struct place {
		char *at;
		size_t n;
	} places[PLACES_MAX];
	int nplaces;
};

static _Thread_local struct arena *current;

static struct block *
block_new(size_t min)
{
	size_t size = min + sizeof(struct block) + ALIGN;
	struct block *b;

	if (size < BLOCK_MIN)
		size = BLOCK_MIN;
	b = xmalloc(size);
	b->next = NULL;
	b->size = size - sizeof *b;
	b->used = 0;
	return b;
}

struct arena *
arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

/* The first place waiting for an allocation of n bytes, taken; NULL if none. */
static void *
take_place(struct arena *a, size_t n)
{
	int i;
	char *at;

	for (i = 0; i < a->nplaces; i++) {
		if (a->places[i].n != n)
			continue;
		at = a->places[i].at;
		memmove(&a->places[i], &a->places[i + 1],
		    (size_t)(a->nplaces - i - 1) * sizeof a->places[0]);
		a->nplaces--;
		return at;
	}
	return NULL;
}

static void *
arena_alloc(struct arena *a, size_t n)
{
	struct block *b = a->blocks;
	size_t at = b != NULL ? (b->used + ALIGN - 1) & ~(size_t)(ALIGN - 1) : 0;
	void *placed;

	if (a->nplaces > 0 && (placed = take_place(a, n)) != NULL)
		return placed;

	if (b == NULL || at + n > b->size) {
		b = block_new(n);
		b->next = a->blocks;
		a->blocks = b;
		at = 0;
	}
	b->used = at + n;
	a->total += n;
	return (char *)(b + 1) + at;
}

static int
owns(const struct arena *a, const void *p)
{
	const struct block *b;
	const struct adopted *o;

	for (o = a->adopted; o != NULL; o = o->next) {
		if ((const char *)p >= o->buf && (const char *)p < o->buf + o->size)
			return 1;
	}
	for (b = a->blocks; b != NULL; b = b->next) {
		const char *start = (const char *)(b + 1);
		if ((const char *)p >= start && (const char *)p < start + b->size)
			return 1;
	}
	return 0;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}

void
arena_reset(struct arena *a)
{
	struct block *b, *keep = NULL, *next;

	/* Keep one ordinary block; an outsized one (a huge line) goes back. */
	for (b = a->blocks; b != NULL; b = next) {
		next = b->next;
		if (keep == NULL && b->size <= 4 * BLOCK_MIN) {
			keep = b;
			keep->next = NULL;
			keep->used = 0;
		} else
			free(b);
	}
	a->blocks = keep;
	a->total = 0;
	while (a->adopted != NULL) {
		struct adopted *o = a->adopted;
		a->adopted = o->next;
		free(o->buf);
		free(o);
	}
	a->nplaces = 0;
}

void
arena_adopt(struct arena *a, char *buf, size_t size)
{
	struct adopted *o = xmalloc(sizeof *o);

	o->buf = buf;
	o->size = size;
	o->next = a->adopted;
	a->adopted = o;
	a->total += size;
}

int
arena_place(struct arena *a, char *at, size_t n)
{
	if (a->nplaces == PLACES_MAX)
		return -1;
	a->places[a->nplaces].at = at;
	a->places[a->nplaces].n = n;
	a->nplaces++;
	return 0;
}

void
arena_unplace(struct arena *a)
{
	a->nplaces = 0;
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->blocks);
	free(a);
}

static void *
hook_malloc(size_t n)
{
	if (current != NULL)
		return arena_alloc(current, n);
	return xmalloc(n);
}

static void
hook_free(void *p)
{
	if (p == NULL || (current != NULL && owns(current, p)))
		return;
	free(p);
}

static void
install_hooks(void)
{
	cJSON_Hooks hooks = { .malloc_fn = hook_malloc, .free_fn = hook_free };

	cJSON_InitHooks(&hooks);
}

struct arena *
arena_use(struct arena *a)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct arena *prev = current;

	pthread_once(&once, install_hooks);
	current = a;
	return prev;
}
