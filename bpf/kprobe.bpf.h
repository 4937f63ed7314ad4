/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * kprobe.bpf.h - the kprobe audit mode: kprobe stashes, kretprobe emits.
 *
 * Attached (bpf_load.c) to inet_bind_sk/inet6_bind_sk where they exist
 * (6.6+: mptcp_bind calls them directly), else inet_bind/inet6_bind; the
 * record is classified by the socket, so one program serves v4 and v6.
 * SCTP bindx: a kprobe on security_sctp_bind_connect, outcome unknown.
 *
 * The stash is this mode's own (by thread): the cgroup method, when it
 * enforces next to this mode, never completes or flushes these records.
 * An entry still there when the thread binds again lost its return probe
 * (a kretprobe miss: out of instances): it is reported with the outcome
 * unknown and counted, never overwritten silently.
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_KPROBE_BPF_H_H
#define GP_KPROBE_BPF_H_H

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GP_STASH_MAX);
	__type(key, __u32);
	__type(value, struct gp_event);
} gp_kp_stash SEC(".maps");

/* [0]: stash entries whose return probe never ran (stale). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gp_kp_stale SEC(".maps");

/*
 * Entries in gp_kp_stash, all threads: while zero (every unlisted bind
 * when no listed one is in flight) neither probe looks the stash up.
 * Only a hint to skip: any value but zero means "look".
 */
__s64 gp_kp_pending;

/* ---- kprobe mode: stash at entry, emit at return ---- */

static __always_inline void kp_unstash(__u32 tid)
{
	if (!bpf_map_delete_elem(&gp_kp_stash, &tid))
		__sync_fetch_and_add(&gp_kp_pending, -1);
}

static __always_inline void kp_flush_stale(__u32 tid)
{
	struct gp_event *old;
	__u32 zero = 0;
	__u64 *n;

	if (!gp_kp_pending)
		return;
	old = bpf_map_lookup_elem(&gp_kp_stash, &tid);
	if (!old)
		return;
	n = bpf_map_lookup_elem(&gp_kp_stale, &zero);
	if (n)
		*n += 1;
	gp_audit_settle(old, old->deny_errno, 0, false);
	submit(old);
	kp_unstash(tid);
}

static __always_inline int on_kprobe(struct socket *sock, struct sock *sk,
				     struct sockaddr *uaddr, int addr_len)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct gp_event ev, *e;
	__u32 err;

	/* Before the new record is built on the stack: the verifier checks
	 * the flush's submit with less state to track.
	 */
	kp_flush_stale(tid);
	e = gp_build_sk(&ev, sock, sk, uaddr, addr_len, GP_SRC_KPROBE, false,
			&err);
	if (!e)
		return 0;
	if (e->verdict == GP_VERDICT_DENY)
		e->deny_errno = err;	/* settled at return, seeing ret */
	if (bpf_map_update_elem(&gp_kp_stash, &tid, e, BPF_NOEXIST))
		count(GP_CNT_DROPS);
	else
		__sync_fetch_and_add(&gp_kp_pending, 1);
	return 0;
}

SEC("kprobe/inet_bind")
int BPF_KPROBE(gp_kprobe_inet_bind, struct socket *sock,
	       struct sockaddr *uaddr, int addr_len)
{
	return on_kprobe(sock, NULL, uaddr, addr_len);
}

SEC("kprobe/inet_bind_sk")
int BPF_KPROBE(gp_kprobe_inet_bind_sk, struct sock *sk,
	       struct sockaddr *uaddr, int addr_len)
{
	return on_kprobe(NULL, sk, uaddr, addr_len);
}

SEC("kretprobe/inet_bind")
int BPF_KRETPROBE(gp_kretprobe_inet_bind, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct gp_event *e;

	if (!gp_kp_pending)
		return 0;	/* nothing stashed: every unlisted bind */
	e = bpf_map_lookup_elem(&gp_kp_stash, &tid);
	if (!e)
		return 0;
	if (!gp_audit_settle(e, e->deny_errno, ret, true)) {
		e->ret = ret;
		e->valid |= GP_VF_RET;
		submit(e);
	}
	kp_unstash(tid);
	return 0;
}

/* SCTP bindx: reported at the check, the outcome unknown. */
SEC("kprobe/security_sctp_bind_connect")
int BPF_KPROBE(gp_kprobe_sctp_bind_connect, struct sock *sk, int optname,
	       struct sockaddr *address, int addrlen)
{
	struct gp_event ev, *e;
	bool more;
	__u32 err;

	if (optname != GP_SCTP_SOCKOPT_BINDX_ADD)
		return 0;
	e = gp_build_bindx(&ev, sk, address, addrlen, false, GP_SRC_KPROBE,
			   &err, &more);
	if (!e)
		return 0;
	/* Under --enforce the LSM runs after this probe and reports what it
	 * refuses: a deny rule here is the LSM's to report.
	 */
	if (e->verdict == GP_VERDICT_DENY && gp_pin_deny_mode == GP_SRC_LSM &&
	    settle_deny(e, err))
		return 0;
	gp_audit_settle(e, err, 0, false);
	submit(e);
	return 0;
}

#endif /* GP_KPROBE_BPF_H_H */
