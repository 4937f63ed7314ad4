// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * lockprobe.bpf.c - one tiny program per helper/feature, to measure what
 * kernel lockdown refuses (docs/lockdown.md).  The loader (lockprobe.c)
 * loads each program alone and reports the kernel's answer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define PROBE_PORT 686

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

/* What a program saw when it ran (read by the loader). */
__u64 hits;
__u64 v1, v2, v3;
char str[32];

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

static __always_inline bool mine(struct sockaddr *a)
{
	return ((struct sockaddr_in *)a)->sin_port == bpf_htons(PROBE_PORT);
}

/* ---- fexit on inet_bind (trampoline) ---- */
SEC("fexit/inet_bind")
int BPF_PROG(fx_base, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	hits++;
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_btf_load, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	struct sock *sk = sock->sk;

	if (!mine(a))
		return 0;
	hits++;
	v1 = sk->__sk_common.skc_family;
	v2 = sk->sk_protocol;
	v3 = sk->__sk_common.skc_net.net->ns.inum;
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_sin_addr, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	if (!mine(a))
		return 0;
	hits++;
	v1 = ((struct sockaddr_in *)a)->sin_addr.s_addr;
	return 0;
}

SEC("fexit/inet6_bind")
int BPF_PROG(fx_sin6_addr, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	hits++;
	v1 = ((struct sockaddr_in6 *)a)->sin6_addr.in6_u.u6_addr32[3];
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_probe_read_kernel, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	__u16 port = 0;

	bpf_probe_read_kernel(&port, sizeof(port), &((struct sockaddr_in *)a)->sin_port);
	v1 = port;
	hits++;
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_core_read, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	v1 = BPF_CORE_READ(sock, sk, sk_protocol);
	hits++;
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_probe_read_kernel_str, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	struct task_struct *t = bpf_get_current_task_btf();

	bpf_probe_read_kernel_str(str, sizeof(str), t->comm);
	hits++;
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_probe_read_legacy, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	__u16 port = 0;

	bpf_probe_read(&port, sizeof(port), &((struct sockaddr_in *)a)->sin_port);
	v1 = port;
	hits++;
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_probe_read_user, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	char c = 0;

	bpf_probe_read_user(&c, 1, (void *)0x1000);
	hits++;
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_get_current_task, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	v1 = bpf_get_current_task();
	hits++;
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_task_btf, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm;

	if (!mine(a))
		return 0;
	hits++;
	v1 = t->real_parent->tgid;
	v2 = t->flags;
	mm = t->mm;
	if (mm && mm->exe_file)
		v3 = mm->exe_file->f_inode->i_ino;
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_current_ids, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	if (!mine(a))
		return 0;
	hits++;
	v1 = bpf_get_current_pid_tgid();
	v2 = bpf_get_current_uid_gid();
	v3 = bpf_get_current_cgroup_id() + bpf_ktime_get_boot_ns() * 0;
	bpf_get_current_comm(str, 16);
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_ringbuf, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	__u64 *p = bpf_ringbuf_reserve(&rb, 8, 0);

	if (p) {
		*p = 1;
		bpf_ringbuf_submit(p, 0);
	}
	hits++;
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_probe_write_user, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	char c = 0;

	bpf_probe_write_user((void *)0x1000, &c, 1);
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_rdonly_cast, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	struct sockaddr_in6 *s6;

	if (!bpf_rdonly_cast)
		return 0;
	s6 = bpf_rdonly_cast(a, bpf_core_type_id_kernel(struct sockaddr_in6));
	v1 = s6->sin6_addr.in6_u.u6_addr32[3];
	hits++;
	return 0;
}

SEC("fentry/filp_close")
int BPF_PROG(fx_d_path, struct file *f)
{
	bpf_d_path((struct path *)&f->f_path, str, sizeof(str));
	return 0;
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_trace_printk, struct socket *sock, struct sockaddr *a, int len, int ret)
{
	bpf_printk("x");
	return 0;
}

/* ---- BPF LSM ---- */
SEC("lsm/socket_bind")
int BPF_PROG(lsm_base, struct socket *sock, struct sockaddr *a, int len)
{
	return 0;
}

SEC("lsm/socket_bind")
int BPF_PROG(lsm_btf_deny, struct socket *sock, struct sockaddr *a, int len)
{
	struct sock *sk = sock->sk;

	if (len < 4 || a->sa_family != 2 || !mine(a) || !sk)
		return 0;
	hits++;
	v1 = sk->sk_protocol;
	v2 = ((struct sockaddr_in *)a)->sin_addr.s_addr;
	return -1;	/* EPERM */
}

SEC("lsm/socket_bind")
int BPF_PROG(lsm_sin6_addr, struct socket *sock, struct sockaddr *a, int len)
{
	v1 = ((struct sockaddr_in6 *)a)->sin6_addr.in6_u.u6_addr32[3];
	return 0;
}

SEC("lsm/socket_bind")
int BPF_PROG(lsm_probe_read_kernel, struct socket *sock, struct sockaddr *a, int len)
{
	__u16 fam = 0;

	bpf_probe_read_kernel(&fam, 2, &a->sa_family);
	v1 = fam;
	return 0;
}

SEC("lsm/socket_bind")
int BPF_PROG(lsm_task_btf, struct socket *sock, struct sockaddr *a, int len)
{
	struct task_struct *t = bpf_get_current_task_btf();

	v1 = t->real_parent->tgid;
	return 0;
}

SEC("lsm/socket_bind")
int BPF_PROG(lsm_ringbuf_ids, struct socket *sock, struct sockaddr *a, int len)
{
	__u64 *p = bpf_ringbuf_reserve(&rb, 8, 0);

	if (p) {
		*p = bpf_get_current_pid_tgid() ^ bpf_get_current_uid_gid() ^
		     bpf_get_current_cgroup_id();
		bpf_ringbuf_submit(p, 0);
	}
	bpf_get_current_comm(str, 16);
	return 0;
}

