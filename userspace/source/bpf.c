// SPDX-License-Identifier: GPL-2.0
/*
 * source/bpf.c - the BPF attach modes (fentry, kprobe, cgroup) and the
 * enforcement programs (LSM, cgroup) as a gp_source.
 *
 * One skeleton holds every program; only what is needed is loaded, so a
 * kernel that refuses trampolines still loads the cgroup programs.
 *
 * Maps and links are pinned under GP_PIN_DIR, so the policy outlives the
 * daemon: a crash leaves enforcement in force and events queue in the
 * pinned ring; the next `ghostport run` adopts the pinned instance (maps
 * reused, programs not loaded again) instead of stacking a second copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "source/pin.h"
#include "policy/policy.h"
#include "source/source.h"
#include "ghostport.skel.h"

#define GP_DEFAULT_RING	(4U << 20)
#define GP_MIN_RING	(64U << 10)
#define GP_MAX_RING	(1U << 30)
#define GP_NR_LINKS	16
/* An mmaped BPF array lays values out every round_up(value_size, 8) bytes. */
#define PORTS_STRIDE	2
#define PORTS_MMAP_LEN	(GP_NR_PORTS * PORTS_STRIDE * sizeof(__u32))

struct bpf_src {
	struct ghostport_bpf *skel;
	struct ghostport_bpf *deny_skel;	/* added at run time */
	struct ring_buffer *rb;
	__u32 *ports;			/* mmap of gp_ports */
	struct bpf_link *links[GP_NR_LINKS];
	int nlinks;
	int cgroup_fd;
	bool pinned;			/* maps and links live in GP_PIN_DIR */
	bool adopted;			/* found pinned at start */
	bool created;			/* we created the pins */
	gp_event_fn fn;
	void *fn_ctx;
	int stop;
};

/* libbpf's own messages: the last warning explains a failure best. */
static char last_libbpf_msg[256];
static bool libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	va_list cp;
	size_t n;

	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	va_copy(cp, ap);
	vsnprintf(last_libbpf_msg, sizeof(last_libbpf_msg), fmt, cp);
	va_end(cp);
	n = strlen(last_libbpf_msg);
	while (n && last_libbpf_msg[n - 1] == '\n')
		last_libbpf_msg[--n] = '\0';
	if (libbpf_verbose)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static const char *mode_name(int mode)
{
	switch (mode) {
	case GP_SRC_FENTRY:
		return "fentry";
	case GP_SRC_KPROBE:
		return "kprobe";
	case GP_SRC_CGROUP:
		return "cgroup";
	case GP_SRC_LSM:
		return "lsm";
	default:
		return "none";
	}
}

static void autoload(struct bpf_program *p)
{
	bpf_program__set_autoload(p, true);
}

/* Programs to load: the audit mode's (unless adopted) and the deny's. */
static void select_programs(struct ghostport_bpf *s, int audit, int deny)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, false);
	if (audit == GP_SRC_FENTRY) {
		autoload(s->progs.gp_fexit_inet_bind);
		autoload(s->progs.gp_fexit_inet6_bind);
	} else if (audit == GP_SRC_KPROBE) {
		autoload(s->progs.gp_kprobe_inet_bind);
		autoload(s->progs.gp_kretprobe_inet_bind);
		autoload(s->progs.gp_kprobe_inet6_bind);
		autoload(s->progs.gp_kretprobe_inet6_bind);
	}
	if (audit == GP_SRC_CGROUP) {
		autoload(s->progs.gp_cgroup_post_bind4);
		autoload(s->progs.gp_cgroup_post_bind6);
		autoload(s->progs.gp_sys_exit_bind);
	}
	if (audit == GP_SRC_CGROUP || deny == GP_SRC_CGROUP) {
		autoload(s->progs.gp_cgroup_bind4);
		autoload(s->progs.gp_cgroup_bind6);
	}
	if (deny == GP_SRC_LSM)
		autoload(s->progs.gp_lsm_socket_bind);
}

