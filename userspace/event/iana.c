// SPDX-License-Identifier: GPL-2.0
/*
 * iana.c - lookups in the generated IANA and ghost-port tables.
 */
#include <string.h>
#include <netinet/in.h>

#include "event/iana.h"

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif
#ifndef IPPROTO_DCCP
#define IPPROTO_DCCP 33
#endif

/* Index of the first service entry with (port, proto) >= the key. */
static size_t service_lower_bound(uint16_t port, uint8_t proto)
{
	size_t lo = 0, hi = gp_service_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gp_service *s = &gp_service_table[mid];

		if (s->port < port || (s->port == port && s->proto < proto))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const char *service_name(uint16_t port, uint8_t proto)
{
	size_t i = service_lower_bound(port, proto);

	if (i < gp_service_count && gp_service_table[i].port == port &&
	    gp_service_table[i].proto == proto)
		return gp_service_table[i].name;
	return NULL;
}

const char *gp_iana_service(uint16_t port, int ipproto)
{
	const char *name;

	switch (ipproto) {
	case IPPROTO_TCP:
		return service_name(port, GP_IANA_TCP);
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return service_name(port, GP_IANA_UDP);
	case IPPROTO_SCTP:
		return service_name(port, GP_IANA_SCTP);
	case IPPROTO_DCCP:
		name = service_name(port, GP_IANA_DCCP);
		if (name)
			return name;
		break;
	default:
		break;
	}
	name = service_name(port, GP_IANA_TCP);
	return name ? name : service_name(port, GP_IANA_UDP);
}

const struct gp_ghost *gp_ghost_lookup(uint16_t port)
{
	size_t lo = 0, hi = gp_ghost_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (gp_ghost_table[mid].port < port)
			lo = mid + 1;
		else if (gp_ghost_table[mid].port > port)
			hi = mid;
		else
			return &gp_ghost_table[mid];
	}
	return NULL;
}

size_t gp_ghost_count_get(void)
{
	return gp_ghost_count;
}

const struct gp_ghost *gp_ghost_at(size_t i)
{
	return i < gp_ghost_count ? &gp_ghost_table[i] : NULL;
}

int gp_ghost_default_rules(__u32 *rules)
{
	int n = 0;

	if (!rules)
		return -1;
	memset(rules, 0, GP_NR_PORTS * sizeof(*rules));
	for (size_t i = 0; i < gp_ghost_count; i++) {
		const struct gp_ghost *g = &gp_ghost_table[i];

		rules[g->port] = GP_RULE_AUDIT(g->protos);
		n++;
	}
	return n;
}
