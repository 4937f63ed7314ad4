// SPDX-License-Identifier: GPL-2.0
/*
 * net.c - non-blocking connections to collectors (output/net.h).
 *
 * States: DOWN (waiting for the backoff deadline), CONNECTING (connect in
 * progress), HANDSHAKE (TLS), UP.  Any failure closes the socket and goes
 * back to DOWN with the backoff doubled; success resets the backoff.
 *
 * A collector never sends us anything (RFC 6587/5425 are one-way), so an
 * UP socket that turns readable means the collector hung up: that is
 * checked before every batch of writes, so records are not written into a
 * connection that is already dead (where they would be lost in the kernel
 * buffer).  What was written before the collector died unannounced cannot
 * be known without application acks (RELP), see docs/siem.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "output/net.h"
#include "output/tls.h"
#include <openssl/err.h>

enum state { DOWN, RESOLVING, CONNECTING, HANDSHAKE, UP };

struct gp_net {
	enum gp_net_kind kind;
	enum state state;
	int fd;
	int socktype;			/* unix: DGRAM, or STREAM fallback */
	struct sockaddr_storage addr[4];
	socklen_t addrlen[4];
	int naddr, next_addr;
	char host[256], port[8];
	struct gaicb gai;		/* RESOLVING: getaddrinfo_a */
	struct addrinfo hints;
	bool gai_busy;
	uint64_t up_ms;			/* when the connection came up */
	bool healthy;			/* up for GP_NET_PROBATION_MS */
	uint64_t sent;			/* bytes the kernel took on this one */
	char why[300];			/* why it is down ("" when up) */
	char label[160];		/* for messages: the output's spec */
	SSL_CTX *ctx;
	SSL *ssl;
	uint64_t next_try_ms, deadline_ms;
	unsigned backoff_ms;
	uint64_t failures;
	bool reported_down;		/* said so on stderr already */
	char reported_why[300];
	bool ever_up;
	bool duplex;			/* the collector answers (RELP) */
};

static void fail(struct gp_net *n, uint64_t now, const char *why)
{
	if (n->ssl) {
		SSL_free(n->ssl);
		n->ssl = NULL;
	}
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
	n->state = DOWN;
	n->failures++;
	n->healthy = false;
	n->next_try_ms = now + n->backoff_ms;
	snprintf(n->why, sizeof(n->why), "%s", why);
	if (!n->reported_down || strcmp(n->reported_why, why)) {
		fprintf(stderr, "ghostport: output %s: %s; spooling, retrying "
			"with backoff\n", n->label, why);
		n->reported_down = true;
		snprintf(n->reported_why, sizeof(n->reported_why), "%s", why);
	}
	n->backoff_ms *= 2;
	if (n->backoff_ms > GP_NET_BACKOFF_MAX_MS)
		n->backoff_ms = GP_NET_BACKOFF_MAX_MS;
}

/* Up, but not proved healthy yet: the backoff is reset only once the
 * connection survived GP_NET_PROBATION_MS (a TLS 1.3 collector rejects a
 * client certificate after the handshake, a collector may accept and die). */
static void up(struct gp_net *n, uint64_t now)
{
	n->state = UP;
	n->up_ms = now;
	n->sent = 0;
	n->why[0] = '\0';
	if (n->reported_down)
		fprintf(stderr, "ghostport: output %s: connected\n", n->label);
	n->reported_down = false;
	n->ever_up = true;
}

struct gp_net *gp_net_open(enum gp_net_kind kind, const char *host,
			   const char *port, const struct gp_output_env *env,
			   const char *label, char *err, size_t errlen)
{
	struct gp_net *n = calloc(1, sizeof(*n));

	if (!n) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->kind = kind;
	n->fd = -1;
	n->backoff_ms = GP_NET_BACKOFF_MIN_MS;
	snprintf(n->label, sizeof(n->label), "%s", label);
	snprintf(n->host, sizeof(n->host), "%s", host);

	if (kind == GP_NET_UNIX) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&n->addr[0];

		if (strlen(host) >= sizeof(sun->sun_path)) {
			snprintf(err, errlen, "unix socket path too long");
			goto fail;
		}
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, host);
		n->addrlen[0] = sizeof(*sun);
		n->naddr = 1;
		n->socktype = SOCK_DGRAM;
	} else {
		/* Resolved on every connection attempt, not here: a collector
		 * whose name does not resolve yet (DNS not up at boot) is an
		 * output that starts down, not a daemon that does not start. */
		n->hints.ai_family = AF_UNSPEC;
		n->hints.ai_socktype = kind == GP_NET_UDP ? SOCK_DGRAM
							  : SOCK_STREAM;
		n->hints.ai_flags = AI_NUMERICSERV;
		n->socktype = n->hints.ai_socktype;
		snprintf(n->port, sizeof(n->port), "%s", port);
	}
	snprintf(n->why, sizeof(n->why), "not connected yet");
	if (kind == GP_NET_TLS) {
		n->ctx = gp_tls_ctx_new(env, err, errlen);
		if (!n->ctx)
			goto fail;
	}
	return n;
