// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - `ghostport run`: build the policy, open a source, stream decoded
 * events to stdout until SIGINT/SIGTERM, then detach, drain and report.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "decode.h"
#include "format.h"
#include "iana.h"
#include "names.h"
#include "pin.h"
#include "policy.h"
#include "portlist.h"
#include "run.h"
#include "source.h"

#define POLL_MS		50	/* bound on delivery delay with batched wake-ups */

struct run_state {
	struct gp_clock clk;
	enum gp_format fmt;
	struct gp_record rec;
	char line[GP_FORMAT_BUF_SIZE];
	__u64 delivered;
	__u64 undelivered;
	__u64 bad_records;
	int out_failed;
};

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t enforce_request;	/* 1 on, 2 off */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		enforce_request = 1;
	else if (sig == SIGUSR2)
		enforce_request = 2;
	else
		stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ghostport run [OPTIONS]\n"
"Watch binds to ghost ports and stream one event per bind to stdout.\n"
"\n"
"  --source MODE     auto (default), fentry, kprobe, cgroup or kmod\n"
"  --ports LIST      watch LIST instead of the built-in ghost list,\n"
"                    e.g. 686,886/tcp,1000-1010/udp\n"
"  --add-ports LIST  watch LIST in addition to the built-in list\n"
"  --all             report every bind (inventory), not only listed ports\n"
"  --format FMT      text (default on a terminal) or json\n"
"  --ring-size BYTES BPF ring buffer size (default 4 MiB)\n"
"  --cgroup PATH     cgroup v2 root for the cgroup mode\n"
"  --btf FILE        kernel BTF to use instead of /sys/kernel/btf/vmlinux\n"
"\n"
"Enforcement:\n"
"  --enforce         deny binds to listed ports (all of them unless --deny)\n"
"  --deny LIST       deny only these; items may end in :ERRNO, e.g.\n"
"                    686,886/tcp:EADDRINUSE (see README: RPC services)\n"
"  --errno E         errno for denials without one (default EPERM)\n"
"  --deny-with M     lsm or cgroup (default: lsm if active, else cgroup)\n"
"  --exempt-uid U    --exempt-gid G   --exempt-cgroup PATH   --exempt-exe FILE\n"
"                    allowed despite a deny rule, reported as \"exempt\"\n"
"  --no-pin          don't pin to %s (policy ends with the process)\n"
"  SIGUSR1 / SIGUSR2 switch enforcement on / off while running\n"
"\n"
"  -v, --verbose     show libbpf's messages\n"
"  -h, --help        this help\n"
"\n"
"Prints \"ghostport: ready ...\" on stderr once every program is attached,\n"
"and a summary of events, drops and undelivered events on exit.\n",
	GP_PIN_DIR);
}

static int on_record(void *ctx, const void *data, size_t len)
{
	struct run_state *st = ctx;
	char err[160];
	int n;

	if (gp_decode(data, len, &st->clk, &st->rec, err, sizeof(err))) {
		/* Never guessed at, never silent: counted and said once. */
		if (!st->bad_records++)
			fprintf(stderr, "ghostport: dropping bad record: %s\n",
				err);
		return 0;
	}
	gp_decode_exe(&st->rec);
	n = gp_format_record(st->fmt, &st->rec, st->line, sizeof(st->line));
	if (n < 0) {
		/* Cannot happen with GP_FORMAT_BUF_SIZE; counted if it does. */
		st->undelivered++;
		return 0;
	}
	if (st->out_failed ||
	    fwrite(st->line, 1, (size_t)n, stdout) != (size_t)n) {
		st->undelivered++;
		st->out_failed = 1;
		return 0;
	}
	st->delivered++;
	return 0;
}

static int flush_output(struct run_state *st)
{
	if (!st->out_failed && fflush(stdout)) {
		st->out_failed = 1;
		fprintf(stderr, "ghostport: writing events failed: %s\n",
			strerror(errno));
	}
	return st->out_failed ? -1 : 0;
}

struct run_opts {
	const char *source;
	const char *ports;
	const char *add_ports;
	const char *format;
	const char *deny;
	int errno_val;
	struct gp_exemptions exempt;
	struct gp_source_opts so;
};

