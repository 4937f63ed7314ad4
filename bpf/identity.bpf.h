/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * identity.bpf.h - who made the bind, captured in the kernel at the bind:
 * the executable's full path (with deleted / memfd / anonymous-mount
 * marks), the command line, the parent's comm and executable, effective
 * ids, login uid and session.  Used by every BPF attach mode at the moment
 * a record is submitted; the record leaves as ABI v2 (a fixed header plus
 * variable parts, include/ghostport_abi.h).
 *
 * Cost control: an executable's path is walked and sent once per reader
 * generation (gp_conf.exe_gen); gp_exe_sent remembers which (ino, dev) were
 * sent, so a listed bind by a known executable costs a map lookup and a
 * few reads, not a dentry walk and a kilobyte of ring.
 *
 * Every read here is a bpf_probe_read_kernel/_user (through BPF_CORE_READ),
 * the only way a cgroup sock_addr program can read the task.  Kernel
 * lockdown=confidentiality refuses those helpers; the loader then sets
 * gp_identity_probe = false before load and the verifier prunes all of
 * this as dead code (the record still leaves, with GP_XF_NO_CAPTURE).
 *
 * Included by ghostport.bpf.c after maps.bpf.h (gp_events, gp_conf,
 * gp_counters, struct gp_exe_key), before record.bpf.h (whose submit()
 * calls gp_submit()).
 */
#ifndef GP_IDENTITY_BPF_H
#define GP_IDENTITY_BPF_H

/* Path components walked at most (mount crossings count too). */
#define GP_PATH_DEPTH		40
#define GP_NAME_MAX		255
/* Record buffer: a power of two above GP_RECORD_MAX, so a masked offset
 * stays inside it whatever the verifier can prove.
 */
#define GP_RECBUF		4096
#define GP_PATH_DEPTH_MASK	63	/* >= GP_PATH_DEPTH - 1, power of 2 - 1 */

static __always_inline void gp_count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&gp_counters, &idx);

	if (v)
		*v += 1;
}

/*
 * Two adjacent fields of one structure, fa then fb, each of type T: one
 * probe read where this kernel's layout has fb right after fa (the CO-RE
 * offsets are constants once relocated: the verifier keeps one branch),
 * two otherwise.  Every probe read is a helper call (~30 ns on the bench
 * machine); a listed bind makes a few dozen.
 */
#define GP_READ_PAIR(T, p, fa, fb, a, b)				\
do {									\
	__u32 __oa = bpf_core_field_offset((p)->fa);			\
	__u32 __ob = bpf_core_field_offset((p)->fb);			\
									\
	if (__ob == __oa + sizeof(T) &&					\
	    bpf_core_field_size((p)->fa) == sizeof(T) &&		\
	    bpf_core_field_size((p)->fb) == sizeof(T)) {		\
		T __v[2] = {};						\
									\
		bpf_probe_read_kernel(__v, sizeof(__v),			\
				      (const void *)(p) + __oa);	\
		(a) = __v[0];						\
		(b) = __v[1];						\
	} else {							\
		(a) = (T)BPF_CORE_READ(p, fa);				\
		(b) = (T)BPF_CORE_READ(p, fb);				\
	}								\
} while (0)

#define GP_VSET(m, v)	(*(volatile __u32 *)&(m) = (v))
#define GP_VGET(m)	(*(volatile __u32 *)&(m))

/* Set to false by the loader where probe reads are refused (lockdown). */
const volatile bool gp_identity_probe = true;

struct gp_comp {
	__u64 name;		/* const unsigned char * in the kernel */
	__u32 len;		/* 0: a mount crossing, no name */
	__u32 pad;
};

