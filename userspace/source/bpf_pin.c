// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_pin.c - the instance pinned under GP_PIN_DIR: pin a new one's
 * maps, adopt a running one's (its maps reused, its programs not loaded
 * again), and on stop keep the pins (enforcing) or remove them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "source/bpf_int.h"
#include "source/pin.h"

/* The pinned .bss (the run-time state), by the skeleton's name for it. */
static int open_pinned_bss(struct ghostport_bpf *skel)
{
	char path[256];

	gp_pin_map_path(path, sizeof(path), bpf_map__name(skel->maps.bss));
	return bpf_obj_get(path);
}

/*
 * This build's program identity: FNV-1a 64 of the BPF object it embeds,
 * with the ABI version in the top byte (never 0, the value of an instance
 * pinned before the identity existed).
 */
__u64 gp_bpf_prog_version(void)
{
	static __u64 h;
	const unsigned char *p;
	size_t sz, i;

	if (h)
		return h;
	p = ghostport_bpf__elf_bytes(&sz);
	h = 0xcbf29ce484222325ULL;
	for (i = 0; i < sz; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h = (h & 0x00ffffffffffffffULL) | ((__u64)GP_ABI_VERSION << 56);
	return h;
}

/*
 * Is the pinned instance this build's?  Its state must have our layout and
 * our program identity; anything else is refused with one line: adopting
 * programs of another build would run them with a policy, a record layout
 * or counters they do not have.
 */
static int check_pinned_version(struct ghostport_bpf *skel, int fd,
				 char *err, size_t errlen)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	size_t sz = bpf_map__value_size(skel->maps.bss);
	struct ghostport_bpf__bss *bss;
	__u64 v;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.value_size = 0;
	if (info.value_size != sz) {
		snprintf(err, errlen,
			 "the instance pinned at %s was loaded by another ghostport version (state of %u bytes, this one %zu); run 'ghostport unload' first",
			 GP_PIN_DIR, info.value_size, sz);
		return -ESTALE;
	}
	bss = mmap(NULL, sz, PROT_READ, MAP_SHARED, fd, 0);
	if (bss == MAP_FAILED) {
		snprintf(err, errlen, "pinned state at %s unreadable",
			 GP_PIN_DIR);
		return -EINVAL;
	}
	v = bss->gp_pin_version;
	munmap(bss, sz);
	if (v != gp_bpf_prog_version()) {
		snprintf(err, errlen,
			 "the instance pinned at %s was loaded by another ghostport build (ABI %u, programs %016llx; this one ABI %u, programs %016llx); run 'ghostport unload' first",
			 GP_PIN_DIR, (unsigned)(v >> 56),
			 (unsigned long long)v, GP_ABI_VERSION,
			 (unsigned long long)gp_bpf_prog_version());
		return -ESTALE;
	}
	return 0;
}

