// SPDX-License-Identifier: GPL-2.0
/* Unit tests for flood control: immediacy, exact counts, eviction. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "event/fold.h"

#define MS	1000000ULL

struct sink {
	size_t n;
	__u64 total;		/* sum of counts */
	struct gp_record last;
	__u32 counts[64];	/* first 64 emitted counts */
	__u32 pids[64];
};

static void collect(void *ctx, const struct gp_record *r)
{
	struct sink *k = ctx;
	__u32 c = r->count ? r->count : 1;

	if (k->n < 64) {
		k->counts[k->n] = c;
		k->pids[k->n] = r->ev.pid;
	}
	k->n++;
	k->total += c;
	k->last = *r;
}

static struct gp_record *mk(__u32 pid, __u16 port, __u16 proto, __u64 ts)
{
	static struct gp_record r;

	memset(&r, 0, sizeof(r));
	r.ev.pid = pid;
	r.ev.port = port;
	r.ev.protocol = proto;
	r.ev.verdict = 1;
	r.ev.ts_ns = ts;
	r.count = 1;
	strcpy(r.exe, "/usr/bin/hammer");
	return &r;
}

static void test_no_flood_immediate(void **state)
{
	struct gp_fold *f = gp_fold_new(5000 * MS, 0);
	struct sink k = { 0 };

	(void)state;
	assert_non_null(f);
	gp_fold_push(f, mk(10, 686, IPPROTO_TCP, 1), 0, collect, &k);
	assert_int_equal(k.n, 1);	/* out before any tick */
	gp_fold_push(f, mk(11, 886, IPPROTO_TCP, 2), 1 * MS, collect, &k);
	assert_int_equal(k.n, 2);
	gp_fold_tick(f, 6000 * MS, collect, &k);
	assert_int_equal(k.n, 2);	/* no repeats: nothing more */
	gp_fold_flush(f, collect, &k);
	assert_int_equal(k.n, 2);
	assert_int_equal(k.total, 2);
	gp_fold_free(f);
}

static void test_flood_folded(void **state)
{
	struct gp_fold *f = gp_fold_new(5000 * MS, 0);
	struct sink k = { 0 };
	struct gp_fold_stats st;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		gp_fold_push(f, mk(42, 686, IPPROTO_TCP, 100 + (__u64)i),
			     (__u64)i * MS, collect, &k);
	assert_int_equal(k.n, 1);
	gp_fold_tick(f, 4999 * MS, collect, &k);
	assert_int_equal(k.n, 1);	/* window not over yet */
	gp_fold_tick(f, 5000 * MS, collect, &k);
	assert_int_equal(k.n, 2);
	assert_int_equal(k.last.count, 999);
	assert_int_equal(k.last.fold_first_ns, 101);
	assert_int_equal(k.last.ev.ts_ns, 1099);
	assert_string_equal(k.last.exe, "/usr/bin/hammer");
	assert_int_equal(k.total, 1000);
	/* Sustained flood: the key stays hot, next window folds again. */
	gp_fold_push(f, mk(42, 686, IPPROTO_TCP, 2000), 5001 * MS, collect, &k);
	assert_int_equal(k.n, 2);
	gp_fold_tick(f, 10001 * MS, collect, &k);
	assert_int_equal(k.n, 3);
	assert_int_equal(k.last.count, 1);
	gp_fold_get_stats(f, &st);
	assert_int_equal(st.pushed, 1001);
	assert_int_equal(st.folded, 1000);
	assert_int_equal(st.emitted, 3);
	assert_int_equal(k.total, 1001);
	/* A quiet window frees the key: the next one is immediate. */
	gp_fold_tick(f, 15001 * MS, collect, &k);
	gp_fold_get_stats(f, &st);
	assert_int_equal(st.active, 0);
	gp_fold_push(f, mk(42, 686, IPPROTO_TCP, 3000), 15002 * MS, collect, &k);
	assert_int_equal(k.n, 4);
	gp_fold_free(f);
}

static void test_distinct_keys_not_folded(void **state)
{
	struct gp_fold *f = gp_fold_new(5000 * MS, 0);
	struct sink k = { 0 };
	struct gp_record *r;

	(void)state;
	gp_fold_push(f, mk(1, 686, IPPROTO_TCP, 1), 0, collect, &k);
	gp_fold_push(f, mk(2, 686, IPPROTO_TCP, 2), 0, collect, &k);
	gp_fold_push(f, mk(1, 886, IPPROTO_TCP, 3), 0, collect, &k);
	gp_fold_push(f, mk(1, 686, IPPROTO_UDP, 4), 0, collect, &k);
	r = mk(1, 686, IPPROTO_TCP, 5);
	r->ev.verdict = 2;
	gp_fold_push(f, r, 0, collect, &k);
	assert_int_equal(k.n, 5);
	gp_fold_flush(f, collect, &k);
	assert_int_equal(k.n, 5);
	gp_fold_free(f);
}

