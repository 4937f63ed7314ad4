/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portlist.h - the port-list syntax of the command line and config, to and
 * from the blocklist rule array (GP_NR_PORTS __u32 rules, see
 * ghostport_abi.h).
 *
 *   list  := item { "," item }
 *   item  := ws* ports [ "/" proto { "+" proto } ] ws*
 *   ports := port | port "-" port          (lo <= hi)
 *   port  := decimal 1..65535, no sign, no leading zero, no hex
 *   proto := tcp | udp | sctp | other | raw (= other) | all  (any case)
 *
 * e.g. "686,886/tcp,1000-1010/udp,4444/tcp+udp,53/sctp".  An item without a
 * protocol lists the port for all of tcp, udp, sctp and other.  Port 0 is an
 * error: in a bind it means "any port", so it can never be listed.
 */
#ifndef GP_PORTLIST_H
#define GP_PORTLIST_H

#include <linux/types.h>
#include <stddef.h>

#include "ghostport_abi.h"

/*
 * Parse list and OR GP_RULE_AUDIT(protos) into rules[port] for every port
 * it names.  Returns 0, or -1 with a one-line message in err quoting the
 * bad item and its 1-based position, e.g.
 *   bad port list item 3 "1010-1000/udp": range start above end
 * (no program prefix: the caller adds "ghostport: " or "--ports: "), in
 * which case rules is left untouched: a list applies whole or not at all.
 * err may be NULL.
 */
int gp_portlist_parse(const char *list, __u32 *rules, char *err,
		      size_t errlen);

/*
 * The canonical form of the audit bits of rules: ascending ports, runs of
 * consecutive ports with the same protocols merged into "lo-hi", protocols
 * in the order tcp+udp+sctp+other and left out when all four are set.  It
 * parses back to the same audit bits.  Deny bits and errnos are not part of
 * the port-list syntax and are not shown.  Writes a NUL-terminated string;
 * returns its length, or -1 if it did not fit in len bytes.
 */
int gp_portlist_format(const __u32 *rules, char *buf, size_t len);

/* Number of ports 1..65535 with a non-zero rule. */
size_t gp_rules_count(const __u32 *rules);

#endif /* GP_PORTLIST_H */
