/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scan_track.h - what the daemon already reported: a scan's sockets split
 * into new ones (reported now), known ones (reported before: repeated only
 * when asked), and gone ones (reported before, not there any more while
 * their port is still listed).
 */
#ifndef GP_SCAN_TRACK_H
#define GP_SCAN_TRACK_H

#include "scan/scan.h"

struct gp_scan_track;

struct gp_scan_track *gp_scan_track_new(void);
void gp_scan_track_free(struct gp_scan_track *t);

/* A socket's place in this scan. */
enum gp_scan_seen { GP_SEEN_NEW, GP_SEEN_KNOWN };

typedef void (*gp_scan_sock_fn)(void *ctx, const struct gp_scan_sock *s,
				enum gp_scan_seen seen);
typedef void (*gp_scan_gone_fn)(void *ctx, const struct gp_scan_sock *s);

/*
 * Account result r: each socket once through on_sock (new or known); each
 * socket remembered from an earlier scan, absent now and still listed in
 * rules, through on_gone (then forgotten); remembered sockets whose port
 * is no longer listed are forgotten silently.  A socket closed by the scan
 * is not remembered (its "closed" event is the last word).
 */
void gp_scan_track_update(struct gp_scan_track *t,
			  const struct gp_scan_result *r, const __u32 *rules,
			  gp_scan_sock_fn on_sock, gp_scan_gone_fn on_gone,
			  void *ctx);

size_t gp_scan_track_count(const struct gp_scan_track *t);

#endif /* GP_SCAN_TRACK_H */
