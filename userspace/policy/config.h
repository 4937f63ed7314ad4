/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config.h - /etc/ghostport/ghostport.conf: the YAML policy file, read into
 * the effective policy the daemon runs (schema: docs/man/ghostport.conf.5).
 *
 * Loading is all or nothing: every value is checked (types, ports, errnos,
 * durations, sizes, users, cgroups, executables) and each problem is
 * reported as one line "FILE:LINE:COL: what was expected", in file order.
 * A reload that fails therefore never leaves a half-built policy: load into
 * a second struct gp_config and swap only on success.
 */
#ifndef GP_CONFIG_H
#define GP_CONFIG_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "policy/digest.h"
#include "ghostport_abi.h"
#include "policy/policy.h"

#define GP_CONFIG_PATH		"/etc/ghostport/ghostport.conf"
#define GP_CONFIG_MAX_OUTPUTS	32
#define GP_CONFIG_MAX_RULES	1024

struct gp_config {
	/* What the file said (or the default when it did not). */
	bool include_builtin;		/* default true */
	bool builtin_deny;		/* builtin_action: deny (default audit) */
	char source[8];			/* auto|fentry|kprobe|cgroup|kmod */
	bool all;			/* report unlisted binds too */
	bool enforce;			/* apply the deny bits */
	enum gp_deny_method deny_with;	/* GP_DENY_AUTO, _LSM or _CGROUP */
	int default_errno;		/* default EPERM */
	__u32 ring_bytes;		/* 0: the source's default (4 MiB) */
	__u64 fold_window_ns;		/* 0: no folding; default 5 s */
	__u64 scan_interval_ns;		/* 0 (default): scan only at start,
					 * after reloads and on request */
	bool close_existing;		/* under enforcement, SOCK_DESTROY
					 * sockets found on denied ports */
	char *outputs[GP_CONFIG_MAX_OUTPUTS];	/* "FORMAT@DEST" */
	size_t n_outputs;		/* 0: stdout, as without a config */
	char *tls_ca, *tls_cert, *tls_key;	/* NULL when not set */
	char *spool_dir;		/* NULL: the output default */
	__u64 spool_max;		/* bytes per output, 0: default */

	/* The effective policy, built from the above. */
	struct gp_exemptions exempt;	/* resolved ids and inodes */
	size_t n_listed;		/* ports with a rule */
	size_t n_denied;		/* ports with deny bits */
	char digest[GP_DIGEST_HEX_LEN + 1];	/* gp_policy_digest() */
	__u32 rules[GP_NR_PORTS];	/* blocklist, as the kernel gets it */
};

/*
 * Defaults: include_builtin, audit only, source auto, deny_with auto,
 * EPERM, fold window 5 s, no outputs.  rules holds the built-in list.
 */
void gp_config_defaults(struct gp_config *c);

/*
 * Load path into c (which is overwritten: it is ~260 KiB, keep it static or
 * on the heap).  A missing path is an error; an empty file gives the
 * defaults.  0, or -1 with the problems in err ("FILE:LINE:COL: ..." or
 * "FILE: ..."; several problems: one line each, '\n' between them, up
 * to 32), c then holding nothing that needs freeing.  errlen: 4096 keeps
 * every line of a bad file; a shorter buffer keeps the first ones.
 */
int gp_config_load(const char *path, struct gp_config *c, char *err,
		   size_t errlen);

/* The same from memory; name is used in messages. */
int gp_config_parse(const char *name, const char *buf, size_t len,
		    struct gp_config *c, char *err, size_t errlen);

/* GP_CONF_ALL / GP_CONF_ENFORCE as the sources want them. */
__u32 gp_config_conf_flags(const struct gp_config *c);

/* Free the strings; c can be loaded again afterwards. */
void gp_config_free(struct gp_config *c);

#endif /* GP_CONFIG_H */
