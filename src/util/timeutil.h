/* Time: ISO 8601 UTC strings as stored, and an injectable clock for tests. */
#ifndef AL_TIMEUTIL_H
#define AL_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

/* Seconds since the epoch; AGENTLOGS_NOW (seconds or ISO 8601) overrides it for tests. */
time_t time_now(void);
/* "2026-01-19T04:42:58.051Z" → milliseconds since the epoch; -1 when unparseable. */
int64_t time_parse_iso_ms(const char *s);
/* Milliseconds → "YYYY-MM-DDTHH:MM:SS.mmmZ" (25 bytes with the terminator). */
void time_format_iso_ms(int64_t ms, char out[32]);
/* The current time formatted as above. */
void time_now_iso(char out[32]);

#endif