static int add_link(struct bpf_src *b, struct bpf_link *l, const char *what,
		    char *err, size_t errlen)
{
	int e = -errno;
	char path[256];

	if (!l) {
		snprintf(err, errlen, "attaching %s failed: %s%s%s%s", what,
			 strerror(-e), last_libbpf_msg[0] ? " (" : "",
			 last_libbpf_msg[0] ? last_libbpf_msg : "",
			 last_libbpf_msg[0] ? ")" : "");
		return e ? e : -EINVAL;
	}
	b->links[b->nlinks++] = l;
	if (!b->pinned)
		return 0;
	gp_pin_link_path(path, sizeof(path), what);
	if (bpf_link__pin(l, path)) {
		snprintf(err, errlen, "pinning %s at %s failed: %s", what, path,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

/* The v2 hierarchy's root: every process is below it, so it sees every bind. */
static int open_cgroup_root(const char *path, char *err, size_t errlen)
{
	static const char *const defaults[] = {
		"/sys/fs/cgroup/unified", "/sys/fs/cgroup", NULL,
	};
	struct statfs st;
	int i, fd;

	for (i = 0; path ? i == 0 : defaults[i] != NULL; i++) {
		const char *p = path ? path : defaults[i];

		if (statfs(p, &st) || st.f_type != CGROUP2_SUPER_MAGIC)
			continue;
		fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	snprintf(err, errlen, "no cgroup v2 hierarchy at %s",
		 path ? path : "/sys/fs/cgroup/unified or /sys/fs/cgroup");
	return -ENOENT;
}

/* Tracepoints need tracefs; a boot-time daemon may start before it is. */
static void ensure_tracefs(void)
{
	if (!access("/sys/kernel/tracing/events", F_OK) ||
	    !access("/sys/kernel/debug/tracing/events", F_OK))
		return;
	mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
}

static int attach_cgroup_prog(struct bpf_src *b, struct bpf_program *p,
			      const char *what, const char *cgroup_path,
			      char *err, size_t errlen)
{
	if (b->cgroup_fd < 0) {
		b->cgroup_fd = open_cgroup_root(cgroup_path, err, errlen);
		if (b->cgroup_fd < 0)
			return b->cgroup_fd;
	}
	return add_link(b, bpf_program__attach_cgroup(p, b->cgroup_fd), what,
			err, errlen);
}

static int attach_audit(struct bpf_src *b, int mode, const char *cgroup_path,
			char *err, size_t errlen)
{
	struct ghostport_bpf *s = b->skel;
	int ret;

	if (mode == GP_SRC_FENTRY) {
		ret = add_link(b, bpf_program__attach(s->progs.gp_fexit_inet_bind),
			       "fexit-inet_bind", err, errlen);
		if (!ret)
			ret = add_link(b, bpf_program__attach(s->progs.gp_fexit_inet6_bind),
				       "fexit-inet6_bind", err, errlen);
		return ret;
	}
	if (mode == GP_SRC_KPROBE) {
		struct bpf_program *progs[] = {
			s->progs.gp_kprobe_inet_bind, s->progs.gp_kretprobe_inet_bind,
			s->progs.gp_kprobe_inet6_bind, s->progs.gp_kretprobe_inet6_bind,
		};
		static const char *const names[] = {
			"kprobe-inet_bind", "kretprobe-inet_bind",
			"kprobe-inet6_bind", "kretprobe-inet6_bind",
		};
		int i;

		for (i = 0; i < 4; i++) {
			ret = add_link(b, bpf_program__attach_kprobe(progs[i],
					i % 2 == 1, i < 2 ? "inet_bind" : "inet6_bind"),
				       names[i], err, errlen);
			if (ret)
				return ret;
		}
		return 0;
	}
	/* The exit tracepoint first, then post_bind, then the bind hooks:
	 * every stage is in place before the one that stashes requests.
	 * Without the tracepoint failed binds are still reported, with the
	 * outcome unknown. */
	ensure_tracefs();
	if (add_link(b, bpf_program__attach(s->progs.gp_sys_exit_bind),
		     "tp-sys_exit_bind", err, errlen))
		fprintf(stderr,
			"ghostport: warning: %s; failed binds will be reported with ret unknown\n",
			err);
	ret = attach_cgroup_prog(b, s->progs.gp_cgroup_post_bind4,
				 "cgroup-post_bind4", cgroup_path, err, errlen);
	if (!ret)
		ret = attach_cgroup_prog(b, s->progs.gp_cgroup_post_bind6,
					 "cgroup-post_bind6", cgroup_path, err,
					 errlen);
	return ret;
}

static int attach_bind_hooks(struct bpf_src *b, const char *cgroup_path,
			     char *err, size_t errlen)
{
	int ret;

	ret = attach_cgroup_prog(b, b->skel->progs.gp_cgroup_bind4,
				 "cgroup-bind4", cgroup_path, err, errlen);
	if (!ret)
		ret = attach_cgroup_prog(b, b->skel->progs.gp_cgroup_bind6,
					 "cgroup-bind6", cgroup_path, err,
					 errlen);
	return ret;
}

static int lsm_active(void)
{
	char buf[512] = "";
	FILE *f = fopen("/sys/kernel/security/lsm", "r");
	char *tok, *save = NULL;

	if (!f) {
		mount("securityfs", "/sys/kernel/security", "securityfs", 0,
		      NULL);
		f = fopen("/sys/kernel/security/lsm", "r");
	}
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, "bpf"))
			return 1;
	return 0;
}

static int on_ring_record(void *ctx, void *data, size_t len)
{
	struct bpf_src *b = ctx;

	if (b->fn(b->fn_ctx, data, len))
		b->stop = 1;
	return b->stop ? -EINTR : 0;
}

/*
 * Apply a new blocklist through the mmaped array: one aligned 32-bit store
 * per changed port, so a port listed before and after never reads as 0.
 */
static int bpf_set_rules(struct gp_source *src, const __u32 *rules)
{
	struct bpf_src *b = src->priv;
	size_t i;

	for (i = 0; i < GP_NR_PORTS; i++) {
		__u32 *slot = &b->ports[i * PORTS_STRIDE];

		if (*slot != rules[i])
			__atomic_store_n(slot, rules[i], __ATOMIC_RELEASE);
	}
	return 0;
}

static int bpf_set_conf(struct gp_source *src, __u32 flags)
{
	struct bpf_src *b = src->priv;

	__atomic_store_n(&b->skel->bss->gp_conf.flags, flags, __ATOMIC_RELEASE);
	return 0;
}

static int fill_set(int fd, const void *keys, size_t n, size_t ksz)
{
	__u8 one = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, (const char *)keys + i * ksz, &one,
					BPF_ANY))
			return -errno;
	return 0;
}

