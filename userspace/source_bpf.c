// SPDX-License-Identifier: GPL-2.0
/*
 * source_bpf.c - the BPF attach modes (fentry, kprobe, cgroup) as a
 * gp_source.  One skeleton holds the programs of every mode; only the
 * chosen mode's programs are loaded, so a kernel that refuses trampolines
 * can still load the cgroup programs.
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

#include "source.h"
#include "ghostport.skel.h"

#define GP_DEFAULT_RING	(4U << 20)
#define GP_MIN_RING	(64U << 10)
#define GP_MAX_RING	(1U << 30)
#define GP_NR_LINKS	8
/* An mmaped BPF array lays values out every round_up(value_size, 8) bytes. */
#define PORTS_STRIDE	2
#define PORTS_MMAP_LEN	(GP_NR_PORTS * PORTS_STRIDE * sizeof(__u32))

struct bpf_src {
	struct ghostport_bpf *skel;
	struct ring_buffer *rb;
	__u32 *ports;			/* mmap of gp_ports */
	struct bpf_link *links[GP_NR_LINKS];
	int nlinks;
	int cgroup_fd;
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
	default:
		return "?";
	}
}

static void select_programs(struct ghostport_bpf *skel, int mode)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, false);
	switch (mode) {
	case GP_SRC_FENTRY:
		bpf_program__set_autoload(skel->progs.gp_fexit_inet_bind, true);
		bpf_program__set_autoload(skel->progs.gp_fexit_inet6_bind, true);
		break;
	case GP_SRC_KPROBE:
		bpf_program__set_autoload(skel->progs.gp_kprobe_inet_bind, true);
		bpf_program__set_autoload(skel->progs.gp_kretprobe_inet_bind, true);
		bpf_program__set_autoload(skel->progs.gp_kprobe_inet6_bind, true);
		bpf_program__set_autoload(skel->progs.gp_kretprobe_inet6_bind, true);
		break;
	case GP_SRC_CGROUP:
		bpf_program__set_autoload(skel->progs.gp_cgroup_bind4, true);
		bpf_program__set_autoload(skel->progs.gp_cgroup_bind6, true);
		bpf_program__set_autoload(skel->progs.gp_cgroup_post_bind4, true);
		bpf_program__set_autoload(skel->progs.gp_cgroup_post_bind6, true);
		bpf_program__set_autoload(skel->progs.gp_sys_exit_bind, true);
		break;
	}
}