fail:
	free(n);
	return NULL;
}

/* Start resolving the name (getaddrinfo_a: a thread of glibc's, so a
 * slow DNS never stalls the ring loop). */
static void start_resolve(struct gp_net *n, uint64_t now)
{
	struct gaicb *list[1] = { &n->gai };
	char why[320];
	int rc;

	struct addrinfo numeric = n->hints, *res;

	/* An address needs no DNS: at once, without a thread. */
	numeric.ai_flags |= AI_NUMERICHOST;
	if (getaddrinfo(n->host, n->port, &numeric, &res) == 0) {
		memset(&n->gai, 0, sizeof(n->gai));
		n->gai.ar_result = res;
		n->gai_busy = false;
		n->state = RESOLVING;	/* done: resolved() takes it */
		return;
	}
	memset(&n->gai, 0, sizeof(n->gai));
	n->gai.ar_name = n->host;
	n->gai.ar_service = n->port;
	n->gai.ar_request = &n->hints;
	rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
	if (rc) {
		snprintf(why, sizeof(why), "cannot resolve \"%s\": %s", n->host,
			 gai_strerror(rc));
		fail(n, now, why);
		return;
	}
	n->gai_busy = true;
	n->state = RESOLVING;
	n->deadline_ms = now + GP_NET_CONNECT_TMO_MS;
}

/* true when the addresses are in; false while resolving or failed */
static bool resolved(struct gp_net *n, uint64_t now)
{
	int rc = n->gai_busy ? gai_error(&n->gai) : 0;
	struct addrinfo *ai;
	char why[320];

	if (rc == EAI_INPROGRESS) {
		if (now >= n->deadline_ms) {
			gai_cancel(&n->gai);
			snprintf(why, sizeof(why), "cannot resolve \"%s\": timed out",
				 n->host);
			fail(n, now, why);
		}
		return false;
	}
	n->gai_busy = false;
	if (rc) {
		snprintf(why, sizeof(why), "cannot resolve \"%s\": %s", n->host,
			 gai_strerror(rc));
		fail(n, now, why);
		return false;
	}
	n->naddr = 0;
	n->next_addr = 0;
	for (ai = n->gai.ar_result; ai && n->naddr < 4; ai = ai->ai_next) {
		memcpy(&n->addr[n->naddr], ai->ai_addr, ai->ai_addrlen);
		n->addrlen[n->naddr++] = ai->ai_addrlen;
	}
	freeaddrinfo(n->gai.ar_result);
	n->gai.ar_result = NULL;
	n->state = DOWN;
	return true;
}

