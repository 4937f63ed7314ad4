/* SPDX-License-Identifier: GPL-2.0 */
/*
 * net.h - a connection to a collector (unix:, udp://, tcp://,
 * tls://) that never blocks: connect, TLS handshake and writes are all
 * non-blocking and driven by gp_net_ready() from the poll loop, with
 * exponential backoff (0.5 s doubling to 30 s) between failed attempts.
 */
#ifndef GP_OUTPUT_NET_H
#define GP_OUTPUT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/output.h"

enum gp_net_kind { GP_NET_UNIX, GP_NET_UDP, GP_NET_TCP, GP_NET_TLS };

#define GP_NET_BACKOFF_MIN_MS	500
#define GP_NET_BACKOFF_MAX_MS	30000
#define GP_NET_CONNECT_TMO_MS	10000

struct gp_net;

/* Resolves host:port (numeric or by name, once, now) or checks the unix
 * path; sets up TLS (CA, client certificate).  Does not connect. */
struct gp_net *gp_net_open(enum gp_net_kind kind, const char *host,
			   const char *port, const struct gp_output_env *env,
			   const char *label, char *err, size_t errlen);

/* Drive connecting; true when messages can be sent now.  now_ms is
 * CLOCK_MONOTONIC in ms. */
bool gp_net_ready(struct gp_net *n, uint64_t now_ms);

/* Send from p: bytes taken (0: would block; a datagram is all or nothing),
 * -1 if the connection failed (it is closed and will be retried), -2 if
 * this message can never be sent (datagram too big). */
long gp_net_send(struct gp_net *n, const char *p, size_t len, uint64_t now_ms);

/* A byte stream (needs framing) rather than datagrams. */
bool gp_net_is_stream(const struct gp_net *n);
/* fd and poll events to wait for (gp_output_close), -1 if none. */
int gp_net_poll_fd(const struct gp_net *n, short *events);
/* Connected (and TLS handshake done). */
bool gp_net_is_up(const struct gp_net *n);
/* When DOWN: the monotonic ms of the next attempt; 0 otherwise. */
uint64_t gp_net_retry_at(const struct gp_net *n);
/* Connection failures so far (for stats). */
uint64_t gp_net_failures(const struct gp_net *n);
void gp_net_close(struct gp_net *n);

#endif /* GP_OUTPUT_NET_H */
