// SPDX-License-Identifier: GPL-2.0
/*
 * gp_probe.c - kretprobes on inet_bind and inet6_bind.
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
#include <linux/cred.h>
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
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "gp_kmod.h"

/* gp_proto_bit() is the ABI header's, shared with BPF and the reader. */
GP_ABI_CHECK_NET();

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
	if (current->flags & PF_KTHREAD)
		e->flags |= GP_EF_KERNEL;

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
	if (sk->sk_kern_sock)
		e->flags |= GP_EF_KERNEL;
	e->valid |= GP_VF_NETNS | GP_VF_IFINDEX | GP_VF_OPTS | GP_VF_TYPE;
}

/*
 * Entry of inet_bind/inet6_bind(struct socket *, struct sockaddr *, int).
 * Nothing is read beyond addr_len: below 4 bytes there is no port and no
 * record (as in the BPF modes); the address is filled when its bytes are
 * within addr_len, even in a sockaddr too short for the kernel (which then
 * fails the bind with -EINVAL), and left zero otherwise.
 */
static int gp_entry(struct kretprobe_instance *ri, struct pt_regs *regs,
		    u16 family)
{
	struct socket *sock = (struct socket *)regs_get_kernel_argument(regs, 0);
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

	if (!sock || !uaddr || addr_len < 4)
		return 1;
	sk = READ_ONCE(sock->sk);
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
	if (GP_RULE_AUDIT(rule) & gp_proto_bit(sk->sk_protocol, sk->sk_type)) {
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
	return 0;
}

static int gp_entry4(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return gp_entry(ri, regs, AF_INET);
}

static int gp_entry6(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return gp_entry(ri, regs, AF_INET6);
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
	return 0;
}

static struct kretprobe gp_rp4 = {
	.kp.symbol_name	= "inet_bind",
	.entry_handler	= gp_entry4,
	.handler	= gp_return,
	.data_size	= sizeof(struct gp_event),
};

static struct kretprobe gp_rp6 = {
	.kp.symbol_name	= "inet6_bind",
	.entry_handler	= gp_entry6,
	.handler	= gp_return,
	.data_size	= sizeof(struct gp_event),
};

static struct kretprobe *gp_rps[] = { &gp_rp4, &gp_rp6 };

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

int gp_probe_init(int maxactive)
{
	int i, ret;

	if (maxactive <= 0)
		maxactive = max_t(int, 128, 16 * num_possible_cpus());
	maxactive = min(maxactive, GP_MAXACTIVE_MAX);
	for (i = 0; i < ARRAY_SIZE(gp_rps); i++)
		gp_rps[i]->maxactive = maxactive;
	ret = register_kretprobes(gp_rps, ARRAY_SIZE(gp_rps));
	if (ret)
		pr_err("cannot register kretprobes on inet_bind/inet6_bind: %d\n",
		       ret);
	return ret;
}

/* Returns once no handler runs any more (unregister waits for them). */
void gp_probe_exit(void)
{
	unregister_kretprobes(gp_rps, ARRAY_SIZE(gp_rps));
}