static int parse_ring_size(const char *s, __u32 *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || v < 4096 || v > (1ULL << 30))
		return -1;
	*out = (__u32)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct run_opts *ro)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "ports", required_argument, NULL, 'p' },
		{ "add-ports", required_argument, NULL, 'a' },
		{ "all", no_argument, NULL, 'A' },
		{ "format", required_argument, NULL, 'f' },
		{ "ring-size", required_argument, NULL, 'r' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "btf", required_argument, NULL, 'b' },
		{ "enforce", no_argument, NULL, 'E' },
		{ "deny", required_argument, NULL, 'D' },
		{ "errno", required_argument, NULL, 'e' },
		{ "deny-with", required_argument, NULL, 'W' },
		{ "exempt-uid", required_argument, NULL, 'U' },
		{ "exempt-gid", required_argument, NULL, 'G' },
		{ "exempt-cgroup", required_argument, NULL, 'C' },
		{ "exempt-exe", required_argument, NULL, 'X' },
		{ "no-pin", no_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int c, r = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":vh", opts, NULL)) != -1) {
		switch (c) {
		case 'E': ro->so.conf_flags |= GP_CONF_ENFORCE; break;
		case 'D': ro->deny = optarg; break;
		case 'N': ro->so.no_pin = true; break;
		case 'e':
			ro->errno_val = gp_errno_parse(optarg);
			if (ro->errno_val <= 0 || ro->errno_val > 255) {
				fprintf(stderr,
					"ghostport: bad --errno \"%s\" (e.g. EPERM, EACCES, EADDRINUSE)\n",
					optarg);
				return 2;
			}
			break;
		case 'W':
			if (!strcmp(optarg, "lsm"))
				ro->so.deny_with = GP_DENY_LSM;
			else if (!strcmp(optarg, "cgroup"))
				ro->so.deny_with = GP_DENY_CGROUP;
			else {
				fprintf(stderr,
					"ghostport: bad --deny-with \"%s\" (lsm or cgroup)\n",
					optarg);
				return 2;
			}
			break;
		case 'U': r = gp_exempt_add_uid(&ro->exempt, optarg, err, sizeof(err)); break;
		case 'G': r = gp_exempt_add_gid(&ro->exempt, optarg, err, sizeof(err)); break;
		case 'C': r = gp_exempt_add_cgroup(&ro->exempt, optarg, err, sizeof(err)); break;
		case 'X': r = gp_exempt_add_exe(&ro->exempt, optarg, err, sizeof(err)); break;
		case 's': ro->source = optarg; break;
		case 'p': ro->ports = optarg; break;
		case 'a': ro->add_ports = optarg; break;
		case 'A': ro->so.conf_flags |= GP_CONF_ALL; break;
		case 'f': ro->format = optarg; break;
		case 'c': ro->so.cgroup_path = optarg; break;
		case 'b': ro->so.btf_path = optarg; break;
		case 'v': ro->so.verbose = true; break;
		case 'r':
			if (parse_ring_size(optarg, &ro->so.ring_bytes)) {
				fprintf(stderr,
					"ghostport: bad --ring-size \"%s\" (bytes, 4096..1G, K/M suffix allowed)\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "ghostport: option %s needs a value\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr,
				"ghostport: unknown option \"%s\" (see ghostport run --help)\n",
				argv[optind - 1]);
			return 2;
		}
		if (r) {
			fprintf(stderr, "ghostport: %s\n", err);
			return 2;
		}
	}
	if (strcmp(ro->source, "auto") && strcmp(ro->source, "fentry") &&
	    strcmp(ro->source, "kprobe") && strcmp(ro->source, "cgroup") &&
	    strcmp(ro->source, "kmod")) {
		fprintf(stderr,
			"ghostport: unknown source \"%s\" (auto, fentry, kprobe, cgroup, kmod)\n",
			ro->source);
		return 2;
	}
	if ((ro->deny || ro->so.deny_with) &&
	    !(ro->so.conf_flags & GP_CONF_ENFORCE)) {
		fprintf(stderr,
			"ghostport: --deny and --deny-with need --enforce\n");
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "ghostport: unexpected argument \"%s\"\n",
			argv[optind]);
		return 2;
	}
	return 0;
}

static int build_rules(const struct run_opts *ro, __u32 *rules)
{
	char err[256];

	memset(rules, 0, GP_NR_PORTS * sizeof(*rules));
	if (!ro->ports)
		gp_ghost_default_rules(rules);
	if (ro->ports && gp_portlist_parse(ro->ports, rules, err, sizeof(err))) {
		fprintf(stderr, "ghostport: --ports: %s\n", err);
		return -1;
	}
	if (ro->add_ports &&
	    gp_portlist_parse(ro->add_ports, rules, err, sizeof(err))) {
		fprintf(stderr, "ghostport: --add-ports: %s\n", err);
		return -1;
	}
	/* Deny rules are written even in monitor mode: switching to
	 * enforcement later is then only a flag. */
	if (ro->deny && gp_deny_parse(ro->deny, rules, ro->errno_val, err,
				      sizeof(err))) {
		fprintf(stderr, "ghostport: --deny: %s\n", err);
		return -1;
	}
	if (!ro->deny)
		gp_deny_all_listed(rules, ro->errno_val);
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	/* A closed stdout is reported as undelivered events, not a kill. */
	signal(SIGPIPE, SIG_IGN);
}

