/* SPDX-License-Identifier: GPL-2.0 */
/*
 * identity.h - who made the bind, as the reader presents it: the ABI v2
 * parts the kernel sent (executable paths, argv), the paths it sent
 * earlier (a cache by (ino, dev)), and what only userspace knows (user and
 * group names, the cgroup path, its systemd unit and container id).
 */
#ifndef GP_IDENTITY_H
#define GP_IDENTITY_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "ghostport_abi.h"

#define GP_NAME_LEN	64
#define GP_CGROUP_LEN	512

struct gp_ident_exe {
	char path[GP_PATH_MAX + 1];	/* "" when unknown */
	const char *reason;		/* why path is "" (NULL when known) */
};

struct gp_ident {
	struct gp_ident_exe exe;	/* the task's executable */
	struct gp_ident_exe parent_exe;
	unsigned char args[GP_ARGS_MAX];/* argv, NUL-separated, raw bytes */
	__u16 args_len;			/* 0 with no GP_PART_ARGS part */
	bool has_args;
	/* Names (empty when unknown); uid etc. are in the record. */
	char user[GP_NAME_LEN], group[GP_NAME_LEN];
	char euser[GP_NAME_LEN], egroup[GP_NAME_LEN];
	char auser[GP_NAME_LEN];
	/* The task's cgroup v2 path ("" unknown), unit and container. */
	char cgroup[GP_CGROUP_LEN];
	char unit[GP_NAME_LEN * 2];	/* innermost systemd unit, or "" */
	char container_id[65];		/* 64 hex digits, or "" */
	const char *container_runtime;	/* docker, containerd, ... or NULL */
};

/*
 * Read the variable parts of a v2 record (data, len: the whole record,
 * header already checked) into id.  Returns 0, or -1 with a one-line
 * reason in err (a part that overruns the record).  Unknown part types are
 * skipped.
 */
int gp_ident_parts(const struct gp_event *e, const void *data, size_t len,
		   struct gp_ident *id, char *err, size_t errlen);

/*
 * Fill what the parts left out: executable paths sent in an earlier
 * record (the cache), /proc as a last resort, names, cgroup, unit,
 * container.  Never leaves an executable bare: when its path stays
 * unknown, reason says why (the record still carries its inode).
 */
void gp_ident_resolve(const struct gp_event *e, struct gp_ident *id);

/* A new reader generation for gp_conf.exe_gen (never 0). */
__u32 gp_ident_new_gen(void);

/*
 * Called when the reader forgets a path (cache eviction or a miss): the
 * producer should send that executable's path again.  BPF: delete the key
 * from gp_exe_sent.
 */
void gp_ident_on_forget(void (*fn)(void *ctx, __u64 ino, __u32 dev),
			void *ctx);

/*
 * argv one argument at a time: start with *pos = 0; each call sets p/n to
 * the next argument's bytes (no NUL) and returns false at the end.
 */
bool gp_ident_arg_next(const struct gp_ident *id, size_t *pos,
		       const unsigned char **p, size_t *n);
size_t gp_ident_arg_count(const struct gp_ident *id);

/*
 * argv joined into one command line, quoted like a POSIX shell (event/
 * cmdline.c), NUL-terminated in out; an argument that does not fit is left
 * out whole.  Returns the length.  GP_CMDLINE_MAX holds any GP_ARGS_MAX.
 */
#define GP_CMDLINE_MAX	(4 * GP_ARGS_MAX + 2 * GP_ARGS_MAX + 1)
size_t gp_ident_cmdline(const struct gp_ident *id, char *out, size_t outlen);

/* Split cgroup path p into unit and container (exposed for tests). */
void gp_ident_cgroup_parse(const char *p, struct gp_ident *id);

/* Forget every cached path and name (tests; a new generation). */
void gp_ident_reset(void);

#endif /* GP_IDENTITY_H */
