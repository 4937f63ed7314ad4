/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * ghostport_kmod.h - the control interface of ghostport.ko: the ioctls of
 * /dev/ghostport and the structures they carry.  Shared by the module
 * (kmod/) and the reader (userspace/source/kmod.c, tests/e2e/gp_kmodctl.c).
 *
 * The records themselves are struct gp_event from ghostport_abi.h: read()
 * on the device returns whole records only.  Every structure here has a
 * fixed layout with explicit padding; a layout change bumps
 * GP_KMOD_API_VERSION, which GP_IOC_GET_VERSION reports.
 *
 * Include <linux/types.h> (and <linux/ioctl.h>) and ghostport_abi.h first,
 * or let this file do it.
 */
#ifndef GHOSTPORT_KMOD_H
#define GHOSTPORT_KMOD_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include "ghostport_abi.h"

#define GP_KMOD_DEVICE		"/dev/ghostport"
#define GP_KMOD_NAME		"ghostport"
#define GP_KMOD_MAGIC		0x4b4d5047U	/* "GPMK" little endian */
#define GP_KMOD_API_VERSION	1
#define GP_KMOD_IOC		0xE7		/* ioctl type byte */
#define GP_KMOD_VERSION_LEN	32
/*
 * The ring holds ring_records * GP_KMOD_RING_REC_BYTES bytes of records of
 * variable size (ABI v2: gp_event.size bytes each, GP_RECORD_MAX at most).
 */
#define GP_KMOD_RING_REC_BYTES	512

/* GP_IOC_GET_VERSION: who is on the other side of the device. */
struct gp_kmod_version {
	__u32 magic;		/* GP_KMOD_MAGIC */
	__u16 api_version;	/* GP_KMOD_API_VERSION (these ioctls) */
	__u16 abi_version;	/* GP_ABI_VERSION of the records */
	__u32 record_size;	/* sizeof(struct gp_event) */
	__u32 ring_records;	/* ring capacity, in records */
	__u32 nr_ports;		/* GP_NR_PORTS: entries of a rule array */
	__u32 __pad0;
	char  version[GP_KMOD_VERSION_LEN]; /* MODULE_VERSION, NUL terminated */
};

/*
 * GP_IOC_SET_RULES / GP_IOC_GET_RULES: the whole blocklist, an array of
 * GP_NR_PORTS __u32 rules indexed by port (GP_RULE_AUDIT bits etc.).
 * SET replaces it atomically: a port listed in both the old and the new
 * array is watched at every instant.
 */
struct gp_kmod_rules {
	__u64 rules;		/* user pointer to __u32[nr] */
	__u32 nr;		/* must be GP_NR_PORTS */
	__u32 flags;		/* must be 0 */
};

/* GP_IOC_GET_COUNTERS: since load or the last GP_IOC_RESET. */
struct gp_kmod_counters {
	__u64 events;		/* records written into the ring */
	__u64 drops;		/* records lost because the ring was full */
	__u64 misses;		/* binds not seen: kprobe + kretprobe nmissed */
	__u64 ring_used;	/* records waiting to be read (not reset) */
	__u64 ring_size;	/* ring capacity in records (not reset) */
	__u64 rule_updates;	/* successful GP_IOC_SET_RULES */
	__u64 wakeups;		/* reader wake-ups issued */
	__u64 __reserved;	/* zero */
};

/*
 * GP_IOC_GET_PORT_COUNTS: binds reported per port (events + drops), for
 * ports first .. first + nr - 1.  The sum over all ports equals
 * events + drops.
 */
struct gp_kmod_port_counts {
	__u64 counts;		/* user pointer to __u64[nr] */
	__u32 first;		/* first port */
	__u32 nr;		/* first + nr <= GP_NR_PORTS */
};

#define GP_IOC_GET_VERSION	_IOR(GP_KMOD_IOC, 0x01, struct gp_kmod_version)
#define GP_IOC_SET_RULES	_IOW(GP_KMOD_IOC, 0x02, struct gp_kmod_rules)
#define GP_IOC_GET_RULES	_IOW(GP_KMOD_IOC, 0x03, struct gp_kmod_rules)
#define GP_IOC_SET_CONF		_IOW(GP_KMOD_IOC, 0x04, struct gp_conf)
#define GP_IOC_GET_CONF		_IOR(GP_KMOD_IOC, 0x05, struct gp_conf)
#define GP_IOC_GET_COUNTERS	_IOR(GP_KMOD_IOC, 0x06, struct gp_kmod_counters)
#define GP_IOC_GET_PORT_COUNTS	_IOW(GP_KMOD_IOC, 0x07, \
				     struct gp_kmod_port_counts)
#define GP_IOC_RESET		_IO(GP_KMOD_IOC, 0x08)	/* zero the counters */

GP_ABI_ASSERT(sizeof(struct gp_kmod_version) == 56, "gp_kmod_version size");
GP_ABI_ASSERT(sizeof(struct gp_kmod_rules) == 16, "gp_kmod_rules size");
GP_ABI_ASSERT(sizeof(struct gp_kmod_counters) == 64, "gp_kmod_counters size");
GP_ABI_ASSERT(sizeof(struct gp_kmod_port_counts) == 16,
	      "gp_kmod_port_counts size");

#endif /* GHOSTPORT_KMOD_H */