static void switch_enforcement(struct gp_source *src)
{
	bool on = enforce_request == 1;
	char err[256];

	enforce_request = 0;
	if (!src->set_enforce) {
		fprintf(stderr, "ghostport: source %s cannot enforce\n",
			src->name);
		return;
	}
	if (src->set_enforce(src, on, GP_DENY_AUTO, err, sizeof(err))) {
		fprintf(stderr, "ghostport: enforcement not switched on: %s\n",
			err);
		return;
	}
	fprintf(stderr, "ghostport: enforcement %s%s%s\n", on ? "on" : "off",
		on ? " via " : "", on ? src->deny_name : "");
}

static int stream(struct gp_source *src, struct run_state *st)
{
	int n;

	while (!stop_requested) {
		if (enforce_request)
			switch_enforcement(src);
		gp_clock_sync(&st->clk);
		n = src->poll(src, POLL_MS, on_record, st);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "ghostport: reading events failed: %s\n",
				strerror(-n));
			return -1;
		}
		flush_output(st);
	}
	return 0;
}

static void summary(struct gp_source *src, struct run_state *st)
{
	struct gp_source_counters c = { 0 };

	if (src->counters(src, &c))
		fprintf(stderr, "ghostport: could not read kernel counters\n");
	fprintf(stderr,
		"ghostport: summary source=%s events=%llu drops=%llu misses=%llu delivered=%llu undelivered=%llu bad_records=%llu\n",
		src->name, (unsigned long long)c.events,
		(unsigned long long)c.drops, (unsigned long long)c.misses,
		(unsigned long long)st->delivered,
		(unsigned long long)st->undelivered,
		(unsigned long long)st->bad_records);
}

int gp_cmd_run(int argc, char **argv)
{
	static struct run_opts ro;
	static __u32 rules[GP_NR_PORTS];
	static struct run_state st;
	struct gp_source *src;
	char why[256];
	int ret, fmt, lock_fd;

	memset(&ro, 0, sizeof(ro));
	ro.source = "auto";
	ro.errno_val = 1;	/* EPERM */
	ret = parse_args(argc, argv, &ro);
	if (ret)
		return ret == 1 ? 0 : ret;
	if (!ro.format)
		ro.format = isatty(STDOUT_FILENO) ? "text" : "json";
	fmt = gp_format_parse(ro.format);
	if (fmt < 0) {
		fprintf(stderr,
			"ghostport: unknown format \"%s\" (text, json)\n",
			ro.format);
		return 2;
	}
	st.fmt = fmt;
	if (build_rules(&ro, rules))
		return 2;
	ro.so.rules = rules;
	ro.so.exempt = &ro.exempt;
	if (strcmp(ro.source, "kmod") && gp_caps_check_load(why, sizeof(why))) {
		fprintf(stderr, "ghostport: %s\n", why);
		return 1;
	}
	lock_fd = gp_run_lock(why, sizeof(why));
	if (lock_fd < 0) {
		fprintf(stderr, "ghostport: %s\n", why);
		return 1;
	}

	install_signals();
	src = gp_open_source(ro.source, &ro.so);
	if (!src) {
		close(lock_fd);
		return 1;
	}
	if ((ro.so.conf_flags & GP_CONF_ENFORCE) && !src->deny_name) {
		fprintf(stderr,
			"ghostport: --enforce: source %s cannot enforce; not starting\n",
			src->name);
		src->close(src);
		close(lock_fd);
		return 1;
	}
	if (ro.so.conf_flags & GP_CONF_ENFORCE)
		fprintf(stderr, "ghostport: enforcing with %s\n",
			src->deny_name);
	fprintf(stderr, "ghostport: ready source=%s ports=%zu format=%s%s%s%s\n",
		src->name, gp_rules_count(rules), ro.format,
		(ro.so.conf_flags & GP_CONF_ALL) ? " all" : "",
		(ro.so.conf_flags & GP_CONF_ENFORCE) ? " enforce=" : "",
		(ro.so.conf_flags & GP_CONF_ENFORCE) ? src->deny_name : "");
	if (st.fmt == GP_FMT_TEXT && isatty(STDOUT_FILENO)) {
		int n = gp_format_text_header(st.line, sizeof(st.line));

		if (n > 0)
			fwrite(st.line, 1, (size_t)n, stdout);
	}

	ret = stream(src, &st);
	/* Stop new events, then drain what the kernel already queued. */
	if (src->detach)
		src->detach(src);
	gp_clock_sync(&st.clk);
	while (src->poll(src, 0, on_record, &st) > 0)
		;
	flush_output(&st);
	summary(src, &st);
	if (src->persists)
		fprintf(stderr,
			"ghostport: enforcement stays in force (pinned at %s); 'ghostport unload' removes it\n",
			GP_PIN_DIR);
	src->close(src);
	close(lock_fd);
	return ret ? 1 : 0;
}
