// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * ghostport.bpf.c - watch binds to ports on the blocklist.
 *
 * Three audit attach modes feed one ring buffer with struct gp_event
 * (include/ghostport_abi.h):
 *   fentry: fexit on inet_bind/inet6_bind: one program sees both the
 *           requested address (its arguments) and the return code;
 *   kprobe: kprobe stashes the request per thread, kretprobe adds the
 *           return code and emits;
 *   cgroup: cgroup sock_addr bind4/bind6 on the cgroup v2 root stash the
 *           request; post_bind4/6 emits it with ret 0, and the bind
 *           syscall's exit tracepoint emits it with the error otherwise.
 * The userspace loader autoloads only the programs of the chosen mode.
 *
 * Kept minimal and flat: the decision here is one array lookup by port;
 * names, formatting and policy text live in userspace.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "ghostport_abi.h"

#define AF_INET		2
#define AF_INET6	10
#define SOCK_RAW	3
#define PF_KTHREAD	0x00200000
#define MAX_STASH	8192
#define EPERM		1
#define MAX_CGROUP_DEPTH 16

char LICENSE[] SEC("license") = "Dual BSD/GPL";

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
	__uint(max_entries, 1 << 22);	/* resized by the loader */
} gp_events SEC(".maps");

/* Per-CPU counters: [0] events submitted, [1] events dropped (no room). */
#define GP_CNT_EVENTS	0
#define GP_CNT_DROPS	1
#define GP_CNT_MAX	2
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GP_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} gp_counters SEC(".maps");

/*
 * Requests waiting for their outcome (kprobe and cgroup modes), by tid.
 * A plain hash, not an LRU one: an LRU map may evict a live entry under
 * churn on several CPUs even when far from full, and that event would be
 * lost without a trace.  Here a full map fails the insert, which counts
 * as a drop.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_STASH);
	__type(key, __u32);
	__type(value, struct gp_event);
} gp_stash SEC(".maps");

/* Scratch record: too big for the 512-byte stack next to everything else. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gp_event);
} gp_scratch SEC(".maps");

/* Exemptions from deny rules (the bind is allowed and reported "exempt"). */
struct gp_exe_key {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} gp_exempt_uid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} gp_exempt_gid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} gp_exempt_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct gp_exe_key);
	__type(value, __u8);
} gp_exempt_exe SEC(".maps");

/* Run-time configuration, written by userspace through the mmaped .bss. */
struct gp_conf gp_conf = {};
/* Which programs a pinned instance runs: lets a restart adopt it. */
__u32 gp_pin_audit_mode = 0;
__u32 gp_pin_deny_mode = 0;
/* Requests in gp_stash: lets the exit paths skip the lookup when zero. */
__s64 gp_pending = 0;

/* Pre-6.6 layout of the inet_sock flag bits, for CO-RE. */
struct inet_sock___old {
	__u8 freebind:1;
	__u8 transparent:1;
	__u8 bind_address_no_port:1;
} __attribute__((preserve_access_index));

/*
 * 6.6+ bit numbers in inet_sock.inet_flags.  Their enum is anonymous in
 * BTF, so CO-RE cannot relocate it by name; the values are ABI-stable
 * since 6.6 (only appended to), and the VM tests check them on 6.12.
 */
#define GP_INET_FLAGS_FREEBIND			11
#define GP_INET_FLAGS_TRANSPARENT		15
#define GP_INET_FLAGS_BIND_ADDRESS_NO_PORT	18

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&gp_counters, &idx);

	if (v)
		*v += 1;
}

static __always_inline __u32 proto_bit(__u16 protocol, __u16 type)
{
	if (type == SOCK_RAW)
		return GP_PROTO_OTHER;
	switch (protocol) {
	case IPPROTO_TCP:
		return GP_PROTO_TCP;
	case IPPROTO_UDP:
		return GP_PROTO_UDP;
	case IPPROTO_SCTP:
		return GP_PROTO_SCTP;
	default:
		return GP_PROTO_OTHER;
	}
}

