/* SPDX-License-Identifier: GPL-2.0 */
/*
 * format.h - output formats: one decoded record in, one line out.
 *
 * A formatter writes into the caller's buffer and allocates nothing, so the
 * run loop can format every event into one reused buffer.  Each format is
 * its own file (format_<name>.c); this header is the list of them and the
 * dispatch, so adding one touches the enum, the name table and the switch
 * below and nothing else.
 */
#ifndef GP_FORMAT_H
#define GP_FORMAT_H

#include <stddef.h>
#include <string.h>

#include "record.h"

enum gp_format {
	GP_FMT_TEXT,
	GP_FMT_JSON,
	/* later: ECS, OCSF, CEF, SYSLOG */
	GP_FMT_MAX
};

/*
 * A buffer this big holds any record in any format: the worst case is a
 * JSON exe of PATH_MAX - 1 control bytes, 6 output bytes each.
 */
#define GP_FORMAT_BUF_SIZE	(6 * PATH_MAX + 4096)

/* Writes one record (with trailing '\n') into buf, NUL-terminated; returns
 * bytes written without the NUL, or -1 if it did not fit. */
int gp_format_text(const struct gp_record *r, char *buf, size_t len);
int gp_format_json(const struct gp_record *r, char *buf, size_t len);

/* The column header line for text (with '\n'); same return convention. */
int gp_format_text_header(char *buf, size_t len);

static inline int gp_format_parse(const char *name)
{
	if (!name)
		return -1;
	if (!strcmp(name, "text"))
		return GP_FMT_TEXT;
	if (!strcmp(name, "json"))
		return GP_FMT_JSON;
	return -1;
}

static inline int gp_format_record(enum gp_format f, const struct gp_record *r,
				   char *buf, size_t len)
{
	switch (f) {
	case GP_FMT_TEXT:	return gp_format_text(r, buf, len);
	case GP_FMT_JSON:	return gp_format_json(r, buf, len);
	default:		return -1;
	}
}

#endif /* GP_FORMAT_H */
