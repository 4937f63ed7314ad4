/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fixture_tmpdir.h - a scratch directory for a unit test file: pass
 * tmpdir_setup and tmpdir_teardown to cmocka_run_group_tests; the tests
 * make their files below tmpdir, and teardown removes it all.
 */
#ifndef GP_FIXTURE_TMPDIR_H
#define GP_FIXTURE_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

static char tmpdir[64];

static int tmpdir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gp-unit.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmpdir_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif /* GP_FIXTURE_TMPDIR_H */
