// SPDX-License-Identifier: GPL-2.0
/*
 * gp_policy.c - the blocklist and the run-time configuration.
 *
 * The blocklist is one array of GP_NR_PORTS rules behind an RCU pointer.
 * The probes look a port up under rcu_read_lock(); an update builds the
 * whole new array first and publishes it with one pointer store, so a port
 * listed in both the old and the new array is watched at every instant.
 * The old array is freed after a grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ctype.h>
#include <linux/mm.h>		/* kvzalloc, kvfree (slab.h only from 5.13) */
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "gp_kmod.h"

struct gp_rules {
	u32 rule[GP_NR_PORTS];
};

static struct gp_rules __rcu *gp_rules;
static DEFINE_MUTEX(gp_rules_lock);	/* serializes updaters */
static u32 gp_conf_flags;
static u64 gp_rule_updates;

static const struct {
	const char *name;
	u32 bits;
} gp_protos[] = {
	{ "tcp", GP_PROTO_TCP },
	{ "udp", GP_PROTO_UDP },
	{ "sctp", GP_PROTO_SCTP },
	{ "other", GP_PROTO_OTHER },
	{ "raw", GP_PROTO_OTHER },
	{ "all", GP_PROTO_ALL },
};

/* port := decimal 1..65535, no sign, no leading zero */
static int gp_parse_port(const char **pp, u32 *port)
{
	const char *p = *pp;
	u32 v = 0;
	int n = 0;

	if (*p == '0')
		return -EINVAL;
	while (isdigit(*p)) {
		v = v * 10 + (*p - '0');
		if (++n > 5 || v > 65535)
			return -EINVAL;
		p++;
	}
	if (!n)
		return -EINVAL;
	*port = v;
	*pp = p;
	return 0;
}

static int gp_parse_proto(const char **pp, u32 *bits)
{
	const char *p = *pp;
	size_t len = 0;
	int i;

	while (isalpha(p[len]))
		len++;
	for (i = 0; i < ARRAY_SIZE(gp_protos); i++) {
		if (strlen(gp_protos[i].name) == len &&
		    !strncasecmp(p, gp_protos[i].name, len)) {
			*bits |= gp_protos[i].bits;
			*pp = p + len;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * The port-list syntax of the reader (userspace/policy/portlist.h):
 *   list  := item { "," item }
 *   item  := ws* ports [ "/" proto { "+" proto } ] ws*
 *   ports := port | port "-" port          (lo <= hi)
 *   proto := tcp | udp | sctp | other | raw | all   (any case)
 * An item without protocol lists the port for all protocols.  An empty or
 * blank string is the empty list.  ORs the audit bits into rules; on error
 * returns -EINVAL and rules may be partly written.
 */
int gp_parse_ports(const char *spec, u32 *rules)
{
	const char *p = skip_spaces(spec);
	u32 lo, hi, bits, port;

	if (!*p || *p == '\n')
		return 0;
	for (;;) {
		p = skip_spaces(p);
		if (gp_parse_port(&p, &lo))
			return -EINVAL;
		hi = lo;
		if (*p == '-') {
			p++;
			if (gp_parse_port(&p, &hi) || hi < lo)
				return -EINVAL;
		}
		bits = 0;
		if (*p == '/') {
			do {
				p++;
				if (gp_parse_proto(&p, &bits))
					return -EINVAL;
			} while (*p == '+');
		} else {
			bits = GP_PROTO_ALL;
		}
		p = skip_spaces(p);
		for (port = lo; port <= hi; port++)
			rules[port] |= GP_RULE_AUDIT(bits);
		if (!*p)
			return 0;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
}

static struct gp_rules *gp_rules_alloc(void)
{
	return kvzalloc(sizeof(struct gp_rules), GFP_KERNEL);
}

/* Publish new (owned by the callee from here on) and free the old array. */
static void gp_rules_publish(struct gp_rules *new)
{
	struct gp_rules *old;

	mutex_lock(&gp_rules_lock);
	old = rcu_replace_pointer(gp_rules, new,
				  lockdep_is_held(&gp_rules_lock));
	WRITE_ONCE(gp_rule_updates, gp_rule_updates + 1);
	mutex_unlock(&gp_rules_lock);
	if (old) {
		synchronize_rcu();
		kvfree(old);
	}
}

u32 gp_policy_rule(u16 port)
{
	struct gp_rules *r = rcu_dereference(gp_rules);

	return r ? READ_ONCE(r->rule[port]) : 0;
}

u32 gp_policy_flags(void)
{
	return READ_ONCE(gp_conf_flags);
}

int gp_policy_set_rules(const u32 __user *urules)
{
	struct gp_rules *new = gp_rules_alloc();

	if (!new)
		return -ENOMEM;
	if (copy_from_user(new->rule, urules, sizeof(new->rule))) {
		kvfree(new);
		return -EFAULT;
	}
	new->rule[0] = 0;	/* port 0 means "any": never listed */
	gp_rules_publish(new);
	return 0;
}

int gp_policy_get_rules(u32 __user *urules)
{
	struct gp_rules *copy = gp_rules_alloc();
	struct gp_rules *cur;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	mutex_lock(&gp_rules_lock);
	cur = rcu_dereference_protected(gp_rules,
					lockdep_is_held(&gp_rules_lock));
	if (cur)
		memcpy(copy->rule, cur->rule, sizeof(copy->rule));
	mutex_unlock(&gp_rules_lock);
	if (copy_to_user(urules, copy->rule, sizeof(copy->rule)))
		ret = -EFAULT;
	kvfree(copy);
	return ret;
}

void gp_policy_set_conf(const struct gp_conf *conf)
{
	WRITE_ONCE(gp_conf_flags, conf->flags);
	gp_ring_set_wakeup(conf->wakeup_bytes);
	gp_ident_set_gen(conf->exe_gen);
}

void gp_policy_get_conf(struct gp_conf *conf)
{
	conf->flags = READ_ONCE(gp_conf_flags);
	conf->wakeup_bytes = gp_ring_get_wakeup();
	conf->exe_gen = gp_ident_gen();
	conf->__pad0 = 0;
}

u64 gp_policy_updates(void)
{
	return READ_ONCE(gp_rule_updates);
}

int gp_policy_init(const char *ports, bool all)
{
	struct gp_rules *r = gp_rules_alloc();

	if (!r)
		return -ENOMEM;
	if (gp_parse_ports(ports ? ports : "", r->rule)) {
		pr_err("bad ports= list \"%s\"\n", ports);
		kvfree(r);
		return -EINVAL;
	}
	gp_conf_flags = all ? GP_CONF_ALL : 0;
	rcu_assign_pointer(gp_rules, r);
	gp_rule_updates = 0;
	return 0;
}

/* Called after the probes are gone: nobody reads the array any more. */
void gp_policy_exit(void)
{
	struct gp_rules *r = rcu_dereference_protected(gp_rules, 1);

	RCU_INIT_POINTER(gp_rules, NULL);
	kvfree(r);
}
