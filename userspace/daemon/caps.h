/* SPDX-License-Identifier: GPL-2.0 */
/* caps.h - capability checks, so a missing privilege is one clear line. */
#ifndef GP_CAPS_H
#define GP_CAPS_H

#include <stddef.h>

/* 0 if the process may load and attach BPF programs; else -1 and why. */
int gp_caps_check_load(char *why, size_t len);

/*
 * Once every program is loaded and attached: keep only what the daemon
 * still uses (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN to load and attach the
 * deny programs when enforcement is switched on at run time and to use
 * the bpf() syscall where unprivileged BPF is disabled; CAP_SYS_PTRACE and
 * CAP_DAC_READ_SEARCH to read /proc/PID/exe of other users' processes),
 * in the effective, permitted and bounding sets.  Best effort: a failure
 * is reported, not fatal.
 */
void gp_caps_drop_after_load(void);

#endif /* GP_CAPS_H */
