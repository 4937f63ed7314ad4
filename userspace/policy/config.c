// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - the schema of ghostport.conf: a YAML tree (policy/yamltree.c) to a
 * struct gp_config, every value checked.
 *
 * Ports, errnos, deny bits and exemptions go through the same functions as
 * the command line (portlist.c, policy.c, event/names.c), so a config and
 * the equivalent flags give the same rules and the same digest.
 *
 * Problems are collected (up to MAX_ERRORS) rather than stopping at the
 * first, so `ghostport check-config` can list them all; they are reported
 * in file order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/config.h"
#include "event/iana.h"
#include "event/names.h"
#include "policy/portlist.h"
#include "policy/yamltree.h"

#define MAX_ERRORS	32
#define MAX_KEYS	24

struct problem {
	unsigned line, col;
	char msg[320];
};

struct cfg_ctx {
	const char *name;
	struct gp_config *c;
	struct problem probs[MAX_ERRORS];
	size_t nprobs;
	size_t dropped;		/* problems beyond MAX_ERRORS */
};

/* One key of a mapping. */
struct key_def {
	const char *name;
};

static int bad(struct cfg_ctx *x, const struct gp_ynode *at, const char *fmt,
	       ...) __attribute__((format(printf, 3, 4)));

static int bad(struct cfg_ctx *x, const struct gp_ynode *at, const char *fmt,
	       ...)
{
	struct problem *p;
	va_list ap;

	if (x->nprobs >= MAX_ERRORS) {
		x->dropped++;
		return -1;
	}
	p = &x->probs[x->nprobs++];
	p->line = at ? at->line : 0;
	p->col = at ? at->col : 0;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* A scalar as it can be quoted in a one-line message: cut at 60 bytes on
 * a UTF-8 boundary (the tree holds no control characters). */
static const char *shown(const struct gp_ynode *n, char *buf, size_t len)
{
	size_t i;

	if (n->type != GP_Y_SCALAR)
		return gp_ynode_kind(n);
	snprintf(buf, len, "\"%s", n->value);
	i = strlen(buf);
	if (i > 61) {
		i = 61;
		while (i > 1 && ((unsigned char)buf[i] & 0xc0) == 0x80)
			i--;
		memcpy(buf + i, "...", 4);
		i += 3;
	}
	if (i + 2 <= len) {
		buf[i] = '"';
		buf[i + 1] = '\0';
	}
	return buf;
}

/* "expected X, got Y" */
static int expected(struct cfg_ctx *x, const char *where,
		    const struct gp_ynode *n, const char *what)
{
	char sh[80];

	return bad(x, n, "%s: expected %s, got %s", where, what,
		   shown(n, sh, sizeof(sh)));
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[32], prev, tmp;

	if (la >= 31 || lb >= 31)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/*
 * Check the keys of mapping m against defs: each must be a known name,
 * given once.  vals[i] gets the value of defs[i] (NULL when absent).
 * Unknown or repeated keys are reported; the rest is still usable.
 */
static int walk_map(struct cfg_ctx *x, const char *where,
		    const struct gp_ynode *m, const struct key_def *defs,
		    const struct gp_ynode **vals)
{
	const struct gp_ynode *first[MAX_KEYS] = { 0 };
	size_t k, i;
	int ret = 0;

	for (i = 0; defs[i].name; i++)
		vals[i] = NULL;
	for (k = 0; k + 1 < m->n; k += 2) {
		const struct gp_ynode *key = m->items[k];
		const char *best = NULL;
		size_t bestd = 3;

		if (key->type != GP_Y_SCALAR) {
			ret = bad(x, key, "%s%sexpected a key name, got %s",
				  where, *where ? ": " : "", gp_ynode_kind(key));
			continue;
		}
		for (i = 0; defs[i].name && strcmp(defs[i].name, key->value);
		     i++) {
			size_t d = edit_distance(defs[i].name, key->value);

			if (d < bestd)
				bestd = d, best = defs[i].name;
		}
		if (!defs[i].name) {
			char sh[80];

			if (best)
				ret = bad(x, key,
					  "%s%sunknown key %s (did you mean \"%s\"?)",
					  where, *where ? ": " : "",
					  shown(key, sh, sizeof(sh)), best);
			else
				ret = bad(x, key, "%s%sunknown key %s", where,
					  *where ? ": " : "",
					  shown(key, sh, sizeof(sh)));
			continue;
		}
		if (first[i]) {
			ret = bad(x, key,
				  "%s%sduplicate key \"%s\" (first given at line %u)",
				  where, *where ? ": " : "", defs[i].name,
				  first[i]->line);
			continue;
		}
		first[i] = key;
		vals[i] = m->items[k + 1];
	}
	return ret;
}

static bool is_scalar(const struct gp_ynode *n)
{
	return n->type == GP_Y_SCALAR;
}

/* "key:" with nothing after it: YAML's null, taken as "not set". */
static bool is_empty(const struct gp_ynode *n)
{
	return n->type == GP_Y_SCALAR && n->plain && !n->value[0];
}

static int get_bool(struct cfg_ctx *x, const char *where,
		    const struct gp_ynode *n, bool *out)
{
	/* Plain only: a quoted "false" is a string, and YAML 1.1's yes/no/on
	 * /off are exactly the ambiguity a security policy can do without. */
	if (is_scalar(n) && n->plain && !strcmp(n->value, "true"))
		*out = true;
	else if (is_scalar(n) && n->plain && !strcmp(n->value, "false"))
		*out = false;
	else
		return expected(x, where, n, "true or false");
	return 0;
}

static int get_choice(struct cfg_ctx *x, const char *where,
		      const struct gp_ynode *n, const char *const *choices,
		      const char *help, int *out)
{
	int i;

	if (is_scalar(n))
		for (i = 0; choices[i]; i++)
			if (!strcmp(n->value, choices[i])) {
				*out = i;
				return 0;
			}
	return expected(x, where, n, help);
}

static int get_errno(struct cfg_ctx *x, const char *where,
		     const struct gp_ynode *n, int *out)
{
	int e = is_scalar(n) ? gp_errno_parse(n->value) : -1;

	/* The rule keeps the errno in 8 bits (GP_RULE_ERRNO). */
	if (e <= 0 || e > 255)
		return expected(x, where, n,
				"an errno such as EPERM, EACCES or EADDRINUSE (or a number 1..255)");
	*out = e;
	return 0;
}

/* Decimal digits only: no sign, no hex, no octal, no spaces. */
static int parse_decimal(const char *s, const char **end, unsigned long long *v)
{
	unsigned long long r = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (r > (~0ULL - 9) / 10)
			return -1;
		r = r * 10 + (unsigned long long)(*s - '0');
	}
	*end = s;
	*v = r;
	return 0;
}

/* "4M", "4MiB", "512K", "1G", "65536": bytes, binary units. */
static int get_size(struct cfg_ctx *x, const char *where,
		    const struct gp_ynode *n, __u64 min, __u64 max,
		    const char *range, __u64 *out)
{
	static const struct { const char *suffix; unsigned shift; } units[] = {
		{ "", 0 }, { "B", 0 },
		{ "K", 10 }, { "KB", 10 }, { "KiB", 10 }, { "k", 10 },
		{ "M", 20 }, { "MB", 20 }, { "MiB", 20 },
		{ "G", 30 }, { "GB", 30 }, { "GiB", 30 },
		{ "T", 40 }, { "TB", 40 }, { "TiB", 40 },
	};
	unsigned long long v;
	const char *end;
	char what[160];
	size_t i;

	snprintf(what, sizeof(what),
		 "a size such as 4M, 512K or 65536 (bytes, %s)", range);
	if (!is_scalar(n) || parse_decimal(n->value, &end, &v))
		return expected(x, where, n, what);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].suffix))
			break;
	if (i == sizeof(units) / sizeof(units[0]) ||
	    v > (max >> units[i].shift))
		return expected(x, where, n, what);
	v <<= units[i].shift;
	if (v < min)
		return expected(x, where, n, what);
	*out = v;
	return 0;
}

