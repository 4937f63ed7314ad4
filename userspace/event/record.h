/* SPDX-License-Identifier: GPL-2.0 */
/*
 * record.h - a decoded event: the validated raw record from the kernel plus
 * what the reader adds (wall-clock time, executable path, service name,
 * printable address).  Every formatter takes one of these; none of them
 * looks at raw kernel bytes.
 */
#ifndef GP_RECORD_H
#define GP_RECORD_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <limits.h>

#include "ghostport_abi.h"
#include "event/identity.h"
#include "event/scaninfo.h"

struct gp_record {
	struct gp_event ev;		/* validated copy of the raw record */
	struct timespec wall;		/* ev.ts_ns as CLOCK_REALTIME */
	char addr[INET6_ADDRSTRLEN];	/* printable local address */
	const char *service;		/* IANA name for port/proto, or NULL */
	char exe[PATH_MAX];		/* executable path, "" when unknown
					 * (id.exe.reason says why) */
	struct gp_ident id;		/* parent, argv, names, cgroup, unit */
	__u32 count;			/* >1 when identical events were folded */
	__u64 fold_first_ns;		/* with count > 1: CLOCK_BOOTTIME of the
					 * first folded event (ev.ts_ns: last) */
	const char *hostname;		/* host identity, set by the run loop */
	const char *machine_id;		/* (NULL when unknown) */
	/* A scan event's holders, netns, state (source scan), else NULL. */
	const struct gp_scan_info *scan;
};

#endif /* GP_RECORD_H */
