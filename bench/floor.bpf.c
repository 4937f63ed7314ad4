// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * floor.bpf.c - "the bare hook": ghostport's attach points with programs
 * that do nothing but allow.  Timing a bind() loop with these attached
 * gives the cost of the hook itself (the trampoline, kprobe, cgroup
 * program array walk...), the floor ghostport's overhead is measured
 * against.  bench/floor.c loads the set of one mode.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* cgroup mode: the programs ghostport attaches (floor --cgroup-progs picks
 * the set the ghostport under test uses). */
SEC("cgroup/bind4")
int fl_cgroup_bind4(struct bpf_sock_addr *ctx) { return 1; }

SEC("cgroup/bind6")
int fl_cgroup_bind6(struct bpf_sock_addr *ctx) { return 1; }

SEC("cgroup/post_bind4")
int fl_cgroup_post_bind4(struct bpf_sock *sk) { return 1; }

SEC("cgroup/post_bind6")
int fl_cgroup_post_bind6(struct bpf_sock *sk) { return 1; }

SEC("tracepoint/syscalls/sys_exit_bind")
int fl_sys_exit_bind(void *ctx) { return 0; }

/* Hooks a later cgroup mode may use (issue 16): socket-local outcome. */
SEC("cgroup/sock_release")
int fl_cgroup_sock_release(struct bpf_sock *sk) { return 1; }

SEC("cgroup/sock_create")
int fl_cgroup_sock_create(struct bpf_sock *sk) { return 1; }

/* fentry mode (VM only here: this host refuses trampolines). */
SEC("fexit/inet_bind")
int BPF_PROG(fl_fexit_inet_bind, struct socket *sock, struct sockaddr *uaddr,
	     int addr_len, int ret) { return 0; }

SEC("fexit/inet6_bind")
int BPF_PROG(fl_fexit_inet6_bind, struct socket *sock, struct sockaddr *uaddr,
	     int addr_len, int ret) { return 0; }

/* kprobe mode (VM only: no CONFIG_KPROBES here). */
SEC("kprobe/inet_bind")
int BPF_KPROBE(fl_kprobe_inet_bind) { return 0; }

SEC("kretprobe/inet_bind")
int BPF_KRETPROBE(fl_kretprobe_inet_bind) { return 0; }

SEC("kprobe/inet6_bind")
int BPF_KPROBE(fl_kprobe_inet6_bind) { return 0; }

SEC("kretprobe/inet6_bind")
int BPF_KRETPROBE(fl_kretprobe_inet6_bind) { return 0; }

/* LSM enforcement (VM only). */
SEC("lsm/socket_bind")
int BPF_PROG(fl_lsm_socket_bind, struct socket *sock, struct sockaddr *address,
	     int addrlen, int ret) { return ret; }
