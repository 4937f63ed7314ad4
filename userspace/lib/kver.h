/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kver.h - the running kernel's version, for the few behaviours a kernel
 * only has from some release on and that cannot be probed directly.
 * Probe a feature where you can; this is the fallback.
 */
#ifndef GP_KVER_H
#define GP_KVER_H

#include <stdbool.h>

/* Is the running kernel (uname's release) maj.min or later?  false when
 * the release cannot be read. */
bool gp_kernel_at_least(int maj, int min);

#endif /* GP_KVER_H */