/*
 * The one decision on the hot path: is this port/protocol listed?  Returns
 * the verdict for the event, or -1 when nothing is to be reported.  A
 * listed port with a deny rule in force is GP_VERDICT_DENY here; the
 * caller turns it into EXEMPT or AUDIT (kernel binds) after checking who
 * binds, which is off the hot path.
 */
static __always_inline int classify(__u16 port, __u16 protocol, __u16 type,
				    __u8 *flags, __u32 *errno_out)
{
	__u32 key = port, pbit = proto_bit(protocol, type);
	__u32 *rule = bpf_map_lookup_elem(&gp_ports, &key);

	if (rule && (GP_RULE_AUDIT(*rule) & pbit)) {
		*flags |= GP_EF_LISTED;
		if ((gp_conf.flags & GP_CONF_ENFORCE) &&
		    (GP_RULE_DENY(*rule) & pbit)) {
			*errno_out = GP_RULE_ERRNO(*rule) ?: EPERM;
			return GP_VERDICT_DENY;
		}
		return GP_VERDICT_AUDIT;
	}
	if (gp_conf.flags & GP_CONF_ALL)
		return GP_VERDICT_NONE;
	return -1;
}

static __always_inline bool exempt_cgroup(struct task_struct *task)
{
	struct cgroup *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	int i;

	/* The task's cgroup or any ancestor: a unit's cgroup covers its
	 * children. */
	for (i = 0; i < MAX_CGROUP_DEPTH && cg; i++) {
		__u64 id = BPF_CORE_READ(cg, kn, id);

		if (bpf_map_lookup_elem(&gp_exempt_cgroup, &id))
			return true;
		cg = (struct cgroup *)BPF_CORE_READ(cg, self.parent);
	}
	return false;
}

/* Is the current task exempt from deny rules?  Only asked for denials. */
static __always_inline bool is_exempt(const struct gp_event *e)
{
	struct task_struct *task;
	struct gp_exe_key k = {};

	if (!(gp_conf.flags & GP_CONF_EXEMPTIONS))
		return false;
	if (bpf_map_lookup_elem(&gp_exempt_uid, &e->uid) ||
	    bpf_map_lookup_elem(&gp_exempt_gid, &e->gid))
		return true;
	if (e->valid & GP_VF_EXE) {
		k.ino = e->exe_ino;
		k.dev = e->exe_dev;
		if (bpf_map_lookup_elem(&gp_exempt_exe, &k))
			return true;
	}
	task = (struct task_struct *)bpf_get_current_task();
	return exempt_cgroup(task);
}

/*
 * A bind that a deny rule matches: is it refused?  Kernel binds (the
 * sunrpc client's reserved ports) never are; exempt tasks are not.  The
 * record's verdict says which.
 */
static __always_inline bool settle_deny(struct gp_event *e, __u32 err)
{
	if (e->flags & GP_EF_KERNEL) {
		e->verdict = GP_VERDICT_AUDIT;
		return false;
	}
	if (is_exempt(e)) {
		e->verdict = GP_VERDICT_EXEMPT;
		return false;
	}
	e->verdict = GP_VERDICT_DENY;
	e->deny_errno = err;
	e->ret = -(int)err;
	e->valid |= GP_VF_RET;
	return true;
}

static __always_inline void fill_task(struct gp_event *e)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ugid = bpf_get_current_uid_gid();
	struct file *exe;

	e->magic = GP_ABI_MAGIC;
	e->version = GP_ABI_VERSION;
	e->size = sizeof(*e);
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)ugid;
	e->gid = ugid >> 32;
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->valid |= GP_VF_PPID | GP_VF_CGROUP;
	if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
		e->flags |= GP_EF_KERNEL;
	exe = BPF_CORE_READ(task, mm, exe_file);
	if (exe) {
		e->exe_ino = BPF_CORE_READ(exe, f_inode, i_ino);
		e->exe_dev = BPF_CORE_READ(exe, f_inode, i_sb, s_dev);
		e->valid |= GP_VF_EXE;
	}
}

