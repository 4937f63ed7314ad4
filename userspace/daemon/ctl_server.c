// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_server.c - the control socket's server side (protocol: daemon/ctl.h).
 *
 * Everything here runs inside the event loop, so nothing may wait: the
 * listening socket and every client are non-blocking, requests are
 * assembled across calls, answers are rendered into memory and drained as
 * the client reads.  The number of clients and the time each may take are
 * bounded, so a stuck or hostile client costs a slot, never the loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "daemon/ctl.h"
#include "daemon/squatters.h"

#define MAX_CLIENTS	8
#define REQ_MAX		64		/* longest request line */
#define CLIENT_TIMEOUT_NS (5 * 1000000000ULL)

/* C_SCAN: waits for a scan to start; C_SCANNING: for the running one. */
enum client_state { C_FREE, C_READING, C_RELOAD, C_SCAN, C_SCANNING,
		    C_WRITING };

struct client {
	enum client_state state;
	int fd;
	__u64 deadline_ns;
	char req[REQ_MAX];
	size_t reqlen;
	char *out;
	size_t outlen, outpos;
	bool scan_json, scan_all, scan_close;
};

struct gp_ctl {
	int fd;			/* listening socket */
	int ep;			/* epoll set: the listener and every client */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct client cl[MAX_CLIENTS];
};

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static int watch(struct gp_ctl *c, int fd, int op, __u32 events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(c->ep, op, fd, &ev);
}

struct gp_ctl *gp_ctl_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct gp_ctl *c;
	struct stat st;
	mode_t old;
	int i;

	if (!path)
		path = GP_CTL_SOCK;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path \"%s\" is too long",
			 path);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		c->cl[i].fd = -1;
	c->ep = -1;
	snprintf(c->path, sizeof(c->path), "%s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* Replace a socket a dead daemon left, but nothing else: a file
	 * there is someone's mistake we should not delete. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen,
				 "%s exists and is not a socket; not replacing it",
				 path);
			free(c);
			return NULL;
		}
		unlink(path);
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		free(c);
		return NULL;
	}
	/* Created 0600 from the start: no window where others may connect. */
	old = umask(0177);
	i = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (i || chmod(path, 0600) || listen(c->fd, MAX_CLIENTS) ||
	    (c->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    watch(c, c->fd, EPOLL_CTL_ADD, EPOLLIN)) {
		snprintf(err, errlen, "control socket %s: %s", path,
			 strerror(errno));
		if (c->ep >= 0)
			close(c->ep);
		close(c->fd);
		if (i == 0)
			unlink(path);
		free(c);
		return NULL;
	}
	return c;
}

/*
 * An epoll fd, readable exactly when gp_ctl_handle() has something to do
 * (a connection to accept, a request to read, an answer the client can
 * take), so a loop may call gp_ctl_handle() only then.
 */
int gp_ctl_fd(const struct gp_ctl *c)
{
	return c->ep;
}

static void drop(struct client *k)
{
	/* Closing the fd also takes it out of the epoll set. */
	if (k->fd >= 0)
		close(k->fd);
	free(k->out);
	memset(k, 0, sizeof(*k));
	k->fd = -1;
	k->state = C_FREE;
}

/* Queue text as (the end of) the answer and start writing it. */
static void answer(struct gp_ctl *c, struct client *k, char *text,
		   size_t len, __u64 now)
{
	watch(c, k->fd, EPOLL_CTL_MOD, EPOLLOUT);
	free(k->out);
	k->out = text;
	k->outlen = len;
	k->outpos = 0;
	k->state = C_WRITING;
	k->deadline_ns = now + CLIENT_TIMEOUT_NS;
}

static void answer_str(struct gp_ctl *c, struct client *k, const char *s,
		       __u64 now)
{
	char *copy = strdup(s);

	if (!copy) {
		drop(k);
		return;
	}
	answer(c, k, copy, strlen(copy), now);
}

/* Only root, or the user the daemon runs as, gets an answer: the socket
 * mode says so already; this holds if the mode is ever changed. */
static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

