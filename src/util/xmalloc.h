/* Allocation helpers that never return NULL: running out of memory is fatal. */
#ifndef AL_XMALLOC_H
#define AL_XMALLOC_H

#include <stddef.h>
#include <stdarg.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int xvasprintf(char **ret, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Like xasprintf but returns the string. */
char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
