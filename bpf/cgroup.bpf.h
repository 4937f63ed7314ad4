/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * cgroup.bpf.h - the cgroup audit mode and cgroup enforcement: sock_addr
 * bind4/bind6, post_bind4/6 and the sys_exit_bind tracepoint.
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_CGROUP_BPF_H_H
#define GP_CGROUP_BPF_H_H

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
	if (gp_safe) {
		/* The context has what the safe set can see of the socket. */
		e->sock_type = ctx->type;
		e->protocol = ctx->protocol;
		e->valid |= GP_VF_TYPE;
		if (bsk) {
			e->ifindex = bsk->bound_dev_if;
			e->valid |= GP_VF_IFINDEX;
		}
	} else if (bsk) {
		fill_sock(e, sock_of(bsk));
	}
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

/*
 * The same for the safe set: lockdown empties tracefs, so the syscall
 * tracepoint cannot be found; the BTF raw tracepoint needs no tracefs.  It
 * runs at every syscall's exit (one load when nothing waits).
 */
#define GP_NR_BIND_X86_64	49

SEC("tp_btf/sys_exit")
int BPF_PROG(gp_sys_exit_btf, struct pt_regs *regs, long ret)
{
	if (gp_pending && regs->orig_ax == GP_NR_BIND_X86_64)
		on_outcome((int)ret);
	return 0;
}

#endif /* GP_CGROUP_BPF_H_H */
