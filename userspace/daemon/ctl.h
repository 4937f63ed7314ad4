/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctl.h - the control socket: how `ghostport status` and `ghostport reload`
 * talk to a running `ghostport run`.
 *
 * /run/ghostport.sock, AF_UNIX SOCK_STREAM, mode 0600 (root only; the
 * server also checks the peer's uid).  A request is one line; the answer
 * is the rest of the stream, then the server closes:
 *
 *   status             text        status json        one JSON object
 *   status prometheus  Prometheus text exposition format
 *   reload             "reloaded (digest D)" or one "error: ..." line per
 *                      problem, the last "error: kept the running policy
 *                      (digest D)"
 *   scan [json] [all] [close]
 *                      a scan for sockets already on listed ports: one
 *                      event line per socket (json or text; known ones
 *                      only with all; close asks --close-existing, which
 *                      applies only under enforcement), then the summary
 *                      line "ghostport: scan: ..."
 *
 * Anything else is answered "error: ...".  The server never blocks the run
 * loop: every socket is non-blocking, an answer is buffered and written as
 * the client reads it, at most 8 clients are served at once, and a client
 * that has not finished within 5 s (reloads excepted) is dropped.
 */
#ifndef GP_CTL_H
#define GP_CTL_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/status.h"

#define GP_CTL_SOCK		"/run/ghostport.sock"

struct gp_ctl;

/*
 * Create the socket at path (NULL: GP_CTL_SOCK), replacing a stale socket
 * left by a dead daemon (call it after gp_run_lock(): the lock is what says
 * no other daemon uses it).  NULL with a one-line reason on failure.
 */
struct gp_ctl *gp_ctl_open(const char *path, char *err, size_t errlen);

/*
 * A descriptor (an epoll set over the listener and every client) that is
 * readable exactly when gp_ctl_handle() has work: a loop may poll it with
 * the rest and call gp_ctl_handle() only then.  Calling gp_ctl_handle()
 * every round instead is fine too (it is a few non-blocking syscalls).
 */
int gp_ctl_fd(const struct gp_ctl *c);

/* Called, at most once per gp_ctl_handle(), before a status is rendered:
 * refresh what is read on demand (kernel counters, output stats). */
typedef void (*gp_status_refresh_fn)(void *ctx, struct gp_status *s);

#define GP_CTL_RELOAD	1
#define GP_CTL_SCAN	2

struct gp_squat_answer;

/*
 * Serve what can be served without waiting: accept, read requests, answer
 * status requests from s (now_ns is set here), write pending answers,
 * drop idle clients.  Call it when gp_ctl_fd() is readable, or every
 * poll round.  Returns GP_CTL_RELOAD
 * when a client asked for a reload: reload, then gp_ctl_reload_done();
 * GP_CTL_SCAN (or'ed) when one asked for a scan: gp_ctl_scan_begin() when
 * the scan thread is free, gp_ctl_scan_done() with its result.  Else 0.
 */
int gp_ctl_handle(struct gp_ctl *c, struct gp_status *s,
		  gp_status_refresh_fn refresh, void *ctx);

/*
 * Answer every client waiting for a reload.  error NULL: it was applied,
 * digest is the new policy's; else error (one or more '\n'-separated
 * lines) and digest the policy kept.  Harmless when nobody waits (a SIGHUP
 * reload can call it too).
 */
void gp_ctl_reload_done(struct gp_ctl *c, const char *error,
			const char *digest);

/* The clients waiting for a scan now wait for the one about to start:
 * false if there are none; *all, *close: any of them asked for it. */
bool gp_ctl_scan_begin(struct gp_ctl *c, bool *all, bool *close);

/* Answer the clients of gp_ctl_scan_begin() with the scan's events (json
 * or text, as each asked) and its summary line. */
void gp_ctl_scan_done(struct gp_ctl *c, const struct gp_squat_answer *a);

/* Close every client and the socket, and remove the socket file. */
void gp_ctl_close(struct gp_ctl *c);

/*
 * One request, its whole answer in *answer (malloc'd, NUL-terminated).
 * 0, or -1 with why in err ("no daemon running ..." when nothing listens).
 */
int gp_ctl_request(const char *path, const char *request, int timeout_ms,
		   char **answer, char *err, size_t errlen);

#endif /* GP_CTL_H */