/* Every map of the skeleton, by the name it is pinned under. */
int gp_bpf_reuse_or_pin_maps(struct bpf_src *b, bool reuse, char *err,
			     size_t errlen)
{
	struct bpf_map *m;
	char path[256];
	int fd;

	bpf_object__for_each_map(m, b->skel->obj) {
		if (bpf_map__is_internal(m) && m != b->skel->maps.bss)
			continue;
		gp_pin_map_path(path, sizeof(path), bpf_map__name(m));
		if (reuse) {
			fd = bpf_obj_get(path);
			if (fd < 0) {
				snprintf(err, errlen,
					 "pinned map %s unusable: %s (run 'ghostport unload')",
					 path, strerror(errno));
				return -errno;
			}
			if (bpf_map__reuse_fd(m, fd)) {
				close(fd);
				snprintf(err, errlen,
					 "pinned map %s does not match this version (run 'ghostport unload')",
					 path);
				return -EINVAL;
			}
			close(fd);
		} else if (bpf_map__set_pin_path(m, path)) {
			snprintf(err, errlen, "pin path %s: %s", path,
				 strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/*
 * Open a pinned instance's maps from its pins and read which programs it
 * runs.  Returns the pinned audit mode, 0 when nothing is pinned.
 */
int gp_bpf_adopt(struct bpf_src *b, int mode, int *pinned_deny, char *err,
		 size_t errlen)
{
	int fd, pinned_mode;
	void *bss;
	size_t sz;

	fd = open_pinned_bss(b->skel);
	if (fd < 0)
		return 0;
	pinned_mode = check_pinned_version(b->skel, fd, err, errlen);
	if (pinned_mode) {
		close(fd);
		return pinned_mode;
	}
	sz = bpf_map__value_size(b->skel->maps.bss);
	bss = mmap(NULL, sz, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (bss == MAP_FAILED) {
		snprintf(err, errlen, "pinned state at %s unreadable",
			 GP_PIN_DIR);
		return -EINVAL;
	}
	pinned_mode = ((struct ghostport_bpf__bss *)bss)->gp_pin_audit_mode;
	*pinned_deny = ((struct ghostport_bpf__bss *)bss)->gp_pin_deny_mode;
	munmap(bss, sz);
	if (mode && pinned_mode && mode != pinned_mode) {
		snprintf(err, errlen,
			 "a pinned instance at %s runs source %s; use --source %s or run 'ghostport unload' first",
			 GP_PIN_DIR, gp_bpf_mode_name(pinned_mode),
			 gp_bpf_mode_name(pinned_mode));
		return -EEXIST;
	}
	if (gp_bpf_reuse_or_pin_maps(b, true, err, errlen))
		return -EINVAL;
	return pinned_mode ? pinned_mode : -ENOENT;
}

/*
 * Pin a new instance's maps, or adopt the pinned one (p->pinned_mode and
 * p->pinned_deny say what it runs).  Maps pinned without a running
 * instance are leftovers: removed, and a new instance pinned.
 */
int gp_bpf_pin_or_adopt(struct bpf_src *b, struct gp_bpf_plan *p,
			bool no_pin, char *err, size_t errlen)
{
	int pinned_mode;

	b->pinned = !no_pin && gp_pin_dir_ready(err, errlen) == 0;
	if (!no_pin && !b->pinned)
		return -1;
	if (!b->pinned)
		return 0;
	pinned_mode = gp_bpf_adopt(b, p->mode, &p->pinned_deny, err, errlen);
	if (pinned_mode < 0 && pinned_mode != -ENOENT)
		return -1;
	if (pinned_mode == -ENOENT) {
		gp_pin_remove_all(NULL, 0);
		gp_pin_dir_ready(err, errlen);
		pinned_mode = 0;
		p->pinned_deny = 0;
	}
	p->pinned_mode = pinned_mode;
	b->adopted = pinned_mode > 0;
	b->created = !b->adopted;
	if (!b->adopted && gp_bpf_reuse_or_pin_maps(b, false, err, errlen))
		return -1;
	return 0;
}

int gp_source_bpf_pinned_mode(char *err, size_t errlen)
{
	struct ghostport_bpf *skel = ghostport_bpf__open();
	struct ghostport_bpf__bss *bss;
	size_t sz = sizeof(*bss);
	int fd, mode;

	/* Opened, not loaded: only for the name the state is pinned under. */
	if (!skel)
		return 0;
	fd = open_pinned_bss(skel);
	if (fd >= 0 && check_pinned_version(skel, fd, err, errlen)) {
		close(fd);
		ghostport_bpf__destroy(skel);
		return -1;
	}
	ghostport_bpf__destroy(skel);
	if (fd < 0)
		return 0;
	bss = mmap(NULL, sz, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (bss == MAP_FAILED)
		return 0;
	mode = (int)bss->gp_pin_audit_mode;
	munmap(bss, sz);
	return mode;
}

/*
 * Stop producing.  Pinned links stay attached through their pins: with
 * enforcement on, the policy outlives us on purpose; otherwise the pins
 * are removed and the programs detach with our last reference.
 */
void gp_bpf_detach(struct gp_source *src)
{
	struct bpf_src *b = src->priv;
	bool keep = b->pinned &&
		    (b->skel->bss->gp_conf.flags & GP_CONF_ENFORCE);

	if (b->pinned && !keep)
		gp_pin_remove_all(NULL, 0);
	src->persists = keep;
	if (keep)
		gp_bpf_release_links(b);
	else
		gp_bpf_detach_links(b);
}
