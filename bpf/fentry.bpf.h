/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * fentry.bpf.h - the fentry audit mode: fexit on inet_bind/inet6_bind.
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_FENTRY_BPF_H_H
#define GP_FENTRY_BPF_H_H

/* ---- fentry mode: fexit sees the arguments and the return value ---- */

static __always_inline int on_fexit(struct socket *sock,
				    struct sockaddr *uaddr, int addr_len,
				    int ret, __u16 family)
{
	struct gp_event ev, *e;
	__u32 err;

	e = build_from_args(&ev, sock, uaddr, addr_len, family, GP_SRC_FENTRY,
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

#endif /* GP_FENTRY_BPF_H_H */
