// SPDX-License-Identifier: GPL-2.0
/*
 * queued.c - delivery through a memory queue, an on-disk spool and a
 * connection that never blocks (unix:, journal, udp://, tcp://, tls://,
 * relp://, relp+tls://).
 *
 * emit queues the record (the message an output's ops build for it: by
 * default the formatted line, in an RFC 5424 header unless it is syslog)
 * and sends what the socket takes now.  tick drives the connection; while
 * the collector is unreachable it moves the queue to the on-disk spool.
 *
 * A record leaves the queue only when it was delivered: a datagram when it
 * was sent; on a stream (octet counting, newline) when the peer's TCP
 * stack acknowledged its last byte; on RELP when the collector answered
 * "rsp 200" for its txnr.  Records are sent from a cursor that runs ahead
 * of the oldest (the in-flight ring); a connection that breaks sends every
 * unacknowledged record again, whole, from the oldest, and each such
 * second send counts as resent.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output/internal.h"

/* librelp's default window: unacknowledged RELP frames in flight. */
#define RELP_WINDOW	128

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int gp_queued_open(struct gp_output *o, const struct gp_output_env *env,
		   char *err, size_t errlen)
{
	char path[PATH_MAX];

	o->msg = malloc(GP_OUT_MAX_REC);
	o->frame = malloc(GP_OUT_FRAME_HDR + GP_OUT_MAX_REC + 1);
	o->ends = calloc(GP_OUT_INFLIGHT, sizeof(*o->ends));
	o->acked = calloc(GP_OUT_INFLIGHT, 1);
	if (!o->msg || !o->frame || !o->ends || !o->acked) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o->net = gp_net_open(o->ops->net, o->target, o->port, env, o->spec,
			     err, errlen);
	if (!o->net)
		return -1;
	if (o->ops->framing == GP_FRAME_RELP) {
		gp_net_set_duplex(o->net);
		if (gp_relp_init(o, err, errlen))
			return -1;
	}
	gp_out_spool_path(path, sizeof(path),
			  env->spool_dir ? env->spool_dir : GP_OUT_SPOOL_DIR,
			  o->spec);
	if (gp_queue_init(&o->q, GP_OUT_MEMQ, path,
			  env->spool_max_bytes ? env->spool_max_bytes
					       : GP_OUT_SPOOL_DEFAULT,
			  GP_OUT_MAX_REC, err, errlen))
		return -1;
	if (o->q.spool_count)
		fprintf(stderr, "ghostport: output %s: %llu events left in %s "
			"by an earlier run will be delivered first (sent "
			"again if that run sent them unacknowledged)\n",
			o->spec, (unsigned long long)gp_queue_events(&o->q),
			path);
	return 0;
}

/* The drop notice, in the output's format, marked: not an event. */
static void queue_notice(struct gp_output *o)
{
	char buf[4096];
	struct timespec now;
	int pre = 0, n;

	if (o->ops->notice) {
		n = o->ops->notice(o, o->pending_drops, buf, sizeof(buf));
	} else {
		clock_gettime(CLOCK_REALTIME, &now);
		if (o->fmt != GP_FMT_SYSLOG) {
			pre = gp_syslog_prefix(4, &now, o->hostname, "DROPPED",
					       buf, sizeof(buf));
			if (pre < 0)
				return;
		}
		n = gp_format_dropped(o->fmt, o->pending_drops, &now,
				      o->hostname,
				      o->machine_id[0] ? o->machine_id : NULL,
				      buf + pre, sizeof(buf) - (size_t)pre);
		if (n > 0) {
			n += pre;
			if (buf[n - 1] == '\n')
				n--;
		}
	}
	if (n <= 0)
		return;
	if (gp_queue_push_mark(&o->q, buf, (size_t)n, true) == 0)
		o->pending_drops = 0;
}

/* Push one record; count it as dropped if it can be kept nowhere.  Once
 * something was dropped, everything after it is dropped too until the
 * drop notice is queued, which happens once the collector is back and
 * there is room: the notice then sits exactly where the gap is. */
