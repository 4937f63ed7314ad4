/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * ghostport_bpf.h - what the BPF programs (bpf/) and their loader
 * (userspace/source/bpf*.c) share beyond the event ABI: the key of the
 * executable exemption map, the counter indices, and the map sizes the
 * loader relies on.  One definition for both sides, checked at compile time
 * in both builds (as systemd's socket-bind-api.bpf.h).
 *
 * Include ghostport_abi.h (and its types) first.
 */
#ifndef GHOSTPORT_BPF_H
#define GHOSTPORT_BPF_H

/* Key of gp_exempt_exe: an executable by inode and device, as the kernel
 * encodes the device (MAJOR << 20 | MINOR).  pad is zero. */
struct gp_exe_key {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};

/* Indices of the per-CPU gp_counters array. */
#define GP_CNT_EVENTS		0	/* records submitted */
#define GP_CNT_DROPS		1	/* records that found no room */
#define GP_CNT_MAX		2

/* Entries of each exemption map (uid, gid, cgroup, executable); the
 * loader's own limit per kind (GP_MAX_EXEMPT) must fit. */
#define GP_EXEMPT_MAP_MAX	1024

/* Requests waiting for their outcome (kprobe and cgroup modes). */
#define GP_STASH_MAX		8192

/* Ring buffer bytes: the size compiled in is the loader's default; the
 * loader picks a power of two between the bounds (kernel requirement:
 * a power-of-two multiple of the page size). */
#define GP_RING_DEFAULT_BYTES	(4U << 20)
#define GP_RING_MIN_BYTES	(64U << 10)
#define GP_RING_MAX_BYTES	(1U << 30)

#define GP_BPF_POW2(x)		((x) != 0 && ((x) & ((x) - 1)) == 0)
_Static_assert(sizeof(struct gp_exe_key) == 16, "gp_exe_key is 16 bytes");
_Static_assert(__builtin_offsetof(struct gp_exe_key, dev) == 8,
	       "gp_exe_key.dev offset");
_Static_assert(GP_BPF_POW2(GP_RING_DEFAULT_BYTES) &&
	       GP_BPF_POW2(GP_RING_MIN_BYTES) && GP_BPF_POW2(GP_RING_MAX_BYTES),
	       "ring sizes are powers of two");
_Static_assert(GP_RING_MIN_BYTES <= GP_RING_DEFAULT_BYTES &&
	       GP_RING_DEFAULT_BYTES <= GP_RING_MAX_BYTES,
	       "default ring size within the loader's bounds");
_Static_assert(GP_RING_MIN_BYTES >= 4096, "ring at least one page");

#endif /* GHOSTPORT_BPF_H */
