/*
 * Lines of hundreds of MB (a tool's whole output in one result): their long
 * strings are decoded where they lie in the line instead of into copies, so
 * reading such a line needs little more than the line itself.
 */
#ifndef AL_BIGLINE_H
#define AL_BIGLINE_H

#include <stddef.h>

struct arena;

/* Lines at least this long are read this way (see reader.c). */
#define BIGLINE_MIN (1u << 20)
/* Strings at least this long (escaped) are decoded in place. */
#define BIGLINE_STRING (64u << 10)

/*
 * Tells arena a (the one cJSON will parse line into) to hand each long
 * string of line its own bytes as room (arena_place), so the parse decodes it
 * over its escaped text: line is changed by the parse and must live as long
 * as the tree. Strings whose escapes cJSON would refuse are left alone (their
 * parse fails as before). Returns the number of strings placed.
 */
int bigline_place_strings(char *line, size_t len, struct arena *a);

#endif
