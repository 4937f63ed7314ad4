// SPDX-License-Identifier: GPL-2.0
/*
 * status.c - the status model's counters and its renderings (daemon/status.h).
 *
 * The three renderings show the same fields under the same names, so a
 * number read in `ghostport status` can be found in the JSON and in the
 * Prometheus metrics without a lookup table.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/jsonw.h"
#include "event/names.h"
#include "daemon/status.h"

#define NPROTO	4	/* GP_PROTO_TCP, _UDP, _SCTP, _OTHER */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const proto_names[NPROTO] = { "tcp", "udp", "sctp", "other" };

struct gp_port_counts {
	__u64 n[GP_NR_PORTS][NPROTO];
};

struct gp_port_counts *gp_port_counts_new(void)
{
	/* calloc of this size is fresh zero pages: only ports that see
	 * events ever cost memory. */
	return calloc(1, sizeof(struct gp_port_counts));
}

void gp_port_counts_free(struct gp_port_counts *pc)
{
	free(pc);
}

static unsigned proto_index(unsigned bit)
{
	switch (bit) {
	case GP_PROTO_TCP: return 0;
	case GP_PROTO_UDP: return 1;
	case GP_PROTO_SCTP: return 2;
	default: return 3;
	}
}

void gp_status_account(struct gp_status *s, struct gp_port_counts *pc,
		       const struct gp_record *r)
{
	__u64 n = r->count ? r->count : 1;

	if (r->ev.source == GP_SRC_SCAN) {
		/* Not a bind: counted apart, not in the per-port bind top. */
		if (r->ev.verdict == GP_VERDICT_PRESENT)
			s->scan_present++;
		else if (r->ev.verdict == GP_VERDICT_GONE)
			s->scan_gone++;
		else if (r->ev.verdict == GP_VERDICT_CLOSED)
			s->scan_closed++;
		else if (r->ev.verdict == GP_VERDICT_OPEN)
			s->scan_open++;
		return;
	}
	s->records += n;
	if (r->ev.verdict == GP_VERDICT_DENY)
		s->denials += n;
	else if (r->ev.verdict == GP_VERDICT_EXEMPT)
		s->exempted += n;
	else if (r->ev.verdict == GP_VERDICT_BYPASS)
		s->bypassed += n;
	if (pc)
		pc->n[r->ev.port][proto_index(gp_proto_bit(r->ev.protocol,
							   r->ev.sock_type))] += n;
}

size_t gp_port_counts_top(const struct gp_port_counts *pc,
			  struct gp_status_port *out, size_t max)
{
	size_t n = 0, i;
	unsigned port, p;

	if (!pc)
		return 0;
	/* Insertion into a short sorted list: one pass, max is small. */
	for (port = 0; port < GP_NR_PORTS; port++)
		for (p = 0; p < NPROTO; p++) {
			__u64 v = pc->n[port][p];

			if (!v || (n == max && (!max || out[n - 1].events >= v)))
				continue;
			i = n < max ? n++ : n - 1;
			while (i > 0 && out[i - 1].events < v) {
				out[i] = out[i - 1];
				i--;
			}
			out[i].port = (__u16)port;
			out[i].proto = proto_names[p];
			out[i].events = v;
		}
	return n;
}

static __u64 uptime_s(const struct gp_status *s)
{
	return s->now_ns > s->started_ns ?
		(s->now_ns - s->started_ns) / 1000000000ULL : 0;
}

static int done(FILE *f)
{
	return fflush(f) || ferror(f) ? -1 : 0;
}

/* The __u64 at offset off of a struct: how the tables below are read. */
static __u64 field_u64(const void *base, size_t off)
{
	return *(const __u64 *)((const char *)base + off);
}

/*
 * The daemon's counters, in the order JSON and Prometheus write them (the
 * reload counters apart: JSON writes last_reload_error after them).  Each
 * field's name is its JSON key and its metric is ghostport_<name>_total,
 * so the name is spelled once.  The fields must be __u64: they are read
 * through the offset.
 */