struct gp_recbuf {
	/* The record; the slack after it takes a masked write's overrun. */
	__u8 rec[GP_RECBUF + GP_NAME_MAX + 8];
	/* The path walk's steps, file first. */
	struct gp_comp comp[GP_PATH_DEPTH_MASK + 1];
	__u32 steps;		/* the copy's counters (see gp_put_path) */
	__u32 total;
	__u32 w;
	/* Executables whose path this record carries (marked sent once the
	 * record is in the ring).
	 */
	struct gp_exe_key sent[2];
	__u32 sent_igen[2];
	__u16 sent_flags[2];
	__u8 nsent;
};

/*
 * Record buffers: GP_RECBUF_SLOTS per CPU, each claimed for the length of
 * one gp_submit.  The programs that submit (cgroup, LSM, fexit, kprobe)
 * run with migration disabled but may be preempted on a preemptible
 * kernel, so a second bind on the same CPU can run while a first one is
 * half way through its record: a single per-CPU buffer would mix them.
 * A claim is an insert into gp_recbuf_busy with BPF_NOEXIST (atomic on
 * every kernel, unlike BPF cmpxchg, which is 5.12+), keyed by CPU and
 * slot, and is always removed before gp_submit returns.  No free slot:
 * the record is a counted drop.
 *
 * The common case needs no claim (two hash operations, ~190 ns per
 * record on the bench machine): gp_recbuf_depth counts the submits in
 * progress on this CPU, preempted ones included.  A submit that reads
 * it back as 1 after its own atomic increment is the only one in
 * progress (any other would still count), so slot 0 is its own; any
 * other value claims one of the slots 1.. as above.  An atomic add
 * without fetch (BPF_XADD) is there on every kernel.
 */
#define GP_RECBUF_SLOTS		4

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GP_RECBUF_SLOTS);
	__type(key, __u32);
	__type(value, struct gp_recbuf);
} gp_recbuf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);	/* claims held at once, all CPUs */
	__type(key, __u32);		/* cpu * GP_RECBUF_SLOTS + slot */
	__type(value, __u8);
} gp_recbuf_busy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gp_recbuf_depth SEC(".maps");

#define GP_RECBUF_UNCLAIMED	0xffffffffU	/* slot 0: no claim to release */

struct gp_exe_sent_val {
	__u32 gen;		/* gp_conf.exe_gen when its path was sent */
	__u16 flags;		/* GP_XF_* that depend on the path (memfd ...) */
	__u16 pad;
	/* i_generation of the inode sent: a freed inode number reused by
	 * another file (a deleted binary, then a new copy) is a miss, so the
	 * new file's path is sent instead of the old one being assumed.
	 */
	__u32 igen;
};

/* Executables whose path the current reader already has. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct gp_exe_key);
	__type(value, struct gp_exe_sent_val);
} gp_exe_sent SEC(".maps");

/* Mount of a vfsmount (struct mount embeds it). */
static __always_inline struct mount *gp_real_mount(struct vfsmount *m)
{
	return container_of(m, struct mount, mnt);
}

/* An internal (kern_mount, MNT_NS_INTERNAL) or detached mount. */
static __always_inline bool gp_anon_ns(struct mount *m)
{
	unsigned long ns = (unsigned long)BPF_CORE_READ(m, mnt_ns);

	return !ns || ns >= (unsigned long)-4095;
}

/*
 * Append a path part for file f at rec[off]: the full path up to the root
 * of the mount namespace the file was reached in, walked the way d_path
 * does (dentry parents, then mountpoints), bounded by GP_PATH_DEPTH steps
 * and GP_PATH_MAX bytes (then the leading components are dropped and
 * GP_XF_TRUNCATED set).  Returns the offset after the part.
 *
 * Two passes keep the verifier's work small: the walk only stores name
 * pointers by step index (no variable offsets), and the copy writes at
 * masked offsets.  Both keep their counters in rb (volatile), never in
 * a register: a register total has another range on every path (a name
 * adds 1..256, a mount hop nothing), and once the verifier holds it
 * precise no two paths through the walk prune.  5.10's and 6.1's
 * verifiers hit that with the perf16 identity reads (E2BIG: 1M
 * instructions in the walk, 36k states), probably because their
 * precision tracking marks every scalar precise at a subprogram call.
 * With the counters in memory every program checks in 114-143k
 * instructions on 5.10.
 */
