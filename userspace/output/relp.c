// SPDX-License-Identifier: GPL-2.0
/*
 * relp.c - the client side of RELP (rsyslog's Reliable Event Logging
 * Protocol, as librelp's doc/relp.html specifies it), spoken on a queued
 * output's connection (queued.c) for relp:// and relp+tls://.
 *
 * Every frame is "TXNR SP COMMAND SP DATALEN [SP DATA] LF".  A session
 * opens with txnr 1, "open" and the offer "relp_version=0",
 * "relp_software=...", "commands=syslog"; the collector answers
 * "1 rsp LEN 200 OK\n<its offers>".  Then each record is one "syslog"
 * frame with the next txnr (wrapping from 999999999 to 1), and the
 * collector answers each with "TXNR rsp 6 200 OK".  A record leaves the
 * queue only on that answer: that is what makes delivery at least once
 * across a collector that dies with our frames in its buffers.  Any other
 * answer code, a "serverclose", a malformed frame or a broken connection
 * ends the session: everything unanswered is sent again on the next one.
 *
 * Why not librelp: its client keeps its own copy of unanswered frames and
 * resends them itself after a reconnect, but its API cannot say which
 * message an answer was for; delivering from our spool needs exactly that.
 * See docs/siem.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>

#include "output/internal.h"

#define TXNR_MAX	999999999ULL
#define RBUF		8192

enum relp_state { R_CLOSED, R_OPENING, R_OPEN };

struct gp_relp {
	enum relp_state state;
	uint64_t txnr;			/* the last one used */
	char ctl[512];			/* "open"/"close" being sent */
	size_t ctl_len, ctl_off;
	char rbuf[RBUF];		/* answers read, not parsed yet */
	size_t rlen;
	bool closing;			/* "close" sent */
	bool closed;			/* and answered */
};

