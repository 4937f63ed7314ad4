/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gp_kmod.h - what the parts of ghostport.ko share.
 *
 *   ghostport_main.c  module parameters, init and exit
 *   gp_policy.c       the blocklist (RCU-swapped rule array), conf, parser
 *   gp_ring.c         the record ring, counters, reader wake-ups
 *   gp_probe.c        kretprobes on inet_bind/inet6_bind
 *   gp_ident.c        who made the bind: ABI v2 identity and parts
 *   gp_dev.c          /dev/ghostport: read, poll, ioctl
 */
#ifndef GP_KMOD_H
#define GP_KMOD_H

#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/fs.h>
#include <linux/poll.h>

#include "ghostport_abi.h"
#include "ghostport_kmod.h"

#ifndef GP_VERSION
#define GP_VERSION "0.0.0-unknown"
#endif

#define GP_RING_MIN		64U
#define GP_RING_MAX		65536U	/* 32 MiB of records */
/* Ring bytes per record of capacity: a header, a path and argv fit; a
 * record of a known executable (path sent once) is about 460 bytes. */
#define GP_RING_REC_AVG		GP_KMOD_RING_REC_BYTES
#define GP_RING_DEFAULT		4096U
#define GP_WAKE_DELAY_MS	50	/* longest a record waits for a wake-up */
#define GP_MAXACTIVE_MAX	4096	/* KRETPROBE_MAXACTIVE_MAX */

/* gp_policy.c */
int gp_policy_init(const char *ports, bool all);
void gp_policy_exit(void);
int gp_parse_ports(const char *spec, u32 *rules);
u32 gp_policy_rule(u16 port);		/* caller holds rcu_read_lock */
u32 gp_policy_flags(void);
int gp_policy_set_rules(const u32 __user *urules);
int gp_policy_get_rules(u32 __user *urules);
void gp_policy_set_conf(const struct gp_conf *conf);
void gp_policy_get_conf(struct gp_conf *conf);
u64 gp_policy_updates(void);

/* gp_ring.c */
int gp_ring_init(unsigned int records);
void gp_ring_exit(void);
unsigned int gp_ring_size(void);
bool gp_ring_push(const struct gp_event *e);	/* atomic context is fine */
ssize_t gp_ring_read(char __user *buf, size_t count, bool nonblock);
__poll_t gp_ring_poll(struct file *file, poll_table *pt);
void gp_ring_shutdown(void);
void gp_ring_set_wakeup(u32 bytes);
u32 gp_ring_get_wakeup(void);
void gp_ring_counters(struct gp_kmod_counters *c);
int gp_ring_port_counts(u32 first, u32 nr, u64 __user *out);
void gp_ring_reset(void);

/* gp_probe.c */
int gp_probe_init(int maxactive);
void gp_probe_exit(void);
u64 gp_probe_missed(void);
void gp_probe_reset(void);

/* gp_ident.c */
struct gp_event *gp_ident_build(const struct gp_event *hdr);
void gp_ident_sent(const struct gp_event *h);
void gp_ident_set_gen(u32 gen);
u32 gp_ident_gen(void);
int gp_ident_init(void);
void gp_ident_exit(void);

/* gp_dev.c */
int gp_dev_init(void);
void gp_dev_exit(void);

#endif /* GP_KMOD_H */