struct counter {
	const char *key, *help;
	size_t field;
};

#define COUNTER(field, help) \
	{ #field, help, offsetof(struct gp_status, field) }

static const struct counter reload_counters[] = {
	COUNTER(reloads, "Policy reloads applied."),
	COUNTER(reload_failures,
		"Policy reloads refused (the running policy was kept)."),
};

static const struct counter counters[] = {
	COUNTER(events, "Bind events the kernel side produced."),
	COUNTER(drops, "Bind events lost because the ring buffer was full."),
	COUNTER(misses,
		"Binds the probes missed (kprobe nmissed, or return probes that never ran)."),
	COUNTER(records,
		"Bind events decoded by the daemon (folded ones counted each)."),
	COUNTER(denials, "Binds denied."),
	COUNTER(exempted,
		"Binds a deny rule matched but an exemption allowed."),
	COUNTER(bypassed,
		"Binds a deny rule matched that were not denied (a path the enforcer does not see)."),
	COUNTER(folded, "Events folded into another by flood control."),
	COUNTER(bad_records, "Records refused by the decoder."),
	COUNTER(undelivered,
		"Events that could not be written to standard output."),
	COUNTER(scans, "Scans for sockets already on listed ports."),
	COUNTER(scan_failures, "Scans that could not run at all."),
	COUNTER(scan_present,
		"Sockets found on listed ports (each reported once unless --all)."),
	COUNTER(scan_gone, "Reported sockets found gone by a later scan."),
	COUNTER(scan_closed, "Sockets closed by --close-existing."),
	COUNTER(scan_open,
		"Sockets --close-existing could not close (they stayed open)."),
};

/*
 * Each output's counters, in the order every rendering writes them: the
 * word in the text and the JSON key, the metric's type (a counter's metric
 * is ghostport_output_<key>_total, a gauge's ghostport_output_<key>) and
 * help.
 */
static const struct output_counter {
	const char *key;
	bool gauge;
	const char *help;
	size_t field;
} output_counters[] = {
#define OUTPUT_COUNTER(field, gauge, help) \
	{ #field, gauge, help, offsetof(struct gp_output_stats, field) }
	OUTPUT_COUNTER(handed, false,
		       "Events handed to the output (= delivered + spooled + dropped)."),
	OUTPUT_COUNTER(delivered, false,
		       "Events the output's destination acknowledged (RELP rsp 200, TCP ack) or took."),
	OUTPUT_COUNTER(spooled, true,
		       "Events waiting in the output's queue or spool."),
	OUTPUT_COUNTER(dropped, false,
		       "Events the output lost past its spool bound."),
	OUTPUT_COUNTER(errors, false,
		       "Write or connect failures of the output."),
	OUTPUT_COUNTER(resent, false,
		       "Frames sent again after a connection broke before they were acknowledged."),
#undef OUTPUT_COUNTER
};

/* ---- text ------------------------------------------------------------- */

int gp_status_render_text(const struct gp_status *s, FILE *f)
{
	__u64 up = uptime_s(s);
	size_t i;

	fprintf(f, "ghostport %s, pid %d, up %llud %02llu:%02llu:%02llu\n",
		GP_VERSION, (int)s->pid, up / 86400, up / 3600 % 24,
		up / 60 % 60, up % 60);
	fprintf(f, "attach:      %s%s\n", s->source ? s->source : "unknown",
		s->all ? " (all binds)" : "");
	fprintf(f, "enforcement: %s\n", s->enforce ? s->enforce : "off");
	if (s->progset)
		fprintf(f, "programs:    %s%s%s\n", s->progset,
			s->unseen ? ", not seen (null): " : "",
			s->unseen ? s->unseen : "");
	fprintf(f, "policy:      %s\n", s->digest[0] ? s->digest : "unknown");
	fprintf(f, "             %zu ports listed, %zu denied, %zu exemptions\n",
		s->ports_listed, s->ports_denied, s->exemptions);
	fprintf(f, "config:      %s\n", s->config_path ? s->config_path : "none");
	fprintf(f, "reloads:     %llu, %llu refused%s%s\n",
		(unsigned long long)s->reloads,
		(unsigned long long)s->reload_failures,
		s->last_reload_error[0] ? ", last: " : "",
		s->last_reload_error);
	fprintf(f, "events:      %llu (kernel), %llu drops, %llu misses\n",
		(unsigned long long)s->events, (unsigned long long)s->drops,
		(unsigned long long)s->misses);
	fprintf(f, "records:     %llu, %llu denials, %llu exempted, %llu bypassed, %llu folded, %llu bad, %llu undelivered\n",
		(unsigned long long)s->records, (unsigned long long)s->denials,
		(unsigned long long)s->exempted,
		(unsigned long long)s->bypassed, (unsigned long long)s->folded,
		(unsigned long long)s->bad_records,
		(unsigned long long)s->undelivered);
	fprintf(f, "scans:       %llu (%llu failed, last %llu ms), %zu squatters known; %llu present, %llu gone, %llu closed, %llu stayed open\n",
		(unsigned long long)s->scans,
		(unsigned long long)s->scan_failures,
		(unsigned long long)s->scan_last_ms, s->scan_tracked,
		(unsigned long long)s->scan_present,
		(unsigned long long)s->scan_gone,
		(unsigned long long)s->scan_closed,
		(unsigned long long)s->scan_open);
	if (s->n_top) {
		fprintf(f, "ports:\n");
		for (i = 0; i < s->n_top; i++)
			fprintf(f, "  %5u/%-5s %llu\n", s->top[i].port,
				s->top[i].proto,
				(unsigned long long)s->top[i].events);
	}
	if (s->n_outputs) {
		fprintf(f, "outputs:\n");
		for (i = 0; i < s->n_outputs; i++) {
			const struct gp_status_output *o = &s->outputs[i];
			const struct output_counter *c;

			fprintf(f, "  %s:", o->spec);
			for (c = output_counters;
			     c < output_counters + ARRAY_SIZE(output_counters); c++)
				fprintf(f, "%s %llu %s",
					c == output_counters ? "" : ",",
					(unsigned long long)field_u64(&o->st, c->field),
					c->key);
			fputc('\n', f);
			if (o->st.down[0])
				fprintf(f, "    down: %.*s\n",
					(int)sizeof(o->st.down), o->st.down);
		}
	}
	return done(f);
}

/* ---- JSON ------------------------------------------------------------- */

#define JSON_BUF	(128 * 1024)

/* What the daemon may not have (no enforcement, no config) is null. */
static void key_string_or_null(struct gp_json *w, const char *key,
			       const char *v)
{
	if (v)
		gp_json_key_string(w, key, v);
	else
		gp_json_key_null(w, key);
}

static void json_counters(struct gp_json *w, const struct gp_status *s,
			  const struct counter *c, size_t n)
{
	for (; n--; c++)
		gp_json_key_u64(w, c->key, field_u64(s, c->field));
}

int gp_status_render_json(const struct gp_status *s, FILE *f)
{
	const struct output_counter *c;
	char *buf = malloc(JSON_BUF);
	struct gp_json w;
	size_t i;
	int n;

	if (!buf)
		return -1;
	gp_json_init(&w, buf, JSON_BUF);
	gp_json_begin_object(&w);
	gp_json_key_string(&w, "version", GP_VERSION);
	gp_json_key_u64(&w, "pid", (uint64_t)s->pid);
	gp_json_key_u64(&w, "uptime_seconds", uptime_s(s));
	gp_json_key_string(&w, "source", s->source ? s->source : "unknown");
	key_string_or_null(&w, "enforce", s->enforce);
	key_string_or_null(&w, "progset", s->progset);
	key_string_or_null(&w, "unseen", s->unseen);
	gp_json_key_bool(&w, "all", s->all);
	gp_json_key_string(&w, "digest", s->digest);
	key_string_or_null(&w, "config", s->config_path);
	gp_json_key_u64(&w, "ports_listed", s->ports_listed);
	gp_json_key_u64(&w, "ports_denied", s->ports_denied);
	gp_json_key_u64(&w, "exemptions", s->exemptions);
	json_counters(&w, s, reload_counters, ARRAY_SIZE(reload_counters));
	gp_json_key_string(&w, "last_reload_error", s->last_reload_error);
	json_counters(&w, s, counters, ARRAY_SIZE(counters));
	gp_json_key_u64(&w, "scan_last_ms", s->scan_last_ms);
	gp_json_key_u64(&w, "scan_tracked", s->scan_tracked);
	gp_json_key_begin_array(&w, "ports");
	for (i = 0; i < s->n_top; i++) {
		gp_json_begin_object(&w);
		gp_json_key_u64(&w, "port", s->top[i].port);
		gp_json_key_string(&w, "proto", s->top[i].proto);
		gp_json_key_u64(&w, "events", s->top[i].events);
		gp_json_end_object(&w);
	}
	gp_json_end_array(&w);
	gp_json_key_begin_array(&w, "outputs");
	for (i = 0; i < s->n_outputs; i++) {
		const struct gp_status_output *o = &s->outputs[i];

		gp_json_begin_object(&w);
		gp_json_key_string(&w, "output", o->spec);
		for (c = output_counters;
		     c < output_counters + ARRAY_SIZE(output_counters); c++)
			gp_json_key_u64(&w, c->key, field_u64(&o->st, c->field));
		if (o->st.down[0])
			gp_json_key_string(&w, "down", o->st.down);
		gp_json_end_object(&w);
	}
	gp_json_end_array(&w);
	gp_json_end_object(&w);
	gp_json_raw(&w, "\n", 1);
	n = gp_json_finish(&w);
	if (n > 0)
		fwrite(buf, 1, (size_t)n, f);
	free(buf);
	return n < 0 ? -1 : done(f);
}

/* ---- Prometheus --------------------------------------------------------- */

/*
 * The exposition format escapes \ " and newline in label values, and
 * label values are UTF-8: a byte that is not part of valid UTF-8 (an
 * output spec from the command line can hold anything) becomes '?'.
 */
void gp_prom_escape(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	bool utf8 = gp_bytes_valid_utf8(in, strlen(in));

	if (!outlen)
		return;
	for (; *in; in++) {
		const char *rep = NULL;
		char one[2] = { *in, '\0' };
		size_t l;

		if (*in == '\\')
			rep = "\\\\";
		else if (*in == '"')
			rep = "\\\"";
		else if (*in == '\n')
			rep = "\\n";
		else if (!utf8 && (unsigned char)*in >= 0x80)
			rep = "?";
		else
			rep = one;
		l = strlen(rep);
		if (o + l >= outlen)
			break;
		memcpy(out + o, rep, l);
		o += l;
	}
	out[o] = '\0';
}

static void metric(FILE *f, const char *name, const char *type,
		   const char *help, __u64 v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name,
		type, name, (unsigned long long)v);
}

static void header(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_counters(FILE *f, const struct gp_status *s,
			  const struct counter *c, size_t n)
{
	char name[64];

	for (; n--; c++) {
		snprintf(name, sizeof(name), "ghostport_%s_total", c->key);
		metric(f, name, "counter", c->help, field_u64(s, c->field));
	}
}

/* One metric per output counter, a sample per output. */
static void output_metric(FILE *f, const struct gp_status *s,
			  const struct output_counter *c)
{
	char label[600], name[64];
	size_t i;

	if (!s->n_outputs)
		return;
	snprintf(name, sizeof(name), "ghostport_output_%s%s", c->key,
		 c->gauge ? "" : "_total");
	header(f, name, c->gauge ? "gauge" : "counter", c->help);
	for (i = 0; i < s->n_outputs; i++) {
		__u64 v = field_u64(&s->outputs[i].st, c->field);

		gp_prom_escape(s->outputs[i].spec, label, sizeof(label));
		fprintf(f, "%s{output=\"%s\"} %llu\n", name, label,
			(unsigned long long)v);
	}
}

/* Up or down, and why it is down: the reason as a label of an info
 * metric (value 1 while down, absent while up). */
static void output_up(FILE *f, const struct gp_status *s)
{
	char label[600], why[600];
	size_t i;

	if (!s->n_outputs)
		return;
	header(f, "ghostport_output_up", "gauge",
	       "1 while the output can deliver, 0 while it is down.");
	for (i = 0; i < s->n_outputs; i++) {
		gp_prom_escape(s->outputs[i].spec, label, sizeof(label));
		fprintf(f, "ghostport_output_up{output=\"%s\"} %d\n", label,
			!s->outputs[i].st.down[0]);
	}
	header(f, "ghostport_output_down_info", "gauge",
	       "Why the output is down (value 1, present only while down).");
	for (i = 0; i < s->n_outputs; i++) {
		if (!s->outputs[i].st.down[0])
			continue;
		gp_prom_escape(s->outputs[i].spec, label, sizeof(label));
		gp_prom_escape(s->outputs[i].st.down, why, sizeof(why));
		fprintf(f, "ghostport_output_down_info{output=\"%s\",reason=\"%s\"} 1\n",
			label, why);
	}
}

int gp_status_render_prometheus(const struct gp_status *s, FILE *f)
{
	char src[64], enf[64], dig[140], ver[64];
	const struct output_counter *c;
	size_t i;

	metric(f, "ghostport_up", "gauge", "1 while the ghostport daemon runs.", 1);
	gp_prom_escape(s->source ? s->source : "unknown", src, sizeof(src));
	gp_prom_escape(s->enforce ? s->enforce : "off", enf, sizeof(enf));
	gp_prom_escape(s->digest, dig, sizeof(dig));
	gp_prom_escape(GP_VERSION, ver, sizeof(ver));
	header(f, "ghostport_info", "gauge",
	       "Attach method, enforcement method and policy digest (value 1).");
	fprintf(f, "ghostport_info{version=\"%s\",source=\"%s\",enforce=\"%s\",digest=\"%s\"} 1\n",
		ver, src, enf, dig);
	if (s->progset) {
		char ps[64], un[128];

		gp_prom_escape(s->progset, ps, sizeof(ps));
		gp_prom_escape(s->unseen ? s->unseen : "", un, sizeof(un));
		header(f, "ghostport_program_set", "gauge",
		       "BPF program set in use (lockdown-safe under lockdown=confidentiality) and the fields its records leave null (value 1).");
		fprintf(f, "ghostport_program_set{set=\"%s\",unseen=\"%s\"} 1\n",
			ps, un);
	}
	metric(f, "ghostport_uptime_seconds", "gauge",
	       "Seconds since the daemon started.", uptime_s(s));
	metric(f, "ghostport_ports_listed", "gauge",
	       "Ports with a rule in the running policy.", s->ports_listed);
	metric(f, "ghostport_ports_denied", "gauge",
	       "Ports with a deny rule in the running policy.", s->ports_denied);
	prom_counters(f, s, reload_counters, ARRAY_SIZE(reload_counters));
	prom_counters(f, s, counters, ARRAY_SIZE(counters));
	if (s->n_top) {
		header(f, "ghostport_port_events_total", "counter",
		       "Bind events per port and protocol (the busiest ports).");
		for (i = 0; i < s->n_top; i++)
			fprintf(f, "ghostport_port_events_total{port=\"%u\",proto=\"%s\"} %llu\n",
				s->top[i].port, s->top[i].proto,
				(unsigned long long)s->top[i].events);
	}
	for (c = output_counters;
	     c < output_counters + ARRAY_SIZE(output_counters); c++)
		output_metric(f, s, c);
	output_up(f, s);
	return done(f);
}
