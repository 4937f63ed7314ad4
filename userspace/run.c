// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - `ghostport run`: build the policy, open a source, stream decoded
 * events to the outputs until SIGINT/SIGTERM, then detach, drain and
 * report.  One thread: the ring, the control socket and the outputs are
 * served in turn every POLL_MS, and nothing in the loop waits on a
 * collector (outputs queue and spool).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/caps.h"
#include "daemon/ctl.h"
#include "event/decode.h"
#include "event/fold.h"
#include "format/format.h"
#include "lib/hostid.h"
#include "daemon/notify.h"
#include "daemon/squatters.h"
#include "output/output.h"
#include "daemon/runlock.h"
#include "source/pin.h"
#include "run.h"
#include "cmd/run_args.h"
#include "source/source.h"
#include "daemon/status.h"

#define POLL_MS		50	/* bound on delivery delay with batched wake-ups */
#define MAX_OUTPUTS	(GP_CONFIG_MAX_OUTPUTS + GP_MAX_CLI_OUTPUTS)

struct run_state {
	struct run_args args;
	struct gp_config cfg;		/* effective settings */
	struct gp_source *src;
	struct gp_clock clk;
	struct gp_record rec;
	struct gp_fold *fold;
	struct gp_output *out[MAX_OUTPUTS];
	struct gp_output_final final[MAX_OUTPUTS];
	int n_out;
	struct gp_ctl *ctl;
	struct gp_status status;
	struct gp_port_counts *ports;
	struct gp_output_env env;
	const char *hostname, *machine_id;
	struct gp_squatters *sq;	/* NULL: no scans (thread failed) */
	__u64 next_scan_ns;		/* scan_interval's next scan */
	bool ctl_scan_wanted;		/* a client waits for a scan */
	bool scan_after_reload;		/* the reload added ports */
	int runtime_enforce;		/* 1 on, 2 off: set at run time */
};

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t enforce_request;	/* 1 on, 2 off */
static volatile sig_atomic_t hup_requested;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		enforce_request = 1;
	else if (sig == SIGUSR2)
		enforce_request = 2;
	else if (sig == SIGHUP)
		hup_requested = 1;
	else
		stop_requested = 1;
}

static void install_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	/* A closed stdout or socket is an output error, counted, not a kill. */
	signal(SIGPIPE, SIG_IGN);
}

static __u64 mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (__u64)t.tv_sec * 1000000000ULL + (__u64)t.tv_nsec;
}

/* A record leaving the fold: account it and hand it to every output. */
static void deliver(void *ctx, const struct gp_record *r)
{
	struct run_state *st = ctx;
	int i;

	gp_status_account(&st->status, st->ports, r);
	for (i = 0; i < st->n_out; i++)
		gp_output_emit(st->out[i], r);
}

/* A scan event: past the fold (each socket is reported once anyway). */
static void scan_emit(void *ctx, const struct gp_record *r)
{
	static struct gp_record rec;
	struct run_state *st = ctx;

	rec = *r;
	rec.hostname = st->hostname;
	rec.machine_id = st->machine_id;
	deliver(st, &rec);
}

/* --close-existing applies only while enforcing. */
static bool may_close(const struct run_state *st, bool asked)
{
	return st->status.enforce && (st->cfg.close_existing || asked);
}

static void scan_request(struct run_state *st)
{
	if (st->sq)
		gp_squatters_request(st->sq, &st->cfg, may_close(st, false),
				     false, false);
}

/* A finished scan: its events out, its answer to the waiting clients. */
static void scan_collect(struct run_state *st)
{
	struct gp_squat_answer a;

	if (!gp_squatters_take(st->sq, &st->cfg, scan_emit, st, &st->status,
			       &a))
		return;
	if (a.for_ctl && st->ctl)
		gp_ctl_scan_done(st->ctl, &a);
	gp_squat_answer_free(&a);
}

