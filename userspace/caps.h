/* SPDX-License-Identifier: GPL-2.0 */
/* caps.h - capability checks, so a missing privilege is one clear line. */
#ifndef GP_CAPS_H
#define GP_CAPS_H

#include <stddef.h>

/* 0 if the process may load and attach BPF programs; else -1 and why. */
int gp_caps_check_load(char *why, size_t len);

#endif /* GP_CAPS_H */
