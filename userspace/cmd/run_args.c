// SPDX-License-Identifier: GPL-2.0
/*
 * run_args.c - `ghostport run`'s command line, and the effective settings:
 * the config file first, the command line on top.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event/iana.h"
#include "event/names.h"
#include "source/pin.h"
#include "policy/policy.h"
#include "policy/portlist.h"
#include "format/format.h"
#include "policy/digest.h"
#include "cmd/run_args.h"

void gp_run_usage(FILE *f)
{
	fprintf(f,
"Usage: ghostport run [OPTIONS]\n"
"Watch binds to ghost ports and stream one event per bind.\n"
"\n"
"  --config FILE     settings file (default %s if it exists)\n"
"  --no-config       ignore the default settings file\n"
"  --source MODE     auto (default), fentry, kprobe, cgroup or kmod\n"
"  --ports LIST      watch LIST instead of the built-in ghost list,\n"
"                    e.g. 686,886/tcp,1000-1010/udp\n"
"  --add-ports LIST  watch LIST in addition\n"
"  --all             report every bind (inventory), not only listed ports\n"
"  --ring-size BYTES BPF ring buffer size (default 4M)\n"
"  --cgroup PATH     cgroup v2 root for the cgroup mode\n"
"  --btf FILE        kernel BTF to use instead of /sys/kernel/btf/vmlinux\n"
"\n"
"Output:\n"
"  --format FMT      shorthand for --output FMT@- (text on a terminal, else json)\n"
"  --output FMT@DEST repeatable; FMT: text json ecs ocsf cef syslog;\n"
"                    DEST: - file:PATH unix:PATH journal udp://H:P tcp://H:P tls://H:P\n"
"  --tls-ca FILE --tls-cert FILE --tls-key FILE   for tls:// outputs\n"
"  --spool-dir DIR --spool-max BYTES  where network outputs queue while\n"
"                    their collector is unreachable (default %s, 64M)\n"
"  --fold-window MS  fold identical events (same pid, port, verdict) within\n"
"                    MS into one with a count (0 = off, the default)\n"
"\n"
"Enforcement:\n"
"  --enforce         deny binds to listed ports (the rules' deny ports, or\n"
"                    every listed port when no rule says deny)\n"
"  --deny LIST       deny these; items may end in :ERRNO, e.g.\n"
"                    686,886/tcp:EADDRINUSE (see README: RPC services)\n"
"  --errno E         errno for denials without one (default EPERM); the\n"
"                    cgroup method answers EPERM whatever is asked on\n"
"                    kernels before 5.18 (no bpf_set_retval; it says so)\n"
"  --deny-with M     lsm or cgroup (default: lsm if active, else cgroup)\n"
"  --exempt-uid U    --exempt-gid G   --exempt-cgroup PATH   --exempt-exe FILE\n"
"                    allowed despite a deny rule, reported as \"exempt\"\n"
"  --no-pin          don't pin to %s (policy ends with the process)\n"
"  --close-existing  with --enforce: close (SOCK_DESTROY) sockets found\n"
"                    already on denied ports, except exempt owners' and\n"
"                    sockets no process holds (settings: close_existing)\n"
"\n"
"  -v, --verbose     show libbpf's messages\n"
"  -h, --help        this help\n"
"\n"
"Signals: SIGHUP reloads the settings file and reopens file outputs;\n"
"SIGUSR1/SIGUSR2 switch enforcement on/off; SIGINT/SIGTERM stop.\n"
"Prints \"ghostport: ready ...\" on stderr once every program is attached,\n"
"and a summary of events, drops and deliveries on exit.\n",
		GP_CONFIG_PATH, "/var/spool/ghostport", GP_PIN_DIR);
}

static int parse_size(const char *s, __u64 lo, __u64 hi, __u64 *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	else if (*end == 'g' || *end == 'G')
		v <<= 30, end++;
	if (*end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int bad(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "ghostport: bad %s \"%s\" (%s)\n", opt, val, want);
	return 2;
}

enum {
	O_SOURCE = 256, O_PORTS, O_ADD_PORTS, O_ALL, O_FORMAT, O_RING,
	O_CGROUP, O_BTF, O_ENFORCE, O_DENY, O_ERRNO, O_DENY_WITH, O_EX_UID,
	O_EX_GID, O_EX_CGROUP, O_EX_EXE, O_NO_PIN, O_OUTPUT, O_TLS_CA,
	O_TLS_CERT, O_TLS_KEY, O_SPOOL_DIR, O_SPOOL_MAX, O_FOLD, O_CONFIG,
	O_NO_CONFIG, O_CLOSE_EXISTING,
};

static const struct option opts[] = {
	{ "config", required_argument, NULL, O_CONFIG },
	{ "no-config", no_argument, NULL, O_NO_CONFIG },
	{ "source", required_argument, NULL, O_SOURCE },
	{ "ports", required_argument, NULL, O_PORTS },
	{ "add-ports", required_argument, NULL, O_ADD_PORTS },
	{ "all", no_argument, NULL, O_ALL },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "output", required_argument, NULL, O_OUTPUT },
	{ "ring-size", required_argument, NULL, O_RING },
	{ "cgroup", required_argument, NULL, O_CGROUP },
	{ "btf", required_argument, NULL, O_BTF },
	{ "enforce", no_argument, NULL, O_ENFORCE },
	{ "deny", required_argument, NULL, O_DENY },
	{ "errno", required_argument, NULL, O_ERRNO },
	{ "deny-with", required_argument, NULL, O_DENY_WITH },
	{ "exempt-uid", required_argument, NULL, O_EX_UID },
	{ "exempt-gid", required_argument, NULL, O_EX_GID },
	{ "exempt-cgroup", required_argument, NULL, O_EX_CGROUP },
	{ "exempt-exe", required_argument, NULL, O_EX_EXE },
	{ "no-pin", no_argument, NULL, O_NO_PIN },
	{ "close-existing", no_argument, NULL, O_CLOSE_EXISTING },
	{ "tls-ca", required_argument, NULL, O_TLS_CA },
	{ "tls-cert", required_argument, NULL, O_TLS_CERT },
	{ "tls-key", required_argument, NULL, O_TLS_KEY },
	{ "spool-dir", required_argument, NULL, O_SPOOL_DIR },
	{ "spool-max", required_argument, NULL, O_SPOOL_MAX },
	{ "fold-window", required_argument, NULL, O_FOLD },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int one_opt(int c, struct run_args *a)
{
	char err[256];
	__u64 v;
	int r = 0;

	switch (c) {
	case O_CONFIG: a->config_path = optarg; break;
	case O_NO_CONFIG: a->no_config = true; break;
	case O_SOURCE: a->source = optarg; break;
	case O_PORTS: a->ports = optarg; break;
	case O_ADD_PORTS: a->add_ports = optarg; break;
	case O_ALL: a->all = 1; break;
	case O_FORMAT: a->format = optarg; break;
	case O_CGROUP: a->cgroup_path = optarg; break;
	case O_BTF: a->btf_path = optarg; break;
	case O_ENFORCE: a->enforce = 1; break;
	case O_DENY: a->deny = optarg; break;
	case O_NO_PIN: a->no_pin = true; break;
	case O_CLOSE_EXISTING: a->close_existing = 1; break;
	case O_TLS_CA: a->tls_ca = optarg; break;
	case O_TLS_CERT: a->tls_cert = optarg; break;
	case O_TLS_KEY: a->tls_key = optarg; break;
	case O_SPOOL_DIR: a->spool_dir = optarg; break;
	case 'v': a->verbose = true; break;
	case O_OUTPUT:
		if (a->n_outputs >= GP_MAX_CLI_OUTPUTS)
			return bad("--output", optarg, "at most 16 outputs");
		a->outputs[a->n_outputs++] = optarg;
		break;
	case O_RING:
		if (parse_size(optarg, 4096, 1ULL << 30, &v))
			return bad("--ring-size", optarg, "bytes, 4096..1G, K/M/G suffix");
		a->ring_bytes = (__u32)v;
		break;
	case O_SPOOL_MAX:
		if (parse_size(optarg, 4096, 1ULL << 40, &v))
			return bad("--spool-max", optarg, "bytes, K/M/G suffix");
		a->spool_max = v;
		break;
	case O_FOLD:
		if (parse_size(optarg, 0, 3600 * 1000, &v))
			return bad("--fold-window", optarg, "milliseconds, 0..3600000");
		a->fold_ms = (long long)v;
		break;
	case O_ERRNO:
		a->errno_val = gp_errno_parse(optarg);
		if (a->errno_val <= 0 || a->errno_val > 255)
			return bad("--errno", optarg, "e.g. EPERM, EACCES, EADDRINUSE");
		break;
	case O_DENY_WITH:
		if (!strcmp(optarg, "lsm"))
			a->deny_with = GP_DENY_LSM;
		else if (!strcmp(optarg, "cgroup"))
			a->deny_with = GP_DENY_CGROUP;
		else
			return bad("--deny-with", optarg, "lsm or cgroup");
		break;
	case O_EX_UID: r = gp_exempt_add_uid(&a->exempt, optarg, err, sizeof(err)); break;
	case O_EX_GID: r = gp_exempt_add_gid(&a->exempt, optarg, err, sizeof(err)); break;
	case O_EX_CGROUP: r = gp_exempt_add_cgroup(&a->exempt, optarg, err, sizeof(err)); break;
	case O_EX_EXE: r = gp_exempt_add_exe(&a->exempt, optarg, err, sizeof(err)); break;
	default:
		return -1;
	}
	if (r) {
		fprintf(stderr, "ghostport: %s\n", err);
		return 2;
	}
	return 0;
}

static bool known_source(const char *s)
{
	static const char *const names[] = {
		"auto", "fentry", "kprobe", "cgroup", "kmod", NULL,
	};
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(s, names[i]))
			return true;
	return false;
}

int gp_run_parse_args(int argc, char **argv, struct run_args *a)
{
	int c, r;

	memset(a, 0, sizeof(*a));
	a->all = a->enforce = -1;
	a->fold_ms = -1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":vh", opts, NULL)) != -1) {
		if (c == 'h') {
			gp_run_usage(stdout);
			return 1;
		}
		if (c == ':') {
			fprintf(stderr, "ghostport: option %s needs a value\n",
				argv[optind - 1]);
			return 2;
		}
		r = one_opt(c, a);
		if (r < 0) {
			fprintf(stderr,
				"ghostport: unknown option \"%s\" (see ghostport run --help)\n",
				argv[optind - 1]);
			return 2;
		}
		if (r)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "ghostport: unexpected argument \"%s\"\n",
			argv[optind]);
		return 2;
	}
	if (a->source && !known_source(a->source)) {
		fprintf(stderr,
			"ghostport: unknown source \"%s\" (auto, fentry, kprobe, cgroup, kmod)\n",
			a->source);
		return 2;
	}
	if (a->format && gp_format_parse(a->format) < 0) {
		fprintf(stderr, "ghostport: unknown format \"%s\" (%s)\n",
			a->format, GP_FORMAT_LIST);
		return 2;
	}
	if ((a->deny || a->deny_with) && a->enforce != 1) {
		fprintf(stderr,
			"ghostport: --deny and --deny-with need --enforce\n");
		return 2;
	}
	if (!a->config_path && !a->no_config && !access(GP_CONFIG_PATH, F_OK))
		a->config_path = GP_CONFIG_PATH;
	return 0;
}

static bool any_deny(const __u32 *rules)
{
	size_t i;

	for (i = 0; i < GP_NR_PORTS; i++)
		if (GP_RULE_DENY(rules[i]))
			return true;
	return false;
}

static int add_exemptions(struct gp_exemptions *to,
			  const struct gp_exemptions *from, char *err,
			  size_t errlen)
{
	size_t i;

	for (i = 0; i < from->n_uids && to->n_uids < GP_MAX_EXEMPT; i++)
		to->uids[to->n_uids++] = from->uids[i];
	for (i = 0; i < from->n_gids && to->n_gids < GP_MAX_EXEMPT; i++)
		to->gids[to->n_gids++] = from->gids[i];
	for (i = 0; i < from->n_cgroups && to->n_cgroups < GP_MAX_EXEMPT; i++)
		to->cgroups[to->n_cgroups++] = from->cgroups[i];
	for (i = 0; i < from->n_exes && to->n_exes < GP_MAX_EXEMPT; i++)
		to->exes[to->n_exes++] = from->exes[i];
	if (gp_exempt_count(to) < gp_exempt_count(from)) {
		snprintf(err, errlen, "too many exemptions (at most %d of each kind)",
			 GP_MAX_EXEMPT);
		return -1;
	}
	return 0;
}

int gp_run_effective(const struct run_args *a, struct gp_config *cfg,
		     char *err, size_t errlen)
{
	char why[256];

	if (a->config_path) {
		if (gp_config_load(a->config_path, cfg, err, errlen))
			return -1;
	} else {
		gp_config_defaults(cfg);
		cfg->fold_window_ns = 0;	/* no file: folding is opt-in */
	}
	if (a->source)
		snprintf(cfg->source, sizeof(cfg->source), "%s", a->source);
	if (a->all >= 0)
		cfg->all = a->all;
	if (a->enforce >= 0)
		cfg->enforce = a->enforce;
	if (a->deny_with)
		cfg->deny_with = a->deny_with;
	if (a->errno_val)
		cfg->default_errno = a->errno_val;
	if (a->ring_bytes)
		cfg->ring_bytes = a->ring_bytes;
	if (a->close_existing > 0)
		cfg->close_existing = true;
	if (a->fold_ms >= 0)
		cfg->fold_window_ns = (__u64)a->fold_ms * 1000000ULL;
	if (a->ports) {
		memset(cfg->rules, 0, sizeof(cfg->rules));
		if (gp_portlist_parse(a->ports, cfg->rules, why, sizeof(why))) {
			snprintf(err, errlen, "--ports: %s", why);
			return -1;
		}
	}
	if (a->add_ports &&
	    gp_portlist_parse(a->add_ports, cfg->rules, why, sizeof(why))) {
		snprintf(err, errlen, "--add-ports: %s", why);
		return -1;
	}
	if (a->deny && gp_deny_parse(a->deny, cfg->rules, cfg->default_errno,
				     why, sizeof(why))) {
		snprintf(err, errlen, "--deny: %s", why);
		return -1;
	}
	/* Nothing says which ports to deny: on the command line that means
	 * all listed ones (a settings file says it with its actions).  The
	 * deny bits are in the map even in monitor mode, so switching to
	 * enforcement later is one flag. */
	if (!any_deny(cfg->rules) && (!a->config_path || a->enforce == 1))
		gp_deny_all_listed(cfg->rules, cfg->default_errno);
	if (add_exemptions(&cfg->exempt, &a->exempt, err, errlen))
		return -1;
	cfg->n_listed = gp_rules_count(cfg->rules);
	cfg->n_denied = 0;
	for (size_t i = 0; i < GP_NR_PORTS; i++)
		cfg->n_denied += GP_RULE_DENY(cfg->rules[i]) != 0;
	gp_policy_digest(cfg->rules, &cfg->exempt, gp_config_conf_flags(cfg),
			 cfg->deny_with, cfg->digest);
	return 0;
}