SEC("lsm/socket_bind")
int BPF_PROG(lsm_rdonly_cast, struct socket *sock, struct sockaddr *a, int len)
{
	struct sockaddr_in6 *s6;

	if (!bpf_rdonly_cast)
		return 0;
	s6 = bpf_rdonly_cast(a, bpf_core_type_id_kernel(struct sockaddr_in6));
	v1 = s6->sin6_addr.in6_u.u6_addr32[3];
	return 0;
}

/* ---- tracepoints ---- */
SEC("tp_btf/sys_exit")
int BPF_PROG(tpbtf_sys_exit, struct pt_regs *regs, long ret)
{
	if (regs->orig_ax == 49) {	/* __NR_bind */
		hits++;
		v1 = ret;
	}
	return 0;
}

SEC("raw_tp/sys_exit")
int rawtp_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	hits++;
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int tp_sys_exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	hits++;
	return 0;
}

/* ---- kprobes ---- */
SEC("kprobe/inet_bind")
int BPF_KPROBE(kp_inet_bind)
{
	hits++;
	return 0;
}

SEC("kprobe.multi/inet_bind")
int BPF_KPROBE(kpm_inet_bind)
{
	hits++;
	return 0;
}

/* ---- cgroup sock_addr ---- */
SEC("cgroup/bind4")
int cg_ctx(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	if (ctx->user_port != bpf_htons(PROBE_PORT))
		return 1;
	hits++;
	v1 = ctx->user_ip4;
	v2 = ctx->protocol | (ctx->type << 8) | ((__u64)ctx->user_family << 16);
	if (sk)
		v3 = sk->bound_dev_if | ((__u64)sk->protocol << 32);
	return 1;
}

SEC("cgroup/bind4")
int cg_ids(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port != bpf_htons(PROBE_PORT))
		return 1;
	hits++;
	v1 = bpf_get_current_pid_tgid();
	v2 = bpf_get_current_uid_gid();
	v3 = bpf_get_current_cgroup_id() + bpf_ktime_get_boot_ns() * 0;
	bpf_get_current_comm(str, 16);
	return 1;
}

SEC("cgroup/bind4")
int cg_ringbuf(struct bpf_sock_addr *ctx)
{
	__u64 *p = bpf_ringbuf_reserve(&rb, 8, 0);

	if (p) {
		*p = 1;
		bpf_ringbuf_submit(p, 0);
	}
	return 1;
}

SEC("cgroup/bind4")
int cg_get_current_task(struct bpf_sock_addr *ctx)
{
	v1 = bpf_get_current_task();
	return 1;
}

SEC("cgroup/bind4")
int cg_task_btf(struct bpf_sock_addr *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm;

	if (ctx->user_port != bpf_htons(PROBE_PORT))
		return 1;
	hits++;
	v1 = t->real_parent->tgid;
	v2 = t->flags;
	mm = t->mm;
	if (mm && mm->exe_file)
		v3 = mm->exe_file->f_inode->i_ino;
	return 1;
}

SEC("cgroup/bind4")
int cg_probe_read_kernel(struct bpf_sock_addr *ctx)
{
	__u64 x = 0;

	bpf_probe_read_kernel(&x, 8, (void *)ctx);
	v1 = x;
	return 1;
}

SEC("cgroup/bind4")
int cg_set_retval(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port != bpf_htons(PROBE_PORT))
		return 1;
	hits++;
	bpf_set_retval(-98);	/* EADDRINUSE */
	return 0;
}

SEC("cgroup/bind4")
int cg_deny(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port != bpf_htons(PROBE_PORT))
		return 1;
	hits++;
	return 0;
}

SEC("cgroup/bind4")
int cg_rdonly_cast(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *bsk = ctx->sk;
	struct sock *sk;

	if (!bpf_rdonly_cast || !bsk || ctx->user_port != bpf_htons(PROBE_PORT))
		return 1;
	sk = bpf_rdonly_cast(bsk, bpf_core_type_id_kernel(struct sock));
	hits++;
	v1 = sk->__sk_common.skc_net.net->ns.inum;
	v2 = sk->__sk_common.skc_reuse;
	return 1;
}

SEC("cgroup/bind6")
int cg6_ctx(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port != bpf_htons(PROBE_PORT))
		return 1;
	hits++;
	v1 = ctx->user_ip6[3];
	return 1;
}

SEC("cgroup/post_bind4")
int cg_post_bind4(struct bpf_sock *sk)
{
	if (sk->src_port != PROBE_PORT)
		return 1;
	hits++;
	v1 = bpf_get_current_pid_tgid();
	v2 = sk->src_ip4;
	return 1;
}

SEC("cgroup/bind4")
int cg_ancestor_cgroup(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port != bpf_htons(PROBE_PORT))
		return 1;
	hits++;
	v1 = bpf_get_current_ancestor_cgroup_id(0);
	v2 = bpf_get_netns_cookie(ctx);
	return 1;
}

SEC("cgroup/bind4")
int cg_task_cgroup_walk(struct bpf_sock_addr *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct cgroup *cg;

	if (ctx->user_port != bpf_htons(PROBE_PORT))
		return 1;
	cg = t->cgroups->dfl_cgrp;
	hits++;
	v1 = cg->kn->id;
	v2 = cg->self.parent ? 1 : 0;
	return 1;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tpbtf_task_btf, struct pt_regs *regs, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();

	if (regs->orig_ax == 49) {
		hits++;
		v1 = t->real_parent->tgid;
	}
	return 0;
}
