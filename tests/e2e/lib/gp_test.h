/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gp_test.h - what the end-to-end test programs share: the interface of
 * tests/e2e/lib/gp_test.c, which the Makefile links into every e2e program
 * (single-file tests/e2e/<name>.c or multi-file tests/e2e/<name>/ files).
 *
 * The programs link with -ljansson -lpthread and nothing else (not
 * libghostport), static for the VM guest.  The one file of a program that
 * has main() defines GPT_PROG (the program's name, for its own error
 * messages) and optionally GPT_PREFIX (the default result prefix, else
 * GPT_PROG) before including this header: that names the program.  Its
 * other files include it without them.
 *
 *   results   gpt_result(): PASS/FAIL/SKIP <gpt_prefix>/<name>[: why] as
 *             docs/hacking.md says, counted in gpt_npass/gpt_nfail/gpt_nskip;
 *             gpt_note(): "# " detail lines; struct gpt_chk: a check's
 *             reasons collected (gpt_cfail), then its one line (gpt_cdone)
 *   errnos    gpt_errno_name(): "EPERM" ...
 *   time      gpt_clock_ns(), gpt_now_ns(), gpt_now_ms() (monotonic), gpt_sleep_ms()
 *   I/O       gpt_write_all(), gpt_read_full() (bounded in time),
 *             gpt_fork_piped(): a child with a pipe back to its parent
 *   sockets   union gpt_sockaddr: gpt_sockaddr(), gpt_sockaddr_parse()
 *   lines     struct gpt_lines: what comes from a pipe, as lines, each parsed
 *             as a JSON object on demand (gpt_line_json)
 *   reader    struct gpt_reader: `ghostport ...` with stdout and stderr on
 *             pipes: gpt_spawn(), gpt_pump(), gpt_pump_for(), gpt_reaped(),
 *             gpt_reap(), gpt_wait_ready(), gpt_unavailable(),
 *             gpt_err_find(), gpt_last_err_line(), gpt_show_stderr(),
 *             gpt_reader_free()
 *   run lock  gp_run_lock_holder() (the daemon's own, daemon/runlock.c,
 *             linked in), gpt_wait_lock_free(): only one `ghostport run`
 *             at a time (an exclusive flock on GP_LOCK_FILE)
 *   JSON      gpt_json_object(), gpt_jint(), gpt_jstr()
 *   cgroup    gpt_cgroup2_root(): where cgroup v2 is mounted
 *   io_uring  gpt_uring_bind(): a bind through IORING_OP_BIND, by hand
 *
 * No shell, no python: the programs run in the busybox-only VM guest too.
 */
#ifndef GP_TEST_H
#define GP_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/io_uring.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon/runlock.h"

#define GPT_NSEC	1000000000LL
#define GPT_PIN_DIR	"/sys/fs/bpf/ghostport"

#define GPT_UNUSED	__attribute__((unused))

/* ------------------------------------------------------------------ */
/* Results                                                             */
/* ------------------------------------------------------------------ */

/* The program's name, for its own error messages (GPT_PROG). */
extern const char *gpt_prog;
/* <prefix> of the result lines (GPT_PREFIX, the programs' --prefix). */
extern const char *gpt_prefix;
/* The result lines printed so far, by kind. */
extern int gpt_npass, gpt_nfail, gpt_nskip;

/* "PASS|FAIL|SKIP <prefix>/<name>", then ": why" unless fmt is NULL. */
__attribute__((format(printf, 3, 4)))
void gpt_result(const char *what, const char *name, const char *fmt, ...);

/* A detail line: "# ..." */
__attribute__((format(printf, 1, 2)))
void gpt_note(const char *fmt, ...);

/* A check made of several conditions: every failed one's reason, joined
 * with "; ", then one result line. */
struct gpt_chk {
	char why[1024];
	size_t len;
};

__attribute__((format(printf, 2, 3)))
void gpt_cfail(struct gpt_chk *c, const char *fmt, ...);

/* PASS name, or FAIL name with the reasons; the check is empty again. */
void gpt_cdone(struct gpt_chk *c, const char *name);

/* The symbolic name of errno e (as ghostport prints it), or unknown. */
const char *gpt_errno_name(int e, const char *unknown);

/* ------------------------------------------------------------------ */
/* Time                                                                */
/* ------------------------------------------------------------------ */

long long gpt_clock_ns(clockid_t clk);

long long gpt_now_ns(void);

long long gpt_now_ms(void);

void gpt_sleep_ms(int ms);

/* ------------------------------------------------------------------ */
/* I/O                                                                 */
/* ------------------------------------------------------------------ */

__attribute__((noreturn)) void gpt_oom(void);

void *gpt_xrealloc(void *p, size_t n);

bool gpt_write_all(int fd, const void *buf, size_t len);

/* Reads len bytes from fd unless it ends or timeout_ms passes first; how
 * many it got. */
size_t gpt_read_full(int fd, void *buf, size_t len, int timeout_ms);

/*
 * fork() with a pipe from the child to the parent (both ends O_CLOEXEC):
 * the child gets 0 and the write end in *fd, the parent the child's pid
 * and the read end; -1 (nothing to close) and why when it cannot.
 */
pid_t gpt_fork_piped(int *fd, char *why, size_t wlen);

/* ------------------------------------------------------------------ */
/* Socket addresses                                                    */
/* ------------------------------------------------------------------ */

union gpt_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* AF_INET6 (else AF_INET) address addr (an in6_addr or in_addr; NULL: the
 * any address) and port into *u; returns its length. */
socklen_t gpt_sockaddr(union gpt_sockaddr *u, int family, const void *addr,
				     int port);

