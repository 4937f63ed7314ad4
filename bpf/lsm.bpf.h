/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * lsm.bpf.h - enforcement with the BPF LSM socket_bind hook.
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_LSM_BPF_H_H
#define GP_LSM_BPF_H_H

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
	struct gp_event ev, *e;
	__u16 family = 0;
	__u32 err;
	long ret;

	if (!(gp_conf.flags & GP_CONF_ENFORCE) || addrlen < 4)
		return 0;
	if (gp_safe)
		family = address->sa_family;
	else
		bpf_probe_read_kernel(&family, sizeof(family),
				      &address->sa_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	e = build_from_args(&ev, sock, address, addrlen, family, GP_SRC_LSM,
			    &err);
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

#endif /* GP_LSM_BPF_H_H */