/* Off the event path: collect a finished scan, start the ones due. */
static void serve_scans(struct run_state *st)
{
	struct pollfd p;
	bool all, close;

	if (!st->sq)
		return;
	p.fd = gp_squatters_fd(st->sq);
	p.events = POLLIN;
	if (poll(&p, 1, 0) > 0)
		scan_collect(st);
	if (st->ctl_scan_wanted && gp_squatters_idle(st->sq)) {
		st->ctl_scan_wanted = false;
		if (gp_ctl_scan_begin(st->ctl, &all, &close))
			gp_squatters_request(st->sq, &st->cfg,
					     may_close(st, close), all, true);
	}
	if (st->cfg.scan_interval_ns && mono_ns() >= st->next_scan_ns) {
		st->next_scan_ns = mono_ns() + st->cfg.scan_interval_ns;
		scan_request(st);
	}
}

/* The scan at start, before the ready line: the one wait for a scan. */
static void scan_at_start(struct run_state *st)
{
	struct pollfd p;
	char why[256];

	st->sq = gp_squatters_start(why, sizeof(why));
	if (!st->sq) {
		fprintf(stderr,
			"ghostport: warning: no scans for sockets already on listed ports: %s\n",
			why);
		return;
	}
	if (st->cfg.close_existing && !st->status.enforce)
		fprintf(stderr,
			"ghostport: close_existing: not closing anything without enforcement\n");
	scan_request(st);
	p.fd = gp_squatters_fd(st->sq);
	p.events = POLLIN;
	if (poll(&p, 1, 60000) > 0)
		scan_collect(st);
	st->next_scan_ns = mono_ns() + st->cfg.scan_interval_ns;
}

static int on_record(void *ctx, const void *data, size_t len)
{
	struct run_state *st = ctx;
	char err[160];

	if (gp_decode(data, len, &st->clk, &st->rec, err, sizeof(err))) {
		/* Never guessed at, never silent: counted and said once. */
		if (!st->status.bad_records++)
			fprintf(stderr, "ghostport: dropping bad record: %s\n",
				err);
		return 0;
	}
	gp_decode_exe(&st->rec);
	st->rec.hostname = st->hostname;
	st->rec.machine_id = st->machine_id;
	/* A zero window passes records straight through. */
	gp_fold_push(st->fold, &st->rec, mono_ns(), deliver, st);
	return 0;
}

static void fill_status_static(struct run_state *st)
{
	struct gp_status *s = &st->status;

	s->source = st->src->ops->name;
	s->progset = st->src->ops->id == GP_SRC_KMOD ? NULL :
		     st->src->lockdown_safe ? "lockdown-safe" : "full";
	s->unseen = st->src->unseen;
	s->enforce = (st->cfg.enforce && st->src->deny_name) ?
		     st->src->deny_name : NULL;
	s->all = st->cfg.all;
	s->config_path = st->args.config_path;
	snprintf(s->digest, sizeof(s->digest), "%s", st->cfg.digest);
	s->ports_listed = st->cfg.n_listed;
	s->ports_denied = st->cfg.n_denied;
	s->exemptions = gp_exempt_count(&st->cfg.exempt);
}

/* Called by the control socket before it answers a status request. */
static void refresh_status(void *ctx, struct gp_status *s)
{
	struct run_state *st = ctx;
	struct gp_source_counters c = { 0 };
	struct gp_fold_stats fs;
	int i;

	if (!gp_source_counters(st->src, &c)) {
		s->events = c.events;
		s->drops = c.drops;
		s->misses = c.misses;
	}
	gp_fold_get_stats(st->fold, &fs);
	s->folded = fs.folded;
	s->n_top = gp_port_counts_top(st->ports, s->top, GP_STATUS_TOP_PORTS);
	s->n_outputs = 0;
	for (i = 0; i < st->n_out && i < GP_STATUS_MAX_OUTPUTS; i++) {
		struct gp_status_output *o = &s->outputs[s->n_outputs++];

		snprintf(o->spec, sizeof(o->spec), "%s",
			 gp_output_spec(st->out[i]));
		gp_output_get_stats(st->out[i], &o->st);
	}
	s->now_ns = mono_ns();
}

