// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - the error and logging conventions of lib/log.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "lib/log.h"

int gp_errf(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return e > 0 ? -e : -EINVAL;
}

void gp_log(const char *tag, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One fprintf on unbuffered stderr is one write: lines from the
	 * output threads do not interleave with it. */
	fprintf(stderr, "ghostport: %s%s%s\n", tag ? tag : "", tag ? ": " : "",
		msg);
}
