// SPDX-License-Identifier: GPL-2.0
/*
 * pin.c - the bpffs directory that keeps a policy in force between runs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "source/pin.h"

void gp_pin_map_path(char *buf, size_t len, const char *map)
{
	char *p;

	snprintf(buf, len, "%s/map-%s", GP_PIN_DIR, map);
	/* bpffs refuses dots in names (".bss" maps have one). */
	for (p = buf + strlen(GP_PIN_DIR) + 1; *p; p++)
		if (*p == '.')
			*p = '_';
}

void gp_pin_link_path(char *buf, size_t len, const char *link)
{
	snprintf(buf, len, "%s/link-%s", GP_PIN_DIR, link);
}

int gp_pin_dir_ready(char *err, size_t errlen)
{
	struct statfs st;

	if (statfs("/sys/fs/bpf", &st) || st.f_type != BPF_FS_MAGIC) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
			snprintf(err, errlen,
				 "bpffs is not mounted at /sys/fs/bpf and mounting it failed: %s",
				 strerror(errno));
			return -1;
		}
	}
	if (mkdir(GP_PIN_DIR, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", GP_PIN_DIR,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int remove_matching(DIR *d, const char *prefix)
{
	struct dirent *de;
	char path[512];
	int n = 0;

	rewinddir(d);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", GP_PIN_DIR, de->d_name);
		if (!unlink(path))
			n++;
	}
	return n;
}

int gp_pin_remove_all(char *err, size_t errlen)
{
	DIR *d = opendir(GP_PIN_DIR);
	int n;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		if (err)
			snprintf(err, errlen, "cannot open %s: %s", GP_PIN_DIR,
				 strerror(errno));
		return -1;
	}
	/* Links first: the programs detach before their maps go. */
	n = remove_matching(d, "link-");
	n += remove_matching(d, "map-");
	closedir(d);
	if (rmdir(GP_PIN_DIR) && errno != ENOENT) {
		if (err)
			snprintf(err, errlen, "cannot remove %s: %s",
				 GP_PIN_DIR, strerror(errno));
		return -1;
	}
	return n;
}