static int open_outputs(struct run_state *st)
{
	char err[512], fmtspec[64];
	const char *specs[MAX_OUTPUTS];
	int n = 0, i;
	size_t j;

	/* Command-line outputs replace the file's; none at all means the
	 * console, in --format (text on a terminal, json otherwise). */
	for (i = 0; i < st->args.n_outputs; i++)
		specs[n++] = st->args.outputs[i];
	if (!n)
		for (j = 0; j < st->cfg.n_outputs; j++)
			specs[n++] = st->cfg.outputs[j];
	if (st->args.format || !n) {
		snprintf(fmtspec, sizeof(fmtspec), "%s@-",
			 st->args.format ? st->args.format :
			 isatty(STDOUT_FILENO) ? "text" : "json");
		specs[n++] = fmtspec;
	}
	st->env.spool_dir = st->args.spool_dir ? st->args.spool_dir :
			    st->cfg.spool_dir;
	st->env.spool_max_bytes = st->args.spool_max ? st->args.spool_max :
				  st->cfg.spool_max;
	st->env.tls_ca = st->args.tls_ca ? st->args.tls_ca : st->cfg.tls_ca;
	st->env.tls_cert = st->args.tls_cert ? st->args.tls_cert :
			   st->cfg.tls_cert;
	st->env.tls_key = st->args.tls_key ? st->args.tls_key :
			  st->cfg.tls_key;
	st->env.hostname = st->hostname;
	st->env.machine_id = st->machine_id;
	for (i = 0; i < n; i++) {
		st->out[st->n_out] = gp_output_open(specs[i], &st->env, err,
						    sizeof(err));
		if (!st->out[st->n_out]) {
			fprintf(stderr, "ghostport: %s\n", err);
			return -1;
		}
		st->n_out++;
	}
	return 0;
}

static void switch_enforcement(struct run_state *st)
{
	bool on = enforce_request == 1;
	struct gp_source *src = st->src;
	char err[256];

	enforce_request = 0;
	if (!gp_source_can_enforce(src)) {
		fprintf(stderr, "ghostport: source %s cannot enforce\n",
			src->ops->name);
		return;
	}
	if (gp_source_set_enforce(src, on, st->cfg.deny_with, err, sizeof(err))) {
		fprintf(stderr, "ghostport: enforcement not switched on: %s\n",
			err);
		return;
	}
	st->cfg.enforce = on;
	st->runtime_enforce = on ? 1 : 2;
	st->status.enforce = on ? src->deny_name : NULL;
	fprintf(stderr, "ghostport: enforcement %s%s%s\n", on ? "on" : "off",
		on ? " via " : "", on ? src->deny_name : "");
}

static bool str_differs(const char *a, const char *b)
{
	return (a || b) && (!a || !b || strcmp(a, b));
}

/* What a reload cannot change in a running process: said, not ignored. */
static void restart_needed(struct run_state *st, const struct gp_config *next)
{
	bool outs = next->n_outputs != st->cfg.n_outputs;

	for (size_t i = 0; !outs && i < next->n_outputs; i++)
		outs = strcmp(next->outputs[i], st->cfg.outputs[i]) != 0;
	if (outs && !st->args.n_outputs)
		fprintf(stderr, "ghostport: reload: outputs changed; they take effect at the next restart\n");
	if (str_differs(next->tls_ca, st->cfg.tls_ca) ||
	    str_differs(next->tls_cert, st->cfg.tls_cert) ||
	    str_differs(next->tls_key, st->cfg.tls_key))
		fprintf(stderr, "ghostport: reload: TLS settings changed; they take effect at the next restart\n");
	if (str_differs(next->spool_dir, st->cfg.spool_dir) ||
	    next->spool_max != st->cfg.spool_max)
		fprintf(stderr, "ghostport: reload: spool settings changed; they take effect at the next restart\n");
	if (str_differs(next->source, st->cfg.source) ||
	    next->ring_bytes != st->cfg.ring_bytes)
		fprintf(stderr, "ghostport: reload: source or ring size changed; they take effect at the next restart\n");
}

