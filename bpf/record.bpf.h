/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * record.bpf.h - the hot-path decision (classify) and building, exempting
 * and submitting a struct gp_event: what every hook uses.
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_RECORD_BPF_H_H
#define GP_RECORD_BPF_H_H

/* Pre-6.6 layout of the inet_sock flag bits, for CO-RE. */
struct inet_sock___old {
	__u8 freebind:1;
	__u8 transparent:1;
	__u8 bind_address_no_port:1;
} __attribute__((preserve_access_index));

/*
 * 6.6+ bit numbers in inet_sock.inet_flags.  Their enum is anonymous in
 * BTF, so CO-RE cannot relocate it by name; the values are ABI-stable
 * since 6.6 (only appended to), and the VM tests check them on 6.12.
 */
#define GP_INET_FLAGS_FREEBIND			11
#define GP_INET_FLAGS_TRANSPARENT		15
#define GP_INET_FLAGS_BIND_ADDRESS_NO_PORT	18

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&gp_counters, &idx);

	if (v)
		*v += 1;
}

/*
 * The hot path, first half: the rule for a port (0 when none), and
 * whether that rule can make anything reportable.  An unlisted bind stops
 * here: one array lookup, before anything is read of the socket (the
 * protocol class is needed only when the rule has a bit set, or under
 * "all").  deny_only: the caller acts on deny rules alone (the LSM).
 */
static __always_inline __u32 port_rule(__u16 port)
{
	__u32 key = port, *rule = bpf_map_lookup_elem(&gp_ports, &key);

	return rule ? *rule : 0;
}

static __always_inline bool rule_idle(__u32 rule, bool deny_only)
{
	if (deny_only)
		return !GP_RULE_DENY(rule) ||
		       !(gp_conf.flags & GP_CONF_ENFORCE);
	return !GP_RULE_AUDIT(rule) && !(gp_conf.flags & GP_CONF_ALL);
}

/*
 * The second half: is this port listed for the socket's protocol class?
 * Returns the verdict for the event, or -1 when nothing is to be
 * reported.  A listed port with a deny rule in force is GP_VERDICT_DENY
 * here; the caller turns it into EXEMPT or AUDIT (kernel binds) after
 * checking who binds, which is off the hot path.
 */
static __always_inline int classify_rule(__u32 rule, __u32 pbit, __u8 *flags,
					 __u32 *errno_out)
{
	if (GP_RULE_AUDIT(rule) & pbit) {
		*flags |= GP_EF_LISTED;
		if ((gp_conf.flags & GP_CONF_ENFORCE) &&
		    (GP_RULE_DENY(rule) & pbit)) {
			*errno_out = GP_RULE_ERRNO(rule) ?: EPERM;
			return GP_VERDICT_DENY;
		}
		return GP_VERDICT_AUDIT;
	}
	if (gp_conf.flags & GP_CONF_ALL)
		return GP_VERDICT_NONE;
	return -1;
}

/*
 * The safe set asks the helpers instead of walking the task's cgroups:
 * the ancestor at each level from the root down (0 past the task's own).
 * 5.10's tracing programs lack the ancestor helper: there, and only there
 * (the kernels without bpf_get_current_task_btf), the task's own cgroup
 * is checked alone.
 */
static __always_inline bool exempt_cgroup_safe(void)
{
	__u64 id = bpf_get_current_cgroup_id();
	int i;

	if (bpf_map_lookup_elem(&gp_exempt_cgroup, &id))
		return true;
	if (!GP_HAS_TASK_BTF)
		return false;
	for (i = 0; i < MAX_CGROUP_DEPTH; i++) {
		id = bpf_get_current_ancestor_cgroup_id(i);
		if (!id)
			break;
		if (bpf_map_lookup_elem(&gp_exempt_cgroup, &id))
			return true;
	}
	return false;
}

static __always_inline bool exempt_cgroup(struct task_struct *task)
{
	struct cgroup *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	int i;

	/* The task's cgroup or any ancestor: a unit's cgroup covers its
	 * children.
	 */
	for (i = 0; i < MAX_CGROUP_DEPTH && cg; i++) {
		__u64 id = BPF_CORE_READ(cg, kn, id);

		if (bpf_map_lookup_elem(&gp_exempt_cgroup, &id))
			return true;
		cg = (struct cgroup *)BPF_CORE_READ(cg, self.parent);
	}
	return false;
}

