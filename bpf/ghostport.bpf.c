// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * ghostport.bpf.c - watch binds to ports on the blocklist.
 *
 * Three audit attach modes feed one ring buffer with struct gp_event
 * (include/ghostport_abi.h):
 *   fentry: fexit on inet_bind_sk/inet6_bind_sk (6.6+, else inet_bind/
 *           inet6_bind) and security_sctp_bind_connect: one program sees
 *           both the requested address (its arguments) and the return code;
 *   kprobe: kprobe stashes the request per thread, kretprobe adds the
 *           return code and emits;
 *   cgroup: cgroup sock_addr bind4/bind6 on the cgroup v2 root keep the
 *           request by socket; post_bind4/6 emits it with ret 0,
 *           the socket's next bind or its release (sock_release) with
 *           ret unknown ("failed") otherwise.  No syscall tracepoint.
 * The userspace loader autoloads only the programs of the chosen mode.
 *
 * Kept minimal and flat: the decision here is one array lookup by port;
 * names, formatting and policy text live in userspace.
 *
 * One object, one skeleton; each hook lives in its own file below, so
 * work on one hook touches one file.  The order of the includes is the
 * order of definition (each file uses what the ones before it define).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "ghostport_abi.h"
#include "ghostport_bpf.h"

#define AF_INET		2
#define AF_INET6	10
#define SOCK_RAW	3
#define PF_KTHREAD	0x00200000
#define EPERM		1
#define MAX_CGROUP_DEPTH 16

char LICENSE[] SEC("license") = "Dual BSD/GPL";

GP_ABI_CHECK_NET();

#include "maps.bpf.h"
#include "identity.bpf.h"
#include "record.bpf.h"
#include "inet.bpf.h"
#include "fentry.bpf.h"
#include "stash.bpf.h"
#include "kprobe.bpf.h"
#include "cgroup.bpf.h"
#include "lsm.bpf.h"
