// SPDX-License-Identifier: GPL-2.0
/*
 * timefmt.c - RFC 3339 and epoch-ms timestamps (lib/timefmt.h).
 */
#include <string.h>

#include "lib/timefmt.h"

#define NSEC_PER_SEC	1000000000L

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static void put_digits(char *end, unsigned width, uint64_t v)
{
	while (width--) {
		*--end = (char)('0' + v % 10);
		v /= 10;
	}
}

/* tv_sec/tv_nsec normalised so that 0 <= nsec < 1e9. */
static void normalise(const struct timespec *ts, int64_t *sec, long *nsec)
{
	*sec = ts->tv_sec;
	*nsec = ts->tv_nsec;
	if (*nsec < 0 || *nsec >= NSEC_PER_SEC) {
		*sec += *nsec / NSEC_PER_SEC;
		*nsec %= NSEC_PER_SEC;
		if (*nsec < 0) {
			*nsec += NSEC_PER_SEC;
			(*sec)--;
		}
	}
}

int gp_time_rfc3339(char out[32], const struct timespec *ts, unsigned digits)
{
	int64_t sec, days, y;
	long nsec;
	unsigned m, d, sod;
	int len;

	normalise(ts, &sec, &nsec);
	days = sec / 86400;
	if (sec % 86400 < 0)
		days--;
	sod = (unsigned)(sec - days * 86400);
	civil_from_days(days, &y, &m, &d);
	if (y < 0) {
		y = 0; m = 1; d = 1; sod = 0; nsec = 0;
	} else if (y > 9999) {
		y = 9999; m = 12; d = 31; sod = 86399; nsec = NSEC_PER_SEC - 1;
	}
	if (digits > 9)
		digits = 9;
	memcpy(out, "0000-00-00T00:00:00", 19);
	put_digits(out + 4, 4, (uint64_t)y);
	put_digits(out + 7, 2, m);
	put_digits(out + 10, 2, d);
	put_digits(out + 13, 2, sod / 3600);
	put_digits(out + 16, 2, sod / 60 % 60);
	put_digits(out + 19, 2, sod % 60);
	len = 19;
	if (digits) {
		uint64_t frac = (uint64_t)nsec;

		for (unsigned i = digits; i < 9; i++)
			frac /= 10;	/* truncate, never round into the next second */
		out[len++] = '.';
		len += (int)digits;
		put_digits(out + len, digits, frac);
	}
	out[len++] = 'Z';
	out[len] = '\0';
	return len;
}

uint64_t gp_time_epoch_ms(const struct timespec *ts)
{
	int64_t sec;
	long nsec;

	normalise(ts, &sec, &nsec);
	if (sec < 0)
		return 0;
	return (uint64_t)sec * 1000 + (uint64_t)nsec / 1000000;
}
