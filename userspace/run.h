/* SPDX-License-Identifier: GPL-2.0 */
/* run.h - the `ghostport run` command: attach, stream, detach. */
#ifndef GP_RUN_H
#define GP_RUN_H

int gp_cmd_run(int argc, char **argv);

#endif /* GP_RUN_H */