/* "5s", "500ms", "2m", "1h", "0": a duration, unit required but for 0. */
static int get_duration(struct cfg_ctx *x, const char *where,
			const struct gp_ynode *n, __u64 max_ns, __u64 *out)
{
	static const struct { const char *suffix; __u64 ns; } units[] = {
		{ "ms", 1000000ULL }, { "s", 1000000000ULL },
		{ "m", 60000000000ULL }, { "h", 3600000000000ULL },
	};
	static const char what[] =
		"a duration such as 5s, 500ms or 1m (0 turns it off, at most 1h)";
	unsigned long long v;
	const char *end;
	size_t i;

	if (!is_scalar(n) || parse_decimal(n->value, &end, &v))
		return expected(x, where, n, what);
	if (!*end && v == 0) {
		*out = 0;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].suffix))
			break;
	if (i == sizeof(units) / sizeof(units[0]) || v > max_ns / units[i].ns)
		return expected(x, where, n, what);
	*out = v * units[i].ns;
	return 0;
}

static int get_abs_path(struct cfg_ctx *x, const char *where,
			const struct gp_ynode *n, char **out)
{
	if (!is_scalar(n) || n->value[0] != '/')
		return expected(x, where, n, "an absolute path");
	free(*out);
	*out = strdup(n->value);
	if (!*out)
		return bad(x, n, "%s: out of memory", where);
	return 0;
}