static __always_inline __u8 read_opts(struct sock *sk)
{
	struct inet_sock *inet = (struct inet_sock *)sk;
	__u8 opts = 0;

	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuse))
		opts |= GP_OPT_REUSEADDR;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuseport))
		opts |= GP_OPT_REUSEPORT;

	if (bpf_core_field_exists(inet->inet_flags)) {
		unsigned long f = BPF_CORE_READ(inet, inet_flags);

		if (f & (1UL << GP_INET_FLAGS_FREEBIND))
			opts |= GP_OPT_FREEBIND;
		if (f & (1UL << GP_INET_FLAGS_TRANSPARENT))
			opts |= GP_OPT_TRANSPARENT;
		if (f & (1UL << GP_INET_FLAGS_BIND_ADDRESS_NO_PORT))
			opts |= GP_OPT_BIND_NO_PORT;
	} else {
		struct inet_sock___old *old = (void *)sk;

		if (BPF_CORE_READ_BITFIELD_PROBED(old, freebind))
			opts |= GP_OPT_FREEBIND;
		if (BPF_CORE_READ_BITFIELD_PROBED(old, transparent))
			opts |= GP_OPT_TRANSPARENT;
		if (BPF_CORE_READ_BITFIELD_PROBED(old, bind_address_no_port))
			opts |= GP_OPT_BIND_NO_PORT;
	}
	return opts;
}

static __always_inline void fill_sock(struct gp_event *e, struct sock *sk)
{
	e->sock_type = BPF_CORE_READ(sk, sk_type);
	e->protocol = BPF_CORE_READ(sk, sk_protocol);
	e->ifindex = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
	e->netns_ino = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	e->opts = read_opts(sk);
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_kern_sock))
		e->flags |= GP_EF_KERNEL;
	e->valid |= GP_VF_NETNS | GP_VF_IFINDEX | GP_VF_OPTS | GP_VF_TYPE;
}

static __always_inline bool is_v4mapped(const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	return w[0] == 0 && w[1] == 0 && w[2] == bpf_htonl(0x0000ffff);
}

static __always_inline void submit(const struct gp_event *e)
{
	struct gp_event *out;
	__u64 flags = BPF_RB_NO_WAKEUP;

	out = bpf_ringbuf_reserve(&gp_events, sizeof(*out), 0);
	if (!out) {
		count(GP_CNT_DROPS);
		return;
	}
	__builtin_memcpy(out, e, sizeof(*out));
	/* Batch wake-ups: only once enough is queued; the reader's poll
	 * timeout bounds the delay for the rest. */
	if (bpf_ringbuf_query(&gp_events, BPF_RB_AVAIL_DATA) >=
	    gp_conf.wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(out, flags);
	count(GP_CNT_EVENTS);
}

static __always_inline struct gp_event *scratch(void)
{
	__u32 zero = 0;
	struct gp_event *e = bpf_map_lookup_elem(&gp_scratch, &zero);

	if (e)
		__builtin_memset(e, 0, sizeof(*e));
	return e;
}

/*
 * Build the record for a bind request seen from inside inet_bind or
 * inet6_bind (fentry and kprobe modes).  addr_len is checked before each
 * read: a short sockaddr still gives a well-formed record.
 */
static __always_inline struct gp_event *
build_from_args(struct socket *sock, struct sockaddr *uaddr, int addr_len,
		__u16 family, __u8 source, __u32 *deny_err)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	struct gp_event *e;
	__u16 protocol, type;
	__be16 nport = 0;
	__u8 flags = 0;
	int verdict;

	if (!sk || addr_len < 4)
		return NULL;
	bpf_probe_read_kernel(&nport, sizeof(nport),
			      &((struct sockaddr_in *)uaddr)->sin_port);
	protocol = BPF_CORE_READ(sk, sk_protocol);
	type = BPF_CORE_READ(sk, sk_type);
	*deny_err = 0;
	verdict = classify(bpf_ntohs(nport), protocol, type, &flags, deny_err);
	if (verdict < 0)
		return NULL;

	e = scratch();
	if (!e)
		return NULL;
	e->port = bpf_ntohs(nport);
	e->verdict = verdict;
	e->flags = flags;
	e->source = source;
	e->family = family;
	/* Read what the caller passed, even in a sockaddr too short for
	 * the kernel (which then fails the bind with -EINVAL). */
	if (family == AF_INET && addr_len >= 8) {
		bpf_probe_read_kernel(e->addr, 4,
			&((struct sockaddr_in *)uaddr)->sin_addr);
	} else if (family == AF_INET6 && addr_len >= 24) {
		bpf_probe_read_kernel(e->addr, 16,
			&((struct sockaddr_in6 *)uaddr)->sin6_addr);
		if (is_v4mapped(e->addr))
			e->flags |= GP_EF_V4MAPPED;
	}
	fill_task(e);
	fill_sock(e, sk);
	return e;
}