static void accept_new(struct gp_ctl *c, __u64 now)
{
	for (;;) {
		int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *k = NULL;
		int i;

		if (fd < 0)
			return;	/* EAGAIN, or an error the next round retries */
		for (i = 0; i < MAX_CLIENTS && !k; i++)
			if (c->cl[i].state == C_FREE)
				k = &c->cl[i];
		if (!k || !peer_allowed(fd) ||
		    watch(c, fd, EPOLL_CTL_ADD, EPOLLIN)) {
			/* Best effort: one line, then close; never wait. */
			const char *msg = !k ? "error: busy, try again\n" :
					       "error: permission denied\n";

			if (write(fd, msg, strlen(msg)) < 0) {
				/* nothing more to do for this client */
			}
			close(fd);
			continue;
		}
		k->fd = fd;
		k->state = C_READING;
		k->reqlen = 0;
		k->deadline_ns = now + CLIENT_TIMEOUT_NS;
	}
}

/* Render one status answer into memory. */
static void answer_status(struct gp_ctl *c, struct client *k,
			  struct gp_status *s, const char *format, __u64 now)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int r;

	if (!f) {
		answer_str(c, k, "error: out of memory\n", now);
		return;
	}
	if (!strcmp(format, "json"))
		r = gp_status_render_json(s, f);
	else if (!strcmp(format, "prometheus"))
		r = gp_status_render_prometheus(s, f);
	else
		r = gp_status_render_text(s, f);
	if (fclose(f) || r) {
		free(text);
		answer_str(c, k, "error: rendering the status failed\n", now);
		return;
	}
	answer(c, k, text, len, now);
}

/* The request line is complete: act on it.  1 if it asks for a reload. */
static int dispatch(struct gp_ctl *c, struct client *k, struct gp_status *s,
		    gp_status_refresh_fn refresh, void *ctx, bool *refreshed,
		    __u64 now)
{
	const char *r = k->req;

	if (!strcmp(r, "status") || !strcmp(r, "status text") ||
	    !strcmp(r, "status json") || !strcmp(r, "status prometheus")) {
		if (!*refreshed) {
			s->now_ns = now;
			if (refresh)
				refresh(ctx, s);
			*refreshed = true;
		}
		answer_status(c, k, s, r[6] ? r + 7 : "text", now);
		return 0;
	}
	if (!strcmp(r, "reload")) {
		/* Answered by gp_ctl_reload_done(), whenever the loop has
		 * reloaded: no deadline, no events meanwhile. */
		k->state = C_RELOAD;
		watch(c, k->fd, EPOLL_CTL_MOD, 0);
		return GP_CTL_RELOAD;
	}
	if (!strncmp(r, "scan", 4) && (!r[4] || r[4] == ' ')) {
		const char *w = r + 4;

		k->scan_json = k->scan_all = k->scan_close = false;
		while (*w == ' ') {
			size_t n;

			w++;
			n = strcspn(w, " ");
			if (n == 4 && !strncmp(w, "json", 4))
				k->scan_json = true;
			else if (n == 3 && !strncmp(w, "all", 3))
				k->scan_all = true;
			else if (n == 5 && !strncmp(w, "close", 5))
				k->scan_close = true;
			else if (n) {
				answer_str(c, k, "error: scan [json] [all] [close]\n",
					   now);
				return 0;
			}
			w += n;
		}
		/* Answered by gp_ctl_scan_done() when the scan thread is
		 * through; the loop keeps reading events meanwhile. */
		k->state = C_SCAN;
		watch(c, k->fd, EPOLL_CTL_MOD, 0);
		return GP_CTL_SCAN;
	}
	answer_str(c, k,
		   "error: unknown request (status [json|prometheus], reload, scan [json] [all] [close])\n",
		   now);
	return 0;
}

