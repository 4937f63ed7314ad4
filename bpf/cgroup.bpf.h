/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * cgroup.bpf.h - the cgroup audit mode and cgroup enforcement: sock_addr
 * bind4/bind6, post_bind4/6 and sock_release, with the attempt kept by
 * socket (a hash, else the socket's storage) until its outcome is known.
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_CGROUP_BPF_H_H
#define GP_CGROUP_BPF_H_H

/* ---- cgroup mode: sock_addr hooks inside inet_bind ---- */

/*
 * A listed bind's attempt, kept until its outcome is known (no syscall
 * tracepoint: that would tax every system call of every task).
 * post_bind4/6 reports it with ret 0; a failure after the hook is
 * resolved at the socket's next bind attempt or at its release
 * (cgroup/sock_release), with ret unknown and ret_why "failed".  The
 * value is the record's fixed header.
 *
 * Where: gp_cg_attempt, a preallocated hash keyed by the socket's
 * cookie (unique for the boot; a helper, no probe read: lockdown-safe),
 * takes it without an allocation (creating a socket's storage
 * costs ~700 ns per bind on the bench machine, an insert and a delete
 * here ~200).  An entry lives from the bind attempt to its outcome: the
 * binds in flight and the failed ones whose socket is still open.  When
 * the hash is full (a user holding many sockets with failed binds), the
 * attempt goes to the socket's own storage, gp_sk_attempt (magic != 0:
 * pending), which dies with the socket: nothing a user can exhaust.
 * A kernel socket is freed without sock_release: an entry a failed bind
 * of one leaves stays (never reported) until the hash is emptied by a
 * restart; while it does, the hash is one entry smaller.
 */
#define GP_CG_ATTEMPTS		1024

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GP_CG_ATTEMPTS);
	__type(key, __u64);			/* socket cookie */
	__type(value, struct gp_event);
} gp_cg_attempt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct gp_event);
} gp_sk_attempt SEC(".maps");

/*
 * Attempts pending, all sockets (gp_cg_spilled: those of them in socket
 * storage).  post_bind and sock_release run for every bind and every
 * socket; while gp_cg_pending is zero (no listed bind in flight, none
 * failed and unresolved) they return after one load.  Hints to skip
 * only: anything but zero means "look" (a leak, from a socket freed
 * without sock_release, costs the lookup, never an attempt).  Changes
 * happen under the socket's lock (bind4, post_bind) or on its last
 * reference (sock_release), in pairs.
 */
__s64 gp_cg_pending;
__s64 gp_cg_spilled;

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

/* The pending attempt of a socket, or NULL; *spilled: in its storage. */
static __always_inline struct gp_event *attempt_find(struct bpf_sock *bsk,
						     __u64 key, bool *spilled)
{
	struct gp_event *st = bpf_map_lookup_elem(&gp_cg_attempt, &key);

	*spilled = false;
	if (st && st->magic)
		return st;
	if (!gp_cg_spilled)
		return NULL;
	st = bpf_sk_storage_get(&gp_sk_attempt, bsk, 0, 0);
	if (!st || !st->magic)
		return NULL;
	*spilled = true;
	return st;
}

/* Keep ev as the socket's pending attempt (there is none). */
static __always_inline void attempt_keep(struct bpf_sock *bsk, __u64 key,
					 struct gp_event *ev)
{
	struct gp_event *st;

	/* BPF_ANY: an entry whose delete failed (magic 0) is rewritten. */
	if (!bpf_map_update_elem(&gp_cg_attempt, &key, ev, BPF_ANY)) {
		__sync_fetch_and_add(&gp_cg_pending, 1);
		return;
	}
	/* The hash is full: the socket's storage (or the storage an earlier,
	 * resolved attempt left; rewritten).
	 */
	st = bpf_sk_storage_get(&gp_sk_attempt, bsk, ev,
				BPF_SK_STORAGE_GET_F_CREATE);
	if (!st) {
		count(GP_CNT_DROPS);	/* no memory for the storage */
		return;
	}
	__builtin_memcpy(st, ev, sizeof(*ev));
	__sync_fetch_and_add(&gp_cg_spilled, 1);
	__sync_fetch_and_add(&gp_cg_pending, 1);
}

/*
 * The attempt st is resolved (reported): st is not to be used after.
 * magic 0 first: a hash entry whose delete fails (a busy bucket) is not
 * taken for a pending attempt again.
 */
static __always_inline void attempt_done(struct gp_event *st, __u64 key,
					 bool spilled)
{
	st->magic = 0;
	if (spilled)
		__sync_fetch_and_add(&gp_cg_spilled, -1);
	else
		bpf_map_delete_elem(&gp_cg_attempt, &key);
	__sync_fetch_and_add(&gp_cg_pending, -1);
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
static __always_inline void report_failed(struct gp_event *st, __u64 key,
					  bool spilled)
{
	st->valid &= ~GP_VF_RET;
	st->ret = 0;
	st->ret_why = GP_RETW_FAILED;
	submit_late(st);
	attempt_done(st, key, spilled);
}

static __always_inline int on_cgroup_bind(struct bpf_sock_addr *ctx,
					  __u16 family)
{
	__u16 port = bpf_ntohs(ctx->user_port);
	struct gp_event ev, *st;
	struct bpf_sock *bsk;
	bool spilled = false;
	__u32 err = 0, rule;
	__u64 key = 0;
	__u8 flags = 0;
	int verdict;

	/* The hot path: an unlisted port returns after one lookup. */
	rule = port_rule(port);
	if (rule_idle(rule, false))
		return 1;
	verdict = classify_rule(rule, gp_proto_class(family, ctx->type,
						     ctx->protocol),
				&flags, &err);
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
		fill_sock(&ev, sock_of(bsk), ctx->type, ctx->protocol,
			  bsk->bound_dev_if);
	}
	/* An earlier attempt on this socket that never reached post_bind
	 * (none anywhere while gp_cg_pending is zero: no lookup then).
	 */
	if (gp_pin_audit_mode == GP_SRC_CGROUP) {
		key = bpf_get_socket_cookie(ctx);
		if (gp_cg_pending) {
			st = attempt_find(bsk, key, &spilled);
			if (st)
				report_failed(st, key, spilled);
		}
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
	attempt_keep(bsk, key, &ev);
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
 * The bind succeeded: post_bind runs only after the port is taken.  With
 * no attempt pending anywhere (every unlisted bind, unless a listed one
 * is in flight or failed unresolved) it returns after one load.  A
 * pending attempt for another port than the one taken failed earlier
 * (the socket was then bound to an unlisted port).
 */
static __always_inline int on_post_bind(struct bpf_sock *sk)
{
	struct gp_event *st;
	bool spilled;
	__u64 key;

	if (!gp_cg_pending)
		return 1;
	key = bpf_get_socket_cookie(sk);
	st = attempt_find(sk, key, &spilled);
	if (!st)
		return 1;
	if (st->port && st->port != sk->src_port) {
		report_failed(st, key, spilled);
		return 1;
	}
	st->ret = 0;
	st->valid |= GP_VF_RET;
	submit(st);
	attempt_done(st, key, spilled);
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
	struct gp_event *st;
	bool spilled;
	__u64 key;

	if (!gp_cg_pending)
		return 1;
	key = bpf_get_socket_cookie(sk);
	st = attempt_find(sk, key, &spilled);
	if (st)
		report_failed(st, key, spilled);
	return 1;
}

#endif /* GP_CGROUP_BPF_H_H */
