// SPDX-License-Identifier: GPL-2.0
/*
 * bpf.c - the BPF attach modes (fentry, kprobe, cgroup) and the
 * enforcement programs (LSM, cgroup) as a gp_source.
 *
 * One skeleton holds every program; only what is needed is loaded, so a
 * kernel that refuses trampolines still loads the cgroup programs.
 *
 * Maps and links are pinned under GP_PIN_DIR, so the policy outlives the
 * daemon: a crash leaves enforcement in force and events queue in the
 * pinned ring; the next `ghostport run` adopts the pinned instance (maps
 * reused, programs not loaded again) instead of stacking a second copy.
 *
 * This file opens the source step by step and switches enforcement; the
 * steps live in bpf_load.c (programs), bpf_maps.c (state, ring, counters)
 * and bpf_pin.c (pins and adoption).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "source/bpf_int.h"
#include "source/pin.h"
#include "event/identity.h"

static int bpf_set_enforce(struct gp_source *src, bool on,
			   enum gp_deny_method how, char *err, size_t errlen)
{
	struct bpf_src *b = src->priv;
	struct gp_source_opts o = { .deny_with = how,
				    .conf_flags = GP_CONF_ENFORCE };
	__u32 flags = b->skel->bss->gp_conf.flags;
	int deny;

	if (!on) {
		gp_bpf_set_conf(src, flags & ~GP_CONF_ENFORCE);
		return 0;
	}
	deny = b->skel->bss->gp_pin_deny_mode;
	if (!deny) {
		deny = gp_bpf_choose_deny(&o, err, errlen);
		/* The cgroup audit hooks already deny once told to. */
		if (!(deny == GP_SRC_CGROUP && src->ops->id == GP_SRC_CGROUP) &&
		    gp_bpf_add_deny_programs(b, deny, &o, err, errlen))
			return -1;
		b->skel->bss->gp_pin_deny_mode = deny;
		src->deny_name = gp_bpf_mode_name(deny);
		gp_bpf_restrip_rules(b);
	}
	gp_bpf_set_conf(src, flags | GP_CONF_ENFORCE);
	return 0;
}

static const struct gp_source_ops *ops_of(int mode);

static struct gp_source *fill_source(struct gp_source *src,
				     struct bpf_src *b, int mode, int deny)
{
	src->ops = ops_of(mode);
	src->deny_name = deny ? gp_bpf_mode_name(deny) : NULL;
	src->priv = b;
	return src;
}

static void bpf_teardown(struct bpf_src *b)
{
	/* Detach first: nothing new arrives while the rest is torn down. */
	gp_bpf_detach_links(b);
	if (b->rb)
		ring_buffer__free(b->rb);
	if (b->ports)
		munmap(b->ports, PORTS_MMAP_LEN);
	if (b->cgroup_fd >= 0)
		close(b->cgroup_fd);
	ghostport_bpf__destroy(b->deny_skel);
	ghostport_bpf__destroy(b->skel);
	free(b);
}

static void bpf_close(struct gp_source *src)
{
	bpf_teardown(src->priv);
	free(src);
}

/* CO-RE needs the kernel's BTF, or the one the admin passed. */
static int check_btf(const struct gp_source_opts *o, char *err, size_t errlen)
{
	if (o->btf_path && access(o->btf_path, R_OK)) {
		snprintf(err, errlen, "BTF file %s: %s", o->btf_path,
			 strerror(errno));
		return -1;
	}
	if (!o->btf_path && access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(err, errlen,
			 "no kernel BTF at /sys/kernel/btf/vmlinux (needs CONFIG_DEBUG_INFO_BTF, or pass --btf FILE)");
		return -1;
	}
	return 0;
}