static __noinline __u32 gp_put_path(struct gp_recbuf *rb, __u32 off,
				    struct file *f, __u16 type, __u16 *xflags)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
	struct mount *m = gp_real_mount(vm);
	__u32 i, k, total, w;
	struct gp_part *p;

	if (off > GP_RECBUF - GP_PART_SIZE(GP_PATH_MAX))
		return off;
	GP_VSET(rb->steps, GP_PATH_DEPTH);
	GP_VSET(rb->total, 0);
	for (i = 0; i < GP_PATH_DEPTH; i++) {
		struct dentry *root = BPF_CORE_READ(vm, mnt_root);
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		__u32 len;

		rb->comp[i].len = 0;
		if (d == root || d == parent) {
			struct mount *mp = BPF_CORE_READ(m, mnt_parent);

			if (d != root) {
				/* Its own root, not below the mount's: a
				 * pseudo file (memfd, anon inode: d_path
				 * names it "/NAME") or a disconnected one.
				 */
				len = BPF_CORE_READ(d, d_name.len);
				if (len > GP_NAME_MAX)
					len = GP_NAME_MAX;
				rb->comp[i].len = len;
				rb->comp[i].name =
					(__u64)BPF_CORE_READ(d, d_name.name);
				GP_VSET(rb->total,
					GP_VGET(rb->total) + len + 1);
				if (gp_anon_ns(m))
					*xflags |= GP_XF_ANON_MOUNT;
				else
					*xflags |= GP_XF_NOT_ROOTED;
				GP_VSET(rb->steps, i + 1);
				break;
			}
			if (mp == m) {
				if (gp_anon_ns(m))
					*xflags |= GP_XF_ANON_MOUNT;
				GP_VSET(rb->steps, i);
				break;
			}
			d = BPF_CORE_READ(m, mnt_mountpoint);
			m = mp;
			vm = &mp->mnt;
			continue;
		}
		len = BPF_CORE_READ(d, d_name.len);
		if (len > GP_NAME_MAX)
			len = GP_NAME_MAX;
		rb->comp[i].len = len;
		rb->comp[i].name = (__u64)BPF_CORE_READ(d, d_name.name);
		GP_VSET(rb->total, GP_VGET(rb->total) + len + 1);
		d = parent;
	}
	if (GP_VGET(rb->steps) == GP_PATH_DEPTH)
		*xflags |= GP_XF_TRUNCATED;	/* deeper than the walk */
	/*
	 * The copy's counters in memory too: the verifier then sees "any
	 * value" at each step instead of one exact value per walk length
	 * and branch history, and checks each step once.
	 */
	GP_VSET(rb->w, 0);
	/* From the root down: the highest step is the top. */
	for (k = 0; k < GP_PATH_DEPTH; k++) {
		__u32 j = GP_PATH_DEPTH - 1 - k, len, at;

		if (j >= GP_VGET(rb->steps))
			continue;
		len = rb->comp[j & GP_PATH_DEPTH_MASK].len & GP_NAME_MAX;
		if (!len)
			continue;
		total = GP_VGET(rb->total);
		if (total > GP_PATH_MAX) {
			GP_VSET(rb->total, total - (len + 1));
			*xflags |= GP_XF_TRUNCATED;
			continue;
		}
		w = GP_VGET(rb->w);
		at = (off + sizeof(*p) + w) & (GP_RECBUF - 1);
		rb->rec[at] = '/';
		at = (at + 1) & (GP_RECBUF - 1);
		bpf_probe_read_kernel(&rb->rec[at], len,
			(const void *)rb->comp[j & GP_PATH_DEPTH_MASK].name);
		GP_VSET(rb->w, w + len + 1);
	}
	w = GP_VGET(rb->w);
	if (!w) {
		rb->rec[(off + sizeof(*p)) & (GP_RECBUF - 1)] = '/';
		w = 1;
	}
	w &= 2 * GP_PATH_MAX - 1;
	p = (struct gp_part *)&rb->rec[off & (GP_RECBUF - 1)];
	p->type = type;
	p->len = w;
	p->__pad = 0;
	/* Zero the padding: no stale bytes from an earlier record (a
	 * constant bound: the verifier walks this once).
	 */
	for (k = 0; k < 8; k++)
		rb->rec[(off + sizeof(*p) + w + k) & (GP_RECBUF - 1)] = 0;
	return off + GP_PART_SIZE(w);
}

