/* SPDX-License-Identifier: GPL-2.0 */
/*
 * squatters.h - the daemon's scans for sockets already on listed ports:
 * the scan thread (scan/worker.h), what was already reported
 * (scan/track.h), and turning a finished scan into events for the outputs
 * and an answer for `ghostport scan` clients of the control socket.
 *
 * The run loop asks (at start, after a reload that adds ports, every
 * scan_interval, for a client) and polls gp_squatters_fd() with the rest;
 * it never waits for a scan, except once at start, before the ready line.
 */
#ifndef GP_SQUATTERS_H
#define GP_SQUATTERS_H

#include <stdbool.h>
#include <stddef.h>

#include "event/record.h"
#include "policy/config.h"
#include "daemon/status.h"

struct gp_squatters;

/* Start the scan thread: call it before the daemon drops its capabilities
 * (entering other namespaces needs CAP_SYS_ADMIN).  NULL with a reason. */
struct gp_squatters *gp_squatters_start(char *err, size_t errlen);
void gp_squatters_stop(struct gp_squatters *q);

/* No scan running or waiting to. */
bool gp_squatters_idle(const struct gp_squatters *q);

/* Readable when a scan finished: then call gp_squatters_take(). */
int gp_squatters_fd(const struct gp_squatters *q);

/*
 * Ask for a scan under cfg's rules and exemptions.  close: destroy what
 * --close-existing may (the caller checked enforcement); all: report known
 * sockets again; for_ctl: a client waits for it.  A request while a scan
 * runs is remembered (flags merged) and started after it.
 */
void gp_squatters_request(struct gp_squatters *q, const struct gp_config *cfg,
			  bool close, bool all, bool for_ctl);

/* A finished scan's answer for waiting clients (malloc'd, may be NULL). */
struct gp_squat_answer {
	bool for_ctl;			/* a client asked for this scan */
	char *json, *text;		/* the events, one per line */
	size_t json_len, text_len;
	char summary[640];		/* "ghostport: scan: ..." */
};

typedef void (*gp_squat_emit_fn)(void *ctx, const struct gp_record *r);

/*
 * If a scan finished: report it (each event through emit, close lines and
 * the summary on stderr, counters in st), start the remembered request if
 * any (with cfg), fill *a and return true.  Free a with
 * gp_squat_answer_free().
 */
bool gp_squatters_take(struct gp_squatters *q, const struct gp_config *cfg,
		       gp_squat_emit_fn emit, void *ctx, struct gp_status *st,
		       struct gp_squat_answer *a);
void gp_squat_answer_free(struct gp_squat_answer *a);

/* Does next list a port/protocol that prev did not? */
bool gp_squatters_ports_added(const __u32 *prev, const __u32 *next);

#endif /* GP_SQUATTERS_H */