/*
 * A list of scalars, or one scalar as a list of one: fn is called for
 * each with its index.  An empty list is "none" where allow_empty, else
 * an error (a rule's ports or protocols).
 */
typedef int (*item_fn)(struct cfg_ctx *x, const char *where,
		       const struct gp_ynode *item, void *arg);

static int each_scalar(struct cfg_ctx *x, const char *where,
		       const struct gp_ynode *n, const char *what,
		       bool allow_empty, item_fn fn, void *arg)
{
	char w[96];
	size_t i;
	int ret = 0;

	if (is_scalar(n))
		return fn(x, where, n, arg);
	if (n->type != GP_Y_SEQ)
		return expected(x, where, n, what);
	if (!n->n && !allow_empty)
		return bad(x, n, "%s: expected %s, got an empty list", where,
			   what);
	for (i = 0; i < n->n; i++) {
		snprintf(w, sizeof(w), "%s[%zu]", where, i);
		if (!is_scalar(n->items[i]))
			ret = expected(x, w, n->items[i], "a single value");
		else if (fn(x, w, n->items[i], arg))
			ret = -1;
	}
	return ret;
}

/* ---- rules ---------------------------------------------------------- */

struct rule_build {
	char *ports;		/* joined "a,b,c" */
	size_t len;
	unsigned protos;	/* GP_PROTO_* mask, 0 = not given */
};

static int add_ports(struct cfg_ctx *x, const char *where,
		     const struct gp_ynode *n, void *arg)
{
	struct rule_build *rb = arg;
	size_t l = strlen(n->value);
	char *p;

	if (!n->value[0])
		return expected(x, where, n, "ports such as \"686\" or \"1000-1010\"");
	p = realloc(rb->ports, rb->len + l + 2);
	if (!p)
		return bad(x, n, "%s: out of memory", where);
	rb->ports = p;
	if (rb->len)
		p[rb->len++] = ',';
	memcpy(p + rb->len, n->value, l + 1);
	rb->len += l;
	return 0;
}

static int add_proto(struct cfg_ctx *x, const char *where,
		     const struct gp_ynode *n, void *arg)
{
	static const char *const names[] = {
		"tcp", "udp", "sctp", "other", "raw", "all", NULL,
	};
	static const unsigned bits[] = {
		GP_PROTO_TCP, GP_PROTO_UDP, GP_PROTO_SCTP, GP_PROTO_OTHER,
		GP_PROTO_OTHER, GP_PROTO_ALL,
	};
	struct rule_build *rb = arg;
	int i = 0;

	if (get_choice(x, where, n, names, "tcp, udp, sctp, other (= raw) or all",
		       &i))
		return -1;
	rb->protos |= bits[i];
	return 0;
}