static int open_object(struct bpf_src *b, const struct gp_source_opts *o,
		       char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);

	b->skel = ghostport_bpf__open_opts(&oo);
	if (!b->skel) {
		snprintf(err, errlen, "opening the BPF object failed: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* A bad --cgroup is an error even when the pinned instance does not need
 * it: never ignore what the admin asked for. */
static int open_cgroup_arg(struct bpf_src *b, const struct gp_source_opts *o,
			   char *err, size_t errlen)
{
	if (!o->cgroup_path)
		return 0;
	b->cgroup_fd = gp_bpf_open_cgroup_root(o->cgroup_path, err, errlen);
	return b->cgroup_fd < 0 ? -1 : 0;
}

/*
 * Which programs to load: what is not running yet, nothing twice.  The
 * cgroup bind hooks serve both the cgroup audit mode and cgroup
 * enforcement.  An adopted instance keeps its audit mode and ring.
 */
static int plan_programs(struct bpf_src *b, struct gp_bpf_plan *p,
			 const struct gp_source_opts *o, char *err,
			 size_t errlen)
{
	p->deny = gp_bpf_choose_deny(o, err, errlen);
	if (!b->adopted)
		bpf_map__set_max_entries(b->skel->maps.gp_events,
					 gp_bpf_ring_size(o->ring_bytes));
	else
		p->mode = p->pinned_mode;

	p->load_audit = b->adopted ? 0 : p->mode;
	p->load_deny = p->deny && p->deny != p->pinned_deny &&
		       !(p->deny == GP_SRC_CGROUP && p->mode == GP_SRC_CGROUP &&
			 b->adopted) ? p->deny : 0;
	if (p->pinned_deny && p->deny && p->deny != p->pinned_deny) {
		snprintf(err, errlen,
			 "a pinned instance enforces with %s; run 'ghostport unload' to switch to %s",
			 gp_bpf_mode_name(p->pinned_deny),
			 gp_bpf_mode_name(p->deny));
		return -1;
	}
	return 0;
}

/* Policy before attaching: the first bind seen is already judged. */
/* The reader forgot a path: have the programs send it again. */
static void forget_exe(void *ctx, __u64 ino, __u32 dev)
{
	struct bpf_src *b = ctx;
	struct { __u64 ino; __u32 dev; __u32 pad; } k = { ino, dev, 0 };

	bpf_map_delete_elem(bpf_map__fd(b->skel->maps.gp_exe_sent), &k);
}

static int apply_policy(struct gp_source *src, struct bpf_src *b,
			const struct gp_bpf_plan *p,
			const struct gp_source_opts *o, char *err,
			size_t errlen)
{
	__u32 conf = o->conf_flags;

	if (gp_bpf_set_exemptions(b, o->exempt, &conf)) {
		snprintf(err, errlen, "filling the exemption maps failed: %s",
			 strerror(errno));
		return -1;
	}
	/* The deny method first: the rules written depend on it. */
	if (p->deny)
		b->skel->bss->gp_pin_deny_mode = p->deny;
	gp_bpf_set_rules(src, o->rules);
	b->skel->bss->gp_conf.wakeup_bytes =
		bpf_map__max_entries(b->skel->maps.gp_events) / 4;
	/* A new reader generation: the programs send every executable's
	 * path again, so paths sent to an earlier reader are not missed. */
	b->skel->bss->gp_conf.exe_gen = gp_ident_new_gen();
	gp_ident_on_forget(forget_exe, b);
	b->skel->bss->gp_pin_audit_mode = p->mode;
	b->skel->bss->gp_pin_version = gp_bpf_prog_version();
	if (p->deny)
		b->skel->bss->gp_pin_deny_mode = p->deny;
	gp_bpf_set_conf(src, conf);
	return 0;
}

struct gp_source *gp_source_bpf_open(int mode, const struct gp_source_opts *o,
				     char *err, size_t errlen)
{
	struct gp_source *src = calloc(1, sizeof(*src));
	struct bpf_src *b = calloc(1, sizeof(*b));
	struct gp_bpf_plan p = { .mode = mode };
	int load_ret = 0;

	if (!src || !b) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	b->cgroup_fd = -1;
	gp_bpf_log_setup(o->verbose);

	if (check_btf(o, err, errlen) ||
	    open_object(b, o, err, errlen) ||
	    gp_bpf_pin_or_adopt(b, &p, o->no_pin, err, errlen) ||
	    open_cgroup_arg(b, o, err, errlen) ||
	    plan_programs(b, &p, o, err, errlen) ||
	    (load_ret = gp_bpf_load(b, p.load_audit, p.load_deny, err,
				    errlen)) ||
	    gp_bpf_map_ports(b, err, errlen))
		goto fail;
	fill_source(src, b, p.mode, p.deny ? p.deny : p.pinned_deny);
	/* An adopted instance's programs were loaded by an earlier run: under
	 * confidentiality only the safe set can have loaded. */
	src->lockdown_safe = gp_bpf_safe() ||
		(b->adopted && gp_bpf_lockdown() &&
		 !strcmp(gp_bpf_lockdown(), "confidentiality"));
	if (src->lockdown_safe)
		src->unseen = gp_bpf_safe_unseen(p.mode);
	if (apply_policy(src, b, &p, o, err, errlen) ||
	    gp_bpf_open_ring(b, err, errlen) ||
	    gp_bpf_attach(b, p.load_audit, p.load_deny, o, err, errlen))
		goto fail;
	if (b->adopted)
		fprintf(stderr,
			"ghostport: adopted the pinned instance at %s (source %s)\n",
			GP_PIN_DIR, gp_bpf_mode_name(p.mode));
	return src;

fail:
	/* Never touch pins that belong to a running instance. */
	if (b && b->created)
		gp_pin_remove_all(NULL, 0);
	if (b)
		bpf_teardown(b);
	free(src);
	/* Refused under lockdown: once more with the safe set. */
	if (load_ret && gp_bpf_try_safe(load_ret))
		return gp_source_bpf_open(mode, o, err, errlen);
	return NULL;
}

static struct gp_source *fentry_open(const struct gp_source_opts *o,
				     char *err, size_t errlen)
{
	return gp_source_bpf_open(GP_SRC_FENTRY, o, err, errlen);
}

static struct gp_source *kprobe_open(const struct gp_source_opts *o,
				     char *err, size_t errlen)
{
	return gp_source_bpf_open(GP_SRC_KPROBE, o, err, errlen);
}

static struct gp_source *cgroup_open(const struct gp_source_opts *o,
				     char *err, size_t errlen)
{
	return gp_source_bpf_open(GP_SRC_CGROUP, o, err, errlen);
}

/* The three BPF attach modes differ in what they load, not in how they
 * run: one set of operations, three names. */
#define GP_BPF_SOURCE_OPS(_name, _id, _open)		\
	{						\
		.name = _name,				\
		.id = _id,				\
		.open = _open,				\
		.set_rules = gp_bpf_set_rules,		\
		.set_conf = gp_bpf_set_conf,		\
		.set_policy = gp_bpf_set_policy,	\
		.set_enforce = bpf_set_enforce,		\
		.poll = gp_bpf_poll,			\
		.counters = gp_bpf_counters,		\
		.detach = gp_bpf_detach,		\
		.close = bpf_close,			\
	}

const struct gp_source_ops gp_source_fentry_ops =
	GP_BPF_SOURCE_OPS("fentry", GP_SRC_FENTRY, fentry_open);
const struct gp_source_ops gp_source_kprobe_ops =
	GP_BPF_SOURCE_OPS("kprobe", GP_SRC_KPROBE, kprobe_open);
const struct gp_source_ops gp_source_cgroup_ops =
	GP_BPF_SOURCE_OPS("cgroup", GP_SRC_CGROUP, cgroup_open);

/* An adopted instance runs in the pinned mode, whatever was asked. */
static const struct gp_source_ops *ops_of(int mode)
{
	if (mode == GP_SRC_KPROBE)
		return &gp_source_kprobe_ops;
	if (mode == GP_SRC_CGROUP)
		return &gp_source_cgroup_ops;
	return &gp_source_fentry_ops;
}
