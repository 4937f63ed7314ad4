/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * stash.bpf.h - requests waiting for their outcome, by thread (the kprobe
 * mode stashes at entry and emits at return; the cgroup mode keeps its
 * attempts in socket storage instead, cgroup.bpf.h).
 *
 * Included once, by ghostport.bpf.c, after the files before it there.
 */
#ifndef GP_STASH_BPF_H_H
#define GP_STASH_BPF_H_H

/* ---- stash: requests waiting for their outcome ---- */

static __always_inline int stash(__u32 tid, const struct gp_event *e)
{
	if (bpf_map_update_elem(&gp_stash, &tid, e, BPF_ANY)) {
		count(GP_CNT_DROPS);
		return -1;
	}
	__sync_fetch_and_add(&gp_pending, 1);
	return 0;
}

static __always_inline void unstash(__u32 tid)
{
	if (!bpf_map_delete_elem(&gp_stash, &tid))
		__sync_fetch_and_add(&gp_pending, -1);
}

/* The outcome of this thread's stashed request: emit it with ret. */
static __always_inline int on_outcome(int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct gp_event *e = bpf_map_lookup_elem(&gp_stash, &tid);

	if (!e)
		return 0;
	if (e->verdict == GP_VERDICT_DENY &&
	    denied_elsewhere(e, e->deny_errno, ret)) {
		unstash(tid);
		return 0;
	}
	e->ret = ret;
	e->valid |= GP_VF_RET;
	submit(e);
	unstash(tid);
	return 0;
}

#endif /* GP_STASH_BPF_H_H */
