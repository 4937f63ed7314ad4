// SPDX-License-Identifier: GPL-2.0
/*
 * gp_probe.c - kretprobes on the inet bind functions.
 *
 * Which functions: the ones every bind path goes through.  From 6.6
 * mptcp_bind() calls inet_bind_sk()/inet6_bind_sk() directly, never
 * inet_bind(); so those are probed where they exist (tried first, at
 * load), inet_bind()/inet6_bind() otherwise (before 6.6 MPTCP binds its
 * subflow through the subflow socket's inet_bind).  SMC binds its inner
 * TCP socket with kernel_bind(), which reaches inet_bind too.
 *
 * The entry handler reads the request (socket, sockaddr, addr_len), looks
 * the port up in the blocklist and, when the bind is to be reported, builds
 * the record's fixed header in the kretprobe instance's data; the return
 * handler adds the return code and the binder's identity (gp_ident.c) and
 * pushes the record into the ring.  Binds that
 * are not reported end at the entry handler (it returns non-zero, so the
 * instance is recycled at once).
 *
 * Both handlers run with preemption disabled: nothing here sleeps or
 * allocates.  The fields are the ones the BPF fexit mode fills
 * (bpf/ghostport.bpf.c), read the same way.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/cgroup.h>
#include <linux/fs.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/kprobes.h>
#include <linux/mm_types.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/syscall.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "gp_kmod.h"

/* The socket constants of ghostport_abi.h agree with the kernel's. */
GP_ABI_CHECK_NET();

/*
 * A kernel bind: not made on behalf of a user's bind request
 * (gp_is_kernel_bind() in ghostport_abi.h says why sk_kern_sock alone is
 * not enough: MPTCP subflows and SMC's inner socket are kernel sockets
 * bound inside the user's bind(2)).
 */
static bool gp_kernel_bind(struct sock *sk)
{
	long nr = -1;

	if (!(current->flags & PF_KTHREAD) && sk->sk_kern_sock)
		nr = syscall_get_nr(current, task_pt_regs(current));
	return gp_is_kernel_bind(current->flags, sk->sk_kern_sock, nr);
}

/*
 * The executable's inode, without taking a reference (that could sleep on
 * the final fput): mm->exe_file, the file and its inode and superblock are
 * all freed only after an RCU grace period, and we are in an RCU read-side
 * section.
 */
static void gp_fill_exe(struct gp_event *e)
{
	struct mm_struct *mm = current->mm;
	struct inode *inode;
	struct file *exe;

	if (!mm)
		return;
	exe = rcu_dereference(mm->exe_file);
	if (!exe)
		return;
	inode = READ_ONCE(exe->f_inode);
	if (!inode)
		return;
	e->exe_ino = inode->i_ino;
	e->exe_dev = inode->i_sb->s_dev;
	e->valid |= GP_VF_EXE;
}

static void gp_fill_task(struct gp_event *e)
{
	e->magic = GP_ABI_MAGIC;
	e->version = GP_ABI_VERSION;
	e->size = sizeof(*e);
	e->hdr_size = sizeof(*e);
	e->ts_ns = ktime_get_boot_fast_ns();
	e->pid = task_tgid_nr(current);
	e->tid = task_pid_nr(current);
	e->uid = from_kuid(&init_user_ns, current_uid());
	e->gid = from_kgid(&init_user_ns, current_gid());
	strscpy_pad(e->comm, current->comm, sizeof(e->comm));

	rcu_read_lock();
	e->ppid = rcu_dereference(current->real_parent)->tgid;
	e->valid |= GP_VF_PPID;
#ifdef CONFIG_CGROUPS
	e->cgroup_id = cgroup_id(task_dfl_cgroup(current));
	e->valid |= GP_VF_CGROUP;
#endif
	gp_fill_exe(e);
	rcu_read_unlock();
}

static u8 gp_sock_opts(struct sock *sk)
{
	u8 opts = 0;

	if (sk->sk_reuse)
		opts |= GP_OPT_REUSEADDR;
	if (sk->sk_reuseport)
		opts |= GP_OPT_REUSEPORT;
	/*
	 * 6.6 moved these bits into inet->inet_flags behind the
	 * inet_test_bit() macro; its presence is the test, so a distribution
	 * kernel with the change backported is handled too.
	 */
#ifdef inet_test_bit
	if (inet_test_bit(FREEBIND, sk))
		opts |= GP_OPT_FREEBIND;
	if (inet_test_bit(TRANSPARENT, sk))
		opts |= GP_OPT_TRANSPARENT;
	if (inet_test_bit(BIND_ADDRESS_NO_PORT, sk))
		opts |= GP_OPT_BIND_NO_PORT;
#else
	if (inet_sk(sk)->freebind)
		opts |= GP_OPT_FREEBIND;
	if (inet_sk(sk)->transparent)
		opts |= GP_OPT_TRANSPARENT;
	if (inet_sk(sk)->bind_address_no_port)
		opts |= GP_OPT_BIND_NO_PORT;
#endif
	return opts;
}

