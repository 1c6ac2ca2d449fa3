#include "config.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fault.h"
#include "util/timeutil.h"

time_t
time_now(void)
{
	const char *env = getenv("AGENTLOGS_NOW");
	int64_t ms;
	char *end;
	long long v;

	if (env != NULL && *env != '\0') {
		v = strtoll(env, &end, 10);
		if (*end == '\0')
			return (time_t)(v + fault_clock_skew());
		if ((ms = time_parse_iso_ms(env)) >= 0)
			return (time_t)(ms / 1000 + fault_clock_skew());
	}
	return time(NULL) + (time_t)fault_clock_skew();
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm): no timezone state. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int64_t
time_parse_iso_ms(const char *s)
{
	int y, mo, d, h, mi, sec, ms = 0, scale = 100, tzsign = 0, tzh = 0, tzm = 0;
	const char *p = s;
	int64_t days;

	if (s == NULL || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d) || (*p != 'T' && *p != ' '))
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
	    digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			ms += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
	}
	if (*p == 'Z')
		p++;
	else if (*p == '+' || *p == '-') {
		tzsign = *p++ == '+' ? 1 : -1;
		if (digits(&p, 2, &tzh) || (*p == ':' && p++ == NULL) || digits(&p, 2, &tzm))
			return -1;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	return ((days * 86400 + h * 3600 + mi * 60 + sec) - tzsign * (tzh * 3600 + tzm * 60)) *
	    1000 + ms;
}

/* The civil date of a day since 1970-01-01 (Howard Hinnant's algorithm, days_from_civil's inverse). */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Writes v as n decimal digits, zero-padded, at out. */
static void
put_digits(char *out, unsigned v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
time_format_iso_ms(int64_t ms, char out[32])
{
	/* Floor division: a time before 1970 still has milliseconds in 0..999. */
	int64_t sec = ms / 1000 - (ms % 1000 < 0);
	int frac = (int)(ms - sec * 1000);
	int64_t days = sec / 86400 - (sec % 86400 < 0), y;
	unsigned m, d, tod = (unsigned)(sec - days * 86400);
	time_t t = (time_t)sec;
	struct tm tm;
	size_t n;

	/*
	 * Every record's timestamp is formatted: the four-digit years by hand
	 * (strftime cost 4% of the import's reading thread), the rest as
	 * strftime writes them.
	 */
	civil_from_days(days, &y, &m, &d);
	if (y >= 1000 && y <= 9999) {
		put_digits(out, (unsigned)y, 4);
		out[4] = '-';
		put_digits(out + 5, m, 2);
		out[7] = '-';
		put_digits(out + 8, d, 2);
		out[10] = 'T';
		put_digits(out + 11, tod / 3600, 2);
		out[13] = ':';
		put_digits(out + 14, tod / 60 % 60, 2);
		out[16] = ':';
		put_digits(out + 17, tod % 60, 2);
		out[19] = '.';
		put_digits(out + 20, (unsigned)frac, 3);
		out[23] = 'Z';
		out[24] = '\0';
		return;
	}
	gmtime_r(&t, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", frac);
}

/* Milliseconds, so that two edits in one second still order by time. */
void
time_now_iso(char out[32])
{
	const char *env = getenv("AGENTLOGS_NOW");
	struct timespec ts;

	if ((env != NULL && *env != '\0') || clock_gettime(CLOCK_REALTIME, &ts) != 0) {
		time_format_iso_ms((int64_t)time_now() * 1000, out);
		return;
	}
	time_format_iso_ms(((int64_t)ts.tv_sec + fault_clock_skew()) * 1000 + ts.tv_nsec / 1000000,
	    out);
}

/* Set by whichever thread receives a token; read by every one that stamps. */
static _Atomic long long cloud_ahead;

void
time_set_cloud_ahead(long long seconds)
{
	atomic_store(&cloud_ahead, seconds);
}

void
time_stamp_iso(char out[32])
{
	long long ahead = atomic_load(&cloud_ahead);

	time_now_iso(out);
	/* Whole seconds from the token's expires_at: a second either way is rounding. */
	if (ahead > 1)
		time_format_iso_ms(time_parse_iso_ms(out) - ahead * 1000, out);
}