static void start_connect(struct gp_net *n, uint64_t now)
{
	struct sockaddr_storage *a = &n->addr[n->next_addr];
	socklen_t alen = n->addrlen[n->next_addr];
	char why[160];

	n->next_addr = (n->next_addr + 1) % n->naddr;
	n->fd = socket(a->ss_family, n->socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (n->fd < 0) {
		snprintf(why, sizeof(why), "socket: %s", strerror(errno));
		fail(n, now, why);
		return;
	}
	if (connect(n->fd, (struct sockaddr *)a, alen) == 0) {
		n->state = CONNECTING;	/* finished at once: checked below */
		n->deadline_ms = now + GP_NET_CONNECT_TMO_MS;
		return;
	}
	if (errno == EINPROGRESS) {
		n->state = CONNECTING;
		n->deadline_ms = now + GP_NET_CONNECT_TMO_MS;
		return;
	}
	if (n->kind == GP_NET_UNIX && errno == EPROTOTYPE &&
	    n->socktype == SOCK_DGRAM) {
		/* A stream-only local syslog socket: use that from now on. */
		close(n->fd);
		n->fd = -1;
		n->socktype = SOCK_STREAM;
		start_connect(n, now);
		return;
	}
	snprintf(why, sizeof(why), "connect: %s", strerror(errno));
	fail(n, now, why);
}

/* The collector hung up (or, UDP/unix, reported an error)?  A syslog
 * collector never sends anything, so anything readable is a goodbye: a
 * TLS close_notify or alert (read through TLS for its reason, even when
 * the FIN came with it), a FIN, an error. */
static bool peer_gone(struct gp_net *n, char *why, size_t whylen)
{
	struct pollfd p = { .fd = n->fd, .events = POLLIN | POLLRDHUP };
	char c[256];

	if (poll(&p, 1, 0) <= 0 || !p.revents)
		return false;
	if (n->kind == GP_NET_TLS && (p.revents & POLLIN)) {
		int r = SSL_read(n->ssl, c, sizeof(c));

		if (r > 0)
			return false;	/* data: unexpected, harmless */
		if (SSL_get_error(n->ssl, r) == SSL_ERROR_WANT_READ &&
		    !(p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
			return false;	/* a post-handshake message */
		gp_tls_error(n->ssl, r, why, whylen);
		return true;
	}
	if (p.revents & POLLERR) {
		int e = 0;
		socklen_t l = sizeof(e);

		getsockopt(n->fd, SOL_SOCKET, SO_ERROR, &e, &l);
		snprintf(why, whylen, "%s", strerror(e ? e : EPIPE));
		return true;
	}
	if (n->socktype == SOCK_STREAM) {
		if (p.revents & (POLLRDHUP | POLLHUP)) {
			snprintf(why, whylen, "connection closed by the collector");
			return true;
		}
		/* bytes from a collector that should send none: drop them */
		if (recv(n->fd, c, sizeof(c), MSG_DONTWAIT) == 0) {
			snprintf(why, whylen, "connection closed by the collector");
			return true;
		}
	}
	return false;
}

bool gp_net_ready(struct gp_net *n, uint64_t now)
{
	char why[300];

	if (n->state == DOWN) {
		if (now < n->next_try_ms)
			return false;
		if (n->kind != GP_NET_UNIX && n->next_addr == 0) {
			start_resolve(n, now);	/* every round of attempts */
			if (n->state != RESOLVING)
				return false;
		} else {
			start_connect(n, now);
		}
	}
	if (n->state == RESOLVING) {
		if (!resolved(n, now))
			return false;
		if (!n->naddr) {
			fail(n, now, "the name has no address");
			return false;
		}
		start_connect(n, now);
	}
	if (n->state == CONNECTING) {
		struct pollfd p = { .fd = n->fd, .events = POLLOUT };
		int e = 0;
		socklen_t l = sizeof(e);

		if (poll(&p, 1, 0) <= 0) {
			if (now >= n->deadline_ms)
				fail(n, now, "connect: timed out");
			return false;
		}
		getsockopt(n->fd, SOL_SOCKET, SO_ERROR, &e, &l);
		if (e) {
			snprintf(why, sizeof(why), "connect: %s", strerror(e));
			fail(n, now, why);
			return false;
		}
		if (n->kind != GP_NET_TLS) {
			up(n, now);
		} else {
			n->ssl = gp_tls_new(n->ctx, n->fd, n->host, why,
					    sizeof(why));
			if (!n->ssl) {
				fail(n, now, why);
				return false;
			}
			n->state = HANDSHAKE;
		}
	}
	if (n->state == HANDSHAKE) {
		int r = SSL_connect(n->ssl);

		if (r == 1) {
			up(n, now);
		} else {
			int e = SSL_get_error(n->ssl, r);

			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
				if (now >= n->deadline_ms)
					fail(n, now, "TLS handshake: timed out");
				return false;
			}
			gp_tls_error(n->ssl, r, why, sizeof(why));
			fail(n, now, why);
			return false;
		}
	}
	if (n->state == UP && !n->duplex && peer_gone(n, why, sizeof(why))) {
		fail(n, now, why);
		return false;
	}
	if (n->state == UP && !n->healthy &&
	    now >= n->up_ms + GP_NET_PROBATION_MS) {
		n->healthy = true;
		n->backoff_ms = GP_NET_BACKOFF_MIN_MS;
	}
	return n->state == UP;
}

long gp_net_send(struct gp_net *n, const char *p, size_t len, uint64_t now)
{
	char why[300];
	ssize_t w;

	if (n->state != UP)
		return 0;
	if (n->ssl) {
		int r = SSL_write(n->ssl, p, (int)len);

		if (r > 0) {
			n->sent = gp_tls_sent(n->ssl);
			return r;
		}
		int e = SSL_get_error(n->ssl, r);

		if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
			return 0;
		gp_tls_error(n->ssl, r, why, sizeof(why));
		fail(n, now, why);
		return -1;
	}
	w = send(n->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w >= 0) {
		n->sent += (uint64_t)w;
		return (long)w;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
	    errno == ENOBUFS)
		return 0;
	if (errno == EMSGSIZE)
		return -2;
	snprintf(why, sizeof(why), "send: %s", strerror(errno));
	fail(n, now, why);
	return -1;
}

void gp_net_set_duplex(struct gp_net *n)
{
	n->duplex = true;
}

void gp_net_fail(struct gp_net *n, uint64_t now, const char *why)
{
	if (n->state != DOWN)
		fail(n, now, why);
}

long gp_net_recv(struct gp_net *n, char *p, size_t len, uint64_t now)
{
	char why[300];
	ssize_t r;

	if (n->state != UP)
		return 0;
	if (n->ssl) {
		int e;

		ERR_clear_error();
		errno = 0;
		r = SSL_read(n->ssl, p, (int)len);
		if (r > 0)
			return (long)r;
		e = SSL_get_error(n->ssl, (int)r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return 0;
		gp_tls_error(n->ssl, (int)r, why, sizeof(why));
		fail(n, now, why);
		return -1;
	}
	r = recv(n->fd, p, len, MSG_DONTWAIT);
	if (r > 0)
		return (long)r;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (r == 0)
		snprintf(why, sizeof(why), "connection closed by the collector");
	else
		snprintf(why, sizeof(why), "recv: %s", strerror(errno));
	fail(n, now, why);
	return -1;
}

uint64_t gp_net_sent(const struct gp_net *n)
{
	return n->sent;
}

uint64_t gp_net_acked(const struct gp_net *n)
{
	int outq = 0;

	if (n->state != UP || !n->healthy)
		return 0;
	if (n->socktype != SOCK_STREAM)
		return n->sent;		/* a datagram: gone when sent */
	if (ioctl(n->fd, SIOCOUTQ, &outq) || outq < 0)
		return 0;
	return (uint64_t)outq <= n->sent ? n->sent - (uint64_t)outq : 0;
}

const char *gp_net_why(const struct gp_net *n)
{
	return n->state == UP ? "" : n->why;
}

bool gp_net_is_stream(const struct gp_net *n)
{
	return n->socktype == SOCK_STREAM;
}

int gp_net_poll_fd(const struct gp_net *n, short *events)
{
	if (n->fd < 0 || n->state == DOWN)
		return -1;
	*events = POLLOUT;
	if (n->state == HANDSHAKE && n->ssl)
		*events = SSL_want_read(n->ssl) ? POLLIN : POLLOUT;
	return n->fd;
}

bool gp_net_is_up(const struct gp_net *n)
{
	return n->state == UP;
}

uint64_t gp_net_retry_at(const struct gp_net *n)
{
	return n->state == DOWN ? n->next_try_ms : 0;
}

uint64_t gp_net_failures(const struct gp_net *n)
{
	return n->failures;
}

void gp_net_close(struct gp_net *n)
{
	if (!n)
		return;
	if (n->gai_busy && gai_cancel(&n->gai) == EAI_NOTCANCELED) {
		/* glibc's resolver thread still writes into n: wait for it */
		const struct gaicb *l[1] = { &n->gai };

		gai_suspend(l, 1, NULL);
	}
	if (n->gai.ar_result)
		freeaddrinfo(n->gai.ar_result);
	if (n->ssl) {
		SSL_shutdown(n->ssl);	/* best effort: close_notify */
		SSL_free(n->ssl);
	}
	if (n->fd >= 0)
		close(n->fd);
	SSL_CTX_free(n->ctx);
	free(n);
}
