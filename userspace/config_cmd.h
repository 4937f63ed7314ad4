/* SPDX-License-Identifier: GPL-2.0 */
/* config_cmd.h - `ghostport check-config [FILE]`. */
#ifndef GP_CONFIG_CMD_H
#define GP_CONFIG_CMD_H

/* argv[0] is "check-config".  Exit status: 0 valid, 1 invalid, 2 usage. */
int gp_cmd_check_config(int argc, char **argv);

#endif /* GP_CONFIG_CMD_H */
