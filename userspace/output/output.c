// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - `--output FORMAT@DEST`: the table of destinations, spec
 * parsing, and what the run loop calls (output/output.h), each a call
 * through the output's const ops (output/internal.h).
 *
 * Local sinks (stdout, file) are written directly (file.c).  Everything
 * that talks to something that can be slow or away (unix:, journal,
 * udp://, tcp://, tls://, relp://, relp+tls://) is queued (queued.c).
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

#define QUEUED(pfx, kind, frm, use)					\
	.prefix = pfx, .arg = GP_ARG_HOSTPORT, .usage = use,		\
	.queued = true, .net = kind, .framing = frm,			\
	.open = gp_queued_open, .tick = gp_queued_tick,			\
	.close = gp_queued_close, .stats = gp_queued_stats

const struct gp_output_ops gp_out_stdout_ops = {
	.prefix = "-", .arg = GP_ARG_NONE, .usage = "-",
	.open = gp_file_open, .write = gp_file_write, .tick = gp_file_flush,
	.close = gp_file_close, .stats = gp_file_stats,
};
const struct gp_output_ops gp_out_file_ops = {
	.prefix = "file:", .arg = GP_ARG_PATH, .usage = "file:PATH",
	.open = gp_file_open, .write = gp_file_write, .tick = gp_file_flush,
	.reopen = gp_file_reopen, .close = gp_file_close,
	.stats = gp_file_stats,
};
const struct gp_output_ops gp_out_journal_ops = {
	.prefix = "journal", .arg = GP_ARG_OPT_PATH, .usage = "journal",
	.queued = true, .net = GP_NET_UNIX, .framing = GP_FRAME_PLAIN,
	.open = gp_journal_open, .message = gp_journal_entry,
	.notice = gp_journal_notice, .tick = gp_queued_tick,
	.close = gp_queued_close, .stats = gp_queued_stats,
};
const struct gp_output_ops gp_out_unix_ops = {
	.prefix = "unix:", .arg = GP_ARG_PATH, .usage = "unix:PATH",
	.queued = true, .net = GP_NET_UNIX, .framing = GP_FRAME_PLAIN,
	.open = gp_queued_open, .tick = gp_queued_tick,
	.close = gp_queued_close, .stats = gp_queued_stats,
};
const struct gp_output_ops gp_out_udp_ops = {
	QUEUED("udp://", GP_NET_UDP, GP_FRAME_PLAIN, "udp://HOST:PORT"),
};
const struct gp_output_ops gp_out_tcp_ops = {
	QUEUED("tcp://", GP_NET_TCP, GP_FRAME_OCTET, "tcp://HOST:PORT"),
};
const struct gp_output_ops gp_out_tls_ops = {
	QUEUED("tls://", GP_NET_TLS, GP_FRAME_OCTET, "tls://HOST:PORT"),
};
const struct gp_output_ops gp_out_relp_ops = {
	QUEUED("relp://", GP_NET_TCP, GP_FRAME_RELP, "relp://HOST:PORT"),
};
const struct gp_output_ops gp_out_relp_tls_ops = {
	QUEUED("relp+tls://", GP_NET_TLS, GP_FRAME_RELP,
	       "relp+tls://HOST:PORT"),
};

/* Longer prefixes first where one starts another ("relp+tls://"). */
static const struct gp_output_ops *const dests[] = {
	&gp_out_stdout_ops, &gp_out_file_ops, &gp_out_journal_ops,
	&gp_out_unix_ops, &gp_out_udp_ops, &gp_out_tcp_ops, &gp_out_tls_ops,
	&gp_out_relp_tls_ops, &gp_out_relp_ops,
};
#define N_DESTS	(sizeof(dests) / sizeof(dests[0]))

/* Parse DEST into o->ops/target/port; no I/O. */
static int parse_dest(struct gp_output *o, const char *d, char *err,
		      size_t errlen)
{
	char list[400];
	size_t used = 0;

	for (size_t i = 0; i < N_DESTS; i++) {
		const struct gp_output_ops *ops = dests[i];
		size_t pl = strlen(ops->prefix);
		const char *rest = d + pl;

		if (strncmp(d, ops->prefix, pl))
			continue;
		if (ops->arg == GP_ARG_NONE && *rest)
			continue;
		if (ops->arg == GP_ARG_OPT_PATH) {
			if (*rest && *rest != ':')
				continue;
			if (*rest)
				rest++;
		}
		o->ops = ops;
		switch (ops->arg) {
		case GP_ARG_NONE:
			return 0;
		case GP_ARG_HOSTPORT:
			return parse_hostport(rest, o->target, 256, o->port,
					      sizeof(o->port), err, errlen);
		case GP_ARG_PATH:
			if (!*rest) {
				snprintf(err, errlen, "missing path after \"%s\"",
					 ops->prefix);
				return -1;
			}
			/* fall through */
		case GP_ARG_OPT_PATH:
			if (strlen(rest) >= sizeof(o->target)) {
				snprintf(err, errlen, "path too long");
				return -1;
			}
			strcpy(o->target, rest);
			return 0;
		}
	}
	for (size_t i = 0; i < N_DESTS && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
					 i ? ", " : "", dests[i]->usage);
	snprintf(err, errlen, "unknown destination \"%.64s\" (%.400s)", d,
		 list);
	return -1;
}

/* spool_dir/<spec with everything but [A-Za-z0-9._-] as '_'>.spool */
void gp_out_spool_path(char *out, size_t outlen, const char *dir,
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

void gp_output_free(struct gp_output *o)
{
	if (!o)
		return;
	gp_net_close(o->net);
	gp_relp_free(o);
	free(o->spec);
	free(o->line);
	free(o->wbuf);
	free(o->msg);
	free(o->frame);
	free(o->ends);
	free(o->acked);
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
	if (o->ops->open(o, env, reason, sizeof(reason)))
		goto fail;
	return o;
oom:
	snprintf(reason, sizeof(reason), "out of memory");
fail:
	snprintf(err, errlen, "--output %s: %s", spec, reason);
	gp_output_free(o);
	return NULL;
}

int gp_output_emit(struct gp_output *o, const struct gp_record *r)
{
	int pre = 0, n;

	o->st.handed++;
	if (o->ops->queued && !o->ops->message && o->fmt != GP_FMT_SYSLOG) {
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
	if (o->ops->write)
		return o->ops->write(o, r, o->line, (size_t)n);
	n += pre;
	if (n && o->line[n - 1] == '\n')
		n--;
	return gp_queued_emit(o, r, o->line, (size_t)n);
}

void gp_output_tick(struct gp_output *o)
{
	if (o->ops->tick)
		o->ops->tick(o);
}

void gp_output_reopen(struct gp_output *o)
{
	if (o->ops->reopen)
		o->ops->reopen(o);
}

void gp_output_get_stats(const struct gp_output *o, struct gp_output_stats *s)
{
	*s = o->st;
	s->down[0] = '\0';
	o->ops->stats(o, s);
}

const char *gp_output_spec(const struct gp_output *o)
{
	return o->spec;
}

void gp_output_close(struct gp_output *o, int timeout_ms)
{
	gp_output_close_keep(o, timeout_ms, NULL);
}

void gp_output_close_keep(struct gp_output *o, int timeout_ms,
			  struct gp_output_final *f)
{
	if (!o)
		return;
	o->ops->close(o, timeout_ms);
	if (f) {
		snprintf(f->spec, sizeof(f->spec), "%s", o->spec);
		f->st = o->st;
		f->st.down[0] = '\0';
	}
	gp_output_free(o);
}
