// SPDX-License-Identifier: GPL-2.0
/*
 * select.c - choose the attach mode.  `auto` tries, in order,
 * fentry (cheapest, sees everything), kprobe, cgroup (works where tracing
 * is compiled out or locked down), then the kernel module if it is loaded,
 * and explains on stderr why each better mode was not taken.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "source/source.h"

struct mode {
	const char *name;
	int id;
};

static const struct mode modes[] = {
	{ "fentry", GP_SRC_FENTRY },
	{ "kprobe", GP_SRC_KPROBE },
	{ "cgroup", GP_SRC_CGROUP },
	{ "kmod", GP_SRC_KMOD },
};

#define NMODES (sizeof(modes) / sizeof(modes[0]))

static struct gp_source *open_one(int id, const struct gp_source_opts *o,
				  char *err, size_t errlen)
{
	if (id == GP_SRC_KMOD)
		return gp_source_kmod_open(o, err, errlen);
	return gp_source_bpf_open(id, o, err, errlen);
}

struct gp_source *gp_source_select(const char *name,
				 const struct gp_source_opts *o)
{
	char err[512];
	struct gp_source *s;
	int pinned;
	size_t i;

	/* A forced enforcement method that cannot work here is one clear
	 * error, not a failure of every attach mode in turn. */
	if ((o->conf_flags & GP_CONF_ENFORCE) && o->deny_with == GP_DENY_LSM &&
	    strcmp(name, "kmod") &&
	    gp_source_bpf_lsm_usable(o, err, sizeof(err))) {
		fprintf(stderr, "ghostport: --deny-with lsm: %s\n", err);
		return NULL;
	}
	if (strcmp(name, "auto")) {
		for (i = 0; i < NMODES; i++) {
			if (strcmp(name, modes[i].name))
				continue;
			s = open_one(modes[i].id, o, err, sizeof(err));
			if (!s)
				fprintf(stderr, "ghostport: source %s: %s\n",
					name, err);
			return s;
		}
		fprintf(stderr,
			"ghostport: unknown source \"%s\" (auto, fentry, kprobe, cgroup, kmod)\n",
			name);
		return NULL;
	}
	/* A pinned instance outlived its daemon: adopt it, whatever it is. */
	pinned = gp_source_bpf_pinned_mode(err, sizeof(err));
	if (pinned < 0) {
		fprintf(stderr, "ghostport: %s\n", err);
		return NULL;
	}
	for (i = 0; pinned && i < NMODES; i++) {
		if (modes[i].id != pinned)
			continue;
		s = open_one(pinned, o, err, sizeof(err));
		if (s) {
			fprintf(stderr, "ghostport: source %s selected (pinned)\n",
				modes[i].name);
			return s;
		}
		fprintf(stderr, "ghostport: pinned source %s unusable: %s\n",
			modes[i].name, err);
		return NULL;
	}
	for (i = 0; i < NMODES; i++) {
		/* The module is a fallback only when someone loaded it. */
		if (modes[i].id == GP_SRC_KMOD && access("/dev/ghostport", F_OK)) {
			fprintf(stderr,
				"ghostport: source kmod unavailable: /dev/ghostport not present (module not loaded)\n");
			continue;
		}
		s = open_one(modes[i].id, o, err, sizeof(err));
		if (s) {
			fprintf(stderr, "ghostport: source %s selected\n",
				modes[i].name);
			return s;
		}
		fprintf(stderr, "ghostport: source %s unavailable: %s\n",
			modes[i].name, err);
	}
	fprintf(stderr, "ghostport: no attach mode works on this kernel\n");
	return NULL;
}
