/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd.h - the commands main.c dispatches to, other than `run` (run.h).
 * argv[0] is the command name.  Each returns the exit status: 0 ok, 1 failed,
 * 2 usage error.
 */
#ifndef GP_CMD_H
#define GP_CMD_H

/* `ghostport list`: the effective blocklist, explained (cmd/list_ports.c). */
int gp_cmd_list(int argc, char **argv);

/* `ghostport check-config [FILE]`: 0 valid, 1 invalid, 2 usage
 * (cmd/check_config.c). */
int gp_cmd_check_config(int argc, char **argv);

/* `ghostport unload`, `ghostport enforce on|off`: act on a running or
 * pinned instance (cmd/unload_enforce.c). */
int gp_cmd_unload(int argc, char **argv);
int gp_cmd_enforce(int argc, char **argv);

/*
 * The control socket's client commands (cmd/status_reload.c):
 *   ghostport status [--json | --prometheus [--textfile PATH]] [--socket P]
 *   ghostport reload [--socket P]
 * Exit status 0, 1 on failure (no daemon, refused reload), 2 on usage.
 */
int gp_cmd_status(int argc, char **argv);
int gp_cmd_reload(int argc, char **argv);

/* `ghostport scan [--json] [--all] [--close-existing]`: the sockets already
 * on listed ports, from the running daemon or scanned here (cmd/scan.c). */
int gp_cmd_scan(int argc, char **argv);

#endif /* GP_CMD_H */
