/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * ghostport_abi.h - the one event ABI shared by every ghostport producer
 * (the BPF programs in bpf/, the kernel module in kmod/) and the reader in
 * userspace/.
 *
 * Rules of this file:
 *  - a record is a fixed header, naturally aligned with explicit padding, so
 *    the same bytes mean the same thing whoever wrote them, followed by
 *    bounded variable parts (type, length, data: like Falco's fixed event
 *    header and bounded parameters);
 *  - every record starts with magic/version/size, and the reader refuses a
 *    record whose header it does not know instead of guessing;
 *  - a change to the layout bumps GP_ABI_VERSION; the static asserts at the
 *    bottom catch an accidental change at compile time in all three builds.
 *
 * Types: the __u8.. __u64 family, which vmlinux.h (BPF), <linux/types.h>
 * (kernel and userspace) all provide.  Include the right one first.
 */
#ifndef GHOSTPORT_ABI_H
#define GHOSTPORT_ABI_H

#define GP_ABI_MAGIC		0x54524750U	/* "GPRT" little endian */
#define GP_ABI_VERSION		2
#define GP_COMM_LEN		16
#define GP_NR_PORTS		65536

/*
 * Bounds of the variable parts of a record (see struct gp_part).  A path
 * longer than GP_PATH_MAX keeps its last GP_PATH_MAX bytes (the file name
 * end) and is marked GP_XF_TRUNCATED; the command line keeps its first
 * GP_ARGS_MAX bytes.
 */
#define GP_PATH_MAX		1024
#define GP_ARGS_MAX		256

/* Where an event came from (gp_event.source). */
enum gp_source_id {
	GP_SRC_UNKNOWN	= 0,
	GP_SRC_FENTRY	= 1,	/* BPF fexit on inet_bind(_sk)/inet6_bind(_sk) */
	GP_SRC_KPROBE	= 2,	/* BPF kprobe/kretprobe */
	GP_SRC_CGROUP	= 3,	/* BPF cgroup sock_addr bind4/bind6 */
	GP_SRC_KMOD	= 4,	/* ghostport.ko kprobes */
	GP_SRC_LSM	= 5,	/* BPF LSM socket_bind (enforcement) */
	GP_SRC_SCAN	= 6,	/* userspace: a socket already there (sock_diag);
				 * never written by a kernel producer */
	GP_SRC_MAX
};

/* What happened to the bind (gp_event.verdict). */
enum gp_verdict {
	GP_VERDICT_NONE		= 0,	/* unlisted port, reported by --all */
	GP_VERDICT_AUDIT	= 1,	/* listed, allowed, reported */
	GP_VERDICT_DENY		= 2,	/* listed, refused with gp_event.deny_errno */
	GP_VERDICT_EXEMPT	= 3,	/* listed, deny rule, but exempted */
	/* Scan verdicts (GP_SRC_SCAN): a socket on a listed port found by
	 * asking the kernel, not by a bind hook. */
	GP_VERDICT_PRESENT	= 4,	/* there (or asked to close and left) */
	GP_VERDICT_GONE		= 5,	/* reported earlier, not there any more */
	GP_VERDICT_CLOSED	= 6,	/* destroyed by ghostport (SOCK_DESTROY) */
	GP_VERDICT_OPEN		= 7,	/* closing failed: it stayed open */
	/* listed, a deny rule in force, yet not refused: the bind took a
	 * path the enforcer does not see (ret: its outcome, if known) */
	GP_VERDICT_BYPASS	= 8,
	GP_VERDICT_MAX
};

/*
 * Why a record's ret is unknown (GP_VF_RET clear), gp_event.ret_why.  A
 * reason that fits the header needs no version bump (a v2 reader that
 * does not know the field sees 0, "unknown").
 */
enum gp_ret_why {
	GP_RETW_UNKNOWN	= 0,	/* not said */
	GP_RETW_FAILED	= 1,	/* failed after the hook that saw it; the
				 * errno is not visible there (cgroup mode) */
	GP_RETW_MAX
};

