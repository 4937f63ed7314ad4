/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * fentry.bpf.h - the fentry audit mode: fexit on the function every inet
 * bind goes through, and on the SCTP bindx check.
 *
 * From 6.6 that is inet_bind_sk/inet6_bind_sk: inet_bind calls it, and so
 * does mptcp_bind for its subflow (never through inet_bind).  Before 6.6
 * inet_bind/inet6_bind (MPTCP binds its subflow through them).  SCTP's
 * bind(2) passes both (sk_prot->bind is called from inside); its bindx
 * (setsockopt SCTP_SOCKOPT_BINDX_ADD) passes neither, only
 * security_sctp_bind_connect.  The loader picks the pair that exists
 * (bpf_load.c).
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_FENTRY_BPF_H_H
#define GP_FENTRY_BPF_H_H

/* ---- fentry mode: fexit sees the arguments and the return value ---- */

/* sock: pre-6.6 inet_bind's, whose sk is read only for a listed port. */
static __always_inline int on_fexit(struct socket *sock, struct sock *sk,
				    struct sockaddr *uaddr, int addr_len,
				    int ret)
{
	struct gp_event ev, *e;
	__u32 err;

	e = gp_build_sk(&ev, sock, sk, uaddr, addr_len, GP_SRC_FENTRY, false,
			&err);
	if (!e || gp_audit_settle(e, err, ret, true))
		return 0;
	e->ret = ret;
	e->valid |= GP_VF_RET;
	submit(e);
	return 0;
}

SEC("fexit/inet_bind_sk")
int BPF_PROG(gp_fexit_inet_bind_sk, struct sock *sk, struct sockaddr *uaddr,
	     int addr_len, int ret)
{
	return on_fexit(NULL, sk, uaddr, addr_len, ret);
}

SEC("fexit/inet6_bind_sk")
int BPF_PROG(gp_fexit_inet6_bind_sk, struct sock *sk,
	     struct sockaddr *uaddr, int addr_len, int ret)
{
	return on_fexit(NULL, sk, uaddr, addr_len, ret);
}

SEC("fexit/inet_bind")
int BPF_PROG(gp_fexit_inet_bind, struct socket *sock, struct sockaddr *uaddr,
	     int addr_len, int ret)
{
	return on_fexit(sock, NULL, uaddr, addr_len, ret);
}

SEC("fexit/inet6_bind")
int BPF_PROG(gp_fexit_inet6_bind, struct socket *sock,
	     struct sockaddr *uaddr, int addr_len, int ret)
{
	return on_fexit(sock, NULL, uaddr, addr_len, ret);
}

/*
 * SCTP bindx: the check before sctp_do_bind.  Its result is the bind's
 * only when it refused (another LSM, ours under --enforce); after a pass
 * the bind's own outcome is not seen here: ret unknown.
 */
SEC("fexit/security_sctp_bind_connect")
int BPF_PROG(gp_fexit_sctp_bind_connect, struct sock *sk, int optname,
	     struct sockaddr *address, int addrlen, int ret)
{
	struct gp_event ev, *e;
	bool more;
	__u32 err;

	if (optname != GP_SCTP_SOCKOPT_BINDX_ADD)
		return 0;
	e = gp_build_bindx(&ev, sk, address, addrlen, false, GP_SRC_FENTRY,
			   &err, &more);
	if (!e || gp_audit_settle(e, err, ret, ret != 0))
		return 0;
	if (ret) {
		e->ret = ret;
		e->valid |= GP_VF_RET;
	}
	submit(e);
	return 0;
}

#endif /* GP_FENTRY_BPF_H_H */
