/* SPDX-License-Identifier: GPL-2.0 */
/* runlock.h - one `ghostport run` at a time, and who that is. */
#ifndef GP_RUNLOCK_H
#define GP_RUNLOCK_H

#include <stddef.h>
#include <sys/types.h>

#define GP_LOCK_FILE	"/run/ghostport.lock"

/* Take the exclusive lock, held for the daemon's life, and write our pid
 * in it.  Returns the lock fd, or -1 with why. */
int gp_run_lock(char *err, size_t errlen);

/* The pid of the active `ghostport run`, 0 when none runs, -1 when one
 * holds the lock but its pid cannot be read. */
pid_t gp_run_lock_holder(void);

#endif /* GP_RUNLOCK_H */
