// SPDX-License-Identifier: GPL-2.0
/*
 * gp_ident.c - who made the bind (ABI v2 identity), for the module.
 *
 * Called from the kretprobe's return handler only, never the entry
 * handler: the entry handler runs before the bind and must stay short
 * (every bind pays it until the port lookup says no), while the return
 * handler runs only for binds that are reported.  Both run in the binding
 * task's context with preemption disabled: nothing here sleeps.  d_path()
 * is safe there (RCU and seqlocks, as bpf_d_path relies on); argv is read
 * with copy_from_user_nofault(), which fails instead of faulting a page in
 * (GP_AF_FAULT).  On PREEMPT_RT a spinlock_t and a seqlock_t writer's lock
 * are sleeping locks, which d_path() (rename_lock, mount_lock) and
 * task_lock() may take: there the paths and the parent's executable are
 * not captured (GP_XF_NO_CAPTURE) and the rest of the identity is.
 *
 * The same fields as the BPF modes (bpf/identity.bpf.h), with the same
 * flags; an executable's path is sent once per reader generation
 * (gp_conf.exe_gen), remembered in a small table by (ino, dev).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "gp_kmod.h"

#define GP_SENT_BITS	10
/* d_path() and task_lock() do not sleep (see above). */
#define GP_PATHS	(!IS_ENABLED(CONFIG_PREEMPT_RT))
#define GP_DELETED_SFX	" (deleted)"

struct gp_sent_slot {
	u64 ino;
	u32 dev;
	u32 gen;		/* 0: empty */
	u16 flags;		/* GP_XF_* that depend on the path */
	/* i_generation: a reused inode number is another file (miss) */
	u32 igen;
};

struct gp_kbuf {
	u8 rec[GP_RECORD_MAX] __aligned(8);
	char tmp[PATH_MAX];
	struct gp_sent_slot sent[2];	/* paths this record carries */
	int nsent;
};

static struct gp_kbuf __percpu *gp_kbufs;
static struct gp_sent_slot gp_sent[1 << GP_SENT_BITS];
static DEFINE_RAW_SPINLOCK(gp_sent_lock);
static u32 gp_exe_gen;

void gp_ident_set_gen(u32 gen)
{
	WRITE_ONCE(gp_exe_gen, gen);
}

u32 gp_ident_gen(void)
{
	return READ_ONCE(gp_exe_gen);
}

static u32 gp_sent_idx(u64 ino, u32 dev)
{
	return hash_64(ino ^ ((u64)dev << 32), GP_SENT_BITS);
}

/* Has the current reader got this executable's path?  Its flags if so. */
static bool gp_sent_lookup(u64 ino, u32 dev, u32 igen, u16 *flags)
{
	struct gp_sent_slot *s = &gp_sent[gp_sent_idx(ino, dev)];
	u32 gen = READ_ONCE(gp_exe_gen);
	unsigned long irq;
	bool hit;

	if (!gen)
		return false;
	raw_spin_lock_irqsave(&gp_sent_lock, irq);
	hit = s->gen == gen && s->ino == ino && s->dev == dev &&
	      s->igen == igen;
	if (hit)
		*flags = s->flags;
	raw_spin_unlock_irqrestore(&gp_sent_lock, irq);
	return hit;
}

/* The record went into the ring: its paths need not be sent again. */
void gp_ident_sent(const struct gp_event *h)
{
	struct gp_kbuf *b = this_cpu_ptr(gp_kbufs);
	u32 gen = READ_ONCE(gp_exe_gen);
	unsigned long irq;
	int i;

	if (!gen)
		return;
	raw_spin_lock_irqsave(&gp_sent_lock, irq);
	for (i = 0; i < b->nsent; i++) {
		struct gp_sent_slot *s =
			&gp_sent[gp_sent_idx(b->sent[i].ino, b->sent[i].dev)];

		*s = b->sent[i];
		s->gen = gen;
	}
	raw_spin_unlock_irqrestore(&gp_sent_lock, irq);
}

static u32 gp_put_part(u8 *rec, u32 off, u16 type, const void *data,
		       size_t len)
{
	struct gp_part *p = (struct gp_part *)(rec + off);

	if (off + GP_PART_SIZE(len) > GP_RECORD_MAX)
		return off;
	p->type = type;
	p->len = len;
	p->__pad = 0;
	memcpy(p + 1, data, len);
	memset((u8 *)(p + 1) + len, 0, GP_PART_ALIGN(len) - len);
	return off + GP_PART_SIZE(len);
}

/*
 * A pseudo file (memfd, anonymous inode): its dentry is its own root, not
 * a child of the mount's root; d_path() names it "/NAME (deleted)".
 */
static bool gp_pseudo(const struct path *path)
{
	return IS_ROOT(path->dentry) && path->dentry != path->mnt->mnt_root;
}

static u32 gp_put_path(struct gp_kbuf *b, u32 off, struct file *f, u16 type,
		       u16 *xf)
{
	const struct path *path = &f->f_path;
	char *p;
	size_t len, sfx = sizeof(GP_DELETED_SFX) - 1;

	if (path->mnt->mnt_flags & MNT_INTERNAL)
		*xf |= GP_XF_ANON_MOUNT;
	p = d_path(path, b->tmp, sizeof(b->tmp));
	if (IS_ERR(p)) {
		*xf |= PTR_ERR(p) == -ENAMETOOLONG ? GP_XF_TRUNCATED :
						      GP_XF_FAULT;
		return off;
	}
	len = strlen(p);
	/* The mark is a flag in the record, not part of the name. */
	if ((d_unlinked(path->dentry) || gp_pseudo(path)) && len > sfx &&
	    !strcmp(p + len - sfx, GP_DELETED_SFX))
		len -= sfx;
	if ((*xf & GP_XF_ANON_MOUNT) && !strncmp(p, "/memfd:", 7))
		*xf |= GP_XF_MEMFD;
	if (len > GP_PATH_MAX) {
		p += len - GP_PATH_MAX;
		len = GP_PATH_MAX;
		*xf |= GP_XF_TRUNCATED;
	}
	return gp_put_part(b->rec, off, type, p, len);
}

