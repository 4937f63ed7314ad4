// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * anatomy.bpf.c - where the time of a listed bind goes in the cgroup mode.
 *
 * Each program is one cumulative stage of what ghostport's cgroup/bind4
 * and post_bind4 do for a listed port (the steps are copied from
 * bpf/ghostport.bpf.c as of issue 16, simplified where it does not change
 * the cost); bench/anatomy.c attaches them one at a time and reads their
 * bpf_stats run time over a loop of listed binds.  The difference between
 * two consecutive stages is that step's cost.
 *
 *   an0_lookup   the port lookup (the unlisted fast path)
 *   an1_scratch  + the per-CPU scratch record, zeroed (128 bytes)
 *   an2_helpers  + pid/tid, uid/gid, cgroup id, comm, boot time (helpers)
 *   an3_task     + task reads: parent tgid, flags, exe inode/dev (probe reads)
 *   an4_sock     + socket reads: type, protocol, ifindex, netns, options
 *   an5_stash    + stash by tid in a hash map, lookup + delete (what the
 *                  cgroup mode does to carry the request to post_bind)
 *   an6_ring     + ring buffer reserve, copy, query, submit (no wake-up)
 *   ring_only    the lookup + scratch + ring submit alone (no task/sock/stash)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "ghostport_abi.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GP_NR_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} an_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} an_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct gp_event);
} an_stash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gp_event);
} an_scratch SEC(".maps");

__u64 an_sink = 0;	/* keeps the compiler from dropping reads */

#define PF_KTHREAD_	0x00200000

static __always_inline int listed(struct bpf_sock_addr *ctx)
{
	__u32 key = bpf_ntohs(ctx->user_port);
	__u32 *rule = bpf_map_lookup_elem(&an_ports, &key);

	return rule && *rule;
}

static __always_inline struct gp_event *scratch(void)
{
	__u32 zero = 0;
	struct gp_event *e = bpf_map_lookup_elem(&an_scratch, &zero);

	if (e)
		__builtin_memset(e, 0, sizeof(*e));
	return e;
}

static __always_inline void helpers(struct gp_event *e)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ugid = bpf_get_current_uid_gid();

	e->magic = GP_ABI_MAGIC;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)ugid;
	e->gid = ugid >> 32;
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline void task(struct gp_event *e)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct file *exe;

	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	if (BPF_CORE_READ(t, flags) & PF_KTHREAD_)
		e->flags |= GP_EF_KERNEL;
	exe = BPF_CORE_READ(t, mm, exe_file);
	if (exe) {
		e->exe_ino = BPF_CORE_READ(exe, f_inode, i_ino);
		e->exe_dev = BPF_CORE_READ(exe, f_inode, i_sb, s_dev);
	}
}

static __always_inline struct sock *sock_of(struct bpf_sock *bsk)
{
	struct bpf_sock *slot = bsk;
	struct sock *sk = NULL;

	bpf_probe_read_kernel(&sk, sizeof(sk), &slot);
	return sk;
}

static __always_inline void sock(struct gp_event *e, struct bpf_sock_addr *ctx)
{
	struct bpf_sock *bsk = ctx->sk;
	struct sock *sk;

	if (!bsk)
		return;
	sk = sock_of(bsk);
	e->sock_type = BPF_CORE_READ(sk, sk_type);
	e->protocol = BPF_CORE_READ(sk, sk_protocol);
	e->ifindex = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
	e->netns_ino = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuse))
		e->opts |= 1;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuseport))
		e->opts |= 2;
	if (bpf_core_field_exists(((struct inet_sock *)sk)->inet_flags))
		e->opts |= BPF_CORE_READ((struct inet_sock *)sk, inet_flags) & 4;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_kern_sock))
		e->flags |= GP_EF_KERNEL;
}

static __always_inline void stash(struct gp_event *e)
{
	__u32 tid = e->tid;
	struct gp_event *old;

	bpf_map_update_elem(&an_stash, &tid, e, BPF_ANY);
	old = bpf_map_lookup_elem(&an_stash, &tid);
	if (old)
		an_sink += old->port;
	bpf_map_delete_elem(&an_stash, &tid);
}

static __always_inline void ring(struct gp_event *e)
{
	struct gp_event *out = bpf_ringbuf_reserve(&an_events, sizeof(*out), 0);

	if (!out)
		return;
	__builtin_memcpy(out, e, sizeof(*out));
	if (bpf_ringbuf_query(&an_events, BPF_RB_AVAIL_DATA) > (1 << 30))
		an_sink++;
	bpf_ringbuf_submit(out, BPF_RB_NO_WAKEUP);
}

/* STAGE: 0 lookup .. 6 ring; every program returns 1 (allow). */
static __always_inline int stage(struct bpf_sock_addr *ctx, int n)
{
	struct gp_event *e;

	if (!listed(ctx))
		return 1;
	if (n < 1)
		return 1;
	e = scratch();
	if (!e)
		return 1;
	e->port = bpf_ntohs(ctx->user_port);
	if (n >= 2)
		helpers(e);
	if (n >= 3)
		task(e);
	if (n >= 4)
		sock(e, ctx);
	if (n >= 5)
		stash(e);
	if (n >= 6)
		ring(e);
	return 1;
}

SEC("cgroup/bind4") int an0_lookup(struct bpf_sock_addr *ctx) { return stage(ctx, 0); }
SEC("cgroup/bind4") int an1_scratch(struct bpf_sock_addr *ctx) { return stage(ctx, 1); }
SEC("cgroup/bind4") int an2_helpers(struct bpf_sock_addr *ctx) { return stage(ctx, 2); }
SEC("cgroup/bind4") int an3_task(struct bpf_sock_addr *ctx) { return stage(ctx, 3); }
SEC("cgroup/bind4") int an4_sock(struct bpf_sock_addr *ctx) { return stage(ctx, 4); }
SEC("cgroup/bind4") int an5_stash(struct bpf_sock_addr *ctx) { return stage(ctx, 5); }
SEC("cgroup/bind4") int an6_ring(struct bpf_sock_addr *ctx) { return stage(ctx, 6); }

SEC("cgroup/bind4")
int ring_only(struct bpf_sock_addr *ctx)
{
	struct gp_event *e;

	if (!listed(ctx))
		return 1;
	e = scratch();
	if (!e)
		return 1;
	e->port = bpf_ntohs(ctx->user_port);
	ring(e);
	return 1;
}