/* Ports and protocols to audit bits, via the command line's parser. */
static int rule_bits(struct cfg_ctx *x, const char *where,
		     const struct gp_ynode *at, const struct rule_build *rb,
		     __u32 *tmp)
{
	char why[256];
	unsigned port;

	memset(tmp, 0, GP_NR_PORTS * sizeof(*tmp));
	if (rb->protos && strchr(rb->ports, '/'))
		return bad(x, at,
			   "%s: give protocols either in ports (\"686/tcp\") or in \"protocols\", not both",
			   where);
	if (gp_portlist_parse(rb->ports, tmp, why, sizeof(why)))
		return bad(x, at, "%s: %s", where, why);
	if (rb->protos)
		for (port = 1; port < GP_NR_PORTS; port++)
			tmp[port] &= rb->protos;
	return 0;
}

/*
 * Deny: the same encoding as --deny, by handing gp_deny_parse() the
 * canonical form of the rule's ports with its errno as the default.
 */
static int apply_deny(struct cfg_ctx *x, const char *where,
		      const struct gp_ynode *at, const __u32 *tmp, int e)
{
	/* Worst case: every other port with a protocol suffix. */
	const size_t len = (size_t)GP_NR_PORTS * 24;
	char *list = malloc(len), why[256];
	int ret = 0;

	if (!list)
		return bad(x, at, "%s: out of memory", where);
	if (gp_portlist_format(tmp, list, len) < 0 ||
	    gp_deny_parse(list, x->c->rules, e, why, sizeof(why)))
		ret = bad(x, at, "%s: %s", where, why);
	free(list);
	return ret;
}

static int one_rule(struct cfg_ctx *x, const char *where,
		    const struct gp_ynode *m, __u32 *tmp)
{
	static const struct key_def defs[] = {
		{ "ports" }, { "protocols" }, { "action" }, { "errno" },
		{ NULL },
	};
	static const char *const actions[] = { "audit", "deny", NULL };
	const struct gp_ynode *v[MAX_KEYS];
	struct rule_build rb = { 0 };
	char w[96];
	int action = 0, e = x->c->default_errno, ret;
	unsigned port;

	if (m->type != GP_Y_MAP)
		return expected(x, where, m,
				"a rule (a mapping with ports, protocols, action, errno)");
	ret = walk_map(x, where, m, defs, v);
	if (!v[0])
		return bad(x, m, "%s: a rule needs \"ports\"", where);
	snprintf(w, sizeof(w), "%s.ports", where);
	ret |= each_scalar(x, w, v[0], "ports such as \"686,886\" or \"1000-1010\"",
			   false, add_ports, &rb);
	snprintf(w, sizeof(w), "%s.protocols", where);
	if (v[1])
		ret |= each_scalar(x, w, v[1], "a list of protocols", false,
				   add_proto, &rb);
	snprintf(w, sizeof(w), "%s.action", where);
	if (v[2] && get_choice(x, w, v[2], actions, "audit or deny", &action))
		ret = -1, action = -1;	/* unknown: don't judge errno by it */
	snprintf(w, sizeof(w), "%s.errno", where);
	if (v[3] && get_errno(x, w, v[3], &e))
		ret = -1;
	else if (v[3] && action == 0)
		ret = bad(x, v[3], "%s: an errno is only for \"action: deny\"",
			  w);
	if (!ret)
		ret = rule_bits(x, where, v[0], &rb, tmp);
	if (!ret && action == 1) {
		ret = apply_deny(x, where, v[0], tmp, e);
	} else if (!ret) {
		for (port = 1; port < GP_NR_PORTS; port++)
			x->c->rules[port] |= tmp[port];
	}
	free(rb.ports);
	return ret;
}