/*
 * A deny rule matched a bind that inet_bind saw.  With the LSM enforcing,
 * the bind got here only because it was allowed (exempt or kernel).  With
 * the cgroup hook enforcing, the hook already refused it and reported the
 * denial: it is not reported twice.
 */
static __always_inline bool denied_elsewhere(struct gp_event *e, __u32 err,
					     int ret)
{
	if (!settle_deny(e, err))
		return false;
	if (gp_pin_deny_mode == GP_SRC_CGROUP && ret == -(int)err)
		return true;
	/* Not refused by anyone we know of: report what happened. */
	e->verdict = GP_VERDICT_AUDIT;
	e->deny_errno = 0;
	return false;
}

/* ---- fentry mode: fexit sees the arguments and the return value ---- */

static __always_inline int on_fexit(struct socket *sock,
				    struct sockaddr *uaddr, int addr_len,
				    int ret, __u16 family)
{
	struct gp_event *e;
	__u32 err;

	e = build_from_args(sock, uaddr, addr_len, family, GP_SRC_FENTRY,
			    &err);
	if (!e)
		return 0;
	if (e->verdict == GP_VERDICT_DENY && denied_elsewhere(e, err, ret))
		return 0;
	e->ret = ret;
	e->valid |= GP_VF_RET;
	submit(e);
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(gp_fexit_inet_bind, struct socket *sock, struct sockaddr *uaddr,
	     int addr_len, int ret)
{
	return on_fexit(sock, uaddr, addr_len, ret, AF_INET);
}

SEC("fexit/inet6_bind")
int BPF_PROG(gp_fexit_inet6_bind, struct socket *sock,
	     struct sockaddr *uaddr, int addr_len, int ret)
{
	return on_fexit(sock, uaddr, addr_len, ret, AF_INET6);
}

/* ---- kprobe mode: stash at entry, emit at return ---- */

static __always_inline int stash(__u32 tid, const struct gp_event *e)
{
	if (bpf_map_update_elem(&gp_stash, &tid, e, BPF_ANY)) {
		count(GP_CNT_DROPS);
		return -1;
	}
	__sync_fetch_and_add(&gp_pending, 1);
	return 0;
}

static __always_inline void unstash(__u32 tid)
{
	if (!bpf_map_delete_elem(&gp_stash, &tid))
		__sync_fetch_and_add(&gp_pending, -1);
}

/* The outcome of this thread's stashed request: emit it with ret. */
static __always_inline int on_outcome(int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct gp_event *e = bpf_map_lookup_elem(&gp_stash, &tid);

	if (!e)
		return 0;
	if (e->verdict == GP_VERDICT_DENY &&
	    denied_elsewhere(e, e->deny_errno, ret)) {
		unstash(tid);
		return 0;
	}
	e->ret = ret;
	e->valid |= GP_VF_RET;
	submit(e);
	unstash(tid);
	return 0;
}


static __always_inline int on_kprobe(struct socket *sock,
				     struct sockaddr *uaddr, int addr_len,
				     __u16 family)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct gp_event *e;
	__u32 err;

	e = build_from_args(sock, uaddr, addr_len, family, GP_SRC_KPROBE,
			    &err);
	if (!e)
		return 0;
	if (e->verdict == GP_VERDICT_DENY)
		e->deny_errno = err;	/* settled at return, seeing ret */
	stash(tid, e);
	return 0;
}