/* Is the current task exempt from deny rules?  Only asked for denials. */
static __always_inline bool is_exempt(const struct gp_event *e)
{
	struct task_struct *task;
	struct gp_exe_key k = {};

	if (!(gp_conf.flags & GP_CONF_EXEMPTIONS))
		return false;
	if (bpf_map_lookup_elem(&gp_exempt_uid, &e->uid) ||
	    bpf_map_lookup_elem(&gp_exempt_gid, &e->gid))
		return true;
	if (e->valid & GP_VF_EXE) {
		k.ino = e->exe_ino;
		k.dev = e->exe_dev;
		if (bpf_map_lookup_elem(&gp_exempt_exe, &k))
			return true;
	}
	if (gp_safe)
		return exempt_cgroup_safe();
	task = (struct task_struct *)bpf_get_current_task();
	return exempt_cgroup(task);
}

/*
 * A bind that a deny rule matches: is it refused?  Kernel binds (the
 * sunrpc client's reserved ports) never are; exempt tasks are not.  The
 * record's verdict says which.
 */
static __always_inline bool settle_deny(struct gp_event *e, __u32 err)
{
	if (e->flags & GP_EF_KERNEL) {
		e->verdict = GP_VERDICT_AUDIT;
		return false;
	}
	if (is_exempt(e)) {
		e->verdict = GP_VERDICT_EXEMPT;
		return false;
	}
	e->verdict = GP_VERDICT_DENY;
	e->deny_errno = err;
	e->ret = -(int)err;
	e->valid |= GP_VF_RET;
	return true;
}

/*
 * The safe set's view of the task: BTF-typed loads from
 * bpf_get_current_task_btf() (5.11+; allowed under lockdown).  Without it
 * (5.10) parent, executable and the kernel-thread flag stay unknown.
 */
static __always_inline void fill_task_safe(struct gp_event *e)
{
	struct task_struct *t;
	struct mm_struct *mm;
	struct file *exe;

	e->flags |= GP_EF_LOCKDOWN;
	if (!GP_HAS_TASK_BTF)
		return;
	t = bpf_get_current_task_btf();
	e->ppid = t->real_parent->tgid;
	e->valid |= GP_VF_PPID;
	if (t->flags & PF_KTHREAD)
		e->flags |= GP_EF_KERNEL;
	mm = t->mm;
	exe = mm ? mm->exe_file : NULL;
	if (exe) {
		e->exe_ino = exe->f_inode->i_ino;
		e->exe_dev = exe->f_inode->i_sb->s_dev;
		e->valid |= GP_VF_EXE;
	}
}

static __always_inline void fill_task(struct gp_event *e)
{
	struct task_struct *task;
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ugid = bpf_get_current_uid_gid();
	struct file *exe;

	e->magic = GP_ABI_MAGIC;
	e->version = GP_ABI_VERSION;
	e->size = sizeof(*e);
	e->hdr_size = sizeof(*e);
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)ugid;
	e->gid = ugid >> 32;
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->valid |= GP_VF_CGROUP;
	if (gp_safe) {
		fill_task_safe(e);
		return;
	}
	task = (struct task_struct *)bpf_get_current_task();
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->valid |= GP_VF_PPID;
	if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
		e->flags |= GP_EF_KERNEL;
	exe = BPF_CORE_READ(task, mm, exe_file);
	if (exe) {
		struct inode *inode = BPF_CORE_READ(exe, f_inode);

		e->exe_ino = BPF_CORE_READ(inode, i_ino);
		e->exe_dev = BPF_CORE_READ(inode, i_sb, s_dev);
		e->valid |= GP_VF_EXE;
	}
}

