// SPDX-License-Identifier: GPL-2.0
/*
 * test_queue.c - the memory queue + on-disk spool of network outputs:
 * the spool bound holds for the file on disk, not only for the bytes not
 * yet delivered (issue 15: a 1 MiB bound grew a 100 MB file when a slow
 * collector kept the spool from ever emptying completely).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/queue.h"
#include "fixture_tmpdir.h"

/* A slow collector: every round one record is delivered and two arrive,
 * then one; the spool never empties completely. */
static void test_spool_file_bounded_on_disk(void **state)
{
	const uint64_t bound = 64 * 1024;
	struct gp_queue q;
	char path[128], err[128], rec[500], buf[1024];
	uint64_t pushed = 0, popped = 0, dropped = 0;
	uint64_t biggest = 0;
	long last = -1;
	struct stat sb;

	(void)state;
	snprintf(path, sizeof(path), "%s/x.spool", tmpdir);
	assert_int_equal(gp_queue_init(&q, 4096, path, bound, sizeof(buf), err,
				       sizeof(err)), 0);
	for (unsigned i = 0; i < 20000; i++) {
		long n;

		memset(rec, 'a' + (int)(i % 26), sizeof(rec));
		snprintf(rec, sizeof(rec), "%u", i);
		if (gp_queue_push(&q, rec, sizeof(rec)))
			dropped++;
		else
			pushed++;
		if (i % 2)
			continue;
		n = gp_queue_peek(&q, buf, sizeof(buf));
		assert_true(n > 0);
		/* in order; gaps only where the bound dropped */
		assert_true((long)strtoul(buf, NULL, 10) > last);
		last = (long)strtoul(buf, NULL, 10);
		gp_queue_pop(&q);
		popped++;
		if (!stat(path, &sb) && (uint64_t)sb.st_size > biggest)
			biggest = (uint64_t)sb.st_size;
	}
	print_message("spool file peaked at %llu bytes, bound %llu, %llu dropped\n",
		      (unsigned long long)biggest, (unsigned long long)bound,
		      (unsigned long long)dropped);
	/* compaction may need a second copy while it runs, never more */
	assert_true(biggest <= 2 * bound);
	assert_int_equal(pushed + dropped, 20000);
	assert_int_equal(gp_queue_count(&q), pushed - popped);
	gp_queue_close(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spool_file_bounded_on_disk),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