/*
 * Reload the settings file.  A bad file changes nothing: the error is
 * logged and the running policy stays.  Source, ring and outputs are fixed
 * for the life of the process; the policy (ports, actions, errnos,
 * exemptions, enforcement, --all) and the fold window change.
 */
static int reload(struct run_state *st, char *err, size_t errlen)
{
	static struct gp_config next;
	struct gp_source *src = st->src;
	__u32 flags;
	int i;

	for (i = 0; i < st->n_out; i++)
		gp_output_reopen(st->out[i]);
	if (gp_run_effective(&st->args, &next, err, errlen))
		goto refused;
	/* `ghostport enforce on` (or SIGUSR1) at run time outlives a reload
	 * (logrotate sends SIGHUP): only an explicit off turns it off. */
	if (st->runtime_enforce == 1)
		next.enforce = true;
	else if (st->runtime_enforce == 2)
		next.enforce = false;
	flags = gp_config_conf_flags(&next);
	/* New rules and exemptions first, then enforcement: a bind the new
	 * policy exempts is never denied in between. */
	if (gp_source_set_policy(src, next.rules, &next.exempt, flags)) {
		snprintf(err, errlen, "applying the policy failed; the kernel may hold a mix of old and new rules");
		goto refused;
	}
	if (next.enforce && !st->cfg.enforce && gp_source_can_enforce(src) &&
	    gp_source_set_enforce(src, true, next.deny_with, err, errlen))
		goto refused;
	if (!next.enforce && st->cfg.enforce && gp_source_can_enforce(src) &&
	    gp_source_set_enforce(src, false, next.deny_with, err, errlen))
		goto refused;
	restart_needed(st, &next);
	gp_fold_set_window(st->fold, next.fold_window_ns, deliver, st);
	/* Sockets may already hold a newly listed port. */
	st->scan_after_reload =
		gp_squatters_ports_added(st->cfg.rules, next.rules) ||
		(next.close_existing && !st->cfg.close_existing) ||
		(next.enforce && !st->cfg.enforce);
	if (st->cfg.scan_interval_ns != next.scan_interval_ns)
		st->next_scan_ns = mono_ns() + next.scan_interval_ns;
	gp_config_free(&st->cfg);
	st->cfg = next;
	memset(&next, 0, sizeof(next));
	fill_status_static(st);
	st->status.reloads++;
	st->status.last_reload_error[0] = '\0';
	return 0;
refused:	/* counted, its reason kept for `ghostport status` */
	st->status.reload_failures++;
	snprintf(st->status.last_reload_error,
		 sizeof(st->status.last_reload_error), "%.*s",
		 (int)sizeof(st->status.last_reload_error) - 1, err);
	gp_config_free(&next);
	return -1;
}

static void do_reload(struct run_state *st, bool from_ctl)
{
	char err[4096];
	int ret;

	gp_notify("RELOADING=1");
	ret = reload(st, err, sizeof(err));
	gp_notify("READY=1");
	if (!ret)
		fprintf(stderr, "ghostport: reloaded %s (policy %s)\n",
			st->args.config_path ? st->args.config_path :
					       "command line",
			st->cfg.digest);
	else
		fprintf(stderr,
			"ghostport: reload refused, running policy kept: %s\n",
			err);
	if (from_ctl)
		gp_ctl_reload_done(st->ctl, ret ? err : NULL, st->cfg.digest);
	if (!ret && st->scan_after_reload)
		scan_request(st);
	st->scan_after_reload = false;
}