static int do_rules(struct cfg_ctx *x, const struct gp_ynode *n)
{
	__u32 *tmp;
	char w[32];
	size_t i;
	int ret = 0;

	if (is_empty(n))
		return 0;	/* "rules:" with nothing: no rules */
	if (n->type != GP_Y_SEQ)
		return expected(x, "rules", n, "a list of rules");
	if (n->n > GP_CONFIG_MAX_RULES)
		return bad(x, n, "rules: more than %d rules",
			   GP_CONFIG_MAX_RULES);
	tmp = malloc(GP_NR_PORTS * sizeof(*tmp));
	if (!tmp)
		return bad(x, n, "rules: out of memory");
	for (i = 0; i < n->n; i++) {
		snprintf(w, sizeof(w), "rules[%zu]", i);
		if (one_rule(x, w, n->items[i], tmp))
			ret = -1;
	}
	free(tmp);
	return ret;
}

/* ---- exemptions, outputs, tls, spool ---------------------------------- */

typedef int (*exempt_add_fn)(struct gp_exemptions *e, const char *s,
			     char *err, size_t errlen);

static int add_exempt(struct cfg_ctx *x, const char *where,
		      const struct gp_ynode *n, void *arg)
{
	exempt_add_fn fn = *(exempt_add_fn *)arg;
	char why[256];

	if (!n->value[0])
		return expected(x, where, n, "a name or a number");
	if (fn(&x->c->exempt, n->value, why, sizeof(why)))
		return bad(x, n, "%s: %s", where, why);
	return 0;
}

static int do_exempt(struct cfg_ctx *x, const struct gp_ynode *n)
{
	static const struct key_def defs[] = {
		{ "uids" }, { "gids" }, { "cgroups" }, { "executables" },
		{ NULL },
	};
	static const char *const what[] = {
		"a list of users (names or uids)",
		"a list of groups (names or gids)",
		"a list of cgroup v2 paths",
		"a list of executable paths",
	};
	exempt_add_fn fns[] = {
		gp_exempt_add_uid, gp_exempt_add_gid, gp_exempt_add_cgroup,
		gp_exempt_add_exe,
	};
	const struct gp_ynode *v[MAX_KEYS];
	char w[32];
	int ret, i;

	if (is_empty(n))
		return 0;
	if (n->type != GP_Y_MAP)
		return expected(x, "exempt", n,
				"a mapping (uids, gids, cgroups, executables)");
	ret = walk_map(x, "exempt", n, defs, v);
	for (i = 0; i < 4; i++) {
		if (!v[i])
			continue;
		snprintf(w, sizeof(w), "exempt.%s", defs[i].name);
		ret |= each_scalar(x, w, v[i], what[i], true, add_exempt,
				   &fns[i]);
	}
	return ret;
}