static u32 gp_put_exe(struct gp_kbuf *b, u32 off, struct file *f, u16 type,
		      u64 *ino, u32 *dev, u16 *xf)
{
	struct inode *inode = file_inode(f);
	u16 flags = 0;
	u32 noff;

	*ino = inode->i_ino;
	*dev = inode->i_sb->s_dev;
	if (d_unlinked(f->f_path.dentry))
		*xf |= GP_XF_DELETED;
	if (!GP_PATHS) {
		*xf |= GP_XF_NO_CAPTURE;
		return off;
	}
	if (gp_sent_lookup(*ino, *dev, inode->i_generation, &flags)) {
		*xf |= GP_XF_SENT | flags;
		return off;
	}
	noff = gp_put_path(b, off, f, type, xf);
	if (noff != off && b->nsent < ARRAY_SIZE(b->sent)) {
		struct gp_sent_slot *s = &b->sent[b->nsent++];

		s->ino = *ino;
		s->dev = *dev;
		s->igen = inode->i_generation;
		s->flags = *xf & (GP_XF_MEMFD | GP_XF_ANON_MOUNT |
				  GP_XF_TRUNCATED | GP_XF_NOT_ROOTED);
	}
	return noff;
}

static u32 gp_put_args(struct gp_kbuf *b, u32 off, struct mm_struct *mm,
		       u8 *af)
{
	unsigned long start = READ_ONCE(mm->arg_start);
	unsigned long end = READ_ONCE(mm->arg_end);
	struct gp_part *p = (struct gp_part *)(b->rec + off);
	size_t len;

	if (end <= start)
		return off;
	len = min_t(unsigned long, end - start, GP_ARGS_MAX);
	if (end - start > GP_ARGS_MAX)
		*af |= GP_AF_TRUNCATED;
	if (off + GP_PART_SIZE(len) > GP_RECORD_MAX)
		return off;
	if (copy_from_user_nofault(p + 1, (const void __user *)start, len)) {
		*af |= GP_AF_FAULT;
		return off;
	}
	p->type = GP_PART_ARGS;
	p->len = len;
	p->__pad = 0;
	memset((u8 *)(p + 1) + len, 0, GP_PART_ALIGN(len) - len);
	return off + GP_PART_SIZE(len);
}

/*
 * The record for header h (ret set by the caller): a per-CPU copy with
 * the current task's identity and parts.  Returns it with size set.
 */
struct gp_event *gp_ident_build(const struct gp_event *hdr)
{
	struct gp_kbuf *b = this_cpu_ptr(gp_kbufs);
	struct gp_event *h = (struct gp_event *)b->rec;
	struct task_struct *parent;
	struct file *exe, *pexe;
	u32 off = sizeof(*h);

	memcpy(h, hdr, sizeof(*h));
	h->hdr_size = sizeof(*h);
	b->nsent = 0;

	h->euid = from_kuid(&init_user_ns, current_euid());
	h->egid = from_kgid(&init_user_ns, current_egid());
	h->valid |= GP_VF_CREDS;
#ifdef CONFIG_AUDIT
	h->auid = from_kuid(&init_user_ns, audit_get_loginuid(current));
	h->sessionid = audit_get_sessionid(current);
	h->valid |= GP_VF_LOGIN;
#endif
	/*
	 * No file references are taken (get_mm_exe_file() is not exported,
	 * and the last fput could not run here): everything below runs in
	 * one RCU read-side section.  The current task's mm is stable (we
	 * are it) and keeps its exe_file; the parent's mm is kept by its
	 * task_lock (exit_mm and exec swap mm under it), and its exe_file by
	 * that mm.  Tasks are freed after a grace period.
	 */
	rcu_read_lock();
	if (current->mm) {
		exe = rcu_dereference(current->mm->exe_file);
		if (exe) {
			off = gp_put_exe(b, off, exe, GP_PART_EXE_PATH,
					 &h->exe_ino, &h->exe_dev,
					 &h->exe_flags);
			h->valid |= GP_VF_EXE;
		}
		off = gp_put_args(b, off, current->mm, &h->args_flags);
		h->valid |= GP_VF_ARGS;
	}
	parent = rcu_dereference(current->real_parent);
	strscpy_pad(h->parent_comm, parent->comm, sizeof(h->parent_comm));
	h->valid |= GP_VF_PARENT;
	if (!GP_PATHS)
		goto out;
	task_lock(parent);
	if (parent->mm) {
		pexe = rcu_dereference(parent->mm->exe_file);
		if (pexe) {
			off = gp_put_exe(b, off, pexe, GP_PART_PARENT_EXE_PATH,
					 &h->parent_exe_ino,
					 &h->parent_exe_dev,
					 &h->parent_exe_flags);
			h->valid |= GP_VF_PARENT_EXE;
		}
	}
	task_unlock(parent);
out:
	rcu_read_unlock();
	h->size = off;
	return h;
}

int gp_ident_init(void)
{
	gp_kbufs = alloc_percpu(struct gp_kbuf);
	return gp_kbufs ? 0 : -ENOMEM;
}

void gp_ident_exit(void)
{
	free_percpu(gp_kbufs);
	gp_kbufs = NULL;
}
