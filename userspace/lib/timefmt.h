/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timefmt.h - event timestamps for the SIEM formats, without gmtime_r (which
 * takes glibc's timezone lock on every call).
 */
#ifndef GP_TIMEFMT_H
#define GP_TIMEFMT_H

#include <stdint.h>
#include <time.h>

/*
 * "2026-11-23T15:04:05.123456Z" with `digits` fractional digits (0..9; 0
 * writes no fraction).  out holds at least 32 bytes; returns the length.
 * Years outside 0..9999 are clamped to its ends so that a garbage clock
 * still yields a valid RFC 3339 timestamp.
 */
int gp_time_rfc3339(char out[32], const struct timespec *ts, unsigned digits);

/* Milliseconds since the epoch (OCSF `time`, CEF `rt`); 0 if before it. */
uint64_t gp_time_epoch_ms(const struct timespec *ts);

#endif /* GP_TIMEFMT_H */
