/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * lsm.bpf.h - enforcement with the BPF LSM: socket_bind (every bind(2)
 * and io_uring bind) and sctp_bind_connect (SCTP bindx).
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_LSM_BPF_H_H
#define GP_LSM_BPF_H_H

/* ---- enforcement: BPF LSM, before the protocol's bind ---- */

/*
 * LSM programs must provably return 0 or -MAX_ERRNO..-1 (checked by 6.10+
 * verifiers); a negation loses the range, comparisons on the very register
 * returned (64-bit, so no extension copies) give it back.  The barrier
 * keeps the compiler from checking err instead.
 */
static __always_inline long lsm_errno(__u32 err)
{
	long ret = -(long)err;

	asm volatile("" : "+r"(ret));
	if (ret < -4095 || ret > -1)
		ret = -EPERM;
	return ret;
}

/*
 * Runs before the address family's bind, so a bind it refuses never
 * reaches the audit probes: the denial is reported here, once.  Decided by
 * the socket (gp_build_sk): AF_UNSPEC on an AF_INET socket is a v4 bind,
 * MPTCP and SMC sockets are tcp.  Raw sockets are never refused; the
 * kernel's own binds never pass here (kernel_bind calls the protocol).
 */
static __always_inline long on_lsm_bind(struct socket *sock,
					struct sockaddr *address, int addrlen)
{
	struct gp_event ev, *e;
	__u32 err;

	if (!(gp_conf.flags & GP_CONF_ENFORCE))
		return 0;
	e = gp_build_sk(&ev, sock, NULL, address, addrlen, GP_SRC_LSM, true,
			&err);
	if (!e || e->verdict != GP_VERDICT_DENY || e->sock_type == SOCK_RAW)
		return 0;
	if (!settle_deny(e, err))
		return 0;	/* exempt or kernel: the audit probe reports it */
	submit(e);
	return lsm_errno(err);
}

SEC("lsm/socket_bind")
int BPF_PROG(gp_lsm_socket_bind, struct socket *sock,
	     struct sockaddr *address, int addrlen, int ret)
{
	if (ret)
		return ret;
	return on_lsm_bind(sock, address, addrlen);
}

/*
 * SCTP bindx binds through sctp_do_bind, never socket_bind: this hook
 * sees its list (already checked by the kernel: AF_INET/AF_INET6 entries
 * that fit).  The first entry a deny rule lists refuses the whole call.
 * A list longer than GP_BINDX_MAX is refused with EPERM (not walked past
 * blindly); that refusal is not reported (no listed port known).
 */
SEC("lsm/sctp_bind_connect")
int BPF_PROG(gp_lsm_sctp_bind_connect, struct sock *sk, int optname,
	     struct sockaddr *address, int addrlen, int ret)
{
	struct gp_event ev, *e;
	bool more = false;
	__u32 err;

	if (ret)
		return ret;
	if (optname != GP_SCTP_SOCKOPT_BINDX_ADD ||
	    !(gp_conf.flags & GP_CONF_ENFORCE))
		return 0;
	e = gp_build_bindx(&ev, sk, address, addrlen, true, GP_SRC_LSM,
			   &err, &more);
	if (!e)
		return more ? -EPERM : 0;
	if (e->verdict != GP_VERDICT_DENY || !settle_deny(e, err))
		return 0;
	submit(e);
	return lsm_errno(err);
}

#endif /* GP_LSM_BPF_H_H */
