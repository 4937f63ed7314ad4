/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pin.h - where a running policy lives in bpffs, so it outlives the daemon.
 *
 *   /sys/fs/bpf/ghostport/map-<map name>    every map (ring, ports, state)
 *   /sys/fs/bpf/ghostport/link-<program>    every attachment
 *
 * Removing a link's pin detaches it once no process holds it.
 */
#ifndef GP_PIN_H
#define GP_PIN_H

#include <stddef.h>

#define GP_PIN_DIR	"/sys/fs/bpf/ghostport"

void gp_pin_map_path(char *buf, size_t len, const char *map);
void gp_pin_link_path(char *buf, size_t len, const char *link);

/* Mount bpffs if needed and create GP_PIN_DIR.  0, or -1 with why. */
int gp_pin_dir_ready(char *err, size_t errlen);

/* Remove every pin (links first) and the directory.  Returns how many
 * pins were removed, or -1 with why in err (when err is not NULL). */
int gp_pin_remove_all(char *err, size_t errlen);

#endif /* GP_PIN_H */