static void serve_ctl(struct run_state *st)
{
	struct pollfd p = { .fd = gp_ctl_fd(st->ctl), .events = POLLIN };
	int r;

	if (poll(&p, 1, 0) <= 0)
		return;
	r = gp_ctl_handle(st->ctl, &st->status, refresh_status, st);
	if (r & GP_CTL_SCAN)
		st->ctl_scan_wanted = true;
	if (r & GP_CTL_RELOAD)
		do_reload(st, true);
}

static void tick(struct run_state *st)
{
	int i;

	gp_fold_tick(st->fold, mono_ns(), deliver, st);
	for (i = 0; i < st->n_out; i++)
		gp_output_tick(st->out[i]);
}

static int stream(struct run_state *st)
{
	int n;

	while (!stop_requested) {
		if (enforce_request)
			switch_enforcement(st);
		if (hup_requested) {
			hup_requested = 0;
			do_reload(st, false);
		}
		gp_clock_sync(&st->clk);
		n = gp_source_poll(st->src, POLL_MS, on_record, st);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "ghostport: reading events failed: %s\n",
				strerror(-n));
			return -1;
		}
		tick(st);
		if (st->ctl)
			serve_ctl(st);
		serve_scans(st);
	}
	return 0;
}

static void summary(struct run_state *st)
{
	struct gp_output_stats os;
	struct gp_source_counters c = { 0 };
	int i;

	if (gp_source_counters(st->src, &c))
		fprintf(stderr, "ghostport: could not read kernel counters\n");
	fprintf(stderr,
		"ghostport: summary source=%s events=%llu drops=%llu misses=%llu records=%llu denials=%llu bypassed=%llu folded=%llu bad_records=%llu\n",
		st->src->ops->name, (unsigned long long)c.events,
		(unsigned long long)c.drops, (unsigned long long)c.misses,
		(unsigned long long)st->status.records,
		(unsigned long long)st->status.denials,
		(unsigned long long)st->status.bypassed,
		(unsigned long long)st->status.folded,
		(unsigned long long)st->status.bad_records);
	for (i = 0; i < st->n_out; i++) {
		os = st->final[i].st;
		fprintf(stderr,
			"ghostport: output %s handed=%llu delivered=%llu spooled=%llu dropped=%llu errors=%llu resent=%llu\n",
			st->final[i].spec,
			(unsigned long long)os.handed,
			(unsigned long long)os.delivered,
			(unsigned long long)os.spooled,
			(unsigned long long)os.dropped,
			(unsigned long long)os.errors,
			(unsigned long long)os.resent);
	}
}

static struct gp_source_opts source_opts(struct run_state *st)
{
	struct gp_source_opts o = {
		.rules = st->cfg.rules,
		.conf_flags = gp_config_conf_flags(&st->cfg),
		.deny_with = st->cfg.enforce ? st->cfg.deny_with : GP_DENY_NONE,
		.exempt = &st->cfg.exempt,
		.no_pin = st->args.no_pin,
		.ring_bytes = st->cfg.ring_bytes,
		.cgroup_path = st->args.cgroup_path,
		.btf_path = st->args.btf_path,
		.verbose = st->args.verbose,
	};

	return o;
}

static int start(struct run_state *st)
{
	struct gp_source_opts o = source_opts(st);
	char why[256];

	st->src = gp_source_select(st->cfg.source, &o);
	if (!st->src)
		return -1;
	if (st->cfg.enforce && !st->src->deny_name) {
		fprintf(stderr,
			"ghostport: --enforce: source %s cannot enforce; not starting\n",
			st->src->ops->name);
		return -1;
	}
	st->fold = gp_fold_new(st->cfg.fold_window_ns, GP_FOLD_DEFAULT_SLOTS);
	if (!st->fold) {
		fprintf(stderr, "ghostport: out of memory\n");
		return -1;
	}
	st->ctl = gp_ctl_open(GP_CTL_SOCK, why, sizeof(why));
	if (!st->ctl)
		fprintf(stderr,
			"ghostport: warning: no control socket (%s); 'ghostport status' will not work\n",
			why);
	st->status.pid = getpid();
	st->status.started_ns = mono_ns();
	fill_status_static(st);
	return 0;
}

