/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scan_worker.h - scans off the event loop: one long-lived thread that
 * runs a requested scan and hands the result back through an eventfd the
 * loop polls with the rest.  The loop never waits for a scan.
 *
 * Capabilities are per thread: the worker is started before the daemon
 * drops its own, and keeps only what a scan needs (CAP_SYS_ADMIN to enter
 * other network namespaces, CAP_NET_ADMIN for SOCK_DESTROY, CAP_SYS_PTRACE
 * and CAP_DAC_READ_SEARCH to read every process's /proc/[pid]/fd).
 */
#ifndef GP_SCAN_WORKER_H
#define GP_SCAN_WORKER_H

#include <stdbool.h>

#include "policy/policy.h"
#include "scan/scan.h"

struct gp_scan_worker;

struct gp_scan_request {
	__u32 rules[GP_NR_PORTS];	/* copied: the loop may reload meanwhile */
	struct gp_exemptions exempt;
	bool close;			/* --close-existing in force */
	bool all;			/* repeat known sockets (a client's --all) */
	int client;			/* who asked: -1 the daemon itself */
};

/* Start the thread; NULL with a reason. */
struct gp_scan_worker *gp_scan_worker_start(char *err, size_t errlen);

/* Readable when a result waits in gp_scan_worker_take(). */
int gp_scan_worker_fd(const struct gp_scan_worker *w);

/* Queue a request (copied).  false when one is already running: the caller
 * keeps it pending and asks again after the result. */
bool gp_scan_worker_request(struct gp_scan_worker *w,
			    const struct gp_scan_request *q);

/*
 * The finished scan, if any: true with *r (free with gp_scan_free) and
 * *q the request it answers (copied out), *ok false with err when the scan
 * could not run at all.
 */
bool gp_scan_worker_take(struct gp_scan_worker *w, struct gp_scan_result *r,
			 struct gp_scan_request *q, bool *ok, char *err,
			 size_t errlen);

/* Stop and join the thread (waits for a scan in progress). */
void gp_scan_worker_stop(struct gp_scan_worker *w);

/* What --close-existing may close: sockets on ports whose rule denies
 * their protocol, unless a holder is exempt. */
struct gp_scan_close_policy {
	const __u32 *rules;
	const struct gp_exemptions *exempt;
};

/* The close decision (also `ghostport scan`'s), ctx a gp_scan_close_policy:
 * GP_CLOSE_NOT_ASKED for a port that is not denied, GP_CLOSE_EXEMPT when a
 * holder is exempt (uid, gid, executable, cgroup or an ancestor of it),
 * else GP_CLOSE_DONE (gp_scan_run() still spares sockets no process
 * holds). */
int gp_scan_close_unless_exempt(void *ctx, const struct gp_scan_sock *s);

#endif /* GP_SCAN_WORKER_H */
