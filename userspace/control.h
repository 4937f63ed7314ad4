/* SPDX-License-Identifier: GPL-2.0 */
/* control.h - commands that act on a running or pinned instance. */
#ifndef GP_CONTROL_H
#define GP_CONTROL_H

int gp_cmd_unload(int argc, char **argv);
int gp_cmd_enforce(int argc, char **argv);

#endif /* GP_CONTROL_H */
