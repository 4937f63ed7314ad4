/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * cgroup.bpf.h - the cgroup audit mode and cgroup enforcement: sock_addr
 * bind4/bind6, post_bind4/6 and sock_release, with the attempt kept in
 * socket-local storage until its outcome is known.
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_CGROUP_BPF_H_H
#define GP_CGROUP_BPF_H_H

/* ---- cgroup mode: sock_addr hooks inside inet_bind ---- */

/*
 * A listed bind's attempt, kept in the socket itself until its outcome is
 * known (no syscall tracepoint: that would tax every system call of every
 * task).  post_bind4/6 reports it with ret 0; a failure after the hook is
 * resolved at the socket's next bind attempt or at its release
 * (cgroup/sock_release), with ret unknown and ret_why "failed".  Storage
 * dies with the socket: nothing a user can leak or exhaust.  The value is
 * the record's fixed header; magic != 0 means "an attempt is pending".
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct gp_event);
} gp_sk_attempt SEC(".maps");

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

/* The pending attempt in st failed after the hook: report it, done. */
static __always_inline void report_failed(struct gp_event *st)
{
	st->valid &= ~GP_VF_RET;
	st->ret = 0;
	st->ret_why = GP_RETW_FAILED;
	submit_late(st);
	st->magic = 0;
}

static __always_inline int on_cgroup_bind(struct bpf_sock_addr *ctx,
					  __u16 family)
{
	__u16 port = bpf_ntohs(ctx->user_port);
	struct gp_event ev, *st;
	struct bpf_sock *bsk;
	__u32 err = 0;
	__u8 flags = 0;
	int verdict;

	/* The hot path: an unlisted port returns after one lookup. */
	verdict = classify(port, family, ctx->type, ctx->protocol, &flags,
			   &err);
	if (verdict < 0)
		return 1;
	/* Attached only to enforce (another mode audits): denials only. */
	if (gp_pin_audit_mode != GP_SRC_CGROUP && verdict != GP_VERDICT_DENY)
		return 1;
	bsk = ctx->sk;
	if (!bsk)
		return 1;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.port = port;
	ev.verdict = verdict;
	ev.flags = flags;
	ev.source = GP_SRC_CGROUP;
	ev.family = family;
	if (family == AF_INET) {
		__u32 a = ctx->user_ip4;

		__builtin_memcpy(ev.addr, &a, 4);
	} else {
		__u32 a[4];

		a[0] = ctx->user_ip6[0];
		a[1] = ctx->user_ip6[1];
		a[2] = ctx->user_ip6[2];
		a[3] = ctx->user_ip6[3];
		__builtin_memcpy(ev.addr, a, 16);
		if (is_v4mapped(ev.addr))
			ev.flags |= GP_EF_V4MAPPED;
	}
	fill_task(&ev);
	if (gp_safe) {
		/* The context has what the safe set can see of the socket. */
		ev.sock_type = ctx->type;
		ev.protocol = ctx->protocol;
		ev.ifindex = bsk->bound_dev_if;
		ev.valid |= GP_VF_TYPE | GP_VF_IFINDEX;
	} else {
		fill_sock(&ev, sock_of(bsk));
	}
	/* An earlier attempt on this socket that never reached post_bind. */
	st = NULL;
	if (gp_pin_audit_mode == GP_SRC_CGROUP) {
		st = bpf_sk_storage_get(&gp_sk_attempt, bsk, 0, 0);
		if (st && st->magic)
			report_failed(st);
	}
	if (verdict == GP_VERDICT_DENY && settle_deny(&ev, err)) {
		if (gp_pin_deny_mode == GP_SRC_CGROUP)
			return deny_in_cgroup(&ev, err);
		/* Enforcement is the LSM's: this bind got past it, so it is
		 * allowed; report it as audited.
		 */
		ev.verdict = GP_VERDICT_AUDIT;
		ev.deny_errno = 0;
		ev.ret = 0;
		ev.valid &= ~GP_VF_RET;
	}
	if (gp_pin_audit_mode != GP_SRC_CGROUP)
		return 1;	/* another mode reports allowed binds */
	if (st) {
		__builtin_memcpy(st, &ev, sizeof(ev));
		return 1;
	}
	if (!bpf_sk_storage_get(&gp_sk_attempt, bsk, &ev,
				BPF_SK_STORAGE_GET_F_CREATE))
		count(GP_CNT_DROPS);	/* no memory for the socket's storage */
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

/*
 * The bind succeeded: post_bind runs only after the port is taken.  A
 * socket without a pending attempt (every unlisted bind) costs one
 * storage lookup.  A pending attempt for another port than the one taken
 * failed earlier (the socket was then bound to an unlisted port).
 */
static __always_inline int on_post_bind(struct bpf_sock *sk)
{
	struct gp_event *st = bpf_sk_storage_get(&gp_sk_attempt, sk, 0, 0);

	if (!st || !st->magic)
		return 1;
	if (st->port && st->port != sk->src_port) {
		report_failed(st);
		return 1;
	}
	st->ret = 0;
	st->valid |= GP_VF_RET;
	submit(st);
	st->magic = 0;
	return 1;
}

SEC("cgroup/post_bind4")
int gp_cgroup_post_bind4(struct bpf_sock *sk)
{
	return on_post_bind(sk);
}

SEC("cgroup/post_bind6")
int gp_cgroup_post_bind6(struct bpf_sock *sk)
{
	return on_post_bind(sk);
}

/* The socket goes away with an attempt still pending: it failed. */
SEC("cgroup/sock_release")
int gp_cgroup_sock_release(struct bpf_sock *sk)
{
	struct gp_event *st = bpf_sk_storage_get(&gp_sk_attempt, sk, 0, 0);

	if (st && st->magic)
		report_failed(st);
	return 1;
}

#endif /* GP_CGROUP_BPF_H_H */
