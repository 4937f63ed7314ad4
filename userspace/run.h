/* SPDX-License-Identifier: GPL-2.0 */
/* run.h - the `ghostport run` command: attach, stream, detach. */
#ifndef GP_RUN_H
#define GP_RUN_H

int gp_cmd_run(int argc, char **argv);

/* Pick and open a source: "auto" tries the better modes first and says,
 * one line each on stderr, why each one it skipped failed. */
struct gp_source;
struct gp_source_opts;
struct gp_source *gp_open_source(const char *name,
				 const struct gp_source_opts *o);

#endif /* GP_RUN_H */