static void gp_fill_sock(struct gp_event *e, struct sock *sk)
{
	e->sock_type = sk->sk_type;
	e->protocol = sk->sk_protocol;
	e->ifindex = READ_ONCE(sk->sk_bound_dev_if);
	e->netns_ino = sock_net(sk)->ns.inum;
	e->opts = gp_sock_opts(sk);
	if (gp_kernel_bind(sk))
		e->flags |= GP_EF_KERNEL;
	e->valid |= GP_VF_NETNS | GP_VF_IFINDEX | GP_VF_OPTS | GP_VF_TYPE;
}

/*
 * Instances whose entry handler took the bind (returned 0) and whose return
 * handler has not finished.  The module must not unregister its probes while
 * any is outstanding: on 5.10 the return trampoline reads ri->rp without the
 * lock cleanup_rp_inst() takes, so a return handler could still start after
 * unregister_kretprobes() returned and run in a freed module.
 * gp_probe_exit() drains them first.  (The VM's crashes under the unload
 * stress were not this race: docs/kmod.md.)
 */
static atomic_t gp_inflight = ATOMIC_INIT(0);
/*
 * Set at unload: entry handlers take no more binds.  A flag, not
 * disable_kretprobe(): disarming re-patches the function's entry (when no
 * other probe shares it) while binds run, the very thing that crashes kernels under TCG (docs/kmod.md);
 * a flag patches nothing, and unregistering patches once.
 */
static bool gp_stopping;

/* Which functions are probed: arg 0 is a struct sock * or a socket *. */
struct gp_bind_probe {
	struct kretprobe rp;
	const char *sk_fn;	/* (struct sock *, sockaddr *, int), 6.6+ */
	const char *sock_fn;	/* (struct socket *, sockaddr *, int) */
	bool arg_is_sk;
};

/*
 * Entry of inet_bind_sk/inet6_bind_sk(struct sock *, ...) or
 * inet_bind/inet6_bind(struct socket *, struct sockaddr *, int).
 * Nothing is read beyond addr_len: below 4 bytes there is no port and no
 * record (as in the BPF modes); the address is filled when its bytes are
 * within addr_len, even in a sockaddr too short for the kernel (which then
 * fails the bind with -EINVAL), and left zero otherwise.
 */
static int gp_entry(struct kretprobe_instance *ri, struct pt_regs *regs,
		    u16 family, bool arg_is_sk)
{
	void *arg0 = (void *)regs_get_kernel_argument(regs, 0);
	struct sockaddr *uaddr =
		(struct sockaddr *)regs_get_kernel_argument(regs, 1);
	int addr_len = (int)regs_get_kernel_argument(regs, 2);
	struct gp_event *e = (struct gp_event *)ri->data;
	__be16 nport;
	struct sock *sk;
	u8 flags = 0;
	u16 port;
	u8 verdict;
	u32 rule;

	if (READ_ONCE(gp_stopping) || !arg0 || !uaddr || addr_len < 4)
		return 1;
	sk = arg_is_sk ? arg0 : READ_ONCE(((struct socket *)arg0)->sk);
	if (!sk)
		return 1;
	if (copy_from_kernel_nofault(&nport,
				     &((struct sockaddr_in *)uaddr)->sin_port,
				     sizeof(nport)))
		return 1;
	port = ntohs(nport);

	rcu_read_lock();
	rule = gp_policy_rule(port);
	rcu_read_unlock();
	if (GP_RULE_AUDIT(rule) &
	    gp_proto_class(sk->sk_family, sk->sk_type, sk->sk_protocol)) {
		flags |= GP_EF_LISTED;
		verdict = GP_VERDICT_AUDIT;
	} else if (gp_policy_flags() & GP_CONF_ALL) {
		verdict = GP_VERDICT_NONE;
	} else {
		return 1;
	}

	memset(e, 0, sizeof(*e));
	e->port = port;
	e->verdict = verdict;
	e->flags = flags;
	e->source = GP_SRC_KMOD;
	e->family = family;
	/* By the socket's family: AF_UNSPEC + INADDR_ANY binds an AF_INET
	 * socket, and sin_addr is where it would be.
	 */
	if (family == AF_INET &&
	    addr_len >= offsetofend(struct sockaddr_in, sin_addr)) {
		if (copy_from_kernel_nofault(e->addr,
				&((struct sockaddr_in *)uaddr)->sin_addr, 4))
			memset(e->addr, 0, sizeof(e->addr));
	} else if (family == AF_INET6 &&
		   addr_len >= offsetofend(struct sockaddr_in6, sin6_addr)) {
		if (copy_from_kernel_nofault(e->addr,
				&((struct sockaddr_in6 *)uaddr)->sin6_addr, 16))
			memset(e->addr, 0, sizeof(e->addr));
		else if (ipv6_addr_v4mapped((struct in6_addr *)e->addr))
			e->flags |= GP_EF_V4MAPPED;
	}
	gp_fill_task(e);
	gp_fill_sock(e, sk);
	atomic_inc(&gp_inflight);	/* until gp_return has run */
	return 0;
}

