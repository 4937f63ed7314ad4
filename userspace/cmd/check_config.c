// SPDX-License-Identifier: GPL-2.0
/*
 * check_config.c - `ghostport check-config [FILE]`: load a config exactly as
 * the daemon would and say what it means, or every problem, one per line.
 *
 * Users, groups, cgroups and executables named in exemptions are resolved
 * here too, so a config that checks on the host it is meant for is one the
 * daemon accepts there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/config.h"
#include "cmd/cmd.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ghostport check-config [FILE]\n"
"Check a ghostport config (default %s) without running anything.\n"
"\n"
"Prints \"FILE: OK (...)\" with what the policy lists, denies and exempts\n"
"and its digest (the one `ghostport status` shows), and exits 0; or prints\n"
"each problem as FILE:LINE:COL: what was expected, and exits 1.\n"
"\n"
"  -h, --help   this help\n", GP_CONFIG_PATH);
}

int gp_cmd_check_config(int argc, char **argv)
{
	const char *path = NULL;
	struct gp_config *c;
	char err[8192];
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr,
				"ghostport: unknown option \"%s\" (see ghostport check-config --help)\n",
				argv[i]);
			return 2;
		}
		if (path) {
			fprintf(stderr,
				"ghostport: check-config takes one file, got \"%s\" too\n",
				argv[i]);
			return 2;
		}
		path = argv[i];
	}
	if (!path)
		path = GP_CONFIG_PATH;
	/* ~260 KiB: not for the stack. */
	c = malloc(sizeof(*c));
	if (!c) {
		fprintf(stderr, "ghostport: out of memory\n");
		return 1;
	}
	ret = gp_config_load(path, c, err, sizeof(err));
	if (ret) {
		/* Problems on stdout, one per line, so they can be piped
		 * and counted; the exit status says it failed. */
		printf("%s\n", err);
		free(c);
		return 1;
	}
	printf("%s: OK (%zu ports listed, %zu denied, %zu exemptions, enforce %s, digest %s)\n",
	       path, c->n_listed, c->n_denied, gp_exempt_count(&c->exempt),
	       c->enforce ? "on" : "off", c->digest);
	gp_config_free(c);
	free(c);
	return 0;
}
