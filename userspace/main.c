// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - command dispatch: run, list, version, help.
 */
#include <stdio.h>
#include <string.h>

#include <linux/types.h>

#include "ghostport_abi.h"
#include "cmd/cmd.h"
#include "run.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ghostport COMMAND [OPTIONS]\n"
"Audit and block binds to ghost ports: well-known ports IANA assigned to\n"
"services that no longer exist.\n"
"\n"
"Commands:\n"
"  run       watch binds and stream events (ghostport run --help)\n"
"  list      print the effective blocklist with IANA names and reasons\n"
"  status    state and counters of the running instance (--json, --prometheus)\n"
"  reload    make the running instance re-read its settings file\n"
"  scan      what holds a listed port right now, in every network namespace\n"
"  check-config [FILE]  validate a settings file and explain every error\n"
"  enforce   on|off: switch a running instance's enforcement\n"
"  unload    stop a running instance and remove its pinned policy\n"
"  version   print the version and the event ABI version\n"
"  help      this help\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "run"))
		return gp_cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "list"))
		return gp_cmd_list(argc - 1, argv + 1);
	if (!strcmp(cmd, "status"))
		return gp_cmd_status(argc - 1, argv + 1);
	if (!strcmp(cmd, "scan"))
		return gp_cmd_scan(argc - 1, argv + 1);
	if (!strcmp(cmd, "reload"))
		return gp_cmd_reload(argc - 1, argv + 1);
	if (!strcmp(cmd, "check-config"))
		return gp_cmd_check_config(argc - 1, argv + 1);
	if (!strcmp(cmd, "unload"))
		return gp_cmd_unload(argc - 1, argv + 1);
	if (!strcmp(cmd, "enforce"))
		return gp_cmd_enforce(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("ghostport %s (event ABI %d)\n", GP_VERSION,
		       GP_ABI_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "ghostport: unknown command \"%s\" (see ghostport --help)\n",
		cmd);
	return 2;
}