static struct gp_bind_probe gp_bp4, gp_bp6;

static int gp_entry4(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return gp_entry(ri, regs, AF_INET, gp_bp4.arg_is_sk);
}

static int gp_entry6(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return gp_entry(ri, regs, AF_INET6, gp_bp6.arg_is_sk);
}

/*
 * The identity (executable path, argv, parent ...) is added here, not at
 * entry: only reported binds get here, and the entry handler stays short.
 */
static int gp_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gp_event *e = (struct gp_event *)ri->data;
	struct gp_event *rec;

	e->ret = (s32)regs_return_value(regs);
	e->valid |= GP_VF_RET;
	rec = gp_ident_build(e);
	if (gp_ring_push(rec))
		gp_ident_sent(rec);
	atomic_dec(&gp_inflight);	/* last use of the module's data */
	return 0;
}

static struct gp_bind_probe gp_bp4 = {
	.rp.entry_handler	= gp_entry4,
	.rp.handler		= gp_return,
	.rp.data_size		= sizeof(struct gp_event),
	.sk_fn			= "inet_bind_sk",
	.sock_fn		= "inet_bind",
};

static struct gp_bind_probe gp_bp6 = {
	.rp.entry_handler	= gp_entry6,
	.rp.handler		= gp_return,
	.rp.data_size		= sizeof(struct gp_event),
	.sk_fn			= "inet6_bind_sk",
	.sock_fn		= "inet6_bind",
};

static struct kretprobe *gp_rps[] = { &gp_bp4.rp, &gp_bp6.rp };
static struct gp_bind_probe *gp_bps[] = { &gp_bp4, &gp_bp6 };

static u64 gp_missed_base;	/* total at the last reset */

static u64 gp_probe_missed_total(void)
{
	u64 n = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(gp_rps); i++)
		n += (u64)READ_ONCE(gp_rps[i]->nmissed) +
		     READ_ONCE(gp_rps[i]->kp.nmissed);
	return n;
}

/*
 * Binds the probes could not follow: no free kretprobe instance (raise
 * maxactive=) or a probe hit while another kprobe was running.
 */
u64 gp_probe_missed(void)
{
	return gp_probe_missed_total() - READ_ONCE(gp_missed_base);
}

void gp_probe_reset(void)
{
	WRITE_ONCE(gp_missed_base, gp_probe_missed_total());
}

#define GP_DRAIN_WARN_LOOPS	5000	/* sleeps of 1-2 ms: 5-10 s */

/*
 * Stop taking binds, let the ones in flight return through their return
 * handler, then unregister.  Entry handlers run with preemption disabled,
 * so after gp_stopping is set one grace period ends every entry handler
 * that could still count a bind; a bind then returns within microseconds
 * (inet_bind only waits for the socket lock).  Returns once no handler
 * runs any more (unregister_kretprobes() waits for a grace period, which
 * covers the tail of a return handler after its atomic_dec()).
 */
static void gp_unregister(struct kretprobe **rps, int num)
{
	unsigned int waited = 0;

	WRITE_ONCE(gp_stopping, true);
	synchronize_rcu();
	while (atomic_read(&gp_inflight) > 0) {
		usleep_range(1000, 2000);
		if (++waited % GP_DRAIN_WARN_LOOPS == 0)
			pr_warn("unload: waiting for %d binds in progress\n",
				atomic_read(&gp_inflight));
	}
	unregister_kretprobes(rps, num);
}

/*
 * One function pair or the other: the *_bind_sk ones where they exist
 * (6.6+; the only ones MPTCP passes through there), the socket ones else.
 * Both functions of a pair are the same kind, so one is tried per pair.
 */
static int gp_register(struct gp_bind_probe *bp, bool sk_fn, int maxactive)
{
	memset(&bp->rp.kp, 0, sizeof(bp->rp.kp));
	bp->rp.maxactive = maxactive;
	bp->rp.kp.symbol_name = sk_fn ? bp->sk_fn : bp->sock_fn;
	bp->arg_is_sk = sk_fn;
	return register_kretprobe(&bp->rp);
}

int gp_probe_init(int maxactive)
{
	int i, ret = 0;

	if (maxactive <= 0)
		maxactive = max_t(int, 128, 16 * num_possible_cpus());
	maxactive = min(maxactive, GP_MAXACTIVE_MAX);
	for (i = 0; i < ARRAY_SIZE(gp_bps); i++) {
		ret = gp_register(gp_bps[i], true, maxactive);
		if (ret)
			ret = gp_register(gp_bps[i], false, maxactive);
		if (ret) {
			pr_err("cannot register a kretprobe on %s or %s: %d\n",
			       gp_bps[i]->sk_fn, gp_bps[i]->sock_fn, ret);
			gp_unregister(gp_rps, i);
			return ret;
		}
		pr_info("probing %s\n", gp_bps[i]->rp.kp.symbol_name);
	}
	return 0;
}

void gp_probe_exit(void)
{
	gp_unregister(gp_rps, ARRAY_SIZE(gp_rps));
}