static void test_window_zero_passthrough(void **state)
{
	struct gp_fold *f = gp_fold_new(0, 4);
	struct sink k = { 0 };
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		gp_fold_push(f, mk(7, 686, IPPROTO_TCP, (__u64)i), 0, collect,
			     &k);
	assert_int_equal(k.n, 100);
	assert_int_equal(k.total, 100);
	gp_fold_free(f);
}

/* More keys than slots, each flooding: eviction emits, counts stay exact. */
static void test_eviction_exact(void **state)
{
	struct gp_fold *f = gp_fold_new(1000 * MS, 8);
	struct sink k = { 0 };
	struct gp_fold_stats st;
	__u64 pushed = 0, now = 0;
	unsigned seed = 1;
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		__u32 pid = (__u32)(rand_r(&seed) % 20);
		__u16 port = (__u16)(686 + rand_r(&seed) % 3);

		now += (__u64)(rand_r(&seed) % 3) * 100000;	/* 0-0.2 ms */
		gp_fold_push(f, mk(pid, port, IPPROTO_TCP, now), now, collect,
			     &k);
		pushed++;
		if (i % 97 == 0)
			gp_fold_tick(f, now, collect, &k);
	}
	gp_fold_flush(f, collect, &k);
	gp_fold_get_stats(f, &st);
	assert_true(st.evictions > 0);
	assert_int_equal(st.active, 0);
	assert_int_equal(k.total, pushed);
	assert_int_equal(st.emitted, k.n);
	gp_fold_free(f);
}

static void test_late_push_closes_window(void **state)
{
	struct gp_fold *f = gp_fold_new(10 * MS, 0);
	struct sink k = { 0 };

	(void)state;
	gp_fold_push(f, mk(5, 686, IPPROTO_TCP, 1), 0, collect, &k);
	gp_fold_push(f, mk(5, 686, IPPROTO_TCP, 2), 1 * MS, collect, &k);
	gp_fold_push(f, mk(5, 686, IPPROTO_TCP, 3), 2 * MS, collect, &k);
	/* No tick for a while: the next push closes the old window first. */
	gp_fold_push(f, mk(5, 686, IPPROTO_TCP, 4), 50 * MS, collect, &k);
	assert_int_equal(k.n, 3);
	assert_int_equal(k.counts[1], 2);
	assert_int_equal(k.counts[2], 1);
	gp_fold_flush(f, collect, &k);
	assert_int_equal(k.total, 4);
	gp_fold_free(f);
}

/* Issue 15: folding keys on everything a record reports (timestamps
 * aside), so events that differ in address, uid, result or executable are
 * never merged into one record that reports only the last of them. */
static void test_differing_fields_never_folded(void **state)
{
	struct gp_fold *f = gp_fold_new(5000 * MS, 0);
	struct sink k = { 0 };
	struct gp_record r;
	struct gp_fold_stats st;
	int i;

	(void)state;
	assert_non_null(f);
	for (i = 0; i < 6; i++) {
		r = *mk(10, 686, IPPROTO_TCP, (__u64)i + 1);
		r.ev.family = AF_INET;
		r.ev.addr[0] = 127;
		r.ev.addr[3] = 1;
		strcpy(r.addr, "127.0.0.1");
		switch (i) {
		case 1:		/* 0.0.0.0 between loopback binds */
			memset(r.ev.addr, 0, sizeof(r.ev.addr));
			strcpy(r.addr, "0.0.0.0");
			break;
		case 2: r.ev.uid = 1000; break;
		case 3: r.ev.ret = -98; r.ev.valid |= 1; break;
		case 4: strcpy(r.exe, "/usr/bin/other"); break;
		case 5: r.ev.gid = 5; break;
		}
		gp_fold_push(f, &r, (__u64)i * MS, collect, &k);
	}
	gp_fold_flush(f, collect, &k);
	gp_fold_get_stats(f, &st);
	assert_int_equal(st.folded, 0);
	assert_int_equal(k.n, 6);
	assert_int_equal(k.total, 6);
	gp_fold_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_flood_immediate),
		cmocka_unit_test(test_flood_folded),
		cmocka_unit_test(test_distinct_keys_not_folded),
		cmocka_unit_test(test_window_zero_passthrough),
		cmocka_unit_test(test_eviction_exact),
		cmocka_unit_test(test_late_push_closes_window),
		cmocka_unit_test(test_differing_fields_never_folded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
