// SPDX-License-Identifier: GPL-2.0
/*
 * test_iana.c - the default ghost-port list and the IANA name lookups.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "event/iana.h"

static void test_required_ghosts(void **state)
{
	const struct gp_ghost *g;

	(void)state;
	g = gp_ghost_lookup(686);
	assert_non_null(g);
	assert_int_equal(g->port, 686);
	assert_string_equal(g->name, "hcp-wismar");
	assert_int_equal(g->protos, GP_PROTO_TCP | GP_PROTO_UDP);

	g = gp_ghost_lookup(886);
	assert_non_null(g);
	assert_int_equal(g->port, 886);
	assert_string_equal(g->name, "iclcnet-locate");
	assert_non_null(strstr(g->description, "ICL"));
	assert_int_equal(g->protos, GP_PROTO_TCP | GP_PROTO_UDP);
}

static void test_live_ports_are_not_ghosts(void **state)
{
	static const uint16_t live[] = {
		0, 21, 22, 25, 53, 80, 111, 123, 443, 514, 631, 749, 873,
		1023, 2049, 65535,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
		if (gp_ghost_lookup(live[i]))
			fail_msg("port %u must not be a ghost", live[i]);
	}
}

static void test_service_names(void **state)
{
	(void)state;
	assert_string_equal(gp_iana_service(22, IPPROTO_TCP), "ssh");
	assert_string_equal(gp_iana_service(53, IPPROTO_UDP), "domain");
	assert_string_equal(gp_iana_service(80, IPPROTO_TCP), "http");
	assert_string_equal(gp_iana_service(686, IPPROTO_TCP), "hcp-wismar");
	assert_string_equal(gp_iana_service(886, IPPROTO_UDP),
			    "iclcnet-locate");
	/* 4 and 1009 are unassigned; 143/udp is reserved, unnamed. */
	assert_null(gp_iana_service(4, IPPROTO_TCP));
	assert_null(gp_iana_service(1009, IPPROTO_UDP));
	assert_null(gp_iana_service(143, IPPROTO_UDP));
	assert_string_equal(gp_iana_service(143, IPPROTO_TCP), "imap");
}

static void test_service_protocols(void **state)
{
	(void)state;
	/* SCTP is exact: ssh is registered for sctp, smtp is not. */
	assert_string_equal(gp_iana_service(22, IPPROTO_SCTP), "ssh");
	assert_null(gp_iana_service(25, IPPROTO_SCTP));
	/* Raw/unknown protocols fall back to tcp, then udp. */
	assert_string_equal(gp_iana_service(22, IPPROTO_RAW), "ssh");
	assert_string_equal(gp_iana_service(143, 0), "imap");
	/* 623: asf-rmcp is udp only, oob-ws-http tcp only. */
	assert_string_equal(gp_iana_service(623, IPPROTO_UDP), "asf-rmcp");
	assert_string_equal(gp_iana_service(623, IPPROTO_TCP), "oob-ws-http");
	assert_string_equal(gp_iana_service(623, IPPROTO_RAW), "oob-ws-http");
	/* DCCP: its own registration, else the tcp/udp fallback. */
	assert_string_equal(gp_iana_service(9, IPPROTO_DCCP), "discard");
	assert_string_equal(gp_iana_service(22, IPPROTO_DCCP), "ssh");
	/* The highest port in the table and the extremes do not crash. */
	(void)gp_iana_service(0, IPPROTO_TCP);
	(void)gp_iana_service(65535, IPPROTO_UDP);
}

static void test_tables_sorted(void **state)
{
	(void)state;
	assert_true(gp_ghost_count > 0);
	assert_int_equal(gp_ghost_count_get(), gp_ghost_count);
	for (size_t i = 1; i < gp_ghost_count; i++)
		assert_true(gp_ghost_table[i - 1].port < gp_ghost_table[i].port);

	assert_true(gp_service_count > 1000);
	for (size_t i = 1; i < gp_service_count; i++) {
		const struct gp_service *a = &gp_service_table[i - 1];
		const struct gp_service *b = &gp_service_table[i];

		assert_true(a->port < b->port ||
			    (a->port == b->port && a->proto <= b->proto));
	}
	for (size_t i = 0; i < gp_service_count; i++) {
		uint8_t p = gp_service_table[i].proto;

		assert_true(p == GP_IANA_TCP || p == GP_IANA_UDP ||
			    p == GP_IANA_SCTP || p == GP_IANA_DCCP);
		assert_non_null(gp_service_table[i].name);
		assert_true(gp_service_table[i].name[0] != '\0');
	}
}

/* Is name one of IANA's names for port (any protocol)? */
static int registered(uint16_t port, const char *name)
{
	for (size_t i = 0; i < gp_service_count; i++) {
		if (gp_service_table[i].port == port &&
		    strcmp(gp_service_table[i].name, name) == 0)
			return 1;
	}
	return 0;
}

static void test_ghost_iteration(void **state)
{
	size_t n = gp_ghost_count_get();

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct gp_ghost *g = gp_ghost_at(i);

		assert_non_null(g);
		assert_ptr_equal(gp_ghost_lookup(g->port), g);
		assert_true(g->port <= 1023);
		assert_true(g->protos != 0);
		assert_int_equal(g->protos & ~GP_PROTO_ALL, 0);
		assert_non_null(g->name);
		assert_true(g->name[0] != '\0');
		assert_non_null(g->description);
		assert_non_null(g->reason);
		assert_true(strlen(g->reason) > 10);
		/* the ghost's name is one of IANA's names for the port */
		if (!registered(g->port, g->name))
			fail_msg("ghost %u: %s not registered", g->port,
				 g->name);
	}
	assert_null(gp_ghost_at(n));
	assert_null(gp_ghost_at((size_t)-1));
}

static void test_default_rules(void **state)
{
	__u32 *rules = malloc(GP_NR_PORTS * sizeof(*rules));
	int n, set = 0;

	(void)state;
	assert_non_null(rules);
	memset(rules, 0xa5, GP_NR_PORTS * sizeof(*rules));
	n = gp_ghost_default_rules(rules);
	assert_int_equal(n, (int)gp_ghost_count);
	for (unsigned int port = 0; port < GP_NR_PORTS; port++) {
		const struct gp_ghost *g = gp_ghost_lookup((uint16_t)port);

		if (g) {
			assert_int_equal(rules[port], GP_RULE_AUDIT(g->protos));
			assert_int_equal(GP_RULE_DENY(rules[port]), 0);
			set++;
		} else {
			assert_int_equal(rules[port], 0);
		}
	}
	assert_int_equal(set, n);
	assert_int_equal(rules[686], GP_PROTO_TCP | GP_PROTO_UDP);
	assert_int_equal(rules[886], GP_PROTO_TCP | GP_PROTO_UDP);
	assert_int_equal(rules[22], 0);
	assert_int_equal(gp_ghost_default_rules(NULL), -1);
	free(rules);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_ghosts),
		cmocka_unit_test(test_live_ports_are_not_ghosts),
		cmocka_unit_test(test_service_names),
		cmocka_unit_test(test_service_protocols),
		cmocka_unit_test(test_tables_sorted),
		cmocka_unit_test(test_ghost_iteration),
		cmocka_unit_test(test_default_rules),
	};

	return cmocka_run_group_tests_name("iana", tests, NULL, NULL);
}