static void stop(struct run_state *st)
{
	int i;

	gp_notify("STOPPING=1");
	/* Stop new events, then drain what the kernel already queued. */
	gp_source_detach(st->src);
	gp_clock_sync(&st->clk);
	while (gp_source_poll(st->src, 0, on_record, st) > 0)
		;
	gp_fold_flush(st->fold, deliver, st);
	/* Close first, then report: what is lost at close is counted. */
	for (i = 0; i < st->n_out; i++)
		gp_output_close_keep(st->out[i], 2000, &st->final[i]);
	summary(st);
	st->n_out = 0;
	if (st->src->persists)
		fprintf(stderr,
			"ghostport: enforcement stays in force (pinned at %s); 'ghostport unload' removes it\n",
			GP_PIN_DIR);
}

static void cleanup(struct run_state *st)
{
	int i;

	for (i = 0; i < st->n_out; i++)
		gp_output_close(st->out[i], 0);
	if (st->ctl)
		gp_ctl_close(st->ctl);
	if (st->src)
		gp_source_close(st->src);
	gp_squatters_stop(st->sq);
	gp_fold_free(st->fold);
	gp_port_counts_free(st->ports);
	gp_config_free(&st->cfg);
}

int gp_cmd_run(int argc, char **argv)
{
	static struct run_state st;
	char why[512];
	int ret, lock_fd;

	memset(&st, 0, sizeof(st));
	ret = gp_run_parse_args(argc, argv, &st.args);
	if (ret)
		return ret == 1 ? 0 : ret;
	if (gp_run_effective(&st.args, &st.cfg, why, sizeof(why))) {
		fprintf(stderr, "ghostport: %s\n", why);
		return 2;
	}
	if (strcmp(st.cfg.source, "kmod") &&
	    gp_caps_check_load(why, sizeof(why))) {
		fprintf(stderr, "ghostport: %s\n", why);
		return 1;
	}
	st.hostname = gp_host_name();
	st.machine_id = gp_host_machine_id();
	/* The lock first: a second instance must not touch the first's
	 * spool.  Then protect the host (load, attach, enforce), and only then
	 * open outputs, which never stop a start for a collector that is down
	 * or does not resolve (they start down and spool). */
	lock_fd = gp_run_lock(why, sizeof(why));
	if (lock_fd < 0) {
		fprintf(stderr, "ghostport: %s\n", why);
		return 1;
	}
	st.ports = gp_port_counts_new();
	if (!st.ports) {
		cleanup(&st);
		close(lock_fd);
		return 1;
	}
	install_signals();
	if (start(&st)) {
		cleanup(&st);
		close(lock_fd);
		return 1;
	}
	if (open_outputs(&st)) {
		cleanup(&st);
		close(lock_fd);
		return 2;
	}
	if (st.status.enforce)
		fprintf(stderr, "ghostport: enforcing with %s\n",
			st.status.enforce);
	/* After the hooks are attached, so no socket falls between the
	 * scan and them; before ready, so "ready" means "all reported". */
	scan_at_start(&st);
	fprintf(stderr,
		"ghostport: ready source=%s ports=%zu denied=%zu outputs=%d%s%s%s policy=%.12s\n",
		st.src->ops->name, st.cfg.n_listed, st.cfg.n_denied, st.n_out,
		st.cfg.all ? " all" : "",
		st.status.enforce ? " enforce=" : "",
		st.status.enforce ? st.status.enforce : "", st.cfg.digest);
	gp_notify("READY=1");
	gp_caps_drop_after_load();

	ret = stream(&st);
	stop(&st);
	cleanup(&st);
	close(lock_fd);
	return ret ? 1 : 0;
}
