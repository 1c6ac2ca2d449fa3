#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/term.h"

int
term_width(FILE *f)
{
	struct winsize ws;
	const char *cols;
	int fd = fileno(f), n;

	if (fd < 0 || !isatty(fd))
		return 0;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	/* A terminal that does not say its size (some serial consoles, script(1)). */
	if ((cols = getenv("COLUMNS")) != NULL && (n = atoi(cols)) > 0)
		return n;
	return 80;
}

int
term_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	int fd = fileno(f);

	if (nc != NULL && *nc != '\0')
		return 0;
	return fd >= 0 && isatty(fd);
}
