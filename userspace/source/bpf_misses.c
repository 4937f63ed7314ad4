// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_misses.c - binds the kprobe mode missed: the kernel's own count on
 * the kprobe links (bpf_link_info's perf_event.kprobe.missed, 6.7+), and
 * the stash entries whose return probe never ran (gp_kp_stale, counted by
 * the programs on any kernel).  A kretprobe miss shows in both, later in
 * the second: the larger of the two is reported, a lower bound where the
 * kernel keeps no count.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/kver.h"
#include "source/bpf_int.h"
#include "source/pin.h"

/* Our libbpf's headers predate the field: the 6.7 layout, by offset.
 * bpf_link_info: type, id, prog_id, then the union at 16; perf_event:
 * type (16), pad, kprobe: func_name (24), name_len, offset, addr (40),
 * missed (48). */
#define GP_LINK_TYPE_PERF_EVENT	7
#define GP_LINK_KPROBE_MISSED	48

static bool kernel_counts_missed(void)
{
	static int known;	/* 0 unknown, 1 yes, 2 no */

	if (!known)
		known = gp_kernel_at_least(6, 7) ? 1 : 2;
	return known == 1;
}

static __u64 link_missed(int fd)
{
	__u8 info[256] = { 0 };
	__u32 len = sizeof(info), type;
	__u64 missed;

	if (bpf_obj_get_info_by_fd(fd, info, &len) ||
	    len < GP_LINK_KPROBE_MISSED + sizeof(missed))
		return 0;
	memcpy(&type, info, sizeof(type));
	if (type != GP_LINK_TYPE_PERF_EVENT)
		return 0;
	memcpy(&missed, info + GP_LINK_KPROBE_MISSED, sizeof(missed));
	return missed;
}

/* The kernel's count over the kprobe links: ours, or the pinned ones. */
static __u64 kernel_missed(struct bpf_src *b)
{
	struct dirent *d;
	__u64 sum = 0;
	char path[512];
	DIR *dir;
	int i, fd;

	if (!kernel_counts_missed())
		return 0;
	if (!b->pinned) {
		for (i = 0; i < b->nlinks; i++)
			sum += link_missed(bpf_link__fd(b->links[i]));
		return sum;
	}
	dir = opendir(GP_PIN_DIR);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, "link-kprobe-", 12) &&
		    strncmp(d->d_name, "link-kretprobe-", 15))
			continue;
		snprintf(path, sizeof(path), "%s/%s", GP_PIN_DIR, d->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		sum += link_missed(fd);
		close(fd);
	}
	closedir(dir);
	return sum;
}

static __u64 stale_entries(struct bpf_src *b)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 vals[ncpu > 0 ? ncpu : 1], sum = 0;
	__u32 zero = 0;
	int i;

	if (ncpu <= 0 ||
	    bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.gp_kp_stale), &zero,
				vals))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

__u64 gp_bpf_misses(struct bpf_src *b)
{
	__u64 k = kernel_missed(b), s = stale_entries(b);

	return k > s ? k : s;
}
