/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run_args.h - `ghostport run`'s settings: the config file first, then the
 * command line on top, so a flag always wins over the file.
 */
#ifndef GP_RUN_ARGS_H
#define GP_RUN_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include "policy/config.h"
#include "output/output.h"
#include "source/source.h"

#define GP_MAX_CLI_OUTPUTS 16

struct run_args {
	/* From the command line; NULL/0 = not given. */
	const char *config_path;	/* --config (or the default if present) */
	bool no_config;
	const char *source;
	const char *ports;
	const char *add_ports;
	const char *format;
	const char *deny;
	int errno_val;			/* 0 = not given */
	int all, enforce;		/* -1 = not given */
	enum gp_deny_method deny_with;
	struct gp_exemptions exempt;	/* added to the file's */
	const char *outputs[GP_MAX_CLI_OUTPUTS];
	int n_outputs;
	__u32 ring_bytes;
	long long fold_ms;		/* -1 = not given */
	const char *tls_ca, *tls_cert, *tls_key, *spool_dir;
	__u64 spool_max;
	bool no_pin, verbose;
	int close_existing;		/* --close-existing: 1, else 0 */
	const char *cgroup_path, *btf_path;
};

/* 0 ok, 1 help printed (exit 0), 2 usage error (message printed). */
int gp_run_parse_args(int argc, char **argv, struct run_args *a);

/*
 * Build the effective settings: the config file (if any) with the command
 * line on top.  Used at start and on every reload.  0, or -1 with a
 * one-line reason in err (the running policy is then kept).
 */
int gp_run_effective(const struct run_args *a, struct gp_config *cfg,
		     char *err, size_t errlen);

void gp_run_usage(FILE *f);

#endif /* GP_RUN_ARGS_H */
