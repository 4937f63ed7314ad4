// SPDX-License-Identifier: GPL-2.0
/*
 * digest.c - SHA-256 of the effective policy (see policy/digest.h).
 *
 * What is hashed is a canonical byte stream, not the struct: a versioned
 * header, the switches, every non-zero rule as (port, rule) in port order,
 * then each exemption list sorted.  Fixed-width little-endian integers, so
 * the digest is the same on every build and padding never leaks in.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "policy/digest.h"

static void put32(EVP_MD_CTX *m, __u32 v)
{
	unsigned char b[4] = { v, v >> 8, v >> 16, v >> 24 };

	EVP_DigestUpdate(m, b, sizeof(b));
}

static void put64(EVP_MD_CTX *m, __u64 v)
{
	put32(m, (__u32)v);
	put32(m, (__u32)(v >> 32));
}

static int cmp32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return (x > y) - (x < y);
}

static int cmp64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return (x > y) - (x < y);
}

static int cmpexe(const void *a, const void *b)
{
	const struct gp_exe_id *x = a, *y = b;

	if (x->dev != y->dev)
		return (x->dev > y->dev) - (x->dev < y->dev);
	return (x->ino > y->ino) - (x->ino < y->ino);
}

static void put_ids32(EVP_MD_CTX *m, const __u32 *ids, size_t n)
{
	__u32 s[GP_MAX_EXEMPT];
	size_t i;

	memcpy(s, ids, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp32);
	put32(m, (__u32)n);
	for (i = 0; i < n; i++)
		put32(m, s[i]);
}

static void put_exemptions(EVP_MD_CTX *m, const struct gp_exemptions *x)
{
	__u64 cg[GP_MAX_EXEMPT];
	struct gp_exe_id ex[GP_MAX_EXEMPT];
	size_t i;

	put_ids32(m, x->uids, x->n_uids);
	put_ids32(m, x->gids, x->n_gids);
	memcpy(cg, x->cgroups, x->n_cgroups * sizeof(*cg));
	qsort(cg, x->n_cgroups, sizeof(*cg), cmp64);
	put32(m, (__u32)x->n_cgroups);
	for (i = 0; i < x->n_cgroups; i++)
		put64(m, cg[i]);
	memcpy(ex, x->exes, x->n_exes * sizeof(*ex));
	qsort(ex, x->n_exes, sizeof(*ex), cmpexe);
	put32(m, (__u32)x->n_exes);
	for (i = 0; i < x->n_exes; i++) {
		put32(m, ex[i].dev);
		put64(m, ex[i].ino);
	}
}

int gp_policy_digest(const __u32 *rules, const struct gp_exemptions *x,
		     __u32 conf_flags, enum gp_deny_method deny_with,
		     char out[GP_DIGEST_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	static const struct gp_exemptions none;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i, port;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok;

	out[0] = '\0';
	if (!m)
		return -1;
	ok = EVP_DigestInit_ex(m, EVP_sha256(), NULL);
	if (ok) {
		EVP_DigestUpdate(m, "ghostport-policy-v1", 19);
		put32(m, conf_flags & (GP_CONF_ALL | GP_CONF_ENFORCE));
		put32(m, (__u32)deny_with);
		for (port = 1; port < GP_NR_PORTS; port++)
			if (rules[port]) {
				put32(m, port);
				put32(m, rules[port]);
			}
		put32(m, 0);	/* end of rules: no port 0 */
		put_exemptions(m, x ? x : &none);
		ok = EVP_DigestFinal_ex(m, md, &mdlen);
	}
	EVP_MD_CTX_free(m);
	if (!ok || mdlen * 2 > GP_DIGEST_HEX_LEN)
		return -1;
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * mdlen] = '\0';
	return 0;
}
