#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fault.h"

/* 0 when AGENTLOGS_FAULT does not name the point, else how many times it was reached so far. */
static int
fault_reached(const char *name, int *nth)
{
	static int hits;
	const char *spec = getenv("AGENTLOGS_FAULT"), *colon;
	size_t len;

	if (spec == NULL || *spec == '\0')
		return 0;
	colon = strchr(spec, ':');
	len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	if (strlen(name) != len || strncmp(spec, name, len) != 0)
		return 0;
	*nth = colon != NULL ? atoi(colon + 1) : 1;
	return ++hits;
}

void
fault_point(const char *name)
{
	int nth, hits = fault_reached(name, &nth);

	if (hits > 0 && hits >= nth)
		raise(SIGKILL);
}

int
fault_hit(const char *name)
{
	int nth, hits = fault_reached(name, &nth);

	return hits > 0 && hits >= nth;
}

void
fault_pause(const char *name)
{
	static int paused;
	const char *spec = getenv("AGENTLOGS_PAUSE"), *colon;
	char path[4096], buf[64];
	FILE *f;

	if (paused || spec == NULL || (colon = strchr(spec, ':')) == NULL ||
	    (size_t)(colon - spec) != strlen(name) || strncmp(spec, name, strlen(name)) != 0)
		return;
	paused = 1;
	snprintf(path, sizeof path, "%s.reached", colon + 1);
	if ((f = fopen(path, "w")) != NULL) {
		fprintf(f, "%s\n", name);
		fclose(f);
	}
	if ((f = fopen(colon + 1, "r")) != NULL) {
		while (fread(buf, 1, sizeof buf, f) > 0)
			;
		fclose(f);
	}
}

long long
fault_clock_skew(void)
{
	const char *v = getenv("AGENTLOGS_CLOCK_SKEW");

	return v != NULL && *v != '\0' ? strtoll(v, NULL, 10) : 0;
}
