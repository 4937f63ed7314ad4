/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * inet.bpf.h - a bind request as the fentry, kprobe and LSM hooks see it:
 * a socket and the caller's sockaddr.  Classified by the socket's own
 * family, type and protocol (gp_proto_class), never by sa_family:
 * __inet_bind takes AF_UNSPEC + INADDR_ANY on an AF_INET socket, MPTCP
 * (262) and SMC (AF_SMC, IPPROTO_SMC) are tcp.  A kernel socket bound
 * inside a user's bind request (MPTCP's subflow, SMC's inner TCP socket)
 * is the user's bind (gp_is_kernel_bind).
 *
 * Also: the packed address list of SCTP bindx, the bypass verdict of the
 * audit hooks, and the program identity a pinned instance is adopted by.
 *
 * Included once, by ghostport.bpf.c, after record.bpf.h.
 */
#ifndef GP_INET_BPF_H_H
#define GP_INET_BPF_H_H

#define GP_AF_UNSPEC		0
#define GP_SMCPROTO_SMC6	1	/* AF_SMC socket over IPv6 */
#define GP_SCTP_SOCKOPT_BINDX_ADD 100
/* Addresses of one bindx list we look at; a longer list is refused under
 * --enforce (lsm.bpf.h), never walked past blindly.
 */
#define GP_BINDX_MAX		64

/*
 * The identity of the loaded programs (a hash of this object, set by the
 * loader): a later `ghostport run` adopts a pinned instance only when it
 * is its own build (bpf_pin.c).
 */
__u64 gp_pin_version;

/*
 * The record of a bind of sk to uaddr (fentry, kprobe, LSM) built into e,
 * the caller's stack variable; NULL when nothing is to be reported.  sk
 * NULL: it is sock->sk, read only once the port is found listed.  Only
 * inet and SMC sockets: another family's sockaddr has no port (AF_UNIX's
 * bytes 2..3 are the path).  deny_only: only a bind a deny rule refuses
 * matters to the caller (the LSM); anything else is NULL early.
 *
 * The order is the cost: an unlisted bind reads the port (one probe
 * read) and looks it up (one array lookup), nothing else; the socket's
 * family, type and protocol are read only for a port with a rule (or
 * under "all").
 */
static __always_inline struct gp_event *
gp_build_sk(struct gp_event *e, struct socket *sock, struct sock *sk,
	    struct sockaddr *uaddr, int addr_len, __u8 source, bool deny_only,
	    __u32 *deny_err)
{
	__u16 skfam, type, protocol, safam = 0, family;
	__be16 nport = 0;
	__u8 flags = 0;
	__u32 rule;
	int verdict;

	*deny_err = 0;
	if ((!sk && !sock) || addr_len < 4)
		return NULL;
	/*
	 * The lockdown-safe set (gp_safe) reads through BTF-typed loads (sk,
	 * sock and uaddr are the hook's typed arguments), no probe reads.
	 */
	if (gp_safe)
		nport = ((struct sockaddr_in *)uaddr)->sin_port;
	else
		bpf_probe_read_kernel(&nport, sizeof(nport),
				      &((struct sockaddr_in *)uaddr)->sin_port);
	rule = port_rule(bpf_ntohs(nport));
	if (rule_idle(rule, deny_only))
		return NULL;
	if (!sk)
		sk = gp_safe ? sock->sk : BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	if (gp_safe) {
		skfam = sk->__sk_common.skc_family;
		type = sk->sk_type;
		protocol = sk->sk_protocol;
	} else {
		skfam = BPF_CORE_READ(sk, __sk_common.skc_family);
		type = BPF_CORE_READ(sk, sk_type);
		protocol = BPF_CORE_READ(sk, sk_protocol);
	}
	if (skfam != AF_INET && skfam != AF_INET6 && skfam != GP_AF_SMC)
		return NULL;
	verdict = classify_rule(rule, gp_proto_class(skfam, type, protocol),
				&flags, deny_err);
	if (verdict < 0)
		return NULL;
	if (gp_safe)
		safam = uaddr->sa_family;
	else
		bpf_probe_read_kernel(&safam, sizeof(safam), &uaddr->sa_family);

	/* The address as the kernel will read it: sa_family when inet,
	 * else (AF_UNSPEC) the socket's own.
	 */
	if (safam == AF_INET || safam == AF_INET6)
		family = safam;
	else if (skfam == GP_AF_SMC)
		family = protocol == GP_SMCPROTO_SMC6 ? AF_INET6 : AF_INET;
	else
		family = skfam;

	__builtin_memset(e, 0, sizeof(*e));
	e->port = bpf_ntohs(nport);
	e->verdict = verdict;
	e->flags = flags;
	e->source = source;
	e->family = family;
	if (family == AF_INET && addr_len >= 8 && gp_safe) {
		__u32 a = ((struct sockaddr_in *)uaddr)->sin_addr.s_addr;

		__builtin_memcpy(e->addr, &a, 4);
	} else if (family == AF_INET && addr_len >= 8) {
		bpf_probe_read_kernel(e->addr, 4,
			&((struct sockaddr_in *)uaddr)->sin_addr);
	} else if (family == AF_INET6 && addr_len >= 24) {
		read_in6(e->addr, uaddr);
		if (is_v4mapped(e->addr))
			e->flags |= GP_EF_V4MAPPED;
	}
	/* fill_task/fill_sock mark kernel binds (gp_is_kernel_bind). */
	fill_task(e);
	fill_sock(e, sk, type, protocol,
		  gp_safe ? sk->__sk_common.skc_bound_dev_if :
			    BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if));
	if (skfam == GP_AF_SMC) {	/* not an inet_sock: no inet flags */
		e->opts = 0;
		e->valid &= ~GP_VF_OPTS;
	}
	return e;
}

