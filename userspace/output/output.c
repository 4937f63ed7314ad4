// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - `--output FORMAT@DEST`: spec parsing, and delivery through
 * the memory queue, spool and connection of a network output (output/output.h).
 *
 * Local sinks (stdout, file, journal) are written directly.  Everything
 * that talks to a collector (unix:, udp://, tcp://, tls://) is queued:
 * emit formats the record once into the output's buffer, as the message
 * that goes into a frame (RFC 5424; a JSON or CEF line travels as the MSG
 * of an RFC 5424 header with no structured data), pushes it on the queue
 * and sends what the socket takes now.  tick drives the connection; while
 * the collector is unreachable it moves the queue to the on-disk spool.
 * A message leaves the queue only once all of its frame was written, so a
 * connection that breaks mid-frame resends that frame whole on the next.
 *
 * Framing: RFC 6587 octet counting ("LEN SP MSG") on tcp:// and tls://
 * (RFC 5425), one datagram per message on udp:// (RFC 5426) and unix:,
 * a newline after each message on a stream unix: socket.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/hostid.h"
#include "output/internal.h"

#define FRAME_HDR	12	/* room for "4294967295 " before a message */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool is_queued(const struct gp_output *o)
{
	return o->dest >= GP_DEST_UNIX;
}

/* "HOST:PORT" or "[V6]:PORT". */
static int parse_hostport(const char *s, char *host, size_t hostlen,
			  char *port, size_t portlen, char *err,
			  size_t errlen)
{
	const char *colon, *h = s;
	size_t hl;
	char *end;
	long p;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':') {
			snprintf(err, errlen, "expected [IPV6]:PORT");
			return -1;
		}
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			snprintf(err, errlen, "expected HOST:PORT");
			return -1;
		}
		hl = (size_t)(colon - s);
		if (memchr(s, ':', hl)) {
			snprintf(err, errlen,
				 "an IPv6 address goes in brackets: [ADDR]:PORT");
			return -1;
		}
	}
	if (hl == 0 || hl >= hostlen) {
		snprintf(err, errlen, "missing or too long host");
		return -1;
	}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || p < 1 || p > 65535 ||
	    colon[1] == '+' || colon[1] == '-' || colon[1] == ' ') {
		snprintf(err, errlen, "bad port \"%s\" (1..65535)", colon + 1);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	snprintf(port, portlen, "%ld", p);
	return 0;
}

/* Parse DEST into o->dest/target/port; no I/O. */
static int parse_dest(struct gp_output *o, const char *d, char *err,
		      size_t errlen)
{
	static const struct {
		const char *prefix;
		enum gp_dest dest;
	} schemes[] = {
		{ "file:", GP_DEST_FILE },
		{ "unix:", GP_DEST_UNIX },
		{ "udp://", GP_DEST_UDP },
		{ "tcp://", GP_DEST_TCP },
		{ "tls://", GP_DEST_TLS },
	};

	if (!strcmp(d, "-")) {
		o->dest = GP_DEST_STDOUT;
		return 0;
	}
	if (!strcmp(d, "journal")) {
		o->dest = GP_DEST_JOURNAL;
		return gp_journal_check(err, errlen);
	}
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t pl = strlen(schemes[i].prefix);
		const char *rest = d + pl;

		if (strncmp(d, schemes[i].prefix, pl))
			continue;
		o->dest = schemes[i].dest;
		if (o->dest == GP_DEST_FILE || o->dest == GP_DEST_UNIX) {
			if (!*rest) {
				snprintf(err, errlen, "missing path after \"%s\"",
					 schemes[i].prefix);
				return -1;
			}
			if (strlen(rest) >= sizeof(o->target)) {
				snprintf(err, errlen, "path too long");
				return -1;
			}
			strcpy(o->target, rest);
			return 0;
		}
		return parse_hostport(rest, o->target, 256, o->port,
				      sizeof(o->port), err, errlen);
	}
	snprintf(err, errlen,
		 "unknown destination \"%s\" (-, file:PATH, unix:PATH, journal, "
		 "udp://HOST:PORT, tcp://HOST:PORT, tls://HOST:PORT)", d);
	return -1;
}

/* spool_dir/<spec with everything but [A-Za-z0-9._-] as '_'>.spool */
static void spool_path(char *out, size_t outlen, const char *dir,
		       const char *spec)
{
	size_t n = (size_t)snprintf(out, outlen, "%s/", dir);

	for (const char *s = spec; *s && n + 8 < outlen; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '-' ||
			  c == '_';

		out[n++] = ok ? c : '_';
	}
	snprintf(out + n, outlen - n, ".spool");
}

static void free_output(struct gp_output *o)
{
	if (!o)
		return;
	gp_net_close(o->net);
	free(o->spec);
	free(o->line);
	free(o->wbuf);
	free(o->frame);
	free(o);
}