/* The same from the address in text; its length in *len.  -1 (the address
 * left all zeros) when the text is not an address of that family. */
int gpt_sockaddr_parse(union gpt_sockaddr *u, socklen_t *len, int family,
				     const char *text, int port);

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

/* The line parsed, if it is a JSON object (else NULL); the caller's. */
json_t *gpt_json_object(const char *line);

long long gpt_jint(const json_t *o, const char *k, long long dflt);

/* A string member, NULL if absent or not a string. */
const char *gpt_jstr(const json_t *o, const char *k);

/* ------------------------------------------------------------------ */
/* Lines from a pipe                                                   */
/* ------------------------------------------------------------------ */

struct gpt_lines {
	char **v;		/* the complete lines, without '\n' */
	json_t **j;		/* gpt_line_json(): parsed on first use */
	bool *parsed;
	size_t n, cap;
	char *part;		/* an incomplete last line */
	size_t plen;
};

void gpt_lines_push(struct gpt_lines *l, const char *s, size_t n);

/* Appends what was read; every complete line becomes one of l->v. */
void gpt_lines_feed(struct gpt_lines *l, const char *buf, size_t n);

/* At the end: an unterminated last line is a line too. */
void gpt_lines_flush(struct gpt_lines *l);

void gpt_lines_free(struct gpt_lines *l);

/* Line i as a JSON object (NULL if it is not one); the lines keep it. */
json_t *gpt_line_json(struct gpt_lines *l, size_t i);

/* ------------------------------------------------------------------ */
/* The reader: `ghostport ...`, its stdout and stderr as lines         */
/* ------------------------------------------------------------------ */

struct gpt_reader {
	pid_t pid;
	int out, err;		/* its stdout and stderr; -1 at EOF */
	struct gpt_lines o, e;
	int status;		/* waitpid()'s, once exited */
	bool exited;
	bool ready;		/* gpt_wait_ready() saw the ready line */
	char ready_source[32];	/* the ready line's source= */
	char ready_enforce[32];	/* its enforce= ("" without) */
};

/* Nothing started yet (safe to gpt_reader_free). */
void gpt_reader_init(struct gpt_reader *rd);

/* Starts argv (argv[0] a path) with stdin /dev/null, stdout and stderr
 * on pipes; -1 (errno set) if it cannot. */
int gpt_spawn(struct gpt_reader *rd, char *const argv[]);

/* Reads what is there, waiting up to ms.  False when both pipes ended. */
bool gpt_pump(struct gpt_reader *rd, int ms);

/* Reads for ms (sleeps the rest once both pipes ended). */
void gpt_pump_for(struct gpt_reader *rd, int ms);

/* Has it exited (rd->status then set)?  block: wait until it has. */
bool gpt_reaped(struct gpt_reader *rd, bool block);

/* Waits up to ms for it to exit, reading its output meanwhile. */
bool gpt_reap(struct gpt_reader *rd, int ms);

/* The first stderr line with needle in it, or NULL. */
const char *gpt_err_find(const struct gpt_reader *rd, const char *needle);

/* Its last non-empty stderr line (its error, when it failed). */
const char *gpt_last_err_line(const struct gpt_reader *rd);

/* Its stderr as "# " lines. */
void gpt_show_stderr(const struct gpt_reader *rd);

/* Pipes closed, lines freed; pid, status and exited stay. */
void gpt_reader_free(struct gpt_reader *rd);

/*
 * Waits up to timeout_s for `ghostport run`'s "ghostport: ready" line: true
 * with rd->ready, rd->ready_source and rd->ready_enforce set from it.  Else
 * the reader is gone (killed if it still ran, reaped, its output read) and
 * why says what happened.
 */
bool gpt_wait_ready(struct gpt_reader *rd, int timeout_s, char *why, size_t wlen);

/* After gpt_wait_ready() failed: did it exit because the attach mode
 * (--source) or the enforcement method is not available here? */
bool gpt_unavailable(const struct gpt_reader *rd, const char *source);

/* ------------------------------------------------------------------ */
/* The run lock                                                        */
/* ------------------------------------------------------------------ */

/* Waits (up to s seconds, saying so) until no other `ghostport run`
 * holds the lock: a busy machine is not a failure. */
bool gpt_wait_lock_free(int s, char *why, size_t wlen);

/* ------------------------------------------------------------------ */
/* cgroup v2                                                           */
/* ------------------------------------------------------------------ */

/* Where cgroup v2 is mounted (the first cgroup2 line of mountinfo). */
bool gpt_cgroup2_root(char *out, size_t len);

/* ------------------------------------------------------------------ */
/* io_uring                                                            */
/* ------------------------------------------------------------------ */

#ifndef IORING_OP_BIND
#define IORING_OP_BIND 56	/* Linux 6.11; bookworm's headers predate it */
#endif
#ifndef IORING_REGISTER_PROBE
#define IORING_REGISTER_PROBE 8
#endif
#ifndef IO_URING_OP_SUPPORTED
#define IO_URING_OP_SUPPORTED (1U << 0)
#endif

/*
 * io_uring's IORING_OP_BIND (Linux 6.11), by hand: setup, probe, one SQE,
 * one CQE.  Returns the CQE's result (0 or -errno), or INT_MIN with *skip
 * saying why the kernel cannot do it.
 */
int gpt_uring_bind(int sfd, const struct sockaddr *sa, socklen_t len,
		   char *skip, size_t slen);

/* The file with main() names the program (see the top of this file). */
#ifdef GPT_PROG
#ifndef GPT_PREFIX
#define GPT_PREFIX GPT_PROG
#endif
const char *gpt_prog = GPT_PROG;
const char *gpt_prefix = GPT_PREFIX;
#endif

#endif /* GP_TEST_H */
