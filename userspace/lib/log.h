/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h - ghostport's two conventions for trouble.
 *
 * Errors: a function that can fail returns 0, or a negative errno, and
 * when the caller passed a buffer (char *err, size_t errlen) it finds the
 * one-line reason there: no "ghostport:" prefix, no newline, so the caller
 * decides where it goes and what it adds.  gp_errf() writes the reason and
 * returns the negative errno in one statement.
 *
 * Logging: stderr lines a person (or the test suite) reads all start with
 * "ghostport: "; warnings with "ghostport: warning: ", notes with
 * "ghostport: note: ".  gp_log_err/info/warn/note write one such line, in one
 * write, newline added.
 */
#ifndef GP_LIB_LOG_H
#define GP_LIB_LOG_H

#include <stddef.h>

#define GP_PRINTF(f, a)	__attribute__((format(printf, f, a)))

/* Writes the reason into err (if any) and returns -e; e is an errno > 0
 * (EINVAL when 0 is passed, so the result is always an error). */
int gp_errf(char *err, size_t errlen, int e, const char *fmt, ...)
	GP_PRINTF(4, 5);

/* One "ghostport: [tag: ]message\n" line on stderr; tag may be NULL. */
void gp_log(const char *tag, const char *fmt, ...) GP_PRINTF(2, 3);

#define gp_log_err(...)		gp_log(NULL, __VA_ARGS__)
#define gp_log_info(...)	gp_log(NULL, __VA_ARGS__)
#define gp_log_warn(...)	gp_log("warning", __VA_ARGS__)
#define gp_log_note(...)	gp_log("note", __VA_ARGS__)

#endif /* GP_LIB_LOG_H */
