/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output.h - where formatted events go: `--output FORMAT@DEST`.
 *
 * The run loop hands every decoded record to every output.  An output
 * never blocks the loop on a slow or dead collector: network outputs queue
 * in memory, spill to a bounded on-disk spool while the collector is
 * unreachable, and deliver in order when it is back.  Whatever cannot be
 * kept is counted, never silently dropped.
 */
#ifndef GP_OUTPUT_H
#define GP_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "event/record.h"

struct gp_output;

/* What every output needs to know about the host and its limits. */
struct gp_output_env {
	const char *hostname;		/* NULL: gethostname() */
	const char *machine_id;		/* NULL: /etc/machine-id */
	const char *spool_dir;		/* default /var/spool/ghostport */
	uint64_t spool_max_bytes;	/* per output; 0 = default 64 MiB */
	const char *tls_ca;		/* CA file for tls:// (NULL: system) */
	const char *tls_cert;		/* optional client certificate */
	const char *tls_key;
};

/* delivered + spooled + dropped = handed: every record handed to the
 * output is in exactly one of them (drop notices are in none). */
struct gp_output_stats {
	uint64_t handed;		/* records handed to the output */
	uint64_t delivered;		/* acknowledged: by the peer's TCP stack
					 * (tcp, tls, stream unix), sent
					 * (udp, datagram unix), written (file,
					 * stdout), sent (journal), answered
					 * "rsp 200" (relp) */
	uint64_t spooled;		/* queued: in memory, on disk, or sent
					 * and not acknowledged yet */
	uint64_t dropped;		/* lost past the spool bound (reported) */
	uint64_t errors;		/* write/connect failures seen */
	uint64_t resent;		/* frames sent again after a connection
					 * broke before they were acknowledged
					 * (the collector may have them twice) */
	char down[200];			/* why a network output is down, or "" */
};

/* spec: "FORMAT@DEST"; DEST: -, file:PATH, unix:PATH, journal,
 * journal:PATH (another journal socket), udp://H:P, tcp://H:P, tls://H:P,
 * relp://H:P, relp+tls://H:P.  NULL + one-line reason on error. */
struct gp_output *gp_output_open(const char *spec,
				 const struct gp_output_env *env, char *err,
				 size_t errlen);
/* Queue one record; never waits on the network. */
int gp_output_emit(struct gp_output *o, const struct gp_record *r);
/* Called every poll round: flush, reconnect (with backoff), drain spool. */
void gp_output_tick(struct gp_output *o);
/* SIGHUP: reopen files (logrotate). */
void gp_output_reopen(struct gp_output *o);
void gp_output_get_stats(const struct gp_output *o,
			 struct gp_output_stats *s);
const char *gp_output_spec(const struct gp_output *o);
/* Flush what can be flushed within timeout_ms, then free. */
void gp_output_close(struct gp_output *o, int timeout_ms);

/* The same, keeping the final counters (losses at close included). */
struct gp_output_final {
	char spec[256];
	struct gp_output_stats st;
};
void gp_output_close_keep(struct gp_output *o, int timeout_ms,
			  struct gp_output_final *f);

#endif /* GP_OUTPUT_H */
