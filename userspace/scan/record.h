/* SPDX-License-Identifier: GPL-2.0 */
/*
 * record.h - a found socket as an event: the gp_record every format and
 * output takes (source scan, verdict present/gone/closed/open), with its
 * holders, namespace and state in a gp_scan_info it points to.  The first
 * holder is the event's process (pid, comm, exe, uid...), as the binding
 * task is a bind event's.
 */
#ifndef GP_SCAN_RECORD_H
#define GP_SCAN_RECORD_H

#include "event/record.h"
#include "scan/scan.h"

/* A record and the storage its scan pointer refers to. */
struct gp_scan_event {
	struct gp_record rec;
	struct gp_scan_info info;
};

/* The verdict for a socket of this scan: present, closed or open (closing
 * failed). */
__u8 gp_scan_verdict(const struct gp_scan_sock *s);

/*
 * Fill e from s with verdict v (GP_VERDICT_PRESENT, _GONE, _CLOSED,
 * _OPEN) at the current time.  e points into s (holders, names): keep s
 * alive while e is used.
 */
void gp_scan_event_fill(struct gp_scan_event *e, const struct gp_scan_sock *s,
			__u8 verdict);

/*
 * The line said on stderr about a close: "ghostport: closed tcp
 * 0.0.0.0:1021 (nc[42])" or "ghostport: could not close tcp 0.0.0.0:1023
 * (nc[42]): WHY; it stayed open".  "" for a socket not asked to close.
 */
void gp_scan_close_line(const struct gp_scan_sock *s, char *buf, size_t len);

/* "ghostport: scan: N sockets on listed ports in M network namespaces
 * (K reported, G gone, C closed, O stayed open) in T ms" plus what could
 * not be read (namespaces, protocols), no newline. */
void gp_scan_summary_line(const struct gp_scan_result *r, size_t reported,
			  size_t gone, size_t closed, size_t open, char *buf,
			  size_t len);

#endif /* GP_SCAN_RECORD_H */