static int add_link(struct bpf_src *b, struct bpf_link *l, const char *what,
		    char *err, size_t errlen)
{
	int e = -errno;

	if (!l) {
		snprintf(err, errlen, "attaching %s failed: %s%s%s", what,
			 strerror(-e), last_libbpf_msg[0] ? " (" : "",
			 last_libbpf_msg[0] ? last_libbpf_msg : "");
		if (last_libbpf_msg[0])
			strncat(err, ")", errlen - strlen(err) - 1);
		return e;
	}
	b->links[b->nlinks++] = l;
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

static int attach_mode(struct bpf_src *b, int mode, const char *cgroup_path,
		       char *err, size_t errlen)
{
	struct ghostport_bpf *s = b->skel;
	int ret;

	if (mode == GP_SRC_FENTRY) {
		ret = add_link(b, bpf_program__attach(s->progs.gp_fexit_inet_bind),
			       "fexit/inet_bind", err, errlen);
		if (!ret)
			ret = add_link(b, bpf_program__attach(s->progs.gp_fexit_inet6_bind),
				       "fexit/inet6_bind", err, errlen);
		return ret;
	}
	if (mode == GP_SRC_KPROBE) {
		static const struct {
			const char *fn;
			bool ret;
		} kp[] = {
			{ "inet_bind", false }, { "inet_bind", true },
			{ "inet6_bind", false }, { "inet6_bind", true },
		};
		struct bpf_program *progs[] = {
			s->progs.gp_kprobe_inet_bind, s->progs.gp_kretprobe_inet_bind,
			s->progs.gp_kprobe_inet6_bind, s->progs.gp_kretprobe_inet6_bind,
		};
		char what[64];
		size_t i;

		for (i = 0; i < 4; i++) {
			snprintf(what, sizeof(what), "%s/%s",
				 kp[i].ret ? "kretprobe" : "kprobe", kp[i].fn);
			ret = add_link(b, bpf_program__attach_kprobe(progs[i],
						kp[i].ret, kp[i].fn),
				       what, err, errlen);
			if (ret)
				return ret;
		}
		return 0;
	}

	b->cgroup_fd = open_cgroup_root(cgroup_path, err, errlen);
	if (b->cgroup_fd < 0)
		return b->cgroup_fd;
	/* The exit tracepoint first: a bind that fails between attaching
	 * the hooks and it would otherwise wait for a later flush.  Without
	 * it, failed binds are still reported, with the outcome unknown. */
	ensure_tracefs();
	ret = add_link(b, bpf_program__attach(s->progs.gp_sys_exit_bind),
		       "tracepoint/syscalls/sys_exit_bind", err, errlen);
	if (ret)
		fprintf(stderr,
			"ghostport: warning: %s; failed binds will be reported with ret unknown\n",
			err);
	ret = add_link(b, bpf_program__attach_cgroup(s->progs.gp_cgroup_post_bind4,
						    b->cgroup_fd),
		       "cgroup/post_bind4", err, errlen);
	if (!ret)
		ret = add_link(b, bpf_program__attach_cgroup(s->progs.gp_cgroup_post_bind6,
							    b->cgroup_fd),
			       "cgroup/post_bind6", err, errlen);
	if (!ret)
		ret = add_link(b, bpf_program__attach_cgroup(s->progs.gp_cgroup_bind4,
							    b->cgroup_fd),
			       "cgroup/bind4", err, errlen);
	if (!ret)
		ret = add_link(b, bpf_program__attach_cgroup(s->progs.gp_cgroup_bind6,
							    b->cgroup_fd),
			       "cgroup/bind6", err, errlen);
	return ret;
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

static void bpf_detach(struct gp_source *src)
{
	detach_links(src->priv);
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

struct gp_source *gp_source_bpf_open(int mode, const struct gp_source_opts *o,
				     char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	struct gp_source *src = calloc(1, sizeof(*src));
	struct bpf_src *b = calloc(1, sizeof(*b));
	__u32 rsize = ring_size(o->ring_bytes);
	int ret;

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
	select_programs(b->skel, mode);
	bpf_map__set_max_entries(b->skel->maps.gp_events, rsize);
	b->skel->bss->gp_conf.flags = o->conf_flags;
	b->skel->bss->gp_conf.wakeup_bytes = rsize / 4;

	ret = ghostport_bpf__load(b->skel);
	if (ret) {
		snprintf(err, errlen, "loading the %s programs failed: %s%s",
			 mode_name(mode), strerror(-ret),
			 ret == -EPERM ? (mode == GP_SRC_FENTRY ?
				" (kernel refuses BPF trampolines, or missing CAP_BPF/CAP_PERFMON)" :
				" (missing CAP_BPF/CAP_PERFMON/CAP_NET_ADMIN?)") : "");
		goto fail;
	}

	b->ports = mmap(NULL, PORTS_MMAP_LEN, PROT_READ | PROT_WRITE,
			MAP_SHARED, bpf_map__fd(b->skel->maps.gp_ports), 0);
	if (b->ports == MAP_FAILED) {
		b->ports = NULL;
		snprintf(err, errlen, "mmap of the port map failed: %s",
			 strerror(errno));
		goto fail;
	}
	src->name = mode_name(mode);
	src->id = mode;
	src->set_rules = bpf_set_rules;
	src->set_conf = bpf_set_conf;
	src->poll = bpf_poll;
	src->counters = bpf_counters;
	src->detach = bpf_detach;
	src->close = bpf_close;
	src->priv = b;
	/* Rules before attaching: the first bind seen is already judged. */
	bpf_set_rules(src, o->rules);

	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.gp_events),
				 on_ring_record, b, NULL);
	if (!b->rb) {
		snprintf(err, errlen, "ring buffer setup failed: %s",
			 strerror(errno));
		goto fail;
	}
	last_libbpf_msg[0] = '\0';
	if (attach_mode(b, mode, o->cgroup_path, err, errlen))
		goto fail;
	return src;

fail:
	if (b)
		bpf_teardown(b);
	free(src);
	return NULL;
}