/* Is key (ksz bytes) one of the n keys? */
static bool in_set(const void *key, const void *keys, size_t n, size_t ksz)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!memcmp(key, (const char *)keys + i * ksz, ksz))
			return true;
	return false;
}

/*
 * Make the map hold exactly keys: new ones go in first, then the ones no
 * longer wanted come out, so an exemption in both sets never lapses.
 */
static int sync_set(int fd, const void *keys, size_t n, size_t ksz)
{
	char key[16], next[16], gone[GP_MAX_EXEMPT * 4][16];
	size_t ngone = 0, i;
	int ret;

	ret = fill_set(fd, keys, n, ksz);
	if (ret)
		return ret;
	if (!bpf_map_get_next_key(fd, NULL, next)) {
		do {
			memcpy(key, next, ksz);
			if (!in_set(key, keys, n, ksz) &&
			    ngone < sizeof(gone) / sizeof(gone[0]))
				memcpy(gone[ngone++], key, ksz);
		} while (!bpf_map_get_next_key(fd, key, next));
	}
	for (i = 0; i < ngone; i++)
		bpf_map_delete_elem(fd, gone[i]);
	return 0;
}

/*
 * Replace the exemptions.  The flag that makes the kernel look at them is
 * set while any exist.
 */
static int set_exemptions(struct bpf_src *b, const struct gp_exemptions *x,
			  __u32 *conf)
{
	struct ghostport_bpf *s = b->skel;
	struct { __u64 ino; __u32 dev; __u32 pad; } exe[GP_MAX_EXEMPT];
	static const struct gp_exemptions none;
	size_t i;
	int ret;

	if (!x)
		x = &none;
	memset(exe, 0, sizeof(exe));
	for (i = 0; i < x->n_exes; i++) {
		exe[i].ino = x->exes[i].ino;
		exe[i].dev = x->exes[i].dev;
	}
	if (gp_exempt_count(x))
		*conf |= GP_CONF_EXEMPTIONS;
	ret = sync_set(bpf_map__fd(s->maps.gp_exempt_uid), x->uids, x->n_uids,
		       sizeof(__u32));
	if (!ret)
		ret = sync_set(bpf_map__fd(s->maps.gp_exempt_gid), x->gids,
			       x->n_gids, sizeof(__u32));
	if (!ret)
		ret = sync_set(bpf_map__fd(s->maps.gp_exempt_cgroup),
			       x->cgroups, x->n_cgroups, sizeof(__u64));
	if (!ret)
		ret = sync_set(bpf_map__fd(s->maps.gp_exempt_exe), exe,
			       x->n_exes, sizeof(exe[0]));
	if (!gp_exempt_count(x))
		*conf &= ~GP_CONF_EXEMPTIONS;
	return ret;
}