/* gp_event.flags */
#define GP_EF_KERNEL		(1U << 0) /* bind made by the kernel itself */
#define GP_EF_V4MAPPED		(1U << 1) /* AF_INET6 socket, ::ffff:a.b.c.d */
#define GP_EF_LISTED		(1U << 2) /* port/proto is on the blocklist */
#define GP_EF_LOCKDOWN		(1U << 3) /* by the lockdown-safe program set:
					   * what it cannot see is invalid */

/*
 * gp_event.valid: which optional fields the producer could see.  A field
 * whose bit is clear is "unknown" (JSON null), never a silent zero.
 */
#define GP_VF_RET		(1U << 0)
#define GP_VF_PPID		(1U << 1)
#define GP_VF_NETNS		(1U << 2)
#define GP_VF_IFINDEX		(1U << 3)
#define GP_VF_OPTS		(1U << 4)
#define GP_VF_EXE		(1U << 5) /* exe_ino/exe_dev/exe_flags */
#define GP_VF_CGROUP		(1U << 6)
#define GP_VF_TYPE		(1U << 7) /* sock_type */
#define GP_VF_CREDS		(1U << 8) /* euid/egid (v2) */
#define GP_VF_LOGIN		(1U << 9) /* auid/sessionid (v2) */
#define GP_VF_PARENT		(1U << 10) /* parent_comm (v2) */
#define GP_VF_PARENT_EXE	(1U << 11) /* parent_exe_* (v2) */
#define GP_VF_ARGS		(1U << 12) /* args_flags, a GP_PART_ARGS part (v2) */

/* gp_event.opts: socket options in force at bind time. */
#define GP_OPT_REUSEADDR	(1U << 0)
#define GP_OPT_REUSEPORT	(1U << 1)
#define GP_OPT_FREEBIND		(1U << 2)
#define GP_OPT_TRANSPARENT	(1U << 3)
#define GP_OPT_BIND_NO_PORT	(1U << 4) /* IP_BIND_ADDRESS_NO_PORT */

/*
 * gp_event.exe_flags / parent_exe_flags: what the producer knows about an
 * executable besides its inode.  A path part for it may or may not follow:
 * producers send an executable's path once per reader generation
 * (gp_conf.exe_gen) and then only its (ino, dev), marked GP_XF_SENT.
 */
#define GP_XF_DELETED		(1U << 0) /* unlinked (d_unlinked) */
#define GP_XF_MEMFD		(1U << 1) /* a memfd ("memfd:NAME"): fileless */
#define GP_XF_ANON_MOUNT	(1U << 2) /* on an internal or detached mount */
#define GP_XF_TRUNCATED		(1U << 3) /* path longer than GP_PATH_MAX */
#define GP_XF_SENT		(1U << 4) /* path sent in an earlier record */
#define GP_XF_FAULT		(1U << 5) /* a kernel read failed: no path */
#define GP_XF_NO_CAPTURE	(1U << 6) /* path capture off (e.g. lockdown) */
#define GP_XF_NOT_ROOTED	(1U << 7) /* walk ended off the mount root */

/* gp_event.args_flags */
#define GP_AF_TRUNCATED		(1U << 0) /* argv longer than GP_ARGS_MAX */
#define GP_AF_FAULT		(1U << 1) /* argv not readable (paged out) */

/*
 * One bind attempt: a fixed header of 192 bytes (this struct), 8-byte
 * aligned, followed by zero or more variable parts (struct gp_part).
 * gp_event.size is the whole record: header and parts, a multiple of 8,
 * at most GP_RECORD_MAX.  Addresses are in network byte order as the kernel
 * holds them; the port is in host byte order.  For AF_INET the address is
 * in addr[0..3] and addr[4..15] are zero.
 *
 * v1 -> v2: the first 120 bytes are v1's (comm at 104); v1's __reserved
 * word became euid/egid and the identity fields follow.  Other changes that
 * fit (a new GP_EF_* flag, a new verdict, a new part type) need no version
 * bump; readers skip part types they do not know.
 */
