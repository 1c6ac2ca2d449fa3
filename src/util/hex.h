/* Hexadecimal digits: one encoder and one digit reader for the whole tree. */
#ifndef AL_UTIL_HEX_H
#define AL_UTIL_HEX_H

#include <stddef.h>

/* The value of the hex digit c (either case), or -1. */
int hex_value(int c);

/*
 * Writes p[0..n) as lower-case hex and a NUL into out. -1, writing nothing,
 * when out (outsize bytes) cannot hold the 2n + 1 bytes.
 */
int hex_encode(char *out, size_t outsize, const unsigned char *p, size_t n);

#endif