/* Reload: exemptions, then rules, then flags; each step keeps watching
 * what both policies watch. */
static int bpf_set_policy(struct gp_source *src, const __u32 *rules,
			  const struct gp_exemptions *x, __u32 conf_flags)
{
	struct bpf_src *b = src->priv;
	__u32 conf = conf_flags | GP_CONF_EXEMPTIONS;

	/* Keep the kernel looking while the sets change. */
	bpf_set_conf(src, b->skel->bss->gp_conf.flags | GP_CONF_EXEMPTIONS);
	if (set_exemptions(b, x, &conf))
		return -errno;
	bpf_set_rules(src, rules);
	bpf_set_conf(src, conf);
	return 0;
}

static int bpf_poll(struct gp_source *src, int timeout_ms, gp_event_fn fn,
		    void *ctx)
{
	struct bpf_src *b = src->priv;
	int n, m;

	b->fn = fn;
	b->fn_ctx = ctx;
	b->stop = 0;
	/* Wake-ups are batched in the kernel: a timeout is normal and we
	 * consume whatever arrived without one. */
	n = ring_buffer__poll(b->rb, timeout_ms);
	if (n < 0 && n != -EINTR)
		return n;
	m = ring_buffer__consume(b->rb);
	if (m < 0 && m != -EINTR)
		return m;
	return (n > 0 ? n : 0) + (m > 0 ? m : 0);
}

static int bpf_counters(struct gp_source *src, struct gp_source_counters *c)
{
	struct bpf_src *b = src->priv;
	int ncpu = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(b->skel->maps.gp_counters);
	__u64 vals[ncpu > 0 ? ncpu : 1];
	__u64 sum[2] = { 0, 0 };
	__u32 k;
	int i;

	if (ncpu <= 0)
		return -EINVAL;
	for (k = 0; k < 2; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			return -errno;
		for (i = 0; i < ncpu; i++)
			sum[k] += vals[i];
	}
	c->events = sum[0];
	c->drops = sum[1];
	c->misses = 0;
	return 0;
}

static void detach_links(struct bpf_src *b)
{
	while (b->nlinks > 0)
		bpf_link__destroy(b->links[--b->nlinks]);
}

/* Close our handles but leave pinned links attached through their pins. */
static void release_links(struct bpf_src *b)
{
	while (b->nlinks > 0) {
		struct bpf_link *l = b->links[--b->nlinks];

		bpf_link__disconnect(l);
		bpf_link__destroy(l);
	}
}

/*
 * Stop producing.  Pinned links stay attached through their pins: with
 * enforcement on, the policy outlives us on purpose; otherwise the pins
 * are removed and the programs detach with our last reference.
 */
