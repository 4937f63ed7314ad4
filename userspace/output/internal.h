/* SPDX-License-Identifier: GPL-2.0 */
/*
 * internal.h - the inside of a struct gp_output, shared by output.c (spec
 * parsing and the ops table), queued.c (queued delivery to a collector),
 * relp.c, journal.c and file.c.  Not for the run loop: it uses
 * output/output.h.
 *
 * Every destination is one const struct gp_output_ops in the table of
 * output.c: what its spec looks like, and what it does.  Nothing outside
 * that table knows which destinations exist.
 */
#ifndef GP_OUTPUT_INT_H
#define GP_OUTPUT_INT_H

#include <limits.h>

#include "format/format.h"
#include "output/output.h"
#include "output/net.h"
#include "output/queue.h"

/* Local sinks buffer this much before writing (and at every tick). */
#define GP_OUT_WBUF		(64 * 1024)
/* Memory queue of a queued output, in front of its spool. */
#define GP_OUT_MEMQ		(1024 * 1024)
#define GP_OUT_SPOOL_DEFAULT	(64ULL * 1024 * 1024)
#define GP_OUT_SPOOL_DIR	"/var/spool/ghostport"
/* Longest message: any formatted record plus a syslog wrapping header. */
#define GP_OUT_MAX_MSG		(GP_FORMAT_BUF_SIZE + 512)
/* Longest queued record: a message, or a journal entry (a message plus
 * the exe path and the small fields). */
#define GP_OUT_MAX_REC		(GP_OUT_MAX_MSG + PATH_MAX + 4096)
/* Room in front of a record for its framing header: octet counting
 * "4294967295 ", RELP "999999999 syslog 4294967295 ". */
#define GP_OUT_FRAME_HDR	32
/* Frames in flight (written, not acknowledged) on one connection. */
#define GP_OUT_INFLIGHT		16384

/* What a destination's spec takes after its prefix. */
enum gp_dest_arg {
	GP_ARG_NONE,		/* the spec is the prefix itself ("-") */
	GP_ARG_OPT_PATH,	/* "journal" or "journal:PATH" */
	GP_ARG_PATH,		/* "file:PATH" */
	GP_ARG_HOSTPORT,	/* "tcp://HOST:PORT" */
};

/* How a queued record goes on the wire. */
enum gp_framing {
	GP_FRAME_PLAIN,		/* as it is: a datagram (newline-terminated on
				 * a stream unix: socket) */
	GP_FRAME_OCTET,		/* RFC 6587 octet counting "LEN SP MSG" */
	GP_FRAME_RELP,		/* RELP "TXNR syslog LEN MSG LF" */
};

struct gp_output;

struct gp_output_ops {
	const char *prefix;		/* "tcp://", "file:", "-", "journal" */
	enum gp_dest_arg arg;
	const char *usage;		/* for the error on an unknown DEST */

	/* Queued outputs (a connection, a queue and a spool) set these. */
	bool queued;
	enum gp_net_kind net;
	enum gp_framing framing;

	/* Set up after the spec is parsed; -1 with a reason. */
	int (*open)(struct gp_output *o, const struct gp_output_env *env,
		    char *err, size_t errlen);
	/* Local sinks: write the formatted line (n bytes, '\n'-terminated). */
	int (*write)(struct gp_output *o, const struct gp_record *r,
		     const char *line, size_t n);
	/* Queued outputs: the record to queue for r (line is r formatted in
	 * the output's format, no '\n'), and the drop notice; the length,
	 * or -1.  NULL: the line itself, in an RFC 5424 header unless the
	 * format is syslog. */
	int (*message)(struct gp_output *o, const struct gp_record *r,
		       const char *line, size_t n, char *buf, size_t cap);
	int (*notice)(struct gp_output *o, uint64_t dropped, char *buf,
		      size_t cap);
	void (*tick)(struct gp_output *o);
	void (*reopen)(struct gp_output *o);
	/* Flush within timeout_ms and release what open took; o->st then
	 * holds the final counters (spooled: what waits for the next run). */
	void (*close)(struct gp_output *o, int timeout_ms);
	/* Live counters: spooled and down, on top of o->st. */
	void (*stats)(const struct gp_output *o, struct gp_output_stats *s);
};

/* RELP session state of a relp:// output (output/relp.c). */
struct gp_relp;

