/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * maps.bpf.h - the maps and the run-time state the loader shares (sizes and
 * keys from ghostport_bpf.h).
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_MAPS_BPF_H_H
#define GP_MAPS_BPF_H_H

/* Blocklist: rule per port, written by userspace through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GP_NR_PORTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u32);
} gp_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, GP_RING_DEFAULT_BYTES);	/* resized by the loader */
} gp_events SEC(".maps");

/* Per-CPU counters, indexed by GP_CNT_* (ghostport_bpf.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GP_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} gp_counters SEC(".maps");

/*
 * Requests waiting for their outcome (kprobe mode), by tid.
 * A plain hash, not an LRU one: an LRU map may evict a live entry under
 * churn on several CPUs even when far from full, and that event would be
 * lost without a trace.  Here a full map fails the insert, which counts
 * as a drop.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GP_STASH_MAX);
	__type(key, __u32);
	__type(value, struct gp_event);
} gp_stash SEC(".maps");

/* Exemptions from deny rules (the bind is allowed and reported "exempt"). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GP_EXEMPT_MAP_MAX);
	__type(key, __u32);
	__type(value, __u8);
} gp_exempt_uid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GP_EXEMPT_MAP_MAX);
	__type(key, __u32);
	__type(value, __u8);
} gp_exempt_gid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GP_EXEMPT_MAP_MAX);
	__type(key, __u64);
	__type(value, __u8);
} gp_exempt_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GP_EXEMPT_MAP_MAX);
	__type(key, struct gp_exe_key);
	__type(value, __u8);
} gp_exempt_exe SEC(".maps");

/* Run-time configuration, written by userspace through the mmaped .bss. */
struct gp_conf gp_conf = {};
/* Which programs a pinned instance runs: lets a restart adopt it. */
__u32 gp_pin_audit_mode;
__u32 gp_pin_deny_mode;
/* Requests in gp_stash: lets the exit paths skip the lookup when zero. */
__s64 gp_pending;

/*
 * Set by the loader before loading (.rodata): 1 = the lockdown-safe
 * program set, for kernels in lockdown=confidentiality, which refuse
 * bpf_probe_read_kernel (and so BPF_CORE_READ).  It reads the kernel only
 * through BTF-typed pointers (direct loads the verifier checks), the
 * program context and helpers lockdown allows.  The verifier knows the
 * value and drops the branches not taken, so one object carries both sets
 * and never shows the kernel a helper the set does not use.
 */
const volatile __u32 gp_safe;	/* .rodata, zero unless the loader sets it */

/*
 * 6.2+; NULL where missing (then the safe set cannot read an IPv6
 * sockaddr in fentry/LSM programs, and the loader falls back to cgroup).
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

#define GP_HAS_TASK_BTF \
	bpf_core_enum_value_exists(enum bpf_func_id, \
				   BPF_FUNC_get_current_task_btf)

#endif /* GP_MAPS_BPF_H_H */