/*
 * An executable: its (ino, dev) always, the cheap live flags, and its path
 * part unless the current reader already has it.  Returns the new offset.
 */
static __always_inline __u32 gp_put_exe(struct gp_recbuf *rb, __u32 off,
					struct file *f, __u16 type,
					__u64 *ino, __u32 *dev, __u16 *xflags)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	struct gp_exe_sent_val *sent;
	struct gp_exe_key k = {};
	__u64 pprev, dparent;
	struct dentry *d;
	__u32 noff, igen;

	igen = BPF_CORE_READ(inode, i_generation);
	k.ino = BPF_CORE_READ(inode, i_ino);
	k.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	*ino = k.ino;
	*dev = k.dev;
	/* d_unlinked(): unhashed and not a root (memfds are never hashed). */
	d = BPF_CORE_READ(f, f_path.dentry);
	GP_READ_PAIR(__u64, d, d_hash.pprev, d_parent, pprev, dparent);
	if (!pprev && dparent != (__u64)d)
		*xflags |= GP_XF_DELETED;
	sent = bpf_map_lookup_elem(&gp_exe_sent, &k);
	if (sent && gp_conf.exe_gen && sent->gen == gp_conf.exe_gen &&
	    sent->igen == igen) {
		*xflags |= GP_XF_SENT | sent->flags;
		return off;
	}
	noff = gp_put_path(rb, off, f, type, xflags);
	if (noff != off && noff <= GP_RECBUF) {
		char pre[6] = {};

		/* A memfd is "memfd:NAME" at the root of the internal shm
		 * mount: fileless code.
		 */
		if (*xflags & GP_XF_ANON_MOUNT) {
			bpf_probe_read_kernel(pre, sizeof(pre),
					      BPF_CORE_READ(d, d_name.name));
			if (pre[0] == 'm' && pre[1] == 'e' && pre[2] == 'm' &&
			    pre[3] == 'f' && pre[4] == 'd' && pre[5] == ':')
				*xflags |= GP_XF_MEMFD;
		}
		if (rb->nsent < 2) {
			__u8 n = rb->nsent & 1;

			rb->sent[n] = k;
			rb->sent_igen[n] = igen;
			rb->sent_flags[n] = *xflags & (GP_XF_MEMFD |
				GP_XF_ANON_MOUNT | GP_XF_TRUNCATED |
				GP_XF_NOT_ROOTED);
			rb->nsent++;
		}
	}
	return noff;
}

/* argv: the first GP_ARGS_MAX bytes of [arg_start, arg_end). */
static __always_inline __u32 gp_put_args(struct gp_recbuf *rb, __u32 off,
					 struct mm_struct *mm, __u8 *aflags)
{
	unsigned long start, end;
	struct gp_part *p;
	__u32 len, k;

