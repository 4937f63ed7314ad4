/* SPDX-License-Identifier: GPL-2.0 */
/*
 * status.h - what `ghostport status` shows: the state of a running daemon
 * (how it attached and enforces, which policy, since when, counters) and
 * its three renderings: text for people, JSON for tools, and the
 * Prometheus text exposition format for node_exporter's textfile
 * collector.  The transport is daemon/ctl.h.
 */
#ifndef GP_STATUS_H
#define GP_STATUS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "policy/digest.h"
#include "output/output.h"
#include "event/record.h"

#define GP_STATUS_TOP_PORTS	20
#define GP_STATUS_MAX_OUTPUTS	32

/* Events seen on one port and protocol. */
struct gp_status_port {
	__u16 port;
	const char *proto;		/* "tcp", "udp", "sctp", "other" */
	__u64 events;
};

struct gp_status_output {
	char spec[256];			/* "FORMAT@DEST" as configured */
	struct gp_output_stats st;
};

struct gp_status {
	/* Set once by the run loop (after the source is open). */
	pid_t pid;
	const char *source;		/* attach method: src->ops->name */
	const char *enforce;		/* src->deny_name when enforcing, else NULL */
	const char *progset;		/* "full" or "lockdown-safe" (BPF) */
	const char *unseen;		/* fields its records leave null, or NULL */
	bool all;			/* --all / all: true */
	const char *config_path;	/* NULL when run without a config */
	__u64 started_ns;		/* CLOCK_MONOTONIC at start */
	__u64 now_ns;			/* CLOCK_MONOTONIC now (set by ctl) */

	/* Policy: set at start and after each reload. */
	char digest[GP_DIGEST_HEX_LEN + 1];
	size_t ports_listed, ports_denied;
	size_t exemptions;
	__u64 reloads;			/* successful */
	__u64 reload_failures;		/* refused, old policy kept */
	char last_reload_error[512];	/* the problems, "" if none */

	/* Counters in the kernel (gp_source_counters), refreshed on request. */
	__u64 events, drops, misses;
	/* Counted by gp_status_account() as records leave the fold. */
	__u64 records;			/* sum of count */
	__u64 denials;			/* verdict deny */
	__u64 exempted;			/* verdict exempt */
	__u64 bypassed;			/* verdict bypass: deny rule not enforced */
	__u64 folded;			/* absorbed by flood control */
	__u64 bad_records;		/* refused by the decoder */
	__u64 undelivered;		/* stdout writes that failed */
	/* Scans for sockets already on listed ports (source scan events are
	 * counted here, not in records). */
	__u64 scans;			/* scans completed */
	__u64 scan_failures;		/* scans that could not run at all */
	__u64 scan_present;		/* present events (new, or --all) */
	__u64 scan_gone;		/* reported sockets gone since */
	__u64 scan_closed;		/* closed by --close-existing */
	__u64 scan_open;		/* closing failed: stayed open */
	__u64 scan_last_ms;		/* duration of the last scan */
	size_t scan_tracked;		/* reported and still there */

	struct gp_status_port top[GP_STATUS_TOP_PORTS];	/* most events first */
	size_t n_top;
	struct gp_status_output outputs[GP_STATUS_MAX_OUTPUTS];
	size_t n_outputs;
};

/*
 * Per-port counters: every (port, protocol) pair has its own, so the top
 * list is exact.  2 MiB of address space, touched only where events occur.
 */
struct gp_port_counts;

struct gp_port_counts *gp_port_counts_new(void);
void gp_port_counts_free(struct gp_port_counts *pc);
/* The top max pairs, most events first (ties: lower port first). */
size_t gp_port_counts_top(const struct gp_port_counts *pc,
			  struct gp_status_port *out, size_t max);

/*
 * Count one record leaving the fold (r->count events; 0 counts as 1):
 * records, denials, exempted, and the per-port counter (pc may be NULL).
 */
void gp_status_account(struct gp_status *s, struct gp_port_counts *pc,
		       const struct gp_record *r);

/* Renderings.  0, or -1 if writing to f failed. */
int gp_status_render_text(const struct gp_status *s, FILE *f);
int gp_status_render_json(const struct gp_status *s, FILE *f);
int gp_status_render_prometheus(const struct gp_status *s, FILE *f);

/* A Prometheus label value with \, " and newline escaped (for tests). */
void gp_prom_escape(const char *in, char *out, size_t outlen);

#endif /* GP_STATUS_H */