struct gp_event {
	__u32 magic;		/* GP_ABI_MAGIC */
	__u16 version;		/* GP_ABI_VERSION */
	__u16 size;		/* whole record incl. parts, bytes */
	__u64 ts_ns;		/* CLOCK_BOOTTIME, ns */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 ppid;		/* tgid of real_parent */
	__u32 uid;		/* real ids, init user namespace */
	__u32 gid;
	__u32 netns_ino;
	__u64 cgroup_id;	/* cgroup v2 id of the task */
	__s32 ret;		/* bind() result, valid with GP_VF_RET */
	__u32 ifindex;		/* sk_bound_dev_if, 0 = any */
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 port;		/* host byte order */
	__u16 sock_type;	/* SOCK_STREAM, SOCK_DGRAM, ... */
	__u16 protocol;		/* IPPROTO_TCP, _UDP, _SCTP, _RAW ... */
	__u8  addr[16];
	__u8  verdict;		/* enum gp_verdict */
	__u8  source;		/* enum gp_source */
	__u8  flags;		/* GP_EF_* */
	__u8  opts;		/* GP_OPT_* */
	__u16 valid;		/* GP_VF_* */
	__u16 deny_errno;	/* positive errno when verdict is DENY */
	__u64 exe_ino;		/* inode of the task's executable */
	__u32 exe_dev;		/* its i_sb->s_dev (kernel dev_t encoding) */
	__u16 exe_flags;	/* GP_XF_* */
	__u16 hdr_size;		/* sizeof(struct gp_event): parts start here */
	char  comm[GP_COMM_LEN]; /* raw bytes, NUL padded, may hold anything */
	/* ---- v2 ---- */
	__u32 euid;		/* effective ids (GP_VF_CREDS) */
	__u32 egid;
	__u32 auid;		/* loginuid, (u32)-1 when unset (GP_VF_LOGIN) */
	__u32 sessionid;	/* audit session, (u32)-1 when unset */
	__u64 parent_exe_ino;	/* GP_VF_PARENT_EXE */
	__u32 parent_exe_dev;
	__u16 parent_exe_flags;	/* GP_XF_* */
	__u8  args_flags;	/* GP_AF_* */
	__u8  __pad0;
	char  parent_comm[GP_COMM_LEN];	/* GP_VF_PARENT */
	__u8  ret_why;		/* enum gp_ret_why: why ret is unknown */
	__u8  __pad1[7];
	__u64 __reserved[2];	/* zero; room for additions (lockdown etc.) */
};

/*
 * A variable part: this header, then len bytes of data (no terminating
 * NUL), then zero padding to the next multiple of 8.  Paths are bytes as
 * the kernel holds them (not necessarily UTF-8); GP_PART_ARGS is argv as
 * in /proc/PID/cmdline: arguments separated by NUL bytes.
 */
enum gp_part_type {
	GP_PART_EXE_PATH	= 1,	/* the task's executable, full path */
	GP_PART_PARENT_EXE_PATH	= 2,	/* its parent's executable */
	GP_PART_ARGS		= 3,	/* first GP_ARGS_MAX bytes of argv */
};

struct gp_part {
	__u16 type;		/* enum gp_part_type */
	__u16 len;		/* data bytes that follow */
	__u32 __pad;		/* zero: keeps the data 8-byte aligned */
};

#define GP_PART_ALIGN(n)	(((n) + 7U) & ~7U)
#define GP_PART_SIZE(len)	(sizeof(struct gp_part) + GP_PART_ALIGN(len))
/* The largest record any producer writes: header, two paths, argv. */
#define GP_RECORD_MAX		(sizeof(struct gp_event) + \
				 2 * GP_PART_SIZE(GP_PATH_MAX) + \
				 GP_PART_SIZE(GP_ARGS_MAX))

/*
 * Blocklist: an array of GP_NR_PORTS __u32 rules, indexed by port, so an
 * unlisted port costs one lookup.  A rule of 0 means "not listed".
 */
#define GP_PROTO_TCP		(1U << 0)
#define GP_PROTO_UDP		(1U << 1)
#define GP_PROTO_SCTP		(1U << 2)
#define GP_PROTO_OTHER		(1U << 3) /* raw and anything else */
#define GP_PROTO_ALL		0x0fU

