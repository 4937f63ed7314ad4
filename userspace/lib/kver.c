// SPDX-License-Identifier: GPL-2.0
/*
 * kver.c - the running kernel's version (lib/kver.h).  libc only: the
 * end-to-end test programs link it too.
 */
#include <stdio.h>
#include <sys/utsname.h>

#include "lib/kver.h"

bool gp_kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return false;
	return a > maj || (a == maj && b >= min);
}
