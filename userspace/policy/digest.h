/* SPDX-License-Identifier: GPL-2.0 */
/*
 * digest.h - one fingerprint for the effective policy, so an admin (and
 * `ghostport status`) can tell which policy a daemon runs and whether a
 * reload changed anything.
 */
#ifndef GP_DIGEST_H
#define GP_DIGEST_H

#include <linux/types.h>

#include "policy/policy.h"

#define GP_DIGEST_HEX_LEN	64	/* SHA-256 as lowercase hex */

/*
 * SHA-256 of the effective policy: what is watched and denied (rules), who
 * is spared (exemptions), and the switches that change verdicts
 * (GP_CONF_ALL, GP_CONF_ENFORCE, deny_with).  Outputs, ring size and the
 * like are not policy.  Configs that differ only in comments, key order,
 * exemption order or spelling ("686,886" vs two rules) have the same
 * digest, and so does the same policy given on the command line.  out gets
 * 64 hex chars + NUL.  0, or -1 if OpenSSL failed (out is then "").
 */
int gp_policy_digest(const __u32 *rules, const struct gp_exemptions *x,
		     __u32 conf_flags, enum gp_deny_method deny_with,
		     char out[GP_DIGEST_HEX_LEN + 1]);

#endif /* GP_DIGEST_H */
