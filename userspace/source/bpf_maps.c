// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_maps.c - the running programs' state, seen from userspace: the
 * blocklist (an mmaped array), the flags and the exemption maps, the ring
 * buffer the events arrive through, and the kernel's counters.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "source/bpf_int.h"

_Static_assert(GP_MAX_EXEMPT <= GP_EXEMPT_MAP_MAX,
	       "the exemption maps hold every exemption the policy allows");
_Static_assert(sizeof(struct gp_exe_key) <= 16 && sizeof(__u64) <= 16,
	       "sync_set's key buffers hold every exemption key");

static int on_ring_record(void *ctx, void *data, size_t len)
{
	struct bpf_src *b = ctx;

	if (b->fn(b->fn_ctx, data, len))
		b->stop = 1;
	return b->stop ? -EINTR : 0;
}

static __u32 strip_errno(__u32 rule, size_t port);

/*
 * Apply a new blocklist through the mmaped array: one aligned 32-bit store
 * per changed port, so a port listed before and after never reads as 0.
 */
int gp_bpf_set_rules(struct gp_source *src, const __u32 *rules)
{
	struct bpf_src *b = src->priv;
	bool eperm_only = gp_bpf_cgroup_eperm_only(b);
	size_t i;

	for (i = 0; i < GP_NR_PORTS; i++) {
		__u32 *slot = &b->ports[i * PORTS_STRIDE];
		__u32 r = rules[i];

		if (eperm_only)
			r = strip_errno(r, i);
		if (*slot != r)
			__atomic_store_n(slot, r, __ATOMIC_RELEASE);
	}
	return 0;
}

/*
 * Kernels before 5.18 have no bpf_set_retval: a cgroup bind hook that
 * refuses a bind makes it fail with EPERM, whatever errno the rule asks
 * for.  Where the cgroup method denies there, rules carry no errno, so
 * every event reports the errno the caller really got; say so once.
 */
bool gp_bpf_cgroup_eperm_only(struct bpf_src *b)
{
	static int has_retval = -1;

	if (b->skel->bss->gp_pin_deny_mode != GP_SRC_CGROUP)
		return false;
	if (has_retval < 0)
		has_retval = libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
						     BPF_FUNC_set_retval,
						     NULL) == 1;
	return !has_retval;
}

static __u32 strip_errno(__u32 rule, size_t port)
{
	static bool said;
	__u32 e = GP_RULE_ERRNO(rule);

	if (!e || e == EPERM)
		return rule & ~(0xffU << GP_RULE_ERRNO_SHIFT);
	if (!said)
		fprintf(stderr, "ghostport: this kernel has no bpf_set_retval (Linux 5.18): the cgroup method denies with EPERM, not %s as asked for port %zu (the LSM method can answer any errno)\n",
			strerrorname_np((int)e) ? strerrorname_np((int)e) : "the errno",
			port);
	said = true;
	return rule & ~(0xffU << GP_RULE_ERRNO_SHIFT);
}

/* After the deny method changed: rewrite what is already in the map. */
void gp_bpf_restrip_rules(struct bpf_src *b)
{
	size_t i;

	if (!gp_bpf_cgroup_eperm_only(b))
		return;
	for (i = 0; i < GP_NR_PORTS; i++) {
		__u32 *slot = &b->ports[i * PORTS_STRIDE];
		__u32 r = strip_errno(*slot, i);

		if (*slot != r)
			__atomic_store_n(slot, r, __ATOMIC_RELEASE);
	}
}

int gp_bpf_set_conf(struct gp_source *src, __u32 flags)
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
int gp_bpf_set_exemptions(struct bpf_src *b, const struct gp_exemptions *x,
			  __u32 *conf)
{
	struct ghostport_bpf *s = b->skel;
	struct gp_exe_key exe[GP_MAX_EXEMPT];
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
int gp_bpf_set_policy(struct gp_source *src, const __u32 *rules,
			  const struct gp_exemptions *x, __u32 conf_flags)
{
	struct bpf_src *b = src->priv;
	__u32 conf = conf_flags | GP_CONF_EXEMPTIONS;

	/* Keep the kernel looking while the sets change. */
	gp_bpf_set_conf(src, b->skel->bss->gp_conf.flags | GP_CONF_EXEMPTIONS);
	if (gp_bpf_set_exemptions(b, x, &conf))
		return -errno;
	gp_bpf_set_rules(src, rules);
	gp_bpf_set_conf(src, conf);
	return 0;
}

int gp_bpf_poll(struct gp_source *src, int timeout_ms, gp_event_fn fn,
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

int gp_bpf_counters(struct gp_source *src, struct gp_source_counters *c)
{
	struct bpf_src *b = src->priv;
	int ncpu = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(b->skel->maps.gp_counters);
	__u64 vals[ncpu > 0 ? ncpu : 1];
	__u64 sum[GP_CNT_MAX] = { 0 };
	__u32 k;
	int i;

	if (ncpu <= 0)
		return -EINVAL;
	for (k = 0; k < GP_CNT_MAX; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			return -errno;
		for (i = 0; i < ncpu; i++)
			sum[k] += vals[i];
	}
	c->events = sum[GP_CNT_EVENTS];
	c->drops = sum[GP_CNT_DROPS];
	c->misses = gp_bpf_misses(b);
	return 0;
}

__u32 gp_bpf_ring_size(__u32 want)
{
	__u32 sz = GP_RING_MIN_BYTES;

	if (!want)
		return GP_RING_DEFAULT_BYTES;
	while (sz < want && sz < GP_RING_MAX_BYTES)
		sz <<= 1;
	return sz;
}

int gp_bpf_map_ports(struct bpf_src *b, char *err, size_t errlen)
{
	b->ports = mmap(NULL, PORTS_MMAP_LEN, PROT_READ | PROT_WRITE,
			MAP_SHARED, bpf_map__fd(b->skel->maps.gp_ports), 0);
	if (b->ports == MAP_FAILED) {
		b->ports = NULL;
		snprintf(err, errlen, "mmap of the port map failed: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

int gp_bpf_open_ring(struct bpf_src *b, char *err, size_t errlen)
{
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.gp_events),
				 on_ring_record, b, NULL);
	if (!b->rb) {
		snprintf(err, errlen, "ring buffer setup failed: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}