	GP_READ_PAIR(__u64, mm, arg_start, arg_end, start, end);
	if (end <= start)
		return off;
	len = end - start > GP_ARGS_MAX ? GP_ARGS_MAX : end - start;
	if (end - start > GP_ARGS_MAX)
		*aflags |= GP_AF_TRUNCATED;
	if (off > GP_RECBUF - GP_PART_SIZE(GP_ARGS_MAX))
		return off;
	p = (struct gp_part *)&rb->rec[off];
	if (len > GP_ARGS_MAX)
		return off;
	if (bpf_probe_read_user(&rb->rec[off + sizeof(*p)], len,
				(void *)start)) {
		*aflags |= GP_AF_FAULT;
		return off;
	}
	p->type = GP_PART_ARGS;
	p->len = len;
	p->__pad = 0;
	for (k = 0; k < 8; k++)
		rb->rec[(off + sizeof(*p) + len + k) & (GP_RECBUF - 1)] = 0;
	return off + GP_PART_SIZE(len);
}

/*
 * Fill the v2 identity of the current task into the header h (at rb->rec)
 * and append its parts.  Returns the record's size.
 */
static __always_inline __u32 gp_fill_identity(struct gp_recbuf *rb,
					      struct gp_event *h, bool ident)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *parent;
	const struct cred *cred;
	struct mm_struct *mm;
	struct file *exe;
	__u32 off = sizeof(*h);

	rb->nsent = 0;
	if (!gp_identity_probe) {
		h->exe_flags |= GP_XF_NO_CAPTURE;
		return off;
	}
	if (!ident)
		return off;	/* the header's task is not the current one */
	cred = BPF_CORE_READ(task, cred);
	if (cred) {
		GP_READ_PAIR(__u32, cred, euid.val, egid.val, h->euid, h->egid);
		h->valid |= GP_VF_CREDS;
	}
	if (bpf_core_field_exists(task->loginuid)) {
		GP_READ_PAIR(__u32, task, loginuid.val, sessionid, h->auid,
			     h->sessionid);
		h->valid |= GP_VF_LOGIN;
	}
	parent = BPF_CORE_READ(task, real_parent);
	if (parent) {
		bpf_probe_read_kernel(h->parent_comm, sizeof(h->parent_comm),
				      &parent->comm);
		h->valid |= GP_VF_PARENT;
	}
	mm = BPF_CORE_READ(task, mm);
	if (!mm)
		return off;	/* a kernel thread: no executable, no argv */
	exe = BPF_CORE_READ(mm, exe_file);
	if (exe) {
		off = gp_put_exe(rb, off, exe, GP_PART_EXE_PATH, &h->exe_ino,
				 &h->exe_dev, &h->exe_flags);
		h->valid |= GP_VF_EXE;
	}
	off = gp_put_args(rb, off, mm, &h->args_flags);
	h->valid |= GP_VF_ARGS;
	if (parent) {
		struct mm_struct *pmm = BPF_CORE_READ(parent, mm);
		struct file *pexe = pmm ? BPF_CORE_READ(pmm, exe_file) : NULL;

		if (pexe) {
			off = gp_put_exe(rb, off, pexe,
					 GP_PART_PARENT_EXE_PATH,
					 &h->parent_exe_ino,
					 &h->parent_exe_dev,
					 &h->parent_exe_flags);
			h->valid |= GP_VF_PARENT_EXE;
		}
	}
	return off;
}

/* The record is in the ring: its paths need not be sent again. */
static __always_inline void gp_mark_sent(struct gp_recbuf *rb)
{
	struct gp_exe_sent_val v = { .gen = gp_conf.exe_gen };
	__u8 i;

	if (!gp_conf.exe_gen)
		return;
	for (i = 0; i < 2; i++) {
		if (i >= rb->nsent)
			break;
		v.flags = rb->sent_flags[i];
		v.igen = rb->sent_igen[i];
		bpf_map_update_elem(&gp_exe_sent, &rb->sent[i], &v, BPF_ANY);
	}
}

