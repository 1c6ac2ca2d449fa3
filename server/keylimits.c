#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keylimits.h"
#include "util/xmalloc.h"

#define NHEADS 4096

struct entry {
	struct entry *next;
	double tokens;		/* what the bucket held at stamp */
	double stamp;
	long count;		/* connections held */
	char key[];
};

struct limits {
	struct entry *heads[NHEADS];
	double capacity, refill;
	long n;
};

struct limits *
limits_new(double capacity, double refill_seconds)
{
	struct limits *l = xcalloc(1, sizeof *l);

	l->capacity = capacity;
	l->refill = refill_seconds > 0 ? refill_seconds : 1;
	return l;
}

void
limits_free(struct limits *l)
{
	struct entry *e, *next;
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < NHEADS; i++) {
		for (e = l->heads[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(l);
}

static size_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % NHEADS;
}

static double
tokens_at(const struct limits *l, const struct entry *e, double now)
{
	double t = e->tokens + (now - e->stamp) / l->refill;

	return t > l->capacity ? l->capacity : t;
}

/* Forgets the keys that hold nothing: a full bucket and no connection. */
static void
sweep(struct limits *l, double now)
{
	struct entry **p, *e;
	size_t i;

	for (i = 0; i < NHEADS; i++) {
		for (p = &l->heads[i]; (e = *p) != NULL;) {
			if (e->count == 0 && tokens_at(l, e, now) >= l->capacity) {
				*p = e->next;
				free(e);
				l->n--;
			} else
				p = &e->next;
		}
	}
}

/* key's entry, made (with a full bucket) when missing; NULL when the table is full. */
static struct entry *
lookup(struct limits *l, const char *key, double now)
{
	size_t h = hash(key), len = strlen(key);
	struct entry *e;

	for (e = l->heads[h]; e != NULL; e = e->next) {
		if (strcmp(e->key, key) == 0)
			return e;
	}
	if (l->n >= LIMITS_MAX_KEYS)
		sweep(l, now);
	if (l->n >= LIMITS_MAX_KEYS)
		return NULL;
	e = xcalloc(1, sizeof *e + len + 1);
	memcpy(e->key, key, len + 1);
	e->tokens = l->capacity;
	e->stamp = now;
	e->next = l->heads[h];
	l->heads[h] = e;
	l->n++;
	return e;
}

long
limits_take(struct limits *l, const char *key, double now)
{
	struct entry *e = lookup(l, key, now);
	double t, wait;

	if (e == NULL)
		return 0;
	t = tokens_at(l, e, now);
	e->stamp = now;
	if (t >= 1) {
		e->tokens = t - 1;
		return 0;
	}
	e->tokens = t;
	wait = (1 - t) * l->refill;	/* rounded up: never sooner than it comes */
	return (double)(long)wait < wait ? (long)wait + 1 : ((long)wait > 0 ? (long)wait : 1);
}

int
limits_acquire(struct limits *l, const char *key, long max)
{
	struct entry *e = lookup(l, key, 0);

	if (e == NULL)
		return 0;
	if (e->count >= max)
		return -1;
	e->count++;
	return 0;
}

void
limits_release(struct limits *l, const char *key)
{
	struct entry **p, *e;

	for (p = &l->heads[hash(key)]; (e = *p) != NULL; p = &e->next) {
		if (strcmp(e->key, key) == 0) {
			if (e->count > 0 && --e->count == 0) {
				*p = e->next;
				free(e);
				l->n--;
			}
			return;
		}
	}
}

long
limits_keys(const struct limits *l)
{
	return l->n;
}
