/* Secrets drawn from the system's CSPRNG (OpenSSL): tokens, codes, PKCE verifiers. */
#ifndef AL_UTIL_RANDOM_H
#define AL_UTIL_RANDOM_H

#include <stddef.h>

/* Fills buf with n random bytes; -1 when the generator fails (never a weak fallback). */
int random_bytes(void *buf, size_t n);

/*
 * A token of `bytes` random bytes as 2 * bytes lower-case hex digits and a
 * NUL in out. -1 when out (outsize bytes) is too small or the generator
 * fails; out then holds "".
 */
int random_hex(char *out, size_t outsize, size_t bytes);

#endif
