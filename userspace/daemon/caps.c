// SPDX-License-Identifier: GPL-2.0
/*
 * caps.c - tell "not allowed" apart before the kernel says a bare EPERM.
 * Loading needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN on kernels older
 * than 5.8); attaching to a cgroup needs CAP_NET_ADMIN.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include <cap-ng.h>

#include "daemon/caps.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return !!(d[cap / 32].effective & (1U << (cap % 32)));
}

int gp_caps_check_load(char *why, size_t len)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	int admin, bpf;

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d)) {
		snprintf(why, len, "cannot read own capabilities");
		return -1;
	}
	admin = has_cap(d, CAP_SYS_ADMIN);
	bpf = has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON);
	if (!admin && !bpf) {
		snprintf(why, len,
			 "missing capability: loading BPF needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN); run as root");
		return -1;
	}
	if (!has_cap(d, CAP_NET_ADMIN) && !admin) {
		snprintf(why, len,
			 "missing capability: attaching needs CAP_NET_ADMIN; run as root");
		return -1;
	}
	return 0;
}

void gp_caps_drop_after_load(void)
{
	if (geteuid() != 0 && !capng_have_capability(CAPNG_EFFECTIVE,
						     CAP_SETPCAP))
		return;	/* nothing to drop that we could */
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD,
			  CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
			  CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, CAP_SYS_PTRACE,
			  CAP_DAC_READ_SEARCH, -1) ||
	    capng_apply(CAPNG_SELECT_BOTH))
		fprintf(stderr,
			"ghostport: warning: could not drop capabilities\n");
}
