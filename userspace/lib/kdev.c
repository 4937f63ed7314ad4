// SPDX-License-Identifier: GPL-2.0
/*
 * kdev.c - (ino, i_sb->s_dev) of a path: what the kernel puts in
 * gp_event.exe_ino/exe_dev, so exemptions and path checks match on btrfs
 * and overlayfs too (see kdev.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "lib/kdev.h"

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

/* major:minor of mount id in /proc/self/mountinfo. */
static int mount_dev(__u64 mnt_id, unsigned int *maj, unsigned int *min)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long id;
		unsigned int a, b;

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..." */
		if (sscanf(line, "%llu %*u %u:%u", &id, &a, &b) == 3 &&
		    id == mnt_id) {
			*maj = a;
			*min = b;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int gp_kdev_of(int dirfd, const char *path, int flags, __u64 *ino,
	       __u32 *kdev)
{
	struct statx sx;
	unsigned int maj, min;

	if (statx(dirfd, path, flags, STATX_INO | STATX_MNT_ID, &sx))
		return -errno;
	*ino = sx.stx_ino;
	if ((sx.stx_mask & STATX_MNT_ID) &&
	    !mount_dev(sx.stx_mnt_id, &maj, &min)) {
		*kdev = gp_kdev_encode(maj, min);
		return 0;
	}
	*kdev = gp_kdev_encode(sx.stx_dev_major, sx.stx_dev_minor);
	return 0;
}