static __always_inline __u8 read_opts(struct sock *sk)
{
	struct inet_sock *inet = (struct inet_sock *)sk;
	__u8 opts = 0;

	/* skc_reuse and skc_reuseport share a byte: one read for both. */
	if (__CORE_RELO(sk, __sk_common.skc_reuse, BYTE_OFFSET) ==
	    __CORE_RELO(sk, __sk_common.skc_reuseport, BYTE_OFFSET) &&
	    __CORE_RELO(sk, __sk_common.skc_reuse, BYTE_SIZE) ==
	    __CORE_RELO(sk, __sk_common.skc_reuseport, BYTE_SIZE)) {
		unsigned long long raw = 0, v;

		__CORE_BITFIELD_PROBE_READ(&raw, sk, __sk_common.skc_reuse);
		v = raw << __CORE_RELO(sk, __sk_common.skc_reuse, LSHIFT_U64);
		if (v >> __CORE_RELO(sk, __sk_common.skc_reuse, RSHIFT_U64))
			opts |= GP_OPT_REUSEADDR;
		v = raw << __CORE_RELO(sk, __sk_common.skc_reuseport,
				       LSHIFT_U64);
		if (v >> __CORE_RELO(sk, __sk_common.skc_reuseport,
				     RSHIFT_U64))
			opts |= GP_OPT_REUSEPORT;
	} else {
		if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuse))
			opts |= GP_OPT_REUSEADDR;
		if (BPF_CORE_READ_BITFIELD_PROBED(sk,
						  __sk_common.skc_reuseport))
			opts |= GP_OPT_REUSEPORT;
	}

	if (bpf_core_field_exists(inet->inet_flags)) {
		unsigned long f = BPF_CORE_READ(inet, inet_flags);

		if (f & (1UL << GP_INET_FLAGS_FREEBIND))
			opts |= GP_OPT_FREEBIND;
		if (f & (1UL << GP_INET_FLAGS_TRANSPARENT))
			opts |= GP_OPT_TRANSPARENT;
		if (f & (1UL << GP_INET_FLAGS_BIND_ADDRESS_NO_PORT))
			opts |= GP_OPT_BIND_NO_PORT;
	} else {
		struct inet_sock___old *old = (void *)sk;

		if (BPF_CORE_READ_BITFIELD_PROBED(old, freebind))
			opts |= GP_OPT_FREEBIND;
		if (BPF_CORE_READ_BITFIELD_PROBED(old, transparent))
			opts |= GP_OPT_TRANSPARENT;
		if (BPF_CORE_READ_BITFIELD_PROBED(old, bind_address_no_port))
			opts |= GP_OPT_BIND_NO_PORT;
	}
	return opts;
}

/*
 * The current task's system call number (pt_regs orig_ax), -1 when not
 * known.  Read from the top of the task's stack as task_pt_regs() does:
 * THREAD_SIZE is 16 KiB on x86_64 kernels without KASAN (Debian's), and
 * FRED kernels (6.9+, CONFIG_X86_FRED) keep 16 bytes of padding above
 * pt_regs; the frame whose cs is a user code segment is the right one.
 */
#define GP_THREAD_SIZE		16384
#define GP_USER_CS		0x33	/* __USER_CS */
#define GP_USER32_CS		0x23	/* __USER32_CS */

static __always_inline long task_syscall_nr(struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
	unsigned long stack = (unsigned long)BPF_CORE_READ(task, stack);
	unsigned long cs;
	struct pt_regs *r;
	long nr = -1;
	int pad;

	if (!stack)
		return -1;
	for (pad = 0; pad <= 16; pad += 16) {
		r = (struct pt_regs *)(stack + GP_THREAD_SIZE - pad) - 1;
		cs = 0;
		if (bpf_probe_read_kernel(&cs, sizeof(cs), &r->cs))
			continue;
		cs &= 0xffff;
		if (cs != GP_USER_CS && cs != GP_USER32_CS)
			continue;
		bpf_probe_read_kernel(&nr, sizeof(nr), &r->orig_ax);
		return nr;
	}
#endif
	return -1;
}

/*
 * A kernel socket (sk_kern_sock) bound by a user task: a kernel bind only
 * when the task is not in a bind request of its own (gp_is_kernel_bind:
 * MPTCP's subflow and SMC's inner socket are bound inside the user's
 * bind(2) and are the user's bind; vxlan's is not).
 */
static __always_inline bool kern_sock_is_kernel_bind(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tflags = BPF_CORE_READ(task, flags);

	if (tflags & (GP_PF_KTHREAD | GP_PF_IO_WORKER))
		return gp_is_kernel_bind(tflags, 1, -1);
	return gp_is_kernel_bind(tflags, 1, task_syscall_nr(task));
}

