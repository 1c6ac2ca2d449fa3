/*
 * Debug builds only (--enable-debug): setenv, unsetenv and putenv abort when
 * the process runs more than one thread. glibc's getenv takes no lock, so a
 * setenv while another thread (the browser's sync thread, a checkpointer, a
 * resolver of libcurl's) reads the environment can hand that thread a freed
 * string. Defined in the executable, these interpose on libc's for every
 * caller, ncurses and libcurl included; tests run debug builds, so any such
 * call on a path they take fails them loudly instead of racing quietly.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int setenv(const char *name, const char *value, int overwrite);
int unsetenv(const char *name);
int putenv(char *string);

/* The "Threads:" line of /proc/self/status; 1 when it cannot be read. */
static int
thread_count(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int n = 1;

	if (f == NULL)
		return 1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "Threads:", 8) == 0) {
			n = atoi(line + 8);
			break;
		}
	}
	fclose(f);
	return n;
}

static void
check(const char *fn, const char *name)
{
	int n = thread_count();

	if (n <= 1)
		return;
	fprintf(stderr, "agentlogs: %s(%.*s) with %d threads running: another thread's getenv"
	    " can read freed memory; read or set the environment before starting threads\n",
	    fn, (int)strcspn(name, "="), name, n);
	abort();
}

static void *
real(const char *fn)
{
	void *p = dlsym(RTLD_NEXT, fn);

	if (p == NULL) {
		fprintf(stderr, "agentlogs: env-guard: no %s in libc\n", fn);
		abort();
	}
	return p;
}

int
setenv(const char *name, const char *value, int overwrite)
{
	int (*fn)(const char *, const char *, int);

	check("setenv", name);
	*(void **)&fn = real("setenv");
	return fn(name, value, overwrite);
}

int
unsetenv(const char *name)
{
	int (*fn)(const char *);

	check("unsetenv", name);
	*(void **)&fn = real("unsetenv");
	return fn(name);
}

int
putenv(char *string)
{
	int (*fn)(char *);

	check("putenv", string);
	*(void **)&fn = real("putenv");
	return fn(string);
}
