/* SPDX-License-Identifier: GPL-2.0 */
/*
 * source.h - an event source: something in the kernel that watches binds and
 * hands raw struct gp_event records to the reader.  The BPF attach modes
 * (source/bpf.c) and the kernel module (source/kmod.c) implement it, so the
 * run loop, the decoder and the formatters never know which one is in use.
 */
#ifndef GP_SOURCE_H
#define GP_SOURCE_H

#include <linux/types.h>
#include <stddef.h>
#include <stdbool.h>

#include "ghostport_abi.h"
#include "policy/policy.h"

/* Called once per raw record; return non-zero to stop the current poll. */
typedef int (*gp_event_fn)(void *ctx, const void *data, size_t len);

struct gp_source_opts {
	const __u32 *rules;		/* GP_NR_PORTS blocklist rules */
	__u32 conf_flags;		/* GP_CONF_* */
	enum gp_deny_method deny_with;	/* with GP_CONF_ENFORCE */
	const struct gp_exemptions *exempt;
	bool no_pin;			/* don't pin (tests, one-shot runs) */
	__u32 ring_bytes;		/* ring size, 0 = default */
	const char *cgroup_path;	/* cgroup v2 root for the cgroup mode */
	const char *btf_path;		/* custom BTF, NULL = kernel's */
	bool verbose;
};

/* Counters a source keeps in the kernel. */
struct gp_source_counters {
	__u64 events;			/* records produced */
	__u64 drops;			/* records that could not be reserved */
	__u64 misses;			/* probe misses (kprobe nmissed) */
};

struct gp_source;

/*
 * What a source does, one const table per source (like the kernel's
 * file_operations): the run loop calls through it and never asks which
 * source it has.  Optional operations are NULL.
 */
struct gp_source_ops {
	const char *name;		/* "fentry", "kprobe", "cgroup", "kmod" */
	int id;				/* enum gp_source_id */
	/* NULL and a one-line reason in err (no "ghostport:" prefix, no
	 * newline) on failure.  An adopted pinned instance may come back
	 * with another source's ops: s->ops says what is running. */
	struct gp_source *(*open)(const struct gp_source_opts *o, char *err,
				  size_t errlen);
	/* Replace the whole blocklist without a window for common ports. */
	int (*set_rules)(struct gp_source *s, const __u32 *rules);
	int (*set_conf)(struct gp_source *s, __u32 conf_flags);
	/* Replace rules, exemptions and flags together (reload); NULL for
	 * sources without exemptions, which then get set_rules/set_conf. */
	int (*set_policy)(struct gp_source *s, const __u32 *rules,
			  const struct gp_exemptions *x, __u32 conf_flags);
	/* Turn enforcement on or off while running, with no gap: the deny
	 * programs are attached first if needed, then the flag flips.
	 * NULL for sources that cannot enforce. */
	int (*set_enforce)(struct gp_source *s, bool on,
			   enum gp_deny_method how, char *err, size_t errlen);
	/* Wait up to timeout_ms, then deliver what is there. >=0: records. */
	int (*poll)(struct gp_source *s, int timeout_ms, gp_event_fn fn,
		    void *ctx);
	int (*counters)(struct gp_source *s, struct gp_source_counters *c);
	/* Stop producing (optional): the reader then drains what is queued
	 * before close(), so shutdown loses nothing. */
	void (*detach)(struct gp_source *s);
	void (*close)(struct gp_source *s);	/* detach, free; s is freed */
};

/* An open source: its operations and the state that changes at run time. */
struct gp_source {
	const struct gp_source_ops *ops;
	/* After close(): does the policy stay in force (pinned)? */
	bool persists;
	const char *deny_name;		/* "lsm", "cgroup" or NULL */
	/* The lockdown-safe BPF program set is loaded (what it cannot see
	 * is invalid in its records, GP_EF_LOCKDOWN). */
	bool lockdown_safe;
	const char *unseen;		/* then: the fields left null */
	void *priv;
};

/* The sources, in the order `auto` tries them (source/select.c). */
extern const struct gp_source_ops gp_source_fentry_ops;
extern const struct gp_source_ops gp_source_kprobe_ops;
extern const struct gp_source_ops gp_source_cgroup_ops;
extern const struct gp_source_ops gp_source_kmod_ops;

static inline int gp_source_poll(struct gp_source *s, int timeout_ms,
				 gp_event_fn fn, void *ctx)
{
	return s->ops->poll(s, timeout_ms, fn, ctx);
}

static inline int gp_source_counters(struct gp_source *s,
				     struct gp_source_counters *c)
{
	return s->ops->counters(s, c);
}

static inline bool gp_source_can_enforce(const struct gp_source *s)
{
	return s->ops->set_enforce != NULL;
}

static inline int gp_source_set_enforce(struct gp_source *s, bool on,
					enum gp_deny_method how, char *err,
					size_t errlen)
{
	return s->ops->set_enforce(s, on, how, err, errlen);
}

/* Rules, exemptions and flags, together where the source can; 0 or the
 * first error (the kernel may then hold a mix of old and new rules). */
static inline int gp_source_set_policy(struct gp_source *s,
				       const __u32 *rules,
				       const struct gp_exemptions *x,
				       __u32 conf_flags)
{
	if (s->ops->set_policy)
		return s->ops->set_policy(s, rules, x, conf_flags);
	return s->ops->set_rules(s, rules) ?: s->ops->set_conf(s, conf_flags);
}

static inline void gp_source_detach(struct gp_source *s)
{
	if (s->ops->detach)
		s->ops->detach(s);
}

static inline void gp_source_close(struct gp_source *s)
{
	s->ops->close(s);
}

/*
 * Openers.  On failure: NULL, and a one-line reason in err (no "ghostport:"
 * prefix, no newline), which the run loop prints when it explains why it
 * fell back to a lesser mode.
 */
struct gp_source *gp_source_bpf_open(int mode, const struct gp_source_opts *o,
				     char *err, size_t errlen);
/* 0 if the BPF LSM is active and its program loads, else -1 and why. */
int gp_source_bpf_lsm_usable(const struct gp_source_opts *o, char *why,
			     size_t len);
/* The audit mode of a pinned instance, 0 when none is pinned, -1 (why in
 * err) when it is another build's, which is not adopted. */
int gp_source_bpf_pinned_mode(char *err, size_t errlen);
/* Pick and open a source by name (source/select.c): "auto" tries the
 * better modes first and says, one line each on stderr, why each one it
 * skipped failed.  NULL when none opened (the reasons printed). */
struct gp_source *gp_source_select(const char *name,
				   const struct gp_source_opts *o);
struct gp_source *gp_source_kmod_open(const struct gp_source_opts *o,
				      char *err, size_t errlen);

#endif /* GP_SOURCE_H */