struct gp_output *gp_output_open(const char *spec,
				 const struct gp_output_env *env, char *err,
				 size_t errlen)
{
	struct gp_output_env none = { 0 };
	const char *at = spec ? strchr(spec, '@') : NULL;
	char fmtname[16], reason[512];
	struct gp_output *o;
	int fmt;

	if (!env)
		env = &none;
	if (!at) {
		snprintf(err, errlen,
			 "--output %s: expected FORMAT@DEST, e.g. json@file:/var/log/ghostport.jsonl",
			 spec ? spec : "(null)");
		return NULL;
	}
	snprintf(fmtname, sizeof(fmtname), "%.*s", (int)(at - spec), spec);
	fmt = (size_t)(at - spec) < sizeof(fmtname) ? gp_format_parse(fmtname)
						    : -1;
	if (fmt < 0) {
		snprintf(err, errlen, "--output %s: unknown format \"%.*s\" (%s)",
			 spec, (int)(at - spec), spec, GP_FORMAT_LIST);
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		goto oom;
	o->fd = -1;
	o->fmt = (enum gp_format)fmt;
	o->spec = strdup(spec);
	o->line = malloc(GP_OUT_MAX_MSG);
	if (!o->spec || !o->line)
		goto oom;
	if (parse_dest(o, at + 1, reason, sizeof(reason)))
		goto fail;
	snprintf(o->hostname, sizeof(o->hostname), "%s",
		 env->hostname ? env->hostname : gp_host_name());
	if (env->machine_id || gp_host_machine_id())
		snprintf(o->machine_id, sizeof(o->machine_id), "%s",
			 env->machine_id ? env->machine_id
					 : gp_host_machine_id());

	if (o->dest == GP_DEST_STDOUT || o->dest == GP_DEST_FILE) {
		o->wbuf = malloc(GP_OUT_WBUF);
		if (!o->wbuf)
			goto oom;
		if (gp_file_open(o, reason, sizeof(reason)))
			goto fail;
	} else if (is_queued(o)) {
		static const enum gp_net_kind kinds[] = {
			[GP_DEST_UNIX] = GP_NET_UNIX, [GP_DEST_UDP] = GP_NET_UDP,
			[GP_DEST_TCP] = GP_NET_TCP, [GP_DEST_TLS] = GP_NET_TLS,
		};
		char path[PATH_MAX];

		o->frame = malloc(FRAME_HDR + GP_OUT_MAX_MSG + 1);
		if (!o->frame)
			goto oom;
		o->net = gp_net_open(kinds[o->dest], o->target, o->port, env,
				     spec, reason, sizeof(reason));
		if (!o->net)
			goto fail;
		spool_path(path, sizeof(path),
			   env->spool_dir ? env->spool_dir : GP_OUT_SPOOL_DIR,
			   spec);
		if (gp_queue_init(&o->q, GP_OUT_MEMQ, path,
				  env->spool_max_bytes ? env->spool_max_bytes
						       : GP_OUT_SPOOL_DEFAULT,
				  GP_OUT_MAX_MSG, reason, sizeof(reason)))
			goto fail;
		if (o->q.spool_count)
			fprintf(stderr, "ghostport: output %s: %llu events left "
				"in %s by an earlier run will be delivered first\n",
				spec, (unsigned long long)o->q.spool_count, path);
	}
	return o;
oom:
	snprintf(reason, sizeof(reason), "out of memory");
fail:
	snprintf(err, errlen, "--output %s: %s", spec, reason);
	free_output(o);
	return NULL;
}

/* Push one message; count it as dropped if it can be kept nowhere.  Once
 * something was dropped, everything after it is dropped too until the
 * drop notice is queued, which happens once the collector is back and
 * there is room: the notice then sits exactly where the gap is. */
static void queue_notice(struct gp_output *o);

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

static void queue_notice(struct gp_output *o)
{
	char buf[2048];
	struct timespec now;
	int pre = 0, n;

	clock_gettime(CLOCK_REALTIME, &now);
	if (o->fmt != GP_FMT_SYSLOG) {
		pre = gp_syslog_prefix(4, &now, o->hostname, "DROPPED", buf,
				       sizeof(buf));
		if (pre < 0)
			return;
	}
	n = gp_format_dropped(o->fmt, o->pending_drops, &now, o->hostname,
			      o->machine_id[0] ? o->machine_id : NULL,
			      buf + pre, sizeof(buf) - (size_t)pre);
	if (n <= 0)
		return;
	n += pre;
	if (buf[n - 1] == '\n')
		n--;
	if (gp_queue_push(&o->q, buf, (size_t)n) == 0)
		o->pending_drops = 0;
}

/* Put the oldest queued message in the frame buffer, framed. */
static bool load_frame(struct gp_output *o)
{
	char *msg = o->frame + FRAME_HDR;
	long n;

	for (;;) {
		n = gp_queue_peek(&o->q, msg, GP_OUT_MAX_MSG);
		if (n > 0)
			break;
		if (n == 0)
			return false;
		/* An unreadable spool record: skip it, counted. */
		o->st.errors++;
		o->st.dropped++;
		gp_queue_pop(&o->q);
	}
	o->frame_off = 0;
	if (o->dest == GP_DEST_TCP || o->dest == GP_DEST_TLS) {
		char hdr[FRAME_HDR + 1];
		int h = snprintf(hdr, sizeof(hdr), "%ld ", n);

		memcpy(msg - h, hdr, (size_t)h);
		o->frame_off = FRAME_HDR - (size_t)h;
		o->frame_len = FRAME_HDR + (size_t)n;
	} else {
		o->frame_off = FRAME_HDR;
		o->frame_len = FRAME_HDR + (size_t)n;
		if (gp_net_is_stream(o->net))
			o->frame[o->frame_len++] = '\n';
	}
	o->have_frame = true;
	return true;
}

/* Send queued messages until the socket is full or the queue is empty. */
static void flush_queue(struct gp_output *o, uint64_t now)
{
	for (;;) {
		long w;

		if (!o->have_frame) {
			if (o->pending_drops && !gp_queue_count(&o->q))
				queue_notice(o);
			if (!load_frame(o))
				return;
		}
		w = gp_net_send(o->net, o->frame + o->frame_off,
				o->frame_len - o->frame_off, now);
		if (w == 0)
			return;
		if (w == -1) {
			/* The next connection gets this frame whole. */
			o->have_frame = false;
			return;
		}
		if (w == -2) {
			o->st.errors++;
			o->st.dropped++;
		} else {
			o->frame_off += (size_t)w;
			if (o->frame_off < o->frame_len)
				continue;
			o->st.delivered++;
		}
		gp_queue_pop(&o->q);
		o->have_frame = false;
	}
}

int gp_output_emit(struct gp_output *o, const struct gp_record *r)
{
	int pre = 0, n;

	if (is_queued(o) && o->fmt != GP_FMT_SYSLOG) {
		/* Another format over syslog: after an RFC 5424 header. */
		pre = gp_syslog_wrap_prefix(r, o->line, GP_OUT_MAX_MSG);
		if (pre < 0)
			pre = 0;
	}
	n = gp_format_record(o->fmt, r, o->line + pre,
			     GP_OUT_MAX_MSG - (size_t)pre);
	if (n < 0) {
		o->st.errors++;
		o->st.dropped++;
		return -1;
	}
	switch (o->dest) {
	case GP_DEST_STDOUT:
	case GP_DEST_FILE:
		gp_file_write(o, o->line, (size_t)n);
		return 0;
	case GP_DEST_JOURNAL:
		if (gp_journal_send(r, o->line, (size_t)n)) {
			o->st.errors++;
			o->st.dropped++;
			return -1;
		}
		o->st.delivered++;
		return 0;
	default:
		break;
	}
	n += pre;
	if (n && o->line[n - 1] == '\n')
		n--;
	if (enqueue(o, o->line, (size_t)n))
		return -1;
	/* Deliver now if the connection is up; never connects from here. */
	if (gp_net_retry_at(o->net) == 0)
		gp_output_tick(o);
	return 0;
}

void gp_output_tick(struct gp_output *o)
{
	uint64_t now;

	if (o->dest == GP_DEST_STDOUT || o->dest == GP_DEST_FILE) {
		gp_file_flush(o);
		return;
	}
	if (!is_queued(o))
		return;
	now = now_ms();
	if (gp_net_ready(o->net, now)) {
		flush_queue(o, now);
	} else if (o->q.mem_count && gp_net_retry_at(o->net)) {
		/* Unreachable: keep what waits on disk, not in memory. */
		if (gp_queue_spill(&o->q) < 0)
			o->st.errors++;
	}
}

void gp_output_reopen(struct gp_output *o)
{
	gp_file_reopen(o);
}

void gp_output_get_stats(const struct gp_output *o, struct gp_output_stats *s)
{
	*s = o->st;
	if (is_queued(o)) {
		s->spooled = gp_queue_count(&o->q);
		s->errors += gp_net_failures(o->net);
	} else {
		s->spooled = o->wrecs;
	}
}

const char *gp_output_spec(const struct gp_output *o)
{
	return o->spec;
}

void gp_output_close(struct gp_output *o, int timeout_ms)
{
	uint64_t deadline;

	if (!o)
		return;
	if (!is_queued(o)) {
		if (o->dest == GP_DEST_STDOUT || o->dest == GP_DEST_FILE)
			gp_file_close(o);
		free_output(o);
		return;
	}
	deadline = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		uint64_t now, retry;
		struct pollfd p = { .fd = -1 };
		int wait;

		gp_output_tick(o);
		if (!gp_queue_count(&o->q) && !o->pending_drops)
			break;
		now = now_ms();
		retry = gp_net_retry_at(o->net);
		if (now >= deadline || (retry && retry >= deadline))
			break;
		wait = (int)(deadline - now < 50 ? deadline - now : 50);
		p.fd = gp_net_poll_fd(o->net, &p.events);
		if (p.fd >= 0)
			poll(&p, 1, wait);
		else
			poll(NULL, 0, wait);
	}
	/* What is left (and the drop notice, if one is owed) goes to the
	 * spool, delivered by the next run. */
	if (o->pending_drops)
		queue_notice(o);
	o->st.dropped += gp_queue_close(&o->q);
	free_output(o);
}
