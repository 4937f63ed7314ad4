// SPDX-License-Identifier: GPL-2.0
/*
 * kmod.c - ghostport.ko (kmod/) as a gp_source.
 *
 * The module does the watching with kprobes and queues struct gp_event
 * records in its own ring; this side opens /dev/ghostport (one reader at a
 * time: a second open gets EBUSY), checks the interface version, pushes the
 * blocklist and the conf with ioctls (include/ghostport_kmod.h) and reads
 * whole records.  The ring size is a module parameter (ring_records=), so
 * gp_source_opts.ring_bytes does not apply; the module cannot enforce.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "source/source.h"
#include "event/identity.h"
#include "ghostport_kmod.h"

#define KMOD_BUF	(64 * 1024)	/* bytes per read(): >= GP_RECORD_MAX */

struct kmod_src {
	int fd;
	__u32 ring_records;
	__u32 exe_gen;		/* this reader's generation (gp_conf) */
	/* Whole ABI v2 records of variable size, back to back. */
	unsigned char buf[KMOD_BUF] __attribute__((aligned(8)));
	size_t pos, len;	/* bytes read but not yet delivered */
};

static struct kmod_src *kmod_of(struct gp_source *s)
{
	return s->priv;
}

static int kmod_set_rules(struct gp_source *s, const __u32 *rules)
{
	struct gp_kmod_rules r;

	memset(&r, 0, sizeof(r));
	r.rules = (__u64)(unsigned long)rules;
	r.nr = GP_NR_PORTS;
	return ioctl(kmod_of(s)->fd, GP_IOC_SET_RULES, &r) ? -errno : 0;
}

static int kmod_set_conf(struct gp_source *s, __u32 conf_flags)
{
	struct gp_conf c;

	memset(&c, 0, sizeof(c));
	c.flags = conf_flags;
	c.exe_gen = kmod_of(s)->exe_gen;
	/* Wake the reader at a quarter full, as the BPF modes do. */
	c.wakeup_bytes = kmod_of(s)->ring_records / 4 * GP_KMOD_RING_REC_BYTES;
	return ioctl(kmod_of(s)->fd, GP_IOC_SET_CONF, &c) ? -errno : 0;
}

/* Hand out buffered records; 1 when fn asked to stop. */
static int kmod_deliver(struct kmod_src *k, gp_event_fn fn, void *ctx,
			int *n)
{
	while (k->pos + sizeof(struct gp_event) <= k->len) {
		const struct gp_event *e = (const void *)(k->buf + k->pos);
		size_t sz = e->size;

		/* A bad size is the decoder's to report; skip the rest. */
		if (sz < sizeof(*e) || sz > k->len - k->pos || sz % 8)
			sz = k->len - k->pos;
		k->pos += sz;
		(*n)++;
		if (fn(ctx, e, sz))
			return 1;
	}
	return 0;
}

static int kmod_poll(struct gp_source *s, int timeout_ms, gp_event_fn fn,
		     void *ctx)
{
	struct kmod_src *k = kmod_of(s);
	struct pollfd pfd = { .fd = k->fd, .events = POLLIN };
	int n = 0, r;
	ssize_t got;

	if (kmod_deliver(k, fn, ctx, &n))
		return n;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return n ? n : -errno;
	if (r == 0)
		return n;
	if (pfd.revents & (POLLERR | POLLHUP) && !(pfd.revents & POLLIN))
		return n ? n : -ENODEV;
	/* Take what is queued now, then let the caller come back. */
	for (;;) {
		got = read(k->fd, k->buf, sizeof(k->buf));
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return n ? n : -errno;
		}
		if (got == 0)
			break;
		k->pos = 0;
		k->len = (size_t)got;
		if (kmod_deliver(k, fn, ctx, &n))
			break;
		if (k->len + GP_RECORD_MAX <= sizeof(k->buf))
			break;
	}
	return n;
}

static int kmod_counters(struct gp_source *s, struct gp_source_counters *c)
{
	struct gp_kmod_counters kc;

	if (ioctl(kmod_of(s)->fd, GP_IOC_GET_COUNTERS, &kc))
		return -errno;
	c->events = kc.events;
	c->drops = kc.drops;
	c->misses = kc.misses;
	return 0;
}

