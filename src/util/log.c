#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static const char *progname = "agentlogs";

void
log_set_progname(const char *name)
{
	progname = name;
}

const char *
log_progname(void)
{
	return progname;
}

/*
 * One line, written in one call under the stream's lock: the browser's threads
 * (and processes appending to one log file) never interleave their lines.
 */
static void
vlog(const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
	char msg[2048];
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	flockfile(stderr);
	if (n >= 0 && (size_t)n < sizeof msg)
		fprintf(stderr, "%s: %s%s%s%s\n", progname, prefix, msg, suffix != NULL ? ": " : "",
		    suffix != NULL ? suffix : "");
	else {
		/* Longer than the buffer: several writes, still under the lock. */
		fprintf(stderr, "%s: %s", progname, prefix);
		vfprintf(stderr, fmt, again);
		if (suffix != NULL)
			fprintf(stderr, ": %s", suffix);
		fputc('\n', stderr);
	}
	funlockfile(stderr);
	va_end(again);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (getenv("AGENTLOGS_DEBUG") == NULL)
		return;
	va_start(ap, fmt);
	vlog("debug: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	vlog("", fmt, ap, e);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

int
seterr(char *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, ERRLEN, fmt, ap);
	va_end(ap);
	return -1;
}
