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
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "output/net.h"
#include "output/tls.h"

enum state { DOWN, CONNECTING, HANDSHAKE, UP };

struct gp_net {
	enum gp_net_kind kind;
	enum state state;
	int fd;
	int socktype;			/* unix: DGRAM, or STREAM fallback */
	struct sockaddr_storage addr[4];
	socklen_t addrlen[4];
	int naddr, next_addr;
	char host[256];
	char label[160];		/* for messages: the output's spec */
	SSL_CTX *ctx;
	SSL *ssl;
	uint64_t next_try_ms, deadline_ms;
	unsigned backoff_ms;
	uint64_t failures;
	bool reported_down;		/* said so on stderr already */
	bool ever_up;
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
	n->next_try_ms = now + n->backoff_ms;
	if (!n->reported_down) {
		fprintf(stderr, "ghostport: output %s: %s; spooling, retrying "
			"with backoff\n", n->label, why);
		n->reported_down = true;
	}
	n->backoff_ms *= 2;
	if (n->backoff_ms > GP_NET_BACKOFF_MAX_MS)
		n->backoff_ms = GP_NET_BACKOFF_MAX_MS;
}

static void up(struct gp_net *n)
{
	n->state = UP;
	n->backoff_ms = GP_NET_BACKOFF_MIN_MS;
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
		struct addrinfo hints = {
			.ai_family = AF_UNSPEC,
			.ai_socktype = kind == GP_NET_UDP ? SOCK_DGRAM
							  : SOCK_STREAM,
			.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG,
		}, *res, *ai;
		int rc = getaddrinfo(host, port, &hints, &res);

		if (rc == EAI_ADDRFAMILY || rc == EAI_NONAME) {
			/* AI_ADDRCONFIG hides ::1/127.0.0.1 on hosts with
			 * only loopback: ask again without it. */
			hints.ai_flags = AI_NUMERICSERV;
			rc = getaddrinfo(host, port, &hints, &res);
		}
		if (rc) {
			snprintf(err, errlen, "cannot resolve \"%s\": %s", host,
				 gai_strerror(rc));
			goto fail;
		}
		for (ai = res; ai && n->naddr < 4; ai = ai->ai_next) {
			memcpy(&n->addr[n->naddr], ai->ai_addr, ai->ai_addrlen);
			n->addrlen[n->naddr++] = ai->ai_addrlen;
		}
		freeaddrinfo(res);
		n->socktype = hints.ai_socktype;
	}
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

/* The collector hung up (or, UDP/unix, reported an error)? */
static bool peer_gone(struct gp_net *n, char *why, size_t whylen)
{
	struct pollfd p = { .fd = n->fd, .events = POLLIN | POLLRDHUP };
	char c;

	if (poll(&p, 1, 0) <= 0 || !p.revents)
		return false;
	if (n->kind == GP_NET_TLS && !(p.revents & (POLLERR | POLLHUP |
						     POLLRDHUP))) {
		/* Readable TLS: a close_notify or a renegotiation. */
		int r = SSL_read(n->ssl, &c, 1);

		if (r > 0 || SSL_get_error(n->ssl, r) == SSL_ERROR_WANT_READ)
			return false;
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
		ssize_t r = recv(n->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

		if (r > 0 || (r < 0 && errno == EAGAIN))
			return false;	/* data: unexpected but harmless */
		snprintf(why, whylen, "connection closed by the collector");
		return true;
	}
	return false;
}

bool gp_net_ready(struct gp_net *n, uint64_t now)
{
	char why[300];

	if (n->state == DOWN) {
		if (now < n->next_try_ms)
			return false;
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
			up(n);
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
			up(n);
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
	if (n->state == UP && peer_gone(n, why, sizeof(why))) {
		fail(n, now, why);
		return false;
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

		if (r > 0)
			return r;
		int e = SSL_get_error(n->ssl, r);

		if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
			return 0;
		gp_tls_error(n->ssl, r, why, sizeof(why));
		fail(n, now, why);
		return -1;
	}
	w = send(n->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w >= 0)
		return (long)w;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
	    errno == ENOBUFS)
		return 0;
	if (errno == EMSGSIZE)
		return -2;
	snprintf(why, sizeof(why), "send: %s", strerror(errno));
	fail(n, now, why);
	return -1;
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
	if (n->ssl) {
		SSL_shutdown(n->ssl);	/* best effort: close_notify */
		SSL_free(n->ssl);
	}
	if (n->fd >= 0)
		close(n->fd);
	SSL_CTX_free(n->ctx);
	free(n);
}
