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

/*
 * The clock that stamps updated_at, the tie-break between equal versions: the
 * current time, set back by how far this machine's clock runs ahead of the
 * cloud's (measured at each login and token refresh), so that a clock an hour
 * fast does not win every tie for an hour. A clock behind the cloud's is left
 * alone: it only loses ties. Safe from any thread.
 */
void time_stamp_iso(char out[32]);
/* Seconds this machine's clock runs ahead of the cloud's (<= 1: none, within rounding). */
void time_set_cloud_ahead(long long seconds);

#endif