static int enqueue(struct gp_output *o, const char *p, size_t n)
{
	if (o->pending_drops && gp_net_is_up(o->net))
		queue_notice(o);
	if (o->pending_drops || gp_queue_push(&o->q, p, n)) {
		o->st.dropped++;
		o->pending_drops++;
		return -1;
	}
	return 0;
}

/* The oldest record left the queue: delivered (or lost, counted). */
static void pop(struct gp_output *o, bool delivered)
{
	bool notice = gp_queue_pop(&o->q);

	if (o->sent_once)
		o->sent_once--;
	if (notice)
		return;
	if (delivered)
		o->st.delivered++;
	else
		o->st.dropped++;
}

/* Put the oldest unsent record in the frame buffer, framed. */
static bool load_frame(struct gp_output *o)
{
	char *msg = o->frame + GP_OUT_FRAME_HDR;
	long n;

	for (;;) {
		n = gp_queue_next(&o->q, msg, GP_OUT_MAX_REC);
		if (n > 0)
			break;
		if (n == 0 || gp_queue_inflight(&o->q))
			return false;	/* (unreadable: once nothing is in
					 * flight, it is the oldest) */
		/* An unreadable spool record: skip it, counted. */
		o->st.errors++;
		pop(o, false);
	}
	switch (o->ops->framing) {
	case GP_FRAME_OCTET: {
		char hdr[GP_OUT_FRAME_HDR + 1];
		int h = snprintf(hdr, sizeof(hdr), "%ld ", n);

		memcpy(msg - h, hdr, (size_t)h);
		o->frame_off = GP_OUT_FRAME_HDR - (size_t)h;
		o->frame_len = GP_OUT_FRAME_HDR + (size_t)n;
		break;
	}
	case GP_FRAME_RELP:
		o->ends[(o->ends_head + o->ends_n) % GP_OUT_INFLIGHT] =
			gp_relp_frame(o, msg, (size_t)n, &o->frame_off,
				      &o->frame_len);
		break;
	case GP_FRAME_PLAIN:
		o->frame_off = GP_OUT_FRAME_HDR;
		o->frame_len = GP_OUT_FRAME_HDR + (size_t)n;
		if (gp_net_is_stream(o->net))
			o->frame[o->frame_len++] = '\n';
		break;
	}
	o->have_frame = true;
	return true;
}

/* The connection broke: what was not acknowledged is sent again, whole,
 * on the next one. */
static void rewind_output(struct gp_output *o)
{
	gp_queue_rewind(&o->q);
	o->ends_n = 0;
	o->ends_head = 0;
	o->have_frame = false;
	if (o->relp)
		gp_relp_reset(o);
}

void gp_queued_take_acked(struct gp_output *o)
{
	while (o->ends_n && o->acked[o->ends_head]) {
		o->acked[o->ends_head] = 0;
		pop(o, true);
		o->ends_head = (o->ends_head + 1) % GP_OUT_INFLIGHT;
		o->ends_n--;
	}
}

/* Frames the peer's TCP stack acknowledged leave the queue: delivered. */
static void take_tcp_acks(struct gp_output *o)
{
	uint64_t acked;

	if (!o->ends_n)
		return;
	acked = gp_net_acked(o->net);
	while (o->ends_n && o->ends[o->ends_head] <= acked) {
		pop(o, true);
		o->ends_head = (o->ends_head + 1) % GP_OUT_INFLIGHT;
		o->ends_n--;
	}
}

/* Send queued records until the socket is full, the window is, or the
 * queue is empty. */
