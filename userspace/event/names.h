/* SPDX-License-Identifier: GPL-2.0 */
/*
 * names.h - the stable, lower-case names ghostport prints and parses for the
 * numbers in an event: address family, protocol, socket type, verdict,
 * source, errno and socket options.  Every output format uses these, so a
 * "udp" or an "EADDRINUSE" means the same thing in text, JSON and later
 * formats, and the command line accepts what the output shows.
 *
 * Every function returns a non-NULL string.  Known values come from static
 * tables.  The fallbacks for unknown numbers ("ipproto-N", "type-N", "E<n>")
 * are written to a buffer per function and per thread: they stay valid until
 * the same function is called again in the same thread.  Use the string
 * before the next call (or copy it): two gp_errno_name() results kept at
 * once may both read as the second one.
 */
#ifndef GP_NAMES_H
#define GP_NAMES_H

#include <linux/types.h>
#include <stddef.h>

#include "ghostport_abi.h"

/* "ipv4", "ipv6", or "unknown". */
const char *gp_family_name(__u16 family);

/*
 * "tcp", "udp", "sctp", "raw" (a SOCK_RAW socket whatever its protocol, or
 * IPPROTO_RAW/ICMP/ICMPV6), else "ipproto-N".  Pass sock_type 0 when it is
 * unknown (GP_VF_TYPE clear): the protocol alone then decides.
 */
const char *gp_proto_name(__u16 ipproto, __u16 sock_type);

/* "stream", "dgram", "raw", "rdm", "seqpacket", "dccp", "packet", or "type-N". */
const char *gp_sock_type_name(__u16 sock_type);

/* "none", "audit", "deny", "exempt", "bypass", or "unknown". */
const char *gp_verdict_name(__u8 verdict);
const char *gp_ret_why_name(__u8 why);

/* "fentry", "kprobe", "cgroup", "kmod", "lsm", or "unknown". */
const char *gp_source_name(__u8 source);

/*
 * "EPERM", "EADDRINUSE", ... for the errnos a bind can plausibly report, else
 * "E<n>".  The sign is ignored, so a negative bind() return works as is.
 */
const char *gp_errno_name(int e);

/*
 * Parse an errno given as a name ("EACCES", case-insensitive, aliases such as
 * EWOULDBLOCK accepted) or as a decimal number 1..4095.  Returns the positive
 * errno, or -1 if s is neither.
 */
int gp_errno_parse(const char *s);

/* The blocklist protocol bit of a socket: gp_proto_bit() in ghostport_abi.h. */

/* Socket option bits in gp_event.opts: there are 8 (a __u8). */
#define GP_OPT_NR_BITS		8

/*
 * Name of one GP_OPT_* bit given by its index 0..7: "reuseaddr",
 * "reuseport", "freebind", "transparent", "bind_address_no_port", and
 * "opt-bitN" for a bit this reader does not know (so it is shown, not
 * dropped).  NULL when bit_index is out of range.
 */
const char *gp_opt_name(unsigned bit_index);

/* Holds all eight option names comma separated (88 bytes) and the NUL. */
#define GP_OPTS_STR_LEN		96

/*
 * The names of the bits set in opts, comma separated ("reuseaddr,freebind",
 * "" for none), NUL-terminated in buf: for the formats and outputs whose
 * field is one string.  Returns the length; a name that does not fit in
 * len is left out whole, never cut.
 */
size_t gp_opts_join(char *buf, size_t len, __u8 opts);

#endif /* GP_NAMES_H */