/*
 * The blocklist protocol bit for a socket: the one mapping every producer
 * (BPF, module) and the reader use.  A SOCK_RAW socket is OTHER whatever its
 * protocol: it has no port of that protocol to bind.  The constants are
 * Linux's UAPI values, spelled here so that this file needs no socket
 * headers (each build checks them against its own, see GP_ABI_CHECK_NET).
 */
#define GP_IPPROTO_TCP		6
#define GP_IPPROTO_UDP		17
#define GP_IPPROTO_SCTP		132
#define GP_SOCK_RAW		3

static inline __attribute__((always_inline)) __u32
gp_proto_bit(__u16 protocol, __u16 sock_type)
{
	if (sock_type == GP_SOCK_RAW)
		return GP_PROTO_OTHER;
	switch (protocol) {
	case GP_IPPROTO_TCP:
		return GP_PROTO_TCP;
	case GP_IPPROTO_UDP:
		return GP_PROTO_UDP;
	case GP_IPPROTO_SCTP:
		return GP_PROTO_SCTP;
	default:
		return GP_PROTO_OTHER;
	}
}

/* For a file that has IPPROTO_* and SOCK_RAW in scope: they must agree. */
#define GP_ABI_CHECK_NET()						\
	_Static_assert(GP_IPPROTO_TCP == IPPROTO_TCP &&			\
		       GP_IPPROTO_UDP == IPPROTO_UDP &&			\
		       GP_IPPROTO_SCTP == IPPROTO_SCTP &&		\
		       GP_SOCK_RAW == SOCK_RAW, "socket constants")

#define GP_RULE_AUDIT(protos)	((__u32)(protos) & GP_PROTO_ALL)
#define GP_RULE_DENY_SHIFT	8	/* bits 8..11: deny per protocol */
#define GP_RULE_ERRNO_SHIFT	16	/* bits 16..23: errno for deny, 0=EPERM */
#define GP_RULE_DENY(r)		(((r) >> GP_RULE_DENY_SHIFT) & GP_PROTO_ALL)
#define GP_RULE_ERRNO(r)	(((r) >> GP_RULE_ERRNO_SHIFT) & 0xffU)

/*
 * Transport class of a socket, by its semantics, for the blocklist's
 * protocol bits: the one classifier of BPF, the module and userspace.
 * Decided by the socket's own family/type/protocol (never the sockaddr's
 * sa_family: __inet_bind takes AF_UNSPEC + INADDR_ANY on an AF_INET
 * socket).  Stream over TCP, MPTCP (its subflows are TCP) and SMC (AF_SMC,
 * or IPPROTO_SMC from 6.11; it binds an inner TCP socket) are tcp;
 * datagrams over UDP/UDP-Lite are udp; SCTP in any type is sctp; raw
 * sockets and everything else are "other".
 */
#define GP_AF_INET		2
#define GP_AF_INET6		10
#define GP_AF_SMC		43
#define GP_SOCK_STREAM		1
#define GP_SOCK_DGRAM		2
#define GP_IPPROTO_UDPLITE	136
#define GP_IPPROTO_SMC		256
#define GP_IPPROTO_MPTCP	262

static inline __u32 gp_proto_class(__u16 family, __u16 type, __u16 protocol)
{
	if (type == GP_SOCK_RAW)
		return GP_PROTO_OTHER;
	if (family == GP_AF_SMC)	/* protocol is SMCPROTO_SMC/_SMC6 */
		return type == GP_SOCK_STREAM ? GP_PROTO_TCP : GP_PROTO_OTHER;
	if (family != GP_AF_INET && family != GP_AF_INET6)
		return GP_PROTO_OTHER;
	switch (protocol) {
	case GP_IPPROTO_TCP:
	case GP_IPPROTO_MPTCP:
	case GP_IPPROTO_SMC:
		return type == GP_SOCK_STREAM ? GP_PROTO_TCP : GP_PROTO_OTHER;
	case GP_IPPROTO_UDP:
	case GP_IPPROTO_UDPLITE:
		return type == GP_SOCK_DGRAM ? GP_PROTO_UDP : GP_PROTO_OTHER;
	case GP_IPPROTO_SCTP:
		return GP_PROTO_SCTP;
	default:
		return GP_PROTO_OTHER;
	}
}