static int read_request(struct gp_ctl *c, struct client *k,
			struct gp_status *s,
			gp_status_refresh_fn refresh, void *ctx,
			bool *refreshed, __u64 now)
{
	ssize_t n;
	char *nl;

	n = read(k->fd, k->req + k->reqlen, sizeof(k->req) - 1 - k->reqlen);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0 || (n == 0 && k->reqlen == 0)) {
		drop(k);	/* gone without asking anything */
		return 0;
	}
	if (n > 0)
		k->reqlen += (size_t)n;
	k->req[k->reqlen] = '\0';
	nl = strchr(k->req, '\n');
	if (nl)
		*nl = '\0';
	else if (n > 0 && k->reqlen < sizeof(k->req) - 1)
		return 0;	/* more to come */
	else if (n > 0) {
		answer_str(c, k, "error: request too long\n", now);
		return 0;
	}
	/* A line, or EOF after a line without its newline. */
	if (nl && nl > k->req && nl[-1] == '\r')
		nl[-1] = '\0';
	return dispatch(c, k, s, refresh, ctx, refreshed, now);
}

static void write_answer(struct client *k)
{
	while (k->outpos < k->outlen) {
		ssize_t n = send(k->fd, k->out + k->outpos,
				 k->outlen - k->outpos, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			drop(k);
			return;
		}
		k->outpos += (size_t)n;
	}
	drop(k);	/* all written: closing is the end of the answer */
}

int gp_ctl_handle(struct gp_ctl *c, struct gp_status *s,
		  gp_status_refresh_fn refresh, void *ctx)
{
	__u64 now = mono_ns();
	bool refreshed = false;
	int i, reload = 0;	/* GP_CTL_* bits */

	/* Expire first: a full table of silent clients must not turn
	 * away the next one. */
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *k = &c->cl[i];

		if ((k->state == C_READING || k->state == C_WRITING) &&
		    now > k->deadline_ns)
			drop(k);
	}
	accept_new(c, now);
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *k = &c->cl[i];

		if (k->state == C_READING)
			reload |= read_request(c, k, s, refresh, ctx,
					       &refreshed, now);
		if (k->state == C_WRITING)
			write_answer(k);
	}
	return reload;
}

bool gp_ctl_scan_begin(struct gp_ctl *c, bool *all, bool *close)
{
	bool any = false;
	int i;

	*all = *close = false;
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *k = &c->cl[i];

		if (k->state != C_SCAN)
			continue;
		k->state = C_SCANNING;
		*all |= k->scan_all;
		*close |= k->scan_close;
		any = true;
	}
	return any;
}

void gp_ctl_scan_done(struct gp_ctl *c, const struct gp_squat_answer *a)
{
	__u64 now = mono_ns();
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *k = &c->cl[i];
		const char *ev = k->scan_json ? a->json : a->text;
		size_t evlen = k->scan_json ? a->json_len : a->text_len;
		size_t sl = strlen(a->summary);
		char *text;

		if (k->state != C_SCANNING)
			continue;
		/* The events, then the summary line ("ghostport: ..."), which
		 * the client prints on stderr. */
		text = malloc(evlen + sl + 2);
		if (!text) {
			drop(k);
			continue;
		}
		if (evlen)
			memcpy(text, ev, evlen);
		memcpy(text + evlen, a->summary, sl);
		text[evlen + sl] = '\n';
		text[evlen + sl + 1] = '\0';
		answer(c, k, text, evlen + sl + 1, now);
		write_answer(k);
	}
}

void gp_ctl_reload_done(struct gp_ctl *c, const char *error,
			const char *digest)
{
	__u64 now = mono_ns();
	char *text = NULL;
	size_t len = 0;
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *k = &c->cl[i];
		const char *p;
		FILE *f;

		if (k->state != C_RELOAD)
			continue;
		f = open_memstream(&text, &len);
		if (!f) {
			drop(k);
			continue;
		}
		if (!error) {
			fprintf(f, "reloaded (digest %s)\n", digest);
		} else {
			/* One "error: " line per problem line. */
			for (p = error; *p; ) {
				size_t l = strcspn(p, "\n");

				fprintf(f, "error: %.*s\n", (int)l, p);
				p += l + (p[l] == '\n');
			}
			fprintf(f, "error: kept the running policy (digest %s)\n",
				digest);
		}
		if (fclose(f)) {
			free(text);
			drop(k);
			continue;
		}
		answer(c, k, text, len, now);
		text = NULL;
		write_answer(k);
	}
}

void gp_ctl_close(struct gp_ctl *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (c->cl[i].state != C_FREE)
			drop(&c->cl[i]);
	close(c->ep);
	close(c->fd);
	unlink(c->path);
	free(c);
}