/*
 * The identity capture as a global function: the verifier checks a global
 * function once per program, on its own, instead of once for every state
 * the hook's branches lead to.  5.10's verifier, inlining it into the
 * cgroup programs (policy, exemptions, two families), gave up with E2BIG
 * (1M instructions processed).  slot: this CPU's buffer that gp_submit
 * claimed, with the header at rb->rec; returns the record's size, 0
 * without the buffer.
 */
__attribute__((noinline)) int gp_identity(__u32 slot, int ident)
{
	struct gp_recbuf *rb = bpf_map_lookup_elem(&gp_recbuf, &slot);

	if (!rb)
		return 0;
	return gp_fill_identity(rb, (struct gp_event *)rb->rec, ident);
}

/*
 * Claim a free record buffer of this CPU, with depth (gp_recbuf_depth of
 * this CPU) already incremented; *key is the claim to release, *slotp
 * the buffer's slot.
 */
static __always_inline struct gp_recbuf *gp_recbuf_claim(__u64 *depth,
							 __u32 *key,
							 __u32 *slotp)
{
	__u32 cpu, slot = 0;
	__u8 one = 1;

	*key = GP_RECBUF_UNCLAIMED;
	*slotp = 0;
	if (*(volatile __u64 *)depth == 1)
		return bpf_map_lookup_elem(&gp_recbuf, &slot);
	cpu = bpf_get_smp_processor_id();
	for (slot = 1; slot < GP_RECBUF_SLOTS; slot++) {
		*key = cpu * GP_RECBUF_SLOTS + slot;
		if (!bpf_map_update_elem(&gp_recbuf_busy, key, &one,
					 BPF_NOEXIST))
			break;
	}
	if (slot >= GP_RECBUF_SLOTS) {
		*key = GP_RECBUF_UNCLAIMED;
		return NULL;	/* nothing claimed */
	}
	*slotp = slot;
	return bpf_map_lookup_elem(&gp_recbuf, &slot);
}

/*
 * Submit a record: the fixed header e (already filled by the hook) plus,
 * with ident, the identity of the current task.  Every hook ends here.
 */
static __always_inline void gp_submit(const struct gp_event *e, bool ident)
{
	__u64 flags = BPF_RB_NO_WAKEUP;
	__u32 size, key = 0, slot = 0, zero = 0;
	struct gp_recbuf *rb;
	struct gp_event *h;
	__u64 *depth;
	long err;

	depth = bpf_map_lookup_elem(&gp_recbuf_depth, &zero);
	if (!depth) {
		gp_count(GP_CNT_DROPS);
		return;
	}
	__sync_fetch_and_add(depth, 1);
	rb = gp_recbuf_claim(depth, &key, &slot);
	if (!rb) {
		if (key != GP_RECBUF_UNCLAIMED)
			bpf_map_delete_elem(&gp_recbuf_busy, &key);
		__sync_fetch_and_add(depth, -1);
		gp_count(GP_CNT_DROPS);
		return;
	}
	h = (struct gp_event *)rb->rec;
	__builtin_memcpy(h, e, sizeof(*h));
	h->version = GP_ABI_VERSION;
	h->hdr_size = sizeof(*h);
	size = (__u32)gp_identity(slot, ident);
	size &= GP_RECBUF - 1;
	if (size < sizeof(*h))
		size = sizeof(*h);
	h->size = size;
	/* Batch wake-ups: only once enough is queued; the reader's poll
	 * timeout bounds the delay for the rest.
	 */
	if (bpf_ringbuf_query(&gp_events, BPF_RB_AVAIL_DATA) >=
	    gp_conf.wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	err = bpf_ringbuf_output(&gp_events, rb->rec, size, flags);
	if (!err)
		gp_mark_sent(rb);
	if (key != GP_RECBUF_UNCLAIMED)
		bpf_map_delete_elem(&gp_recbuf_busy, &key);
	__sync_fetch_and_add(depth, -1);
	gp_count(err ? GP_CNT_DROPS : GP_CNT_EVENTS);
}

#endif /* GP_IDENTITY_BPF_H */