/*
 * The safe set, from a BTF-typed sk (fentry, LSM).  The socket options
 * live in inet_sock, past struct sock, where the verifier lets no direct
 * load go: they stay unknown.  So does a kernel socket's owner test (it
 * reads the task's stack): the kernel-thread flag stands alone.
 */
static __always_inline void fill_sock_safe(struct gp_event *e, struct sock *sk)
{
	e->netns_ino = sk->__sk_common.skc_net.net->ns.inum;
	e->valid |= GP_VF_NETNS | GP_VF_IFINDEX | GP_VF_TYPE;
}

/*
 * The socket's part of the record.  type and protocol come from the
 * caller, who read them to classify (the cgroup hooks from their context,
 * without a probe read); ifindex too where the context has it.
 */
static __always_inline void fill_sock(struct gp_event *e, struct sock *sk,
				      __u16 type, __u16 protocol,
				      __u32 ifindex)
{
	e->sock_type = type;
	e->protocol = protocol;
	e->ifindex = ifindex;
	if (gp_safe) {
		fill_sock_safe(e, sk);
		return;
	}
	e->netns_ino = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	e->opts = read_opts(sk);
	if (!(e->flags & GP_EF_KERNEL) &&
	    BPF_CORE_READ_BITFIELD_PROBED(sk, sk_kern_sock) &&
	    kern_sock_is_kernel_bind())
		e->flags |= GP_EF_KERNEL;
	e->valid |= GP_VF_NETNS | GP_VF_IFINDEX | GP_VF_OPTS | GP_VF_TYPE;
}

static __always_inline bool is_v4mapped(const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	return w[0] == 0 && w[1] == 0 && w[2] == bpf_htonl(0x0000ffff);
}

/*
 * Every hook ends here: the fixed header e plus the current task's
 * identity (executable path, argv, parent ...: identity.bpf.h) leave as
 * one ABI v2 record.
 */
static __always_inline void submit(const struct gp_event *e)
{
	gp_submit(e, true);
}

/*
 * A record reported later than its bind (the cgroup mode's failed binds,
 * at the socket's next bind or release): the identity parts are the
 * current task's, so they go only when that is still the binder.
 */
static __always_inline void submit_late(const struct gp_event *e)
{
	gp_submit(e, (__u32)(bpf_get_current_pid_tgid() >> 32) == e->pid);
}

/*
 * An IPv6 sockaddr arrives as a struct sockaddr *, 16 bytes to the
 * verifier, so a direct load of sin6_addr (bytes 8..23) is refused.  The
 * safe set casts with bpf_rdonly_cast (6.2+).  Without it the safe set
 * keeps the probe read, which lockdown refuses: the load fails and the
 * loader falls back to the cgroup set, whose context has the address.
 */
static __always_inline void read_in6(__u8 *dst, struct sockaddr *uaddr)
{
	struct sockaddr_in6 *s6;
	__u32 a[4];

	if (gp_safe && bpf_rdonly_cast) {
		s6 = bpf_rdonly_cast(uaddr,
				     bpf_core_type_id_kernel(struct sockaddr_in6));
		a[0] = s6->sin6_addr.in6_u.u6_addr32[0];
		a[1] = s6->sin6_addr.in6_u.u6_addr32[1];
		a[2] = s6->sin6_addr.in6_u.u6_addr32[2];
		a[3] = s6->sin6_addr.in6_u.u6_addr32[3];
		__builtin_memcpy(dst, a, 16);
		return;
	}
	bpf_probe_read_kernel(dst, 16,
			      &((struct sockaddr_in6 *)uaddr)->sin6_addr);
}

/*
 * A deny rule matched a bind that inet_bind saw.  With the LSM enforcing,
 * the bind got here only because it was allowed (exempt or kernel).  With
 * the cgroup hook enforcing, the hook already refused it and reported the
 * denial: it is not reported twice.
 */
static __always_inline bool denied_elsewhere(struct gp_event *e, __u32 err,
					     int ret)
{
	if (!settle_deny(e, err))
		return false;
	if (gp_pin_deny_mode == GP_SRC_CGROUP && ret == -(int)err)
		return true;
	/* Not refused by anyone we know of: report what happened. */
	e->verdict = GP_VERDICT_AUDIT;
	e->deny_errno = 0;
	return false;
}

#endif /* GP_RECORD_BPF_H_H */
