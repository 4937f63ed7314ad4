/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdev.h - a file's identity as the kernel records it: (i_ino,
 * i_sb->s_dev).  stat()'s st_dev is not always i_sb->s_dev: btrfs reports
 * each subvolume's anonymous device, overlayfs may report a layer's.  The
 * superblock's device is the major:minor of the file's mount in
 * /proc/self/mountinfo, found by statx()'s mount id.
 */
#ifndef GP_KDEV_H
#define GP_KDEV_H

#include <linux/types.h>
#include <sys/stat.h>

/* Kernel dev_t encoding (MAJOR << 20 | MINOR), as in gp_event.exe_dev. */
static inline __u32 gp_kdev_encode(unsigned int maj, unsigned int min)
{
	return (maj << 20) | (min & 0xfffff);
}

/*
 * (ino, superblock dev) of path, following symlinks (dirfd/flags as for
 * statx: AT_FDCWD and 0 for a plain path).  Returns 0, or -errno.  Falls
 * back to st_dev where statx has no mount id (kernels before 5.8).
 */
int gp_kdev_of(int dirfd, const char *path, int flags, __u64 *ino,
	       __u32 *kdev);

#endif /* GP_KDEV_H */
