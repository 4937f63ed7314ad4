/* SPDX-License-Identifier: GPL-2.0 */
/*
 * format.h - output formats: one decoded record in, one line out.
 *
 * A formatter writes into the caller's buffer and allocates nothing, so the
 * run loop can format every event into one reused buffer.  Each format is
 * its own file (format/<name>.c) and one const struct gp_format_ops in
 * format/registry.c; adding one touches the enum, that table and
 * GP_FORMAT_LIST, and nothing else.
 *
 * Every line ends with '\n' and holds no other newline, whatever the task
 * put in its comm: outputs that frame messages (syslog transports, the
 * journal) strip that one newline.  Field mappings: docs/siem.md.
 */
#ifndef GP_FORMAT_H
#define GP_FORMAT_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

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

/* The drop notice of one format, as gp_format_dropped() without f. */
typedef int gp_format_dropped_fn(uint64_t dropped, const struct timespec *now,
				 const char *hostname, const char *machine_id,
				 char *buf, size_t len);

/*
 * What a format does, one const table per format (format/registry.c), so
 * no caller switches on enum gp_format.  Every writer has the convention
 * above: bytes written without the NUL, -1 if it did not fit.
 */
struct gp_format_ops {
	const char *name;		/* as in settings and --format */
	enum gp_format id;
	/* One record, one line. */
	int (*event)(const struct gp_record *r, char *buf, size_t len);
	/* The drop notice (gp_format_dropped). */
	gp_format_dropped_fn *dropped;
	/* A column header for a terminal, NULL if the format has none. */
	int (*header)(char *buf, size_t len);
	/* Its lines already are RFC 5424 messages: a syslog transport sends
	 * them as they are instead of wrapping them. */
	bool syslog_framed;
};

/* The format called name, NULL if none is. */
const struct gp_format_ops *gp_format_find(const char *name);
/* The format f, NULL if f is out of range. */
const struct gp_format_ops *gp_format_ops(enum gp_format f);

/* The list for usage messages. */
#define GP_FORMAT_LIST	"text, json, ecs, ocsf, cef, syslog"

/* enum gp_format of name, -1 if there is no such format. */
int gp_format_parse(const char *name);
/* The name of f, "unknown" out of range. */
const char *gp_format_name(enum gp_format f);
/* Writes record r in format f; -1 for an unknown f. */
int gp_format_record(enum gp_format f, const struct gp_record *r, char *buf,
		     size_t len);

#endif /* GP_FORMAT_H */
