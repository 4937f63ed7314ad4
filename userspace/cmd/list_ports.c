// SPDX-License-Identifier: GPL-2.0
/*
 * list_ports.c - `ghostport list [--ports LIST]`: every listed port with its
 * protocols, its IANA name and why it is on the list.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "event/iana.h"
#include "cmd/cmd.h"
#include "policy/portlist.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ghostport list [--ports LIST] [--add-ports LIST]\n"
"Print the effective blocklist: port, protocols, IANA name, reason.\n"
"Without --ports it is the built-in ghost list (data/ghostports.csv).\n");
}

static void protos_str(__u32 bits, char *buf, size_t len)
{
	static const struct { __u32 bit; const char *name; } p[] = {
		{ GP_PROTO_TCP, "tcp" }, { GP_PROTO_UDP, "udp" },
		{ GP_PROTO_SCTP, "sctp" }, { GP_PROTO_OTHER, "raw" },
	};
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		if (!(bits & p[i].bit))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					off ? "+" : "", p[i].name);
		if (off >= len)
			break;
	}
}

static void print_rules(const __u32 *rules)
{
	char protos[32];
	unsigned int port;

	printf("%-5s  %-16s  %-18s  %s\n", "PORT", "PROTOS", "IANA NAME",
	       "WHY");
	for (port = 0; port < GP_NR_PORTS; port++) {
		const struct gp_ghost *g;
		const char *name;

		if (!GP_RULE_AUDIT(rules[port]))
			continue;
		g = gp_ghost_lookup((uint16_t)port);
		name = gp_iana_service((uint16_t)port, IPPROTO_TCP);
		if (!name)
			name = gp_iana_service((uint16_t)port, IPPROTO_UDP);
		protos_str(GP_RULE_AUDIT(rules[port]), protos, sizeof(protos));
		printf("%-5u  %-16s  %-18s  %s\n", port, protos,
		       g ? g->name : (name ? name : "-"),
		       g ? g->reason : "listed by --ports");
	}
}

int gp_cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ports", required_argument, NULL, 'p' },
		{ "add-ports", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static __u32 rules[GP_NR_PORTS];
	const char *ports = NULL, *add = NULL;
	char err[256];
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': ports = optarg; break;
		case 'a': add = optarg; break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr,
				"ghostport: bad option \"%s\" (see ghostport list --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	memset(rules, 0, sizeof(rules));
	if (!ports)
		gp_ghost_default_rules(rules);
	if ((ports && gp_portlist_parse(ports, rules, err, sizeof(err))) ||
	    (add && gp_portlist_parse(add, rules, err, sizeof(err)))) {
		fprintf(stderr, "ghostport: %s\n", err);
		return 2;
	}
	print_rules(rules);
	return 0;
}