SEC("kprobe/inet_bind")
int BPF_KPROBE(gp_kprobe_inet_bind, struct socket *sock,
	       struct sockaddr *uaddr, int addr_len)
{
	return on_kprobe(sock, uaddr, addr_len, AF_INET);
}

SEC("kretprobe/inet_bind")
int BPF_KRETPROBE(gp_kretprobe_inet_bind, int ret)
{
	return on_outcome(ret);
}

SEC("kprobe/inet6_bind")
int BPF_KPROBE(gp_kprobe_inet6_bind, struct socket *sock,
	       struct sockaddr *uaddr, int addr_len)
{
	return on_kprobe(sock, uaddr, addr_len, AF_INET6);
}

SEC("kretprobe/inet6_bind")
int BPF_KRETPROBE(gp_kretprobe_inet6_bind, int ret)
{
	return on_outcome(ret);
}

/* ---- cgroup mode: sock_addr hooks inside inet_bind ---- */

/*
 * A request left in the stash by an earlier bind of this thread never got
 * an outcome (a failed bind outside the bind syscall: io_uring, kernel):
 * emit it now with the return code unknown rather than lose it.
 */
static __always_inline void flush_stale(__u32 tid)
{
	struct gp_event *old = bpf_map_lookup_elem(&gp_stash, &tid);

	if (!old)
		return;
	submit(old);
	unstash(tid);
}

/*
 * The verifier allows no arithmetic on a bpf_sock pointer, so the CO-RE
 * reads of struct sock cannot start from it.  Copy its value as a plain
 * number through bpf_probe_read_kernel; every later read is a probe read.
 */
static __always_inline struct sock *sock_of(struct bpf_sock *bsk)
{
	struct bpf_sock *slot = bsk;
	struct sock *sk = NULL;

	bpf_probe_read_kernel(&sk, sizeof(sk), &slot);
	return sk;
}

/* Refuse the bind from the cgroup hook and report the denial. */
static __always_inline int deny_in_cgroup(struct gp_event *e, __u32 err)
{
	e->source = GP_SRC_CGROUP;
	submit(e);
	/* Where bpf_set_retval is missing the kernel answers EPERM. */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_set_retval))
		bpf_set_retval(-(int)err);
	return 0;
}

static __always_inline int on_cgroup_bind(struct bpf_sock_addr *ctx,
					  __u16 family)
{
	__u16 port = bpf_ntohs(ctx->user_port);
	struct bpf_sock *bsk;
	struct gp_event *e;
	__u32 err = 0, tid;
	__u8 flags = 0;
	int verdict;

	/* The hot path: an unlisted port returns after one lookup. */
	verdict = classify(port, ctx->protocol, ctx->type, &flags, &err);
	if (verdict < 0)
		return 1;
	/* Attached only to enforce (another mode audits): denials only. */
	if (gp_pin_audit_mode != GP_SRC_CGROUP && verdict != GP_VERDICT_DENY)
		return 1;
	e = scratch();
	if (!e)
		return 1;
	tid = (__u32)bpf_get_current_pid_tgid();
	bsk = ctx->sk;
	e->port = port;
	e->verdict = verdict;
	e->flags = flags;
	e->source = GP_SRC_CGROUP;
	e->family = family;
	if (family == AF_INET) {
		__u32 a = ctx->user_ip4;

		__builtin_memcpy(e->addr, &a, 4);
	} else {
		__u32 a[4];

		a[0] = ctx->user_ip6[0];
		a[1] = ctx->user_ip6[1];
		a[2] = ctx->user_ip6[2];
		a[3] = ctx->user_ip6[3];
		__builtin_memcpy(e->addr, a, 16);
		if (is_v4mapped(e->addr))
			e->flags |= GP_EF_V4MAPPED;
	}
	fill_task(e);
	if (bsk)
		fill_sock(e, sock_of(bsk));
	if (gp_pending)
		flush_stale(tid);
	if (verdict == GP_VERDICT_DENY && settle_deny(e, err)) {
		if (gp_pin_deny_mode == GP_SRC_CGROUP)
			return deny_in_cgroup(e, err);
		/* Enforcement is the LSM's: this bind got past it, so it is
		 * allowed; report it as audited. */
		e->verdict = GP_VERDICT_AUDIT;
		e->deny_errno = 0;
		e->valid &= ~GP_VF_RET;
	}
	if (gp_pin_audit_mode != GP_SRC_CGROUP)
		return 1;	/* another mode reports allowed binds */
	stash(tid, e);
	return 1;
}

