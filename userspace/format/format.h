/* SPDX-License-Identifier: GPL-2.0 */
/*
 * format.h - output formats: one decoded record in, one line out.
 *
 * A formatter writes into the caller's buffer and allocates nothing, so the
 * run loop can format every event into one reused buffer.  Each format is
 * its own file (format_<name>.c); this header is the list of them and the
 * dispatch, so adding one touches the enum, the name table and the switch
 * below and nothing else.
 *
 * Every line ends with '\n' and holds no other newline, whatever the task
 * put in its comm: outputs that frame messages (syslog transports, the
 * journal) strip that one newline.  Field mappings: docs/siem.md.
 */
#ifndef GP_FORMAT_H
#define GP_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "event/record.h"

enum gp_format {
	GP_FMT_TEXT,
	GP_FMT_JSON,
	GP_FMT_ECS,		/* Elastic Common Schema (JSON) */
	GP_FMT_OCSF,		/* OCSF Network Activity (JSON) */
	GP_FMT_CEF,		/* ArcSight Common Event Format */
	GP_FMT_SYSLOG,		/* RFC 5424 with structured data */
	GP_FMT_MAX
};

/*
 * A buffer this big holds any record in any format: the worst case is a
 * JSON exe of PATH_MAX - 1 control bytes, 6 output bytes each.  (CEF and
 * syslog write such a byte as U+FFFD, 3 bytes, plus hex elsewhere.)
 */
#define GP_FORMAT_BUF_SIZE	(6 * PATH_MAX + 4096)

/* RFC 5424 private enterprise number of ghostport's SD-IDs: 32473 is the
 * example PEN reserved for documentation by RFC 5612; see docs/siem.md. */
#define GP_SYSLOG_PEN		"32473"
/* Facility of every message: auth (4), security/authorization. */
#define GP_SYSLOG_FACILITY	4

/* Writes one record (with trailing '\n') into buf, NUL-terminated; returns
 * bytes written without the NUL, or -1 if it did not fit. */
int gp_format_text(const struct gp_record *r, char *buf, size_t len);
int gp_format_json(const struct gp_record *r, char *buf, size_t len);
int gp_format_ecs(const struct gp_record *r, char *buf, size_t len);
int gp_format_ocsf(const struct gp_record *r, char *buf, size_t len);
int gp_format_cef(const struct gp_record *r, char *buf, size_t len);
int gp_format_syslog(const struct gp_record *r, char *buf, size_t len);

/* The column header line for text (with '\n'); same return convention. */
int gp_format_text_header(char *buf, size_t len);

/*
 * The RFC 5424 header "<PRI>1 TIMESTAMP HOSTNAME ghostport PROCID MSGID "
 * for record r, followed by the NILVALUE structured data "- ": how a line of
 * another format (JSON, CEF) travels over a syslog transport.  Same return
 * convention; no newline.
 */
int gp_syslog_wrap_prefix(const struct gp_record *r, char *buf, size_t len);

/* The same header from its parts (drop notices have no record). */
int gp_syslog_prefix(int severity, const struct timespec *ts,
		     const char *hostname, const char *msgid, char *buf,
		     size_t len);

/* RFC 5424 severity (0..7) of an event: deny 4 (warning), audit and exempt
 * 5 (notice), unlisted 6 (info). */
int gp_syslog_severity(const struct gp_record *r);

/*
 * The human summary every format carries (syslog MSG, ECS/OCSF "message",
 * CEF "msg", journal MESSAGE for structured formats): printable ASCII only,
 * e.g. "denied bind tcp 192.0.2.7:686 (hp-alarm-mgr) by nc[4242] uid 1000:
 * EACCES".  No newline; same return convention.
 */
int gp_format_summary(const struct gp_record *r, char *buf, size_t len);

/*
 * The synthetic record an output writes once a collector is back after it
 * had to drop `dropped` events past its spool bound: one line of format f
 * ("ghostport: N events dropped while collector was unreachable" in the
 * format's own shape), at time `now`, with host identity when not NULL.
 */
int gp_format_dropped(enum gp_format f, uint64_t dropped,
		      const struct timespec *now, const char *hostname,
		      const char *machine_id, char *buf, size_t len);

static const char *const gp_format_names[GP_FMT_MAX] = {
	[GP_FMT_TEXT] = "text",
	[GP_FMT_JSON] = "json",
	[GP_FMT_ECS] = "ecs",
	[GP_FMT_OCSF] = "ocsf",
	[GP_FMT_CEF] = "cef",
	[GP_FMT_SYSLOG] = "syslog",
};

/* The list for usage messages. */
#define GP_FORMAT_LIST	"text, json, ecs, ocsf, cef, syslog"

static inline int gp_format_parse(const char *name)
{
	if (!name)
		return -1;
	for (int f = 0; f < GP_FMT_MAX; f++)
		if (!strcmp(name, gp_format_names[f]))
			return f;
	return -1;
}

static inline const char *gp_format_name(enum gp_format f)
{
	return (unsigned)f < GP_FMT_MAX ? gp_format_names[f] : "unknown";
}

static inline int gp_format_record(enum gp_format f, const struct gp_record *r,
				   char *buf, size_t len)
{
	switch (f) {
	case GP_FMT_TEXT:	return gp_format_text(r, buf, len);
	case GP_FMT_JSON:	return gp_format_json(r, buf, len);
	case GP_FMT_ECS:	return gp_format_ecs(r, buf, len);
	case GP_FMT_OCSF:	return gp_format_ocsf(r, buf, len);
	case GP_FMT_CEF:	return gp_format_cef(r, buf, len);
	case GP_FMT_SYSLOG:	return gp_format_syslog(r, buf, len);
	default:		return -1;
	}
}

#endif /* GP_FORMAT_H */
