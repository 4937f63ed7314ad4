/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * kprobe.bpf.h - the kprobe audit mode: kprobe stashes, kretprobe emits.
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_KPROBE_BPF_H_H
#define GP_KPROBE_BPF_H_H

/* ---- kprobe mode: stash at entry, emit at return ---- */

static __always_inline int on_kprobe(struct socket *sock,
				     struct sockaddr *uaddr, int addr_len,
				     __u16 family)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct gp_event ev, *e;
	__u32 err;

	e = build_from_args(&ev, sock, uaddr, addr_len, family, GP_SRC_KPROBE,
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

#endif /* GP_KPROBE_BPF_H_H */
