/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fold.h - flood control: identical events within a window become one.
 *
 * A process hammering a ghost port must not drown the SIEM, yet nothing may
 * be delayed when there is no flood and nothing may be lost when there is.
 * So:
 *  - the first event of a key (pid, port, protocol, socket type, verdict)
 *    is emitted at once, unchanged;
 *  - repeats of that key within `window_ns` of it are only counted (the
 *    last one is kept as the representative);
 *  - when the window ends (gp_fold_tick), one record is emitted for the
 *    repeats, with count = number of repeats and fold_first_ns = ts_ns of
 *    the first repeat (ev.ts_ns is the last one's), and a new window starts
 *    for the key, so a sustained flood yields one record per window;
 *    a window that ends without repeats frees the key;
 *  - the table has a fixed number of slots, allocated once; when it is full
 *    the least recently pushed key is evicted, emitting its pending repeats
 *    first.
 * Hence the sum of count over emitted records equals the records pushed,
 * exactly, whatever the pattern.
 *
 * Times are the caller's clock (CLOCK_MONOTONIC or BOOTTIME, in ns): the
 * window is about when the reader saw the events, not when they happened.
 * Not thread-safe: one fold per run loop.
 */
#ifndef GP_FOLD_H
#define GP_FOLD_H

#include <linux/types.h>
#include <stddef.h>

#include "event/record.h"

#define GP_FOLD_DEFAULT_SLOTS	256
#define GP_FOLD_MAX_SLOTS	65536

/* Receives every record that leaves the fold: count >= 1. */
typedef void (*gp_fold_emit_fn)(void *ctx, const struct gp_record *r);

struct gp_fold;

/*
 * window_ns 0 disables folding: every push is emitted at once.  slots 0
 * means GP_FOLD_DEFAULT_SLOTS (each slot holds a struct gp_record, ~4.3 KiB,
 * so the default costs about 1.1 MiB, allocated here and never again).
 * NULL when out of memory or slots > GP_FOLD_MAX_SLOTS.
 */
struct gp_fold *gp_fold_new(__u64 window_ns, size_t slots);

/* Change the window (config reload): pending repeats are flushed first. */
void gp_fold_set_window(struct gp_fold *f, __u64 window_ns,
			gp_fold_emit_fn emit, void *ctx);

/* One decoded record (count 1).  Emits it now, or counts it as a repeat. */
void gp_fold_push(struct gp_fold *f, const struct gp_record *r, __u64 now_ns,
		  gp_fold_emit_fn emit, void *ctx);

/* Every poll round: close the windows that ended by now_ns. */
void gp_fold_tick(struct gp_fold *f, __u64 now_ns, gp_fold_emit_fn emit,
		  void *ctx);

/* Shutdown: emit every pending repeat and forget every key. */
void gp_fold_flush(struct gp_fold *f, gp_fold_emit_fn emit, void *ctx);

struct gp_fold_stats {
	__u64 pushed;		/* records pushed */
	__u64 folded;		/* of which were absorbed as repeats */
	__u64 emitted;		/* records emitted (immediate + folded) */
	__u64 evictions;	/* keys evicted from a full table */
	size_t active;		/* keys in the table now */
};

void gp_fold_get_stats(const struct gp_fold *f, struct gp_fold_stats *s);

void gp_fold_free(struct gp_fold *f);

#endif /* GP_FOLD_H */
