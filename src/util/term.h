/* What the output is connected to: a terminal's width, and whether to colour. */
#ifndef AL_TERM_H
#define AL_TERM_H

#include <stdio.h>

/* Columns of the terminal f writes to; 0 when f is not a terminal. */
int term_width(FILE *f);
/* True when f is a terminal and NO_COLOR is unset or empty (https://no-color.org). */
int term_color(FILE *f);

#define TERM_YELLOW "\033[33m"
#define TERM_RED "\033[31m"
#define TERM_DIM "\033[2m"
#define TERM_BOLD "\033[1m"
#define TERM_RESET "\033[m"

#endif
