// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the scan's bookkeeping: new/known/gone between scans,
 * the close decision under exemptions, state names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "scan/track.h"
#include "scan/worker.h"

static __u32 rules[GP_NR_PORTS];

struct tally {
	int new_, known, gone;
	__u16 gone_port;
};

static void on_sock(void *ctx, const struct gp_scan_sock *s,
		    enum gp_scan_seen seen)
{
	struct tally *t = ctx;

	(void)s;
	if (seen == GP_SEEN_NEW)
		t->new_++;
	else
		t->known++;
}

static void on_gone(void *ctx, const struct gp_scan_sock *s)
{
	struct tally *t = ctx;

	t->gone++;
	t->gone_port = s->port;
}

static void add(struct gp_scan_result *r, __u64 ino, __u16 port)
{
	struct gp_scan_sock *s = gp_scan_add(r);

	s->ino = ino;
	s->cookie = ino * 7;
	s->netns_ino = 1;
	s->port = port;
	s->protocol = IPPROTO_TCP;
	s->state = TCP_LISTEN;
	s->holders = calloc(1, sizeof(*s->holders));
	s->n_holders = 1;
	s->holders[0].pid = (pid_t)ino;
}

static void test_new_known_gone(void **state)
{
	struct gp_scan_track *t = gp_scan_track_new();
	struct gp_scan_result r = { 0 };
	struct tally k = { 0 };

	(void)state;
	rules[886] = GP_RULE_AUDIT(GP_PROTO_TCP);
	rules[686] = GP_RULE_AUDIT(GP_PROTO_TCP);
	add(&r, 100, 886);
	add(&r, 101, 686);
	gp_scan_track_update(t, &r, rules, on_sock, on_gone, &k);
	assert_int_equal(k.new_, 2);
	assert_int_equal(k.known, 0);
	assert_int_equal(gp_scan_track_count(t), 2);
	gp_scan_free(&r);

	/* 101 went away, 100 stays, 102 is new. */
	memset(&k, 0, sizeof(k));
	add(&r, 100, 886);
	add(&r, 102, 886);
	gp_scan_track_update(t, &r, rules, on_sock, on_gone, &k);
	assert_int_equal(k.new_, 1);
	assert_int_equal(k.known, 1);
	assert_int_equal(k.gone, 1);
	assert_int_equal(k.gone_port, 686);
	assert_int_equal(gp_scan_track_count(t), 2);
	gp_scan_free(&r);

	/* 886 no longer listed: its sockets are forgotten, not "gone". */
	memset(&k, 0, sizeof(k));
	rules[886] = 0;
	gp_scan_track_update(t, &r, rules, on_sock, on_gone, &k);
	assert_int_equal(k.gone, 0);
	assert_int_equal(gp_scan_track_count(t), 0);
	gp_scan_track_free(t);
}

static void test_closed_is_not_remembered(void **state)
{
	struct gp_scan_track *t = gp_scan_track_new();
	struct gp_scan_result r = { 0 };
	struct tally k = { 0 };

	(void)state;
	rules[886] = GP_RULE_AUDIT(GP_PROTO_TCP);
	add(&r, 200, 886);
	r.socks[0].close = GP_CLOSE_DONE;
	gp_scan_track_update(t, &r, rules, on_sock, on_gone, &k);
	gp_scan_free(&r);
	assert_int_equal(gp_scan_track_count(t), 0);
	gp_scan_track_update(t, &r, rules, on_sock, on_gone, &k);
	assert_int_equal(k.gone, 0);
	gp_scan_track_free(t);
}

static void test_close_decision(void **state)
{
	static __u32 crules[GP_NR_PORTS];
	struct gp_exemptions x = { 0 };
	struct gp_scan_close_policy cp = { .rules = crules, .exempt = &x };
	struct gp_scan_result r = { 0 };

	(void)state;
	add(&r, 300, 886);
	/* Listed but not denied: never closed. */
	crules[886] = GP_PROTO_TCP;
	assert_int_equal(gp_scan_close_unless_exempt(&cp, &r.socks[0]),
			 GP_CLOSE_NOT_ASKED);
	crules[886] |= GP_PROTO_TCP << GP_RULE_DENY_SHIFT;
	r.socks[0].holders[0].uid = 1000;
	r.socks[0].holders[0].exe_known = true;
	r.socks[0].holders[0].exe_ino = 42;
	r.socks[0].holders[0].exe_dev = 8;
	assert_int_equal(gp_scan_close_unless_exempt(&cp, &r.socks[0]),
			 GP_CLOSE_DONE);
	x.uids[x.n_uids++] = 1000;
	assert_int_equal(gp_scan_close_unless_exempt(&cp, &r.socks[0]),
			 GP_CLOSE_EXEMPT);
	memset(&x, 0, sizeof(x));
	x.exes[0].ino = 42;
	x.exes[0].dev = 8;
	x.n_exes = 1;
	assert_int_equal(gp_scan_close_unless_exempt(&cp, &r.socks[0]),
			 GP_CLOSE_EXEMPT);
	gp_scan_free(&r);
}

static void test_names(void **state)
{
	struct gp_scan_sock s = { .protocol = IPPROTO_TCP, .state = TCP_LISTEN };

	(void)state;
	assert_string_equal(gp_scan_state_name(&s), "listen");
	s.state = TCP_CLOSE;
	assert_string_equal(gp_scan_state_name(&s), "bound");
	s.protocol = IPPROTO_UDP;
	assert_string_equal(gp_scan_state_name(&s), "unconnected");
	assert_string_equal(gp_scan_proto_name(IPPROTO_MPTCP), "mptcp");
	assert_string_equal(gp_scan_close_name(GP_CLOSE_DONE), "closed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_known_gone),
		cmocka_unit_test(test_closed_is_not_remembered),
		cmocka_unit_test(test_close_decision),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
