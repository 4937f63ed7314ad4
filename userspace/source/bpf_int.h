/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_int.h - the inside of the BPF source, shared by its files:
 *   bpf.c       open (a list of named steps), enforcement switch, close
 *   bpf_load.c  which programs load, attaching them, libbpf's messages
 *   bpf_maps.c  blocklist, flags, exemptions, ring buffer, counters
 *   bpf_pin.c   pins under GP_PIN_DIR, adopting a pinned instance
 *   bpf_misses.c  kprobe misses
 * Not for other sources or stages: they use source/source.h.
 */
#ifndef GP_SOURCE_BPF_INT_H
#define GP_SOURCE_BPF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "ghostport_abi.h"
#include "ghostport_bpf.h"
#include "policy/policy.h"
#include "source/source.h"
#include "ghostport.skel.h"

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
	/*
	 * What the source was opened with, for deny programs added at run
	 * time (`ghostport enforce on`): the same -v, --btf, cgroup root and
	 * pinning as the programs loaded at start.  The strings are ours.
	 */
	bool verbose, no_pin;
	char *btf_path, *cgroup_path;
	/* the deny method loaded at start (gp_bpf_prepare_deny), 0 if none;
	 * deny_skel holds its programs unless the audit hooks deny */
	int deny_loaded;
	char deny_why[320];		/* why the LSM was not taken */
};

/* What gp_source_bpf_open() decided, step by step (GP_SRC_* values). */
struct gp_bpf_plan {
	int mode;			/* audit mode asked for, then in force */
	int pinned_mode, pinned_deny;	/* of an adopted instance, else 0 */
	int deny;			/* deny method wanted, 0 = none */
	int load_audit, load_deny;	/* what still has to be loaded */
};

/* bpf_load.c.  Functions with err: 0, or negative with why in err. */
void gp_bpf_log_setup(bool verbose);
bool gp_bpf_safe(void);
const char *gp_bpf_lockdown(void);
bool gp_bpf_try_safe(int ret);
const char *gp_bpf_safe_unseen(int mode);
const char *gp_bpf_mode_name(int mode);
int gp_bpf_open_cgroup_root(const char *path, char *err, size_t errlen);
int gp_bpf_choose_deny(const struct gp_source_opts *o, char *err,
		       size_t errlen);
int gp_bpf_load(struct bpf_src *b, int audit, int deny, char *err,
		size_t errlen);
int gp_bpf_attach(struct bpf_src *b, int audit, int deny,
		  const struct gp_source_opts *o, char *err, size_t errlen);
int gp_bpf_add_deny_programs(struct bpf_src *b, int deny,
			     const struct gp_source_opts *o, char *err,
			     size_t errlen);
void gp_bpf_prepare_deny(struct bpf_src *b, int audit,
			 const struct gp_source_opts *o);
void gp_bpf_detach_links(struct bpf_src *b);
/* inet_bind_sk/inet6_bind_sk exist here (6.6+): hooked instead of inet_bind. */
bool gp_bpf_bind_sk(void);

/* bpf_maps.c: the cgroup method can only answer EPERM on this kernel. */
bool gp_bpf_cgroup_eperm_only(struct bpf_src *b);
void gp_bpf_restrip_rules(struct bpf_src *b);
void gp_bpf_release_links(struct bpf_src *b);

/* bpf_maps.c: the gp_source operations on the kernel's state, and the
 * steps that map the blocklist and open the ring. */
int gp_bpf_set_rules(struct gp_source *src, const __u32 *rules);
int gp_bpf_set_conf(struct gp_source *src, __u32 flags);
int gp_bpf_set_exemptions(struct bpf_src *b, const struct gp_exemptions *x,
			  __u32 *conf);
int gp_bpf_set_policy(struct gp_source *src, const __u32 *rules,
		      const struct gp_exemptions *x, __u32 conf_flags);
int gp_bpf_poll(struct gp_source *src, int timeout_ms, gp_event_fn fn,
		void *ctx);
int gp_bpf_counters(struct gp_source *src, struct gp_source_counters *c);
__u32 gp_bpf_ring_size(__u32 want);
int gp_bpf_map_ports(struct bpf_src *b, char *err, size_t errlen);
int gp_bpf_open_ring(struct bpf_src *b, char *err, size_t errlen);

/* bpf_misses.c: kprobe misses (kernel count 6.7+, stale stash entries). */
__u64 gp_bpf_misses(struct bpf_src *b);

/* bpf_pin.c */
__u64 gp_bpf_prog_version(void);
int gp_bpf_reuse_or_pin_maps(struct bpf_src *b, bool reuse, char *err,
			     size_t errlen);
int gp_bpf_adopt(struct bpf_src *b, int mode, int *pinned_deny, char *err,
		 size_t errlen);
int gp_bpf_pin_or_adopt(struct bpf_src *b, struct gp_bpf_plan *p,
			bool no_pin, char *err, size_t errlen);
void gp_bpf_detach(struct gp_source *src);

#endif /* GP_SOURCE_BPF_INT_H */
