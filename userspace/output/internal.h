/* SPDX-License-Identifier: GPL-2.0 */
/*
 * internal.h - the inside of a struct gp_output, shared by output.c (spec
 * parsing, queued delivery) and the local sinks (file.c, journal.c).  Not for the run loop: it uses output/output.h.
 */
#ifndef GP_OUTPUT_INT_H
#define GP_OUTPUT_INT_H

#include <limits.h>

#include "format/format.h"
#include "output/output.h"
#include "output/net.h"
#include "output/queue.h"

enum gp_dest {
	GP_DEST_STDOUT,
	GP_DEST_FILE,
	GP_DEST_JOURNAL,
	GP_DEST_UNIX,
	GP_DEST_UDP,
	GP_DEST_TCP,
	GP_DEST_TLS,
};

/* Local sinks buffer this much before writing (and at every tick). */
#define GP_OUT_WBUF		(64 * 1024)
/* Memory queue of a network output, in front of its spool. */
#define GP_OUT_MEMQ		(1024 * 1024)
#define GP_OUT_SPOOL_DEFAULT	(64ULL * 1024 * 1024)
#define GP_OUT_SPOOL_DIR	"/var/spool/ghostport"
/* Longest message: any formatted record plus a syslog wrapping header. */
#define GP_OUT_MAX_MSG		(GP_FORMAT_BUF_SIZE + 512)

struct gp_output {
	char *spec;
	enum gp_format fmt;
	enum gp_dest dest;
	char target[PATH_MAX];		/* file/unix path, or network host */
	char port[8];
	char hostname[256];		/* for drop notices */
	char machine_id[33];		/* "" when unknown */
	struct gp_output_stats st;
	char *line;			/* formatted record, GP_FORMAT_BUF_SIZE */

	/* stdout / file */
	int fd;
	char *wbuf;
	size_t wlen;
	uint64_t wrecs;			/* records in wbuf */
	bool reopen_failed;

	/* network: queue, connection and the frame being sent */
	struct gp_queue q;
	struct gp_net *net;
	char *frame;			/* framing header + message */
	size_t frame_len, frame_off;
	bool have_frame;
	uint64_t pending_drops;		/* not yet reported by a notice */
};

/* output/file.c */
int gp_file_open(struct gp_output *o, char *err, size_t errlen);
void gp_file_write(struct gp_output *o, const char *p, size_t n);
void gp_file_flush(struct gp_output *o);
void gp_file_reopen(struct gp_output *o);
void gp_file_close(struct gp_output *o);

/* output/journal.c: 0, or -1 with a reason (built without libsystemd). */
int gp_journal_check(char *err, size_t errlen);
int gp_journal_send(const struct gp_record *r, const char *line, size_t n);

#endif /* GP_OUTPUT_INT_H */