struct gp_output {
	char *spec;
	const struct gp_output_ops *ops;
	enum gp_format fmt;
	char target[PATH_MAX];		/* file/unix path, or network host */
	char port[8];
	char hostname[256];		/* for drop notices */
	char machine_id[33];		/* "" when unknown */
	struct gp_output_stats st;
	char *line;			/* formatted record, GP_OUT_MAX_MSG */

	/* stdout / file */
	int fd;
	bool is_stdout;
	char *wbuf;
	size_t wlen;
	uint64_t wrecs;			/* records in wbuf */
	bool reopen_failed;
	bool use_send;			/* stdout is a socket: send(DONTWAIT) */

	/* queued: queue, connection and the frame being sent */
	struct gp_queue q;
	struct gp_net *net;
	char *msg;			/* a record being built, GP_OUT_MAX_REC */
	char *frame;			/* framing header + record + trailer */
	size_t frame_len, frame_off;
	bool have_frame;
	uint64_t pending_drops;		/* not yet reported by a notice */
	uint64_t sent_once;		/* the oldest records sent at least
					 * once: a next send of one of them is
					 * a resend (st.resent) */
	/* frames written, not acknowledged yet (a ring, oldest first): for
	 * octet/plain streams where each ends in gp_net_sent() bytes, for
	 * RELP its txnr */
	uint64_t *ends;
	unsigned char *acked;		/* RELP: its rsp 200 arrived */
	size_t ends_head, ends_n;
	struct gp_relp *relp;
};

/* output/output.c: the table of destinations. */
extern const struct gp_output_ops gp_out_stdout_ops, gp_out_file_ops,
	gp_out_journal_ops, gp_out_unix_ops, gp_out_udp_ops, gp_out_tcp_ops,
	gp_out_tls_ops, gp_out_relp_ops, gp_out_relp_tls_ops;

/* SPOOL_DIR/<spec with [^A-Za-z0-9._-] as _>.spool */
void gp_out_spool_path(char *out, size_t outlen, const char *dir,
		       const char *spec);
void gp_output_free(struct gp_output *o);

/* output/file.c: stdout and file: */
int gp_file_open(struct gp_output *o, const struct gp_output_env *env,
		 char *err, size_t errlen);
int gp_file_write(struct gp_output *o, const struct gp_record *r,
		  const char *p, size_t n);
void gp_file_flush(struct gp_output *o);
void gp_file_reopen(struct gp_output *o);
void gp_file_close(struct gp_output *o, int timeout_ms);
void gp_file_stats(const struct gp_output *o, struct gp_output_stats *s);

/* output/queued.c: delivery through a queue, a spool and a connection */
int gp_queued_open(struct gp_output *o, const struct gp_output_env *env,
		   char *err, size_t errlen);
int gp_queued_emit(struct gp_output *o, const struct gp_record *r,
		   const char *line, size_t n);
void gp_queued_tick(struct gp_output *o);
void gp_queued_close(struct gp_output *o, int timeout_ms);
void gp_queued_stats(const struct gp_output *o, struct gp_output_stats *s);
/* Frame i of the in-flight ring was acknowledged: pop acknowledged
 * frames from the oldest on. */
void gp_queued_take_acked(struct gp_output *o);

/* output/relp.c: the RELP session on a queued output's connection */
int gp_relp_init(struct gp_output *o, char *err, size_t errlen);
void gp_relp_free(struct gp_output *o);
/* The connection is (newly) up: false until the session is open.  Reads
 * and handles the collector's responses; -1 when the session failed (the
 * connection was closed with the reason). */
int gp_relp_ready(struct gp_output *o, uint64_t now);
/* The connection broke: the session starts over on the next one. */
void gp_relp_reset(struct gp_output *o);
/* Frame the record at msg (n bytes) in place: header before it, LF after;
 * returns the txnr it got. */
uint64_t gp_relp_frame(struct gp_output *o, char *msg, size_t n,
		       size_t *off, size_t *len);
/* At close, once nothing is in flight: "close" the session (bounded). */
void gp_relp_goodbye(struct gp_output *o, int timeout_ms);

/* output/journal.c: the native journal protocol */
int gp_journal_open(struct gp_output *o, const struct gp_output_env *env,
		    char *err, size_t errlen);
int gp_journal_entry(struct gp_output *o, const struct gp_record *r,
		     const char *line, size_t n, char *buf, size_t cap);
int gp_journal_notice(struct gp_output *o, uint64_t dropped, char *buf,
		      size_t cap);

#endif /* GP_OUTPUT_INT_H */