static void bpf_detach(struct gp_source *src)
{
	struct bpf_src *b = src->priv;
	bool keep = b->pinned &&
		    (b->skel->bss->gp_conf.flags & GP_CONF_ENFORCE);

	if (b->pinned && !keep)
		gp_pin_remove_all(NULL, 0);
	src->persists = keep;
	if (keep)
		release_links(b);
	else
		detach_links(b);
}

static void bpf_teardown(struct bpf_src *b)
{
	/* Detach first: nothing new arrives while the rest is torn down. */
	detach_links(b);
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

static __u32 ring_size(__u32 want)
{
	__u32 sz = GP_MIN_RING;

	if (!want)
		return GP_DEFAULT_RING;
	while (sz < want && sz < GP_MAX_RING)
		sz <<= 1;
	return sz;
}

/* Every map of the skeleton, by the name it is pinned under. */
static int reuse_or_pin_maps(struct bpf_src *b, bool reuse, char *err,
			     size_t errlen)
{
	struct bpf_map *m;
	char path[256];
	int fd;

	bpf_object__for_each_map(m, b->skel->obj) {
		if (bpf_map__is_internal(m) &&
		    strcmp(bpf_map__name(m), "ghostpor.bss"))
			continue;
		gp_pin_map_path(path, sizeof(path), bpf_map__name(m));
		if (reuse) {
			fd = bpf_obj_get(path);
			if (fd < 0) {
				snprintf(err, errlen,
					 "pinned map %s unusable: %s (run 'ghostport unload')",
					 path, strerror(errno));
				return -errno;
			}
			if (bpf_map__reuse_fd(m, fd)) {
				close(fd);
				snprintf(err, errlen,
					 "pinned map %s does not match this version (run 'ghostport unload')",
					 path);
				return -EINVAL;
			}
			close(fd);
		} else if (bpf_map__set_pin_path(m, path)) {
			snprintf(err, errlen, "pin path %s: %s", path,
				 strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/*
 * Listed as active is not enough: some kernels refuse LSM programs (no
 * trampolines, lockdown) or their verifier rejects one.  1 if it loads,
 * else 2 with the reason in why.
 */
static int lsm_loads(const struct gp_source_opts *o, char *why, size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	struct ghostport_bpf *p = ghostport_bpf__open_opts(&oo);
	int ret;

	if (!p) {
		snprintf(why, len, "opening the BPF object failed");
		return 2;
	}
	select_programs(p, 0, GP_SRC_LSM);
	bpf_map__set_max_entries(p->maps.gp_events, GP_MIN_RING);
	last_libbpf_msg[0] = '\0';
	ret = ghostport_bpf__load(p);
	ghostport_bpf__destroy(p);
	if (!ret)
		return 1;
	snprintf(why, len, "the kernel refuses to load the BPF LSM program: %s%s",
		 strerror(-ret),
		 ret == -EPERM ? " (no BPF trampolines here, or lockdown)" :
		 ret == -EINVAL ? " (rejected by the verifier; run with -v)" : "");
	return 2;
}

/* 0 if the BPF LSM is active and loads here, else -1 and why. */
int gp_source_bpf_lsm_usable(const struct gp_source_opts *o, char *why,
			     size_t len)
{
	int lsm = lsm_active();

	libbpf_verbose = o->verbose;
	libbpf_set_print(libbpf_print);

	if (lsm < 0) {
		snprintf(why, len, "cannot read /sys/kernel/security/lsm");
		return -1;
	}
	if (lsm == 0) {
		snprintf(why, len,
			 "the BPF LSM is not active (not in /sys/kernel/security/lsm; boot with lsm=...,bpf)");
		return -1;
	}
	return lsm_loads(o, why, len) == 1 ? 0 : -1;
}

static int choose_deny(const struct gp_source_opts *o, char *err,
		       size_t errlen)
{
	static int lsm_cached;	/* asked once per process */
	char why[256];

	if (!(o->conf_flags & GP_CONF_ENFORCE))
		return 0;
	switch (o->deny_with) {
	case GP_DENY_LSM:
		return GP_SRC_LSM;
	case GP_DENY_CGROUP:
		return GP_SRC_CGROUP;
	default:
		break;
	}
	if (lsm_cached == 1)
		return GP_SRC_LSM;
	if (lsm_cached)
		return GP_SRC_CGROUP;
	if (!gp_source_bpf_lsm_usable(o, why, sizeof(why))) {
		lsm_cached = 1;
		return GP_SRC_LSM;
	}
	lsm_cached = 2;
	fprintf(stderr,
		"ghostport: enforcement via lsm unavailable: %s; using cgroup\n",
		why);
	return GP_SRC_CGROUP;
}

static int load_and_attach(struct bpf_src *b, int audit, int deny,
			   const struct gp_source_opts *o, char *err,
			   size_t errlen)
{
	int ret;

	select_programs(b->skel, audit, deny);
	ret = ghostport_bpf__load(b->skel);
	if (ret) {
		snprintf(err, errlen, "loading the %s%s%s programs failed: %s%s",
			 audit ? mode_name(audit) : "",
			 audit && deny && deny != audit ? "+" : "",
			 deny && deny != audit ? mode_name(deny) : "",
			 strerror(-ret),
			 ret == -EPERM ? (audit == GP_SRC_FENTRY || deny == GP_SRC_LSM ?
				" (kernel refuses BPF trampolines, or missing CAP_BPF/CAP_PERFMON)" :
				" (missing CAP_BPF/CAP_PERFMON/CAP_NET_ADMIN?)") : "");
		return ret;
	}
	return 0;
}

static int attach_all(struct bpf_src *b, int audit, int deny,
		      const struct gp_source_opts *o, char *err,
		      size_t errlen)
{
	int ret = 0;

	last_libbpf_msg[0] = '\0';
	if (audit)
		ret = attach_audit(b, audit, o->cgroup_path, err, errlen);
	if (!ret && deny == GP_SRC_LSM)
		ret = add_link(b, bpf_program__attach_lsm(b->skel->progs.gp_lsm_socket_bind),
			       "lsm-socket_bind", err, errlen);
	if (!ret && (audit == GP_SRC_CGROUP || deny == GP_SRC_CGROUP))
		ret = attach_bind_hooks(b, o->cgroup_path, err, errlen);
	return ret;
}

/*
 * Load the deny programs next to running audit programs: a second object
 * that shares every map of the first, so both see one policy and one ring.
 */
static int add_deny_programs(struct bpf_src *b, int deny,
			     const struct gp_source_opts *o, char *err,
			     size_t errlen)
{
	struct ghostport_bpf *d = ghostport_bpf__open();
	struct ghostport_bpf *main_skel = b->skel;
	struct bpf_map *m, *dm;
	int ret;

	if (!d) {
		snprintf(err, errlen, "opening the BPF object failed: %s",
			 strerror(errno));
		return -errno;
	}
	bpf_object__for_each_map(m, main_skel->obj) {
		dm = bpf_object__find_map_by_name(d->obj, bpf_map__name(m));
		if (!dm || bpf_map__reuse_fd(dm, bpf_map__fd(m))) {
			snprintf(err, errlen, "sharing map %s failed",
				 bpf_map__name(m));
			ghostport_bpf__destroy(d);
			return -EINVAL;
		}
	}
	b->skel = d;
	ret = load_and_attach(b, 0, deny, o, err, errlen);
	if (!ret)
		ret = attach_all(b, 0, deny, o, err, errlen);
	b->skel = main_skel;
	if (ret) {
		ghostport_bpf__destroy(d);
		return ret;
	}
	b->deny_skel = d;
	return 0;
}

static int bpf_set_enforce(struct gp_source *src, bool on,
			   enum gp_deny_method how, char *err, size_t errlen)
{
	struct bpf_src *b = src->priv;
	struct gp_source_opts o = { .deny_with = how,
				    .conf_flags = GP_CONF_ENFORCE };
	__u32 flags = b->skel->bss->gp_conf.flags;
	int deny;

	if (!on) {
		bpf_set_conf(src, flags & ~GP_CONF_ENFORCE);
		return 0;
	}
	deny = b->skel->bss->gp_pin_deny_mode;
	if (!deny) {
		deny = choose_deny(&o, err, errlen);
		/* The cgroup audit hooks already deny once told to. */
		if (!(deny == GP_SRC_CGROUP && src->id == GP_SRC_CGROUP) &&
		    add_deny_programs(b, deny, &o, err, errlen))
			return -1;
		b->skel->bss->gp_pin_deny_mode = deny;
		src->deny_name = mode_name(deny);
	}
	bpf_set_conf(src, flags | GP_CONF_ENFORCE);
	return 0;
}

static struct gp_source *fill_source(struct gp_source *src,
				     struct bpf_src *b, int mode, int deny)
{
	src->name = mode_name(mode);
	src->id = mode;
	src->deny_name = deny ? mode_name(deny) : NULL;
	src->set_rules = bpf_set_rules;
	src->set_policy = bpf_set_policy;
	src->set_conf = bpf_set_conf;
	src->set_enforce = bpf_set_enforce;
	src->poll = bpf_poll;
	src->counters = bpf_counters;
	src->detach = bpf_detach;
	src->close = bpf_close;
	src->priv = b;
	return src;
}

/*
 * Open a pinned instance's maps from its pins and read which programs it
 * runs.  Returns the pinned audit mode, 0 when nothing is pinned.
 */
static int adopt(struct bpf_src *b, int mode, int *pinned_deny, char *err,
		 size_t errlen)
{
	int fd, pinned_mode;
	char path[256];
	void *bss;
	size_t sz;

	gp_pin_map_path(path, sizeof(path), "ghostpor.bss");
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	sz = bpf_map__value_size(b->skel->maps.bss);
	bss = mmap(NULL, sz, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (bss == MAP_FAILED) {
		snprintf(err, errlen, "pinned state at %s unreadable",
			 GP_PIN_DIR);
		return -EINVAL;
	}
	pinned_mode = ((struct ghostport_bpf__bss *)bss)->gp_pin_audit_mode;
	*pinned_deny = ((struct ghostport_bpf__bss *)bss)->gp_pin_deny_mode;
	munmap(bss, sz);
	if (mode && pinned_mode && mode != pinned_mode) {
		snprintf(err, errlen,
			 "a pinned instance at %s runs source %s; use --source %s or run 'ghostport unload' first",
			 GP_PIN_DIR, mode_name(pinned_mode),
			 mode_name(pinned_mode));
		return -EEXIST;
	}
	if (reuse_or_pin_maps(b, true, err, errlen))
		return -EINVAL;
	return pinned_mode ? pinned_mode : -ENOENT;
}

int gp_source_bpf_pinned_mode(void)
{
	struct ghostport_bpf__bss *bss;
	char path[256];
	size_t sz = sizeof(*bss);
	int fd, mode;

	gp_pin_map_path(path, sizeof(path), "ghostpor.bss");
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	bss = mmap(NULL, sz, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (bss == MAP_FAILED)
		return 0;
	mode = (int)bss->gp_pin_audit_mode;
	munmap(bss, sz);
	return mode;
}

struct gp_source *gp_source_bpf_open(int mode, const struct gp_source_opts *o,
				     char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	struct gp_source *src = calloc(1, sizeof(*src));
	struct bpf_src *b = calloc(1, sizeof(*b));
	__u32 rsize = ring_size(o->ring_bytes);
	__u32 conf = o->conf_flags;
	int pinned_mode = 0, pinned_deny = 0, deny, load_audit, load_deny;

	if (!src || !b) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	b->cgroup_fd = -1;
	libbpf_verbose = o->verbose;
	libbpf_set_print(libbpf_print);
	last_libbpf_msg[0] = '\0';

	if (o->btf_path && access(o->btf_path, R_OK)) {
		snprintf(err, errlen, "BTF file %s: %s", o->btf_path,
			 strerror(errno));
		goto fail;
	}
	if (!o->btf_path && access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(err, errlen,
			 "no kernel BTF at /sys/kernel/btf/vmlinux (needs CONFIG_DEBUG_INFO_BTF, or pass --btf FILE)");
		goto fail;
	}

	b->skel = ghostport_bpf__open_opts(&oo);
	if (!b->skel) {
		snprintf(err, errlen, "opening the BPF object failed: %s",
			 strerror(errno));
		goto fail;
	}
	b->pinned = !o->no_pin && gp_pin_dir_ready(err, errlen) == 0;
	if (!o->no_pin && !b->pinned)
		goto fail;
	if (b->pinned) {
		pinned_mode = adopt(b, mode, &pinned_deny, err, errlen);
		if (pinned_mode < 0 && pinned_mode != -ENOENT)
			goto fail;
		if (pinned_mode == -ENOENT) {
			/* Maps without a running instance: leftovers. */
			gp_pin_remove_all(NULL, 0);
			gp_pin_dir_ready(err, errlen);
			pinned_mode = 0;
			pinned_deny = 0;
		}
		b->adopted = pinned_mode > 0;
		b->created = !b->adopted;
		if (!b->adopted && reuse_or_pin_maps(b, false, err, errlen))
			goto fail;
	}
	/* A bad --cgroup is an error even when the pinned instance does not
	 * need it: never ignore what the admin asked for. */
	if (o->cgroup_path) {
		b->cgroup_fd = open_cgroup_root(o->cgroup_path, err, errlen);
		if (b->cgroup_fd < 0)
			goto fail;
	}
	deny = choose_deny(o, err, errlen);
	if (!b->adopted)
		bpf_map__set_max_entries(b->skel->maps.gp_events, rsize);
	else
		mode = pinned_mode;

	/* Load what is not running yet: nothing twice.  The cgroup bind
	 * hooks serve both the cgroup audit mode and cgroup enforcement. */
	load_audit = b->adopted ? 0 : mode;
	load_deny = deny && deny != pinned_deny &&
		    !(deny == GP_SRC_CGROUP && mode == GP_SRC_CGROUP &&
		      b->adopted) ? deny : 0;
	if (pinned_deny && deny && deny != pinned_deny) {
		snprintf(err, errlen,
			 "a pinned instance enforces with %s; run 'ghostport unload' to switch to %s",
			 mode_name(pinned_deny), mode_name(deny));
		goto fail;
	}
	if (load_and_attach(b, load_audit, load_deny, o, err, errlen))
		goto fail;

	b->ports = mmap(NULL, PORTS_MMAP_LEN, PROT_READ | PROT_WRITE,
			MAP_SHARED, bpf_map__fd(b->skel->maps.gp_ports), 0);
	if (b->ports == MAP_FAILED) {
		b->ports = NULL;
		snprintf(err, errlen, "mmap of the port map failed: %s",
			 strerror(errno));
		goto fail;
	}
	fill_source(src, b, mode, deny ? deny : pinned_deny);
	/* Policy before attaching: the first bind seen is already judged. */
	if (set_exemptions(b, o->exempt, &conf)) {
		snprintf(err, errlen, "filling the exemption maps failed: %s",
			 strerror(errno));
		goto fail;
	}
	bpf_set_rules(src, o->rules);
	b->skel->bss->gp_conf.wakeup_bytes =
		bpf_map__max_entries(b->skel->maps.gp_events) / 4;
	b->skel->bss->gp_pin_audit_mode = mode;
	if (deny)
		b->skel->bss->gp_pin_deny_mode = deny;
	bpf_set_conf(src, conf);

	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.gp_events),
				 on_ring_record, b, NULL);
	if (!b->rb) {
		snprintf(err, errlen, "ring buffer setup failed: %s",
			 strerror(errno));
		goto fail;
	}
	if (attach_all(b, load_audit, load_deny, o, err, errlen))
		goto fail;
	if (b->adopted)
		fprintf(stderr,
			"ghostport: adopted the pinned instance at %s (source %s)\n",
			GP_PIN_DIR, mode_name(mode));
	return src;

fail:
	/* Never touch pins that belong to a running instance. */
	if (b && b->created)
		gp_pin_remove_all(NULL, 0);
	if (b)
		bpf_teardown(b);
	free(src);
	return NULL;
}
