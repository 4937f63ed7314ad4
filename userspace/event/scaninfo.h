/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scaninfo.h - what a scan event (source scan: a socket found already on a
 * listed port) carries beyond a bind event's fields: every process holding
 * the socket, its network namespace by name, its state, and what happened
 * when closing it was asked for.  A gp_record points to one (r->scan) for
 * scan events and is NULL for binds, so the formats add these fields only
 * where they mean something.  Filled by scan/record.c.
 */
#ifndef GP_SCANINFO_H
#define GP_SCANINFO_H

#include <linux/types.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ghostport_abi.h"

#define GP_SCAN_CMDLINE_LEN	256
#define GP_SCAN_CGROUP_LEN	256
#define GP_SCAN_NETNS_LEN	64

/* One process holding a socket (one entry per process, whatever the
 * number of its descriptors for it). */
struct gp_scan_holder {
	pid_t pid, ppid;
	uid_t uid;			/* real uid */
	gid_t gid;			/* real gid */
	int fd;				/* the first descriptor found */
	char comm[GP_COMM_LEN];
	char exe[PATH_MAX];		/* "" when unreadable */
	__u64 exe_ino;
	__u32 exe_dev;			/* kernel encoding MAJOR << 20 | MINOR */
	bool exe_known;
	char cmdline[GP_SCAN_CMDLINE_LEN];	/* args joined by spaces */
	char cgroup[GP_SCAN_CGROUP_LEN];	/* v2 path ("0::" line) */
	__u64 cgroup_id;		/* inode of that cgroup v2 directory */
	__u32 netns_ino;		/* the process's own netns */
};

struct gp_scan_info {
	const char *netns_name;		/* "host", "netns NAME", "pid N" */
	const char *state;		/* "listen", "unconnected", ... */
	__u64 inode;			/* socket inode, 0 if none */
	__u64 cookie;			/* the kernel's socket cookie */
	__u32 sk_uid;			/* the socket's own uid */
	const struct gp_scan_holder *holders;
	size_t n_holders;		/* 0: kernel socket, or no holder */
	const char *close;		/* "not-asked", "closed", "failed",
					 * "exempt", "no-holder" */
	const char *close_error;	/* why closing failed, else NULL */
};

#endif /* GP_SCANINFO_H */
