#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "util/fault.h"

void
fault_point(const char *name)
{
	static int hits;
	const char *spec = getenv("AGENTLOGS_FAULT"), *colon;
	size_t len;

	if (spec == NULL || *spec == '\0')
		return;
	colon = strchr(spec, ':');
	len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	if (strlen(name) != len || strncmp(spec, name, len) != 0)
		return;
	if (++hits >= (colon != NULL ? atoi(colon + 1) : 1))
		raise(SIGKILL);
}

long long
fault_clock_skew(void)
{
	const char *v = getenv("AGENTLOGS_CLOCK_SKEW");

	return v != NULL && *v != '\0' ? strtoll(v, NULL, 10) : 0;
}