static int add_output(struct cfg_ctx *x, const char *where,
		      const struct gp_ynode *n, void *arg)
{
	const char *at = strchr(n->value, '@'), *p;
	struct gp_config *c = x->c;

	(void)arg;
	/* The syntax only: the output layer opens (and judges) the
	 * destination when the daemon starts. */
	for (p = n->value; at && p < at; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			break;
	if (!at || at == n->value || p != at || !at[1])
		return expected(x, where, n,
				"FORMAT@DEST, e.g. json@file:/var/log/ghostport.json");
	if (c->n_outputs >= GP_CONFIG_MAX_OUTPUTS)
		return bad(x, n, "%s: more than %d outputs", where,
			   GP_CONFIG_MAX_OUTPUTS);
	c->outputs[c->n_outputs] = strdup(n->value);
	if (!c->outputs[c->n_outputs])
		return bad(x, n, "%s: out of memory", where);
	c->n_outputs++;
	return 0;
}

static int do_tls(struct cfg_ctx *x, const struct gp_ynode *n)
{
	static const struct key_def defs[] = {
		{ "ca" }, { "cert" }, { "key" }, { NULL },
	};
	const struct gp_ynode *v[MAX_KEYS];
	int ret;

	if (is_empty(n))
		return 0;
	if (n->type != GP_Y_MAP)
		return expected(x, "tls", n, "a mapping (ca, cert, key)");
	ret = walk_map(x, "tls", n, defs, v);
	if (v[0])
		ret |= get_abs_path(x, "tls.ca", v[0], &x->c->tls_ca);
	if (v[1])
		ret |= get_abs_path(x, "tls.cert", v[1], &x->c->tls_cert);
	if (v[2])
		ret |= get_abs_path(x, "tls.key", v[2], &x->c->tls_key);
	if (!ret && !v[1] != !v[2])
		ret = bad(x, n, "tls: \"cert\" and \"key\" go together");
	return ret;
}

static int do_spool(struct cfg_ctx *x, const struct gp_ynode *n)
{
	static const struct key_def defs[] = {
		{ "dir" }, { "max" }, { NULL },
	};
	const struct gp_ynode *v[MAX_KEYS];
	int ret;

	if (is_empty(n))
		return 0;
	if (n->type != GP_Y_MAP)
		return expected(x, "spool", n, "a mapping (dir, max)");
	ret = walk_map(x, "spool", n, defs, v);
	if (v[0])
		ret |= get_abs_path(x, "spool.dir", v[0], &x->c->spool_dir);
	if (v[1])
		ret |= get_size(x, "spool.max", v[1], 1ULL << 20, 1ULL << 40,
				"1M..1T", &x->c->spool_max);
	return ret;
}

/* ---- the document ------------------------------------------------------ */

enum root_key {
	K_INCLUDE_BUILTIN, K_BUILTIN_ACTION, K_SOURCE, K_ALL, K_ENFORCE,
	K_DENY_WITH, K_DEFAULT_ERRNO, K_RING_SIZE, K_FOLD_WINDOW, K_RULES,
	K_EXEMPT, K_OUTPUTS, K_TLS, K_SPOOL, K_SCAN_INTERVAL, K_CLOSE_EXISTING,
};

static const struct key_def root_defs[] = {
	[K_INCLUDE_BUILTIN] = { "include_builtin" },
	[K_BUILTIN_ACTION] = { "builtin_action" },
	[K_SOURCE] = { "source" },
	[K_ALL] = { "all" },
	[K_ENFORCE] = { "enforce" },
	[K_DENY_WITH] = { "deny_with" },
	[K_DEFAULT_ERRNO] = { "default_errno" },
	[K_RING_SIZE] = { "ring_size" },
	[K_FOLD_WINDOW] = { "fold_window" },
	[K_RULES] = { "rules" },
	[K_EXEMPT] = { "exempt" },
	[K_OUTPUTS] = { "outputs" },
	[K_TLS] = { "tls" },
	[K_SPOOL] = { "spool" },
	[K_SCAN_INTERVAL] = { "scan_interval" },
	[K_CLOSE_EXISTING] = { "close_existing" },
	{ NULL },
};

static void do_switches(struct cfg_ctx *x, const struct gp_ynode **v)
{
	static const char *const sources[] = {
		"auto", "fentry", "kprobe", "cgroup", "kmod", NULL,
	};
	static const char *const deny_with[] = { "auto", "lsm", "cgroup", NULL };
	static const enum gp_deny_method methods[] = {
		GP_DENY_AUTO, GP_DENY_LSM, GP_DENY_CGROUP,
	};
	static const char *const actions[] = { "audit", "deny", NULL };
	struct gp_config *c = x->c;
	__u64 ring;
	int i = 0;

	if (v[K_INCLUDE_BUILTIN])
		get_bool(x, "include_builtin", v[K_INCLUDE_BUILTIN],
			 &c->include_builtin);
	if (v[K_BUILTIN_ACTION] &&
	    !get_choice(x, "builtin_action", v[K_BUILTIN_ACTION], actions,
			"audit or deny", &i))
		c->builtin_deny = i == 1;
	if (v[K_SOURCE] &&
	    !get_choice(x, "source", v[K_SOURCE], sources,
			"auto, fentry, kprobe, cgroup or kmod", &i))
		snprintf(c->source, sizeof(c->source), "%s", sources[i]);
	if (v[K_ALL])
		get_bool(x, "all", v[K_ALL], &c->all);
	if (v[K_ENFORCE])
		get_bool(x, "enforce", v[K_ENFORCE], &c->enforce);
	if (v[K_DENY_WITH] &&
	    !get_choice(x, "deny_with", v[K_DENY_WITH], deny_with,
			"auto, lsm or cgroup", &i))
		c->deny_with = methods[i];
	if (v[K_DEFAULT_ERRNO])
		get_errno(x, "default_errno", v[K_DEFAULT_ERRNO],
			  &c->default_errno);
	/* The bounds of --ring-size; the BPF side rounds up to a power of
	 * two. */
	if (v[K_RING_SIZE] &&
	    !get_size(x, "ring_size", v[K_RING_SIZE], 4096, 1ULL << 30,
		      "4K..1G", &ring))
		c->ring_bytes = (__u32)ring;
	if (v[K_FOLD_WINDOW])
		get_duration(x, "fold_window", v[K_FOLD_WINDOW],
			     3600000000000ULL, &c->fold_window_ns);
	/* 0 keeps only the scans at start, after a reload and on
	 * request. */
	if (v[K_SCAN_INTERVAL])
		get_duration(x, "scan_interval", v[K_SCAN_INTERVAL],
			     3600000000000ULL, &c->scan_interval_ns);
	if (v[K_CLOSE_EXISTING])
		get_bool(x, "close_existing", v[K_CLOSE_EXISTING],
			 &c->close_existing);
}

static void do_document(struct cfg_ctx *x, const struct gp_ynode *root)
{
	const struct gp_ynode *v[MAX_KEYS];
	struct gp_config *c = x->c;

	if (!root || is_empty(root)) {
		gp_ghost_default_rules(c->rules);
		return;
	}
	if (root->type != GP_Y_MAP) {
		char sh[80];

		bad(x, root,
		    "expected a mapping of settings (include_builtin: ..., rules: ...), got %s",
		    shown(root, sh, sizeof(sh)));
		return;
	}
	walk_map(x, "", root, root_defs, v);	/* "" : no prefix */
	do_switches(x, v);
	/* The built-in list first, so rules can add to it or change the
	 * errno of its ports. */
	memset(c->rules, 0, sizeof(c->rules));
	if (c->include_builtin) {
		gp_ghost_default_rules(c->rules);
		if (c->builtin_deny)
			gp_deny_all_listed(c->rules, c->default_errno);
	} else if (c->builtin_deny && v[K_BUILTIN_ACTION]) {
		bad(x, v[K_BUILTIN_ACTION],
		    "builtin_action: needs \"include_builtin: true\"");
	}
	if (v[K_RULES])
		do_rules(x, v[K_RULES]);
	if (v[K_EXEMPT])
		do_exempt(x, v[K_EXEMPT]);
	if (v[K_OUTPUTS] && !is_empty(v[K_OUTPUTS]))
		each_scalar(x, "outputs", v[K_OUTPUTS],
			    "a list of outputs (FORMAT@DEST)", true, add_output,
			    NULL);
	if (v[K_TLS])
		do_tls(x, v[K_TLS]);
	if (v[K_SPOOL])
		do_spool(x, v[K_SPOOL]);
}

void gp_config_defaults(struct gp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->include_builtin = true;
	snprintf(c->source, sizeof(c->source), "auto");
	c->deny_with = GP_DENY_AUTO;
	c->default_errno = EPERM;
	c->fold_window_ns = 5000000000ULL;
	gp_ghost_default_rules(c->rules);
	c->n_listed = gp_rules_count(c->rules);
	gp_policy_digest(c->rules, &c->exempt, gp_config_conf_flags(c),
			 c->deny_with, c->digest);
}

__u32 gp_config_conf_flags(const struct gp_config *c)
{
	return (c->all ? GP_CONF_ALL : 0) | (c->enforce ? GP_CONF_ENFORCE : 0);
}

void gp_config_free(struct gp_config *c)
{
	size_t i;

	for (i = 0; i < c->n_outputs; i++) {
		free(c->outputs[i]);
		c->outputs[i] = NULL;
	}
	c->n_outputs = 0;
	free(c->tls_ca);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->spool_dir);
	c->tls_ca = c->tls_cert = c->tls_key = c->spool_dir = NULL;
}

