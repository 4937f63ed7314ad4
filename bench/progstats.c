// SPDX-License-Identifier: GPL-2.0
/*
 * progstats.c - one line per loaded BPF program:
 *   id=N type=T name=NAME run_time_ns=N run_cnt=N
 * (kernel.bpf_stats_enabled=1 makes the kernel count them).  The bench
 * reads it before and after a loop: the difference is each program's own
 * cost per run, free of the machine's timing noise.  It replaces
 * `bpftool prog show --json | jq` so that the static VM guest can run it too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

/* The program's full name from its BTF (info.name stops at 15 chars:
 * gp_cgroup_post_bind4 and _6 would look alike). */
static const char *full_name(int fd, struct bpf_prog_info *info, char *buf, size_t n)
{
	struct bpf_func_info fi[1];
	struct bpf_prog_info i2;
	__u32 len = sizeof(i2);
	const struct btf_type *t;
	struct btf *btf;

	snprintf(buf, n, "%s", info->name[0] ? info->name : "-");
	if (!info->btf_id || !info->nr_func_info)
		return buf;
	memset(&i2, 0, sizeof(i2));
	i2.nr_func_info = 1;
	i2.func_info_rec_size = sizeof(fi[0]);
	i2.func_info = (__u64)(unsigned long)fi;
	if (bpf_obj_get_info_by_fd(fd, &i2, &len))
		return buf;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return buf;
	t = btf__type_by_id(btf, fi[0].type_id);
	if (t)
		snprintf(buf, n, "%s", btf__name_by_offset(btf, t->name_off));
	btf__free(btf);
	return buf;
}

int main(void)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info;
		char name[128];
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;	/* unloaded meanwhile */
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			printf("id=%u type=%u name=%s run_time_ns=%llu run_cnt=%llu\n",
			       info.id, info.type, full_name(fd, &info, name, sizeof(name)),
			       (unsigned long long)info.run_time_ns,
			       (unsigned long long)info.run_cnt);
		close(fd);
	}
	if (errno != ENOENT) {
		perror("progstats: bpf_prog_get_next_id");
		return 1;
	}
	return 0;
}
