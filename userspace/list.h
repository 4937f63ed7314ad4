/* SPDX-License-Identifier: GPL-2.0 */
/* list.h - `ghostport list`: the effective blocklist, explained. */
#ifndef GP_LIST_H
#define GP_LIST_H

int gp_cmd_list(int argc, char **argv);

#endif /* GP_LIST_H */