static int by_position(const void *a, const void *b)
{
	const struct problem *p = a, *q = b;

	if (p->line != q->line)
		return (p->line > q->line) - (p->line < q->line);
	return (p->col > q->col) - (p->col < q->col);
}

/* Every problem as "NAME:LINE:COL: msg", one per line, in file order. */
static void report(struct cfg_ctx *x, char *err, size_t errlen)
{
	size_t i, pos = 0;

	qsort(x->probs, x->nprobs, sizeof(x->probs[0]), by_position);
	if (errlen)
		err[0] = '\0';
	for (i = 0; i < x->nprobs && pos < errlen; i++) {
		const struct problem *p = &x->probs[i];
		int n;

		if (p->line)
			n = snprintf(err + pos, errlen - pos, "%s%s:%u:%u: %s",
				     i ? "\n" : "", x->name, p->line, p->col,
				     p->msg);
		else
			n = snprintf(err + pos, errlen - pos, "%s%s: %s",
				     i ? "\n" : "", x->name, p->msg);
		if (n < 0)
			break;
		pos += (size_t)n;
	}
	if (x->dropped && pos < errlen)
		snprintf(err + pos, errlen - pos, "\n%s: ... and %zu more problems",
			 x->name, x->dropped);
}

static int finish(struct cfg_ctx *x, struct gp_ydoc *doc, char *err,
		  size_t errlen)
{
	struct gp_config *c = x->c;
	unsigned port;

	do_document(x, doc->root);
	gp_ydoc_free(doc);
	if (x->nprobs) {
		report(x, err, errlen);
		gp_config_free(c);
		return -1;
	}
	c->n_listed = gp_rules_count(c->rules);
	c->n_denied = 0;
	for (port = 1; port < GP_NR_PORTS; port++)
		c->n_denied += GP_RULE_DENY(c->rules[port]) != 0;
	if (gp_policy_digest(c->rules, &c->exempt, gp_config_conf_flags(c),
			     c->deny_with, c->digest)) {
		snprintf(err, errlen, "%s: cannot compute the policy digest (OpenSSL)",
			 x->name);
		gp_config_free(c);
		return -1;
	}
	return 0;
}