SEC("cgroup/bind4")
int gp_cgroup_bind4(struct bpf_sock_addr *ctx)
{
	return on_cgroup_bind(ctx, AF_INET);
}

SEC("cgroup/bind6")
int gp_cgroup_bind6(struct bpf_sock_addr *ctx)
{
	return on_cgroup_bind(ctx, AF_INET6);
}

/* The bind succeeded: post_bind runs only after the port is taken. */
static __always_inline int on_post_bind(void)
{
	if (gp_pending)
		on_outcome(0);
	return 1;
}

SEC("cgroup/post_bind4")
int gp_cgroup_post_bind4(struct bpf_sock *sk)
{
	return on_post_bind();
}

SEC("cgroup/post_bind6")
int gp_cgroup_post_bind6(struct bpf_sock *sk)
{
	return on_post_bind();
}

/* The bind failed after the hook: the syscall's exit carries the error. */
SEC("tracepoint/syscalls/sys_exit_bind")
int gp_sys_exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	/* Every bind syscall passes here: one load when nothing waits. */
	if (gp_pending)
		on_outcome((int)ctx->ret);
	return 0;
}

/* ---- enforcement: BPF LSM socket_bind, before inet_bind ---- */

/*
 * Runs before the address family's bind, so a bind it refuses never
 * reaches the audit probes: the denial is reported here, once.  Raw and
 * non-inet sockets are left alone; every protocol of AF_INET/AF_INET6
 * (TCP, UDP, SCTP) passes here, and so do io_uring's IORING_OP_BIND and
 * the kernel's own binds (which are never refused).
 */
static __always_inline long on_lsm_bind(struct socket *sock,
					struct sockaddr *address, int addrlen)
{
	struct gp_event *e;
	__u16 family = 0;
	__u32 err;
	long ret;

	if (!(gp_conf.flags & GP_CONF_ENFORCE) || addrlen < 4)
		return 0;
	bpf_probe_read_kernel(&family, sizeof(family), &address->sa_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	e = build_from_args(sock, address, addrlen, family, GP_SRC_LSM, &err);
	if (!e || e->verdict != GP_VERDICT_DENY || e->sock_type == SOCK_RAW)
		return 0;
	if (!settle_deny(e, err))
		return 0;	/* exempt or kernel: the audit probe reports it */
	submit(e);
	/* LSM programs must provably return 0 or -MAX_ERRNO..-1 (checked by
	 * 6.10+ verifiers); a negation loses the range, comparisons on the
	 * very register returned (64-bit, so no extension copies) give it
	 * back.  The barrier keeps the compiler from checking err instead. */
	ret = -(long)err;
	asm volatile("" : "+r"(ret));
	if (ret < -4095 || ret > -1)
		ret = -EPERM;
	return ret;
}

SEC("lsm/socket_bind")
int BPF_PROG(gp_lsm_socket_bind, struct socket *sock,
	     struct sockaddr *address, int addrlen, int ret)
{
	if (ret)
		return ret;
	return on_lsm_bind(sock, address, addrlen);
}
