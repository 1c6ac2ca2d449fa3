/*
 * One logging module. Messages for the person go to stderr as one line,
 * prefixed with the program name; debug lines only when AGENTLOGS_DEBUG is set.
 */
#ifndef AL_LOG_H
#define AL_LOG_H

#include <stdarg.h>
#include <stddef.h>

#define ERRLEN 512

void log_set_progname(const char *name);
const char *log_progname(void);
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "agentlogs: msg: strerror(errno)" and exits 1. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Prints "agentlogs: msg" and exits 1. */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Fill an ERRLEN error buffer; returns -1 so callers can `return seterr(...)`. */
int seterr(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