/* The context is large (the problems): heap, not stack. */
static struct cfg_ctx *new_ctx(const char *name, struct gp_config *c)
{
	struct cfg_ctx *x = calloc(1, sizeof(*x));

	if (x) {
		x->name = name;
		x->c = c;
	}
	return x;
}

int gp_config_parse(const char *name, const char *buf, size_t len,
		    struct gp_config *c, char *err, size_t errlen)
{
	struct cfg_ctx *x;
	struct gp_ydoc doc;
	int ret;

	gp_config_defaults(c);
	if (gp_ydoc_parse(name, buf, len, &doc, err, errlen))
		return -1;
	x = new_ctx(name, c);
	if (!x) {
		gp_ydoc_free(&doc);
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	ret = finish(x, &doc, err, errlen);
	free(x);
	return ret;
}

int gp_config_load(const char *path, struct gp_config *c, char *err,
		   size_t errlen)
{
	struct cfg_ctx *x;
	struct gp_ydoc doc;
	int ret;

	gp_config_defaults(c);
	if (gp_ydoc_load(path, &doc, err, errlen))
		return -1;
	x = new_ctx(path, c);
	if (!x) {
		gp_ydoc_free(&doc);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	ret = finish(x, &doc, err, errlen);
	free(x);
	return ret;
}