/*
 * What a "kernel bind" is: one not made on behalf of a user's bind
 * request.  A kernel thread's bind always is (the sunrpc client's rpciod
 * and kworkers).  A kernel socket (sk_kern_sock) bound by a user task is
 * one only when that task is not in a bind request: MPTCP binds its TCP
 * subflow and SMC its inner TCP socket (kernel_bind) inside the user's
 * bind(2) or io_uring bind, while vxlan binds its UDP socket from
 * `ip link set up` (sendmsg on netlink).  The task's syscall number
 * (pt_regs orig_ax, x86 numbering, -1 when not in a syscall) tells which.
 * io_uring's worker threads (PF_IO_WORKER) run only user requests.
 */
#define GP_PF_IO_WORKER		0x00000010U
#define GP_PF_KTHREAD		0x00200000U
#define GP_NR_BIND		49	/* x86_64 bind */
#define GP_NR_IO_URING_ENTER	426	/* x86_64 and i386 */
#define GP_NR_IA32_SOCKETCALL	102	/* i386 (x86_64: getuid, binds nothing) */
#define GP_NR_IA32_BIND		361	/* i386 (unused on x86_64) */
#define GP_X32_SYSCALL_BIT	0x40000000L

static inline int gp_user_bind_syscall(long nr)
{
	nr &= ~GP_X32_SYSCALL_BIT;
	return nr == GP_NR_BIND || nr == GP_NR_IO_URING_ENTER ||
	       nr == GP_NR_IA32_SOCKETCALL || nr == GP_NR_IA32_BIND;
}

static inline int gp_is_kernel_bind(__u32 task_flags, int sk_kern_sock,
				    long syscall_nr)
{
	if (task_flags & GP_PF_KTHREAD)
		return 1;
	if (!sk_kern_sock || (task_flags & GP_PF_IO_WORKER))
		return 0;
	return !gp_user_bind_syscall(syscall_nr);
}

/* Configuration shared with producers (one record). */
#define GP_CONF_ALL		(1U << 0) /* report unlisted binds too */
#define GP_CONF_ENFORCE		(1U << 1) /* deny rules are applied */
#define GP_CONF_EXEMPTIONS	(1U << 2) /* exemption maps are non-empty */

struct gp_conf {
	__u32 flags;		/* GP_CONF_* */
	__u32 wakeup_bytes;	/* ring data that forces a wake-up */
	/*
	 * Reader generation: a producer sends an executable's path once per
	 * value (a new reader sets a new one, so it is never left with
	 * records naming paths only an earlier reader saw).  0 = send every
	 * path every time.
	 */
	__u32 exe_gen;
	__u32 __pad0;
};

/* Compile-time layout checks, in every build that includes this file. */
#define GP_ABI_ASSERT(cond, msg) _Static_assert(cond, msg)
#define GP_OFFSETOF(t, m) __builtin_offsetof(t, m)
GP_ABI_ASSERT(sizeof(struct gp_event) == 192, "gp_event must be 192 bytes");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, ts_ns) == 8, "ts_ns offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, cgroup_id) == 40, "cgroup_id offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, ret) == 48, "ret offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, family) == 56, "family offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, addr) == 64, "addr offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, verdict) == 80, "verdict offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, valid) == 84, "valid offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, exe_ino) == 88, "exe_ino offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, comm) == 104, "comm offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, exe_flags) == 100, "exe_flags offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, euid) == 120, "euid offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, auid) == 128, "auid offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, parent_exe_ino) == 136,
	      "parent_exe_ino offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, args_flags) == 150,
	      "args_flags offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, parent_comm) == 152,
	      "parent_comm offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, ret_why) == 168, "ret_why offset");
GP_ABI_ASSERT(GP_OFFSETOF(struct gp_event, __reserved) == 176, "reserved offset");
GP_ABI_ASSERT(sizeof(struct gp_part) == 8, "gp_part must be 8 bytes");
GP_ABI_ASSERT(GP_RECORD_MAX <= 4096, "a record fits one page");
GP_ABI_ASSERT(sizeof(struct gp_conf) == 16, "gp_conf must be 16 bytes");

#endif /* GHOSTPORT_ABI_H */