static void flush_queue(struct gp_output *o, uint64_t now)
{
	bool relp = o->ops->framing == GP_FRAME_RELP;
	bool acked_later = relp || gp_net_is_stream(o->net);
	size_t window = relp ? RELP_WINDOW : GP_OUT_INFLIGHT;

	if (!relp)
		take_tcp_acks(o);
	for (;;) {
		long w;

		if (!o->have_frame) {
			if (o->pending_drops && !gp_queue_count(&o->q))
				queue_notice(o);
			if (acked_later && o->ends_n >= window)
				return;
			if (!load_frame(o))
				return;
		}
		w = gp_net_send(o->net, o->frame + o->frame_off,
				o->frame_len - o->frame_off, now);
		if (w == 0)
			return;
		if (w == -1) {
			rewind_output(o);
			return;
		}
		if (w == -2) {
			/* a datagram too big: never sendable (nothing is in
			 * flight on a datagram socket) */
			o->st.errors++;
			pop(o, false);
			o->have_frame = false;
			continue;
		}
		o->frame_off += (size_t)w;
		if (o->frame_off < o->frame_len)
			continue;
		o->have_frame = false;
		/* the record's first send, or a resend after a break */
		if (gp_queue_inflight(&o->q) < o->sent_once)
			o->st.resent++;
		else
			o->sent_once = gp_queue_inflight(&o->q) + 1;
		if (!acked_later) {
			pop(o, true);
			continue;
		}
		gp_queue_sent(&o->q);
		if (!relp)
			o->ends[(o->ends_head + o->ends_n) % GP_OUT_INFLIGHT] =
				gp_net_sent(o->net);
		o->acked[(o->ends_head + o->ends_n) % GP_OUT_INFLIGHT] = 0;
		o->ends_n++;
	}
}

int gp_queued_emit(struct gp_output *o, const struct gp_record *r,
		   const char *line, size_t n)
{
	const char *p = line;

	if (o->ops->message) {
		int m = o->ops->message(o, r, line, n, o->msg, GP_OUT_MAX_REC);

		if (m <= 0) {
			o->st.errors++;
			o->st.dropped++;
			return -1;
		}
		p = o->msg;
		n = (size_t)m;
	}
	if (enqueue(o, p, n))
		return -1;
	/* Deliver now if the connection is up; never connects from here. */
	if (gp_net_retry_at(o->net) == 0)
		gp_queued_tick(o);
	return 0;
}

void gp_queued_tick(struct gp_output *o)
{
	uint64_t now = now_ms();

	if (gp_net_ready(o->net, now)) {
		int r = o->relp ? gp_relp_ready(o, now) : 1;

		if (r > 0) {
			flush_queue(o, now);
			return;
		}
		if (r == 0)
			return;		/* RELP session opening */
	}
	if (o->ends_n || o->have_frame || gp_queue_inflight(&o->q) ||
	    (o->relp && !gp_net_is_up(o->net)))
		rewind_output(o);
	if (o->q.mem_count && gp_net_retry_at(o->net)) {
		/* Unreachable: keep what waits on disk, not in memory. */
		if (gp_queue_spill(&o->q) < 0)
			o->st.errors++;
	}
}

void gp_queued_stats(const struct gp_output *o, struct gp_output_stats *s)
{
	s->spooled = gp_queue_events(&o->q);
	s->errors += gp_net_failures(o->net);
	snprintf(s->down, sizeof(s->down), "%s", gp_net_why(o->net));
}

void gp_queued_close(struct gp_output *o, int timeout_ms)
{
	uint64_t deadline, kept, lost;

	deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		uint64_t now, retry;
		struct pollfd p = { .fd = -1 };
		int wait;

		gp_queued_tick(o);
		if (!gp_queue_count(&o->q) && !o->pending_drops)
			break;
		now = now_ms();
		retry = gp_net_retry_at(o->net);
		if (now >= deadline || (retry && retry >= deadline))
			break;
		wait = (int)(deadline - now < 50 ? deadline - now : 50);
		p.fd = gp_net_poll_fd(o->net, &p.events);
		if (p.fd >= 0 && !o->ends_n)
			poll(&p, 1, wait);
		else	/* waiting for acks: no poll event tells */
			poll(NULL, 0, wait < 10 ? wait : 10);
	}
	if (o->relp && !gp_queue_count(&o->q) && gp_net_is_up(o->net)) {
		uint64_t now = now_ms();

		gp_relp_goodbye(o, deadline > now ? (int)(deadline - now) : 0);
	}
	/* What is left (and the drop notice, if one is owed) goes to the
	 * spool, delivered by the next run. */
	if (o->pending_drops)
		queue_notice(o);
	rewind_output(o);
	kept = gp_queue_events(&o->q);
	lost = gp_queue_close(&o->q);
	if (lost > kept)
		lost = kept;
	o->st.dropped += lost;
	o->st.errors += gp_net_failures(o->net);
	o->st.spooled = kept - lost;	/* waits in the spool for the next run */
}