int gp_relp_init(struct gp_output *o, char *err, size_t errlen)
{
	o->relp = calloc(1, sizeof(*o->relp));
	if (!o->relp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void gp_relp_free(struct gp_output *o)
{
	free(o->relp);
	o->relp = NULL;
}

void gp_relp_reset(struct gp_output *o)
{
	struct gp_relp *r = o->relp;

	r->state = R_CLOSED;
	r->txnr = 0;
	r->ctl_len = r->ctl_off = 0;
	r->rlen = 0;
	r->closing = r->closed = false;
}

static uint64_t next_txnr(struct gp_relp *r)
{
	r->txnr = r->txnr >= TXNR_MAX ? 1 : r->txnr + 1;
	return r->txnr;
}

static void ctl_frame(struct gp_relp *r, const char *cmd, const char *data)
{
	size_t dl = strlen(data);
	int n;

	n = snprintf(r->ctl, sizeof(r->ctl), "%llu %s %zu%s%s\n",
		     (unsigned long long)next_txnr(r), cmd, dl, dl ? " " : "",
		     data);
	r->ctl_len = n > 0 && (size_t)n < sizeof(r->ctl) ? (size_t)n : 0;
	r->ctl_off = 0;
}

/* Send what is left of the control frame: 0 done, 1 later, -1 failed. */
static int send_ctl(struct gp_output *o, uint64_t now)
{
	struct gp_relp *r = o->relp;

	while (r->ctl_off < r->ctl_len) {
		long w = gp_net_send(o->net, r->ctl + r->ctl_off,
				     r->ctl_len - r->ctl_off, now);

		if (w < 0)
			return -1;
		if (w == 0)
			return 1;
		r->ctl_off += (size_t)w;
	}
	return 0;
}

/* The frame in flight with this txnr was answered 200. */
static bool ack_txnr(struct gp_output *o, uint64_t txnr)
{
	for (size_t i = 0; i < o->ends_n; i++) {
		size_t k = (o->ends_head + i) % GP_OUT_INFLIGHT;

		if (o->ends[k] == txnr && !o->acked[k]) {
			o->acked[k] = 1;
			return true;
		}
	}
	return false;
}

__attribute__((format(printf, 3, 4)))
static int protocol_error(struct gp_output *o, uint64_t now, const char *fmt,
			  ...)
{
	char why[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	gp_net_fail(o->net, now, why);
	return -1;
}

/* One answer frame: 0, or -1 when the session must end. */
static int handle(struct gp_output *o, uint64_t txnr, const char *cmd,
		  const char *data, size_t dlen, uint64_t now)
{
	struct gp_relp *r = o->relp;
	char what[160];

	if (!strcmp(cmd, "serverclose"))
		return protocol_error(o, now, "the collector closed the RELP "
				      "session (serverclose)");
	if (strcmp(cmd, "rsp"))
		return protocol_error(o, now, "RELP: unexpected command \"%s\" "
				      "from the collector", cmd);
	snprintf(what, sizeof(what), "%.*s", (int)(dlen > 120 ? 120 : dlen),
		 data);
	for (char *p = what; *p; p++)
		if (*p == '\n' || (unsigned char)*p < 0x20)
			*p = ' ';
	if (dlen < 3 || strncmp(data, "200", 3))
		return protocol_error(o, now, "RELP: the collector refused: %s",
				      what);
	if (r->state == R_OPENING && txnr == 1) {
		/* its offers must include the one command we use */
		if (!memmem(data, dlen, "commands=", 9) ||
		    !memmem(data, dlen, "syslog", 6))
			return protocol_error(o, now, "RELP: the collector does "
					      "not offer the syslog command: %s",
					      what);
		r->state = R_OPEN;
		return 0;
	}
	if (r->closing && txnr == r->txnr) {
		r->closed = true;	/* the answer to our "close" */
		return 0;
	}
	if (!ack_txnr(o, txnr)) {
		snprintf(what, sizeof(what), "%llu", (unsigned long long)txnr);
		return protocol_error(o, now, "RELP: an answer for txnr %s, "
				      "which is not in flight", what);
	}
	return 0;
}

/* Parse the complete frames in rbuf: 0, or -1 when the session ended. */
static int parse(struct gp_output *o, uint64_t now)
{
	struct gp_relp *r = o->relp;
	size_t off = 0;

	while (off < r->rlen) {
		char *p = r->rbuf + off, *end = r->rbuf + r->rlen, *q;
		char cmd[32];
		unsigned long long txnr, dlen;
		size_t cl;

		/* TXNR SP */
		txnr = strtoull(p, &q, 10);
		if (q == end)
			break;
		if (q == p || *q != ' ')
			goto bad;
		p = q + 1;
		/* COMMAND SP */
		q = memchr(p, ' ', (size_t)(end - p));
		if (!q) {
			if (end - p > 32)
				goto bad;
			break;
		}
		cl = (size_t)(q - p);
		if (!cl || cl >= sizeof(cmd))
			goto bad;
		memcpy(cmd, p, cl);
		cmd[cl] = '\0';
		p = q + 1;
		/* DATALEN (SP DATA)? LF */
		dlen = strtoull(p, &q, 10);
		if (q == end)
			break;
		if (q == p || (*q != ' ' && *q != '\n') || dlen > RBUF - 64)
			goto bad;
		if (*q == ' ')
			q++;
		if ((size_t)(end - q) < dlen + 1)
			break;		/* the rest has not arrived yet */
		if (q[dlen] != '\n')
			goto bad;
		if (handle(o, txnr, cmd, q, dlen, now))
			return -1;
		off = (size_t)(q + dlen + 1 - r->rbuf);
	}
	memmove(r->rbuf, r->rbuf + off, r->rlen - off);
	r->rlen -= off;
	if (r->rlen >= RBUF - 1)
		goto bad;
	return 0;
bad:
	return protocol_error(o, now, "RELP: a malformed frame from the "
			      "collector");
}

/* Read and handle what the collector sent: 0, or -1 (session ended). */
static int receive(struct gp_output *o, uint64_t now)
{
	struct gp_relp *r = o->relp;

	for (;;) {
		long n = gp_net_recv(o->net, r->rbuf + r->rlen,
				     RBUF - 1 - r->rlen, now);

		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		r->rlen += (size_t)n;
		if (parse(o, now))
			return -1;
		gp_queued_take_acked(o);
	}
}

int gp_relp_ready(struct gp_output *o, uint64_t now)
{
	struct gp_relp *r = o->relp;
	int s;

	if (r->state == R_CLOSED) {
		r->rlen = 0;
		r->txnr = 0;
		r->closing = r->closed = false;
		ctl_frame(r, "open", "relp_version=0\nrelp_software=ghostport,"
			  GP_VERSION ",https://github.com/ghostport\n"
			  "commands=syslog");
		r->state = R_OPENING;
	}
	s = send_ctl(o, now);
	if (s < 0)
		return -1;
	if (receive(o, now))
		return -1;
	return r->state == R_OPEN && s == 0;
}

uint64_t gp_relp_frame(struct gp_output *o, char *msg, size_t n,
		       size_t *off, size_t *len)
{
	char hdr[GP_OUT_FRAME_HDR + 1];
	uint64_t txnr = next_txnr(o->relp);
	int h = snprintf(hdr, sizeof(hdr), "%llu syslog %zu ",
			 (unsigned long long)txnr, n);

	memcpy(msg - h, hdr, (size_t)h);
	msg[n] = '\n';
	*off = GP_OUT_FRAME_HDR - (size_t)h;
	*len = GP_OUT_FRAME_HDR + n + 1;
	return txnr;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void gp_relp_goodbye(struct gp_output *o, int timeout_ms)
{
	struct gp_relp *r = o->relp;
	uint64_t deadline = mono_ms() + (uint64_t)(timeout_ms < 200 ? timeout_ms
								  : 200);

	if (r->state != R_OPEN || o->ends_n)
		return;
	ctl_frame(r, "close", "");
	r->closing = true;
	while (!r->closed && gp_net_is_up(o->net)) {
		uint64_t now = mono_ms();
		struct pollfd p = { .fd = -1 };

		if (send_ctl(o, now) < 0 || receive(o, now) || now >= deadline)
			return;
		p.fd = gp_net_poll_fd(o->net, &p.events);
		p.events = POLLIN;
		poll(&p, p.fd >= 0, 10);
	}
}