/*
 * An audit hook saw a bind that a deny rule matches, after the enforcer
 * had its chance.  Exempt and kernel binds are reported as such.  A bind
 * the enforcer refused (ret is the rule's errno) was reported by it: true,
 * not reported again.  Otherwise the rule was not enforced on this path:
 * "bypass" when the bind went through (or its outcome is unknown), an
 * audit with the error when it failed anyway.
 */
static __always_inline bool gp_audit_settle(struct gp_event *e, __u32 err,
					    int ret, bool ret_known)
{
	if (e->verdict != GP_VERDICT_DENY || !settle_deny(e, err))
		return false;
	if (ret_known && ret == -(int)err)
		return true;
	e->deny_errno = 0;
	e->valid &= ~GP_VF_RET;
	e->verdict = !ret_known || ret == 0 ? GP_VERDICT_BYPASS :
					      GP_VERDICT_AUDIT;
	return false;
}

/*
 * SCTP bindx (SCTP_SOCKOPT_BINDX_ADD): a packed list of sockaddr_in and
 * sockaddr_in6.  The offset of the first entry whose port a rule lists
 * for SCTP (deny rules only with want_deny), -1 when none; *more is set
 * when the list is longer than GP_BINDX_MAX entries.
 */
static __always_inline int gp_bindx_find(unsigned long addrs, int len,
					 bool want_deny, bool *more)
{
	int off = 0, i;

	*more = false;
	for (i = 0; i < GP_BINDX_MAX; i++) {
		__u16 fam = 0;
		__be16 nport = 0;
		__u32 key, *rule;

		if (off + 4 > len)
			return -1;
		bpf_probe_read_kernel(&fam, sizeof(fam), (void *)(addrs + off));
		bpf_probe_read_kernel(&nport, sizeof(nport),
				      (void *)(addrs + off + 2));
		key = bpf_ntohs(nport);
		rule = bpf_map_lookup_elem(&gp_ports, &key);
		if (rule && ((want_deny ? GP_RULE_DENY(*rule) :
					  GP_RULE_AUDIT(*rule)) & GP_PROTO_SCTP))
			return off;
		if (fam == AF_INET)
			off += 16;
		else if (fam == AF_INET6)
			off += 28;
		else
			return -1;	/* the kernel refuses the list */
	}
	*more = off < len;
	return -1;
}

/* The record for the listed entry of a bindx list, or NULL. */
static __always_inline struct gp_event *
gp_build_bindx(struct gp_event *e, struct sock *sk, struct sockaddr *addrs,
	       int len, bool want_deny, __u8 source, __u32 *deny_err,
	       bool *more)
{
	struct sockaddr *slot = addrs;
	unsigned long base = 0;
	int found, off = -1;

	/* A plain number, not the hook's typed pointer: the walk adds
	 * variable offsets to it and only reads through helpers.
	 */
	bpf_probe_read_kernel(&base, sizeof(base), &slot);
	found = gp_bindx_find(base, len, want_deny, more);

	/* Each exit of the walk knows its offset exactly, and the verifier
	 * would check the builder once per exit (beyond its limit): read the
	 * offset back through a helper, an unknown number within bounds.
	 */
	bpf_probe_read_kernel(&off, sizeof(off), &found);
	if (off < 0 || off > len || off > GP_BINDX_MAX * 28)
		return NULL;
	return gp_build_sk(e, NULL, sk, (struct sockaddr *)(base + off),
			   len - off, source, want_deny, deny_err);
}

#endif /* GP_INET_BPF_H_H */
