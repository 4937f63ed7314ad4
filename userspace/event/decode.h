/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode.h - the one decoder: raw record from any source -> gp_record.
 */
#ifndef GP_DECODE_H
#define GP_DECODE_H

#include <stddef.h>
#include "event/record.h"

struct gp_clock {
	__s64 boot_to_real_ns;		/* CLOCK_REALTIME - CLOCK_BOOTTIME */
};

/* Refresh the boot->wall offset (cheap; called once per poll round). */
void gp_clock_sync(struct gp_clock *c);

/* Turn a CLOCK_BOOTTIME stamp into wall-clock time. */
struct timespec gp_clock_wall(const struct gp_clock *c, __u64 boot_ns);

/*
 * Validate and decode one raw record.  Returns 0, or -1 with a one-line
 * reason in err for a record that is not a gp_event this reader knows
 * (wrong size, magic or version: never guessed at).
 */
int gp_decode(const void *data, size_t len, const struct gp_clock *clk,
	      struct gp_record *out, char *err, size_t errlen);

/* Fill out->exe for the event's process (best effort, checked by inode). */
void gp_decode_exe(struct gp_record *out);

#endif /* GP_DECODE_H */
