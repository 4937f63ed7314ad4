// SPDX-License-Identifier: GPL-2.0
/*
 * decode.c - validate a raw gp_event and add what only userspace knows:
 * wall-clock time, the printable address, the IANA service name and the
 * executable's path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>

#include "event/decode.h"
#include "event/iana.h"
#include "event/identity.h"

#define NSEC_PER_SEC 1000000000LL

static __s64 ts_ns(const struct timespec *t)
{
	return (__s64)t->tv_sec * NSEC_PER_SEC + t->tv_nsec;
}

void gp_clock_sync(struct gp_clock *c)
{
	struct timespec r1, b, r2;

	/* Bracket the boot clock read with two wall reads; take the middle. */
	clock_gettime(CLOCK_REALTIME, &r1);
	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_REALTIME, &r2);
	c->boot_to_real_ns = (ts_ns(&r1) + ts_ns(&r2)) / 2 - ts_ns(&b);
}

struct timespec gp_clock_wall(const struct gp_clock *c, __u64 boot_ns)
{
	__s64 w = (__s64)boot_ns + c->boot_to_real_ns;
	struct timespec t;

	t.tv_sec = w / NSEC_PER_SEC;
	t.tv_nsec = w % NSEC_PER_SEC;
	return t;
}

static void format_addr(struct gp_record *r)
{
	const struct gp_event *e = &r->ev;
	int af = e->family == AF_INET6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, e->addr, r->addr, sizeof(r->addr)))
		snprintf(r->addr, sizeof(r->addr), "?");
}

int gp_decode(const void *data, size_t len, const struct gp_clock *clk,
	      struct gp_record *out, char *err, size_t errlen)
{
	const struct gp_event *e = data;

	if (len < 8) {
		snprintf(err, errlen, "short record: %zu bytes", len);
		return -1;
	}
	if (e->magic != GP_ABI_MAGIC) {
		snprintf(err, errlen, "bad record magic 0x%08x", e->magic);
		return -1;
	}
	if (e->version != GP_ABI_VERSION) {
		snprintf(err, errlen,
			 "record ABI version %u, this reader knows only version %u: run the ghostport that loaded the programs/module, or unload them",
			 e->version, GP_ABI_VERSION);
		return -1;
	}
	if (len < sizeof(*e)) {
		snprintf(err, errlen, "short record: %zu bytes, want at least %zu",
			 len, sizeof(*e));
		return -1;
	}
	if (e->size < sizeof(*e) || e->size > len ||
	    e->hdr_size < sizeof(*e) || e->hdr_size > e->size) {
		snprintf(err, errlen,
			 "record sizes %zu/%u/%u (buffer/record/header), want header %zu",
			 len, e->size, e->hdr_size, sizeof(*e));
		return -1;
	}
	memcpy(&out->ev, e, sizeof(*e));
	if (out->ev.family != AF_INET && out->ev.family != AF_INET6) {
		snprintf(err, errlen, "record with unknown family %u",
			 out->ev.family);
		return -1;
	}
	/* Scan events are made by the reader itself, never by the kernel:
	 * a ring record claiming one is refused, not believed. */
	if (out->ev.source == GP_SRC_SCAN ||
	    (out->ev.verdict >= GP_VERDICT_PRESENT &&
	     out->ev.verdict <= GP_VERDICT_OPEN)) {
		snprintf(err, errlen, "kernel record with scan source/verdict %u/%u",
			 out->ev.source, out->ev.verdict);
		return -1;
	}
	if (gp_ident_parts(e, data, e->size, &out->id, err, errlen))
		return -1;
	out->wall = gp_clock_wall(clk, out->ev.ts_ns);
	format_addr(out);
	out->service = gp_iana_service(out->ev.port, out->ev.protocol);
	out->exe[0] = '\0';
	out->count = 1;
	out->scan = NULL;
	return 0;
}

/*
 * The executable's path and the rest of the identity: the kernel sent the
 * path in this record or an earlier one (event/identity.c); /proc is the
 * last resort, checked by (ino, superblock dev).  When the path stays
 * unknown, out->id.exe.reason says why.
 */
void gp_decode_exe(struct gp_record *out)
{
	gp_ident_resolve(&out->ev, &out->id);
	memcpy(out->exe, out->id.exe.path, strlen(out->id.exe.path) + 1);
}
