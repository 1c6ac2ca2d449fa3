#include "config.h"

#include "capture/debounce.h"

void
debounce_init(struct debounce *d, long long delay_ms, long long max_ms)
{
	d->delay_ms = delay_ms;
	d->max_ms = max_ms;
	d->first = 0;
	d->due = 0;
}

void
debounce_touch(struct debounce *d, long long now)
{
	if (d->due == 0)
		d->first = now;
	d->due = now + d->delay_ms;
	if (d->max_ms > 0 && d->due > d->first + d->max_ms)
		d->due = d->first + d->max_ms;
	if (d->due == 0)	/* 0 means "nothing pending" */
		d->due = 1;
}

int
debounce_fire(struct debounce *d, long long now)
{
	if (d->due == 0 || now < d->due)
		return 0;
	d->due = 0;
	return 1;
}

long long
debounce_wait(const struct debounce *d, long long now)
{
	if (d->due == 0)
		return -1;
	return d->due > now ? d->due - now : 0;
}

void
backoff_start(struct backoff *b, long long min_ms, long long max_ms, long long now)
{
	b->min_ms = min_ms;
	b->max_ms = max_ms;
	b->wait_ms = min_ms;
	b->due = now + min_ms;
}

void
backoff_after_scan(struct backoff *b, int found, long long now)
{
	if (found)
		b->wait_ms = b->min_ms;
	else if (b->wait_ms < b->max_ms)
		b->wait_ms = b->wait_ms * 2 < b->max_ms ? b->wait_ms * 2 : b->max_ms;
	b->due = now + b->wait_ms;
}

long long
backoff_wait(const struct backoff *b, long long now)
{
	if (b->due == 0)
		return -1;
	return b->due > now ? b->due - now : 0;
}

long long
wait_min(long long a, long long b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}
