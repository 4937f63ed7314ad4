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
/* A connection counts as healthy (backoff reset, frames it carried count
 * as delivered) once it survived this long after its handshake. */
#define GP_NET_PROBATION_MS	1000

struct gp_net;

/* Checks the unix path; sets up TLS (CA, client certificate).  Neither
 * resolves nor connects: names are resolved (without blocking) before
 * every round of connection attempts. */
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

/* The collector talks back (RELP): what it sends is read with
 * gp_net_recv, not taken as a goodbye. */
void gp_net_set_duplex(struct gp_net *n);
/* Read what the collector sent: bytes, 0 if nothing now, -1 if the
 * connection failed or was closed (it is down, with the reason). */
long gp_net_recv(struct gp_net *n, char *p, size_t len, uint64_t now_ms);
/* Give the connection up (a protocol error): down, with why, backoff. */
void gp_net_fail(struct gp_net *n, uint64_t now_ms, const char *why);

/* Bytes the kernel took on this connection (TLS: ciphertext), and how
 * many of them the peer's TCP stack acknowledged (SIOCOUTQ); 0 while the
 * connection is not proved healthy yet. */
uint64_t gp_net_sent(const struct gp_net *n);
uint64_t gp_net_acked(const struct gp_net *n);
/* Why it is not up ("" when up). */
const char *gp_net_why(const struct gp_net *n);
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
