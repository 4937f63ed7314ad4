/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iana.h - IANA service names and the default ghost-port list.
 *
 * The tables are generated at build time by tools/gen-tables.py from the
 * committed data/ghostports.csv and data/iana-services.csv (themselves made
 * by tools/gen-ghostports.py from IANA's registry); see docs/ghost-ports.md.
 * Lookups are binary searches over static const tables: no allocation, no
 * initialisation, safe from any thread.
 */
#ifndef GP_IANA_H
#define GP_IANA_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>

#include "ghostport_abi.h"

/*
 * Protocol of a gp_service entry: the GP_PROTO_* bits of ghostport_abi.h,
 * plus a DCCP bit that exists only here (the blocklist has no DCCP bit; a
 * DCCP bind is GP_PROTO_OTHER there).
 */
#define GP_IANA_TCP	GP_PROTO_TCP
#define GP_IANA_UDP	GP_PROTO_UDP
#define GP_IANA_SCTP	GP_PROTO_SCTP
#define GP_IANA_DCCP	(1U << 4)

/* One default ghost port. */
struct gp_ghost {
	uint16_t port;
	uint8_t protos;		/* GP_PROTO_TCP|GP_PROTO_UDP|... */
	const char *name;	/* IANA service name */
	const char *description; /* IANA description, may be "" */
	const char *reason;	/* one sentence: why it is a ghost */
};

/* One IANA (port, protocol, name) registration. */
struct gp_service {
	uint16_t port;
	uint8_t proto;		/* exactly one GP_IANA_* bit */
	const char *name;
};

/* Generated tables (build/gen/ghost_table.c). */
extern const struct gp_ghost gp_ghost_table[];	/* sorted by port */
extern const size_t gp_ghost_count;
extern const struct gp_service gp_service_table[]; /* by (port, proto) */
extern const size_t gp_service_count;

/*
 * IANA service name for a port and an IP protocol number (IPPROTO_TCP,
 * IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_DCCP, ...), or NULL if none.
 * TCP, UDP and SCTP look up their own registrations only (UDP-Lite counts
 * as UDP).  Any other protocol (raw, 0, ...) falls back to the TCP name,
 * then the UDP name; DCCP tries its own registration first.  When IANA
 * lists several names, the first registered, non-alias one is returned.
 */
const char *gp_iana_service(uint16_t port, int ipproto);

/* The default ghost entry for a port, or NULL if the port is not a ghost. */
const struct gp_ghost *gp_ghost_lookup(uint16_t port);

/* Iteration over the ghost list, in port order; gp_ghost_at() is NULL past
 * the end. */
size_t gp_ghost_count_get(void);
const struct gp_ghost *gp_ghost_at(size_t i);

/*
 * Fill a blocklist (GP_NR_PORTS rules, indexed by port) with the default
 * policy: GP_RULE_AUDIT(protos) for each ghost port, 0 elsewhere.  Returns
 * the number of ports set, or -1 if rules is NULL.
 */
int gp_ghost_default_rules(__u32 *rules);

#endif /* GP_IANA_H */