/*
 * Stop producing: an empty list and no "all", so the module goes idle
 * (the next reader pushes its own list).  What is queued stays readable.
 */
static void kmod_detach(struct gp_source *s)
{
	__u32 *none = calloc(GP_NR_PORTS, sizeof(*none));

	kmod_set_conf(s, 0);
	if (none) {
		kmod_set_rules(s, none);
		free(none);
	}
}

static void kmod_close(struct gp_source *s)
{
	struct kmod_src *k = kmod_of(s);

	close(k->fd);
	free(k);
	free(s);
}

struct gp_source *gp_source_kmod_open(const struct gp_source_opts *o,
				      char *err, size_t errlen)
{
	struct gp_kmod_version v;
	struct gp_source *s = NULL;
	struct kmod_src *k = NULL;
	int fd, e;

	fd = open(GP_KMOD_DEVICE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT)
			snprintf(err, errlen,
				 "%s not present (modprobe ghostport)",
				 GP_KMOD_DEVICE);
		else if (e == EBUSY)
			snprintf(err, errlen,
				 "%s is busy: another reader has it open (one reader at a time)",
				 GP_KMOD_DEVICE);
		else
			snprintf(err, errlen, "cannot open %s: %s",
				 GP_KMOD_DEVICE, strerror(e));
		return NULL;
	}
	memset(&v, 0, sizeof(v));
	if (ioctl(fd, GP_IOC_GET_VERSION, &v)) {
		snprintf(err, errlen, "%s: version ioctl failed: %s",
			 GP_KMOD_DEVICE, strerror(errno));
		goto fail;
	}
	if (v.magic != GP_KMOD_MAGIC || v.api_version != GP_KMOD_API_VERSION ||
	    v.abi_version != GP_ABI_VERSION ||
	    v.record_size != sizeof(struct gp_event) ||
	    v.nr_ports != GP_NR_PORTS) {
		snprintf(err, errlen,
			 "ghostport.ko %.*s speaks interface %u/record ABI %u (%u bytes), this reader %u/%u (%zu bytes): load the matching module",
			 GP_KMOD_VERSION_LEN, v.version, v.api_version,
			 v.abi_version, v.record_size, GP_KMOD_API_VERSION,
			 GP_ABI_VERSION, sizeof(struct gp_event));
		goto fail;
	}
	if (strncmp(v.version, GP_VERSION, sizeof(v.version)) && o->verbose)
		fprintf(stderr,
			"ghostport: note: module version %.*s, reader %s\n",
			GP_KMOD_VERSION_LEN, v.version, GP_VERSION);
	if (o->ring_bytes && o->verbose)
		fprintf(stderr,
			"ghostport: note: kmod ring is fixed at load (ring_records=%u); ring size option ignored\n",
			v.ring_records);

	s = calloc(1, sizeof(*s));
	k = calloc(1, sizeof(*k));
	if (!s || !k) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	k->fd = fd;
	k->ring_records = v.ring_records;
	k->exe_gen = gp_ident_new_gen();
	s->name = "kmod";
	s->id = GP_SRC_KMOD;
	s->set_rules = kmod_set_rules;
	s->set_conf = kmod_set_conf;
	s->set_enforce = NULL;
	s->persists = false;
	s->deny_name = NULL;
	s->poll = kmod_poll;
	s->counters = kmod_counters;
	s->detach = kmod_detach;
	s->close = kmod_close;
	s->priv = k;

	/* Policy first, so the first bind after open is judged by it. */
	e = o->rules ? kmod_set_rules(s, o->rules) : 0;
	if (!e)
		e = kmod_set_conf(s, o->conf_flags);
	if (e) {
		snprintf(err, errlen, "%s: setting the policy failed: %s",
			 GP_KMOD_DEVICE, strerror(-e));
		goto fail;
	}
	return s;

fail:
	free(k);
	free(s);
	close(fd);
	return NULL;
}
