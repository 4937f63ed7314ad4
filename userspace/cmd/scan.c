// SPDX-License-Identifier: GPL-2.0
/*
 * scan.c - `ghostport scan`: what holds a listed port right now.
 *
 * With a daemon running, the daemon scans (its thread, its policy, its
 * memory of what it already reported: known sockets are repeated only with
 * --all, and a reported socket that went away is said "gone"), and its
 * outputs get the events too.  Without one, this process scans under the
 * settings file (or --ports) and reports every socket it finds.
 *
 * Events go to stdout (text, or JSON Lines with --json), one per socket;
 * "ghostport: ..." lines (closes, the summary) to stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/run_args.h"
#include "daemon/ctl.h"
#include "format/format.h"
#include "scan/record.h"
#include "scan/worker.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ghostport scan [--json] [--all] [--close-existing [--enforce]]\n"
"                      [--config FILE | --no-config] [--ports LIST] [--socket PATH]\n"
"List the sockets that already hold a listed port, in every network\n"
"namespace, with every process holding each one.\n"
"\n"
"  --json            JSON Lines (the json format) instead of text\n"
"  --all             with a daemon: also sockets it already reported\n"
"  --close-existing  close (SOCK_DESTROY) the sockets on denied ports, except\n"
"                    those of exempt owners and those no process holds; only\n"
"                    under enforcement (the daemon's, or here --enforce or\n"
"                    \"enforce: true\" in the settings file)\n"
"  --config FILE --no-config --ports LIST   the policy when no daemon runs\n"
"                    (default %s if present, else the built-in list)\n"
"  --socket PATH     the daemon's control socket (default %s)\n"
"\n"
"Without a daemon this needs root (other namespaces, every process's fds).\n",
		GP_CONFIG_PATH, GP_CTL_SOCK);
}

/* The daemon's answer: events to stdout, "ghostport: " lines to stderr. */
static int print_answer(const char *ans)
{
	int ret = 0;

	while (*ans) {
		size_t n = strcspn(ans, "\n");
		bool ours = !strncmp(ans, "ghostport: ", 11);

		if (!strncmp(ans, "error: ", 7) ||
		    !strncmp(ans, "ghostport: scan failed", 22))
			ret = 1;
		if (ours || !strncmp(ans, "error: ", 7))
			fprintf(stderr, "%.*s\n", (int)n, ans);
		else
			printf("%.*s\n", (int)n, ans);
		ans += n + (ans[n] == '\n');
	}
	return ret;
}

static int standalone(struct run_args *a, bool json, bool close)
{
	static struct gp_config cfg;
	static char buf[GP_FORMAT_BUF_SIZE];
	static struct gp_scan_event e;
	struct gp_scan_close_policy cp;
	struct gp_scan_opts o = { 0 };
	struct gp_scan_result r;
	size_t reported = 0, closed = 0, open = 0, i;
	char err[512], line[768];

	if (gp_run_effective(a, &cfg, err, sizeof(err))) {
		fprintf(stderr, "ghostport: %s\n", err);
		return 2;
	}
	if (close && !cfg.enforce) {
		fprintf(stderr,
			"ghostport: --close-existing needs enforcement (--enforce, or \"enforce: true\" in the settings file)\n");
		gp_config_free(&cfg);
		return 2;
	}
	o.rules = cfg.rules;
	if (close) {
		cp.rules = cfg.rules;
		cp.exempt = &cfg.exempt;
		o.close = gp_scan_close_unless_exempt;
		o.close_ctx = &cp;
	}
	if (geteuid())
		fprintf(stderr,
			"ghostport: warning: not root: other network namespaces and other users' processes are not visible\n");
	if (gp_scan_run(&o, &r, err, sizeof(err))) {
		fprintf(stderr, "ghostport: scan failed: %s\n", err);
		gp_config_free(&cfg);
		return 1;
	}
	if (!json && isatty(STDOUT_FILENO) && gp_format_text_header(buf, sizeof(buf)) > 0)
		fputs(buf, stdout);
	for (i = 0; i < r.n; i++) {
		const struct gp_scan_sock *s = &r.socks[i];
		__u8 v = gp_scan_verdict(s);
		int n;

		gp_scan_event_fill(&e, s, v);
		n = json ? gp_format_json(&e.rec, buf, sizeof(buf)) :
			   gp_format_text(&e.rec, buf, sizeof(buf));
		if (n > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		gp_scan_close_line(s, line, sizeof(line));
		if (line[0])
			fprintf(stderr, "%s\n", line);
		closed += v == GP_VERDICT_CLOSED;
		open += v == GP_VERDICT_OPEN;
		reported += v == GP_VERDICT_PRESENT;
	}
	fflush(stdout);
	gp_scan_summary_line(&r, reported, 0, closed, open, line, sizeof(line));
	fprintf(stderr, "%s\n", line);
	gp_scan_free(&r);
	gp_config_free(&cfg);
	return 0;
}

int gp_cmd_scan(int argc, char **argv)
{
	enum { O_JSON = 256, O_ALL, O_CLOSE, O_ENFORCE, O_CONFIG, O_NO_CONFIG,
	       O_PORTS, O_SOCKET };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "all", no_argument, NULL, O_ALL },
		{ "close-existing", no_argument, NULL, O_CLOSE },
		{ "enforce", no_argument, NULL, O_ENFORCE },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "no-config", no_argument, NULL, O_NO_CONFIG },
		{ "ports", required_argument, NULL, O_PORTS },
		{ "socket", required_argument, NULL, O_SOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct run_args a;
	const char *sock = GP_CTL_SOCK;
	bool json = false, all = false, close = false, policy = false;
	char req[64], err[512], *ans = NULL;
	int c, ret;

	memset(&a, 0, sizeof(a));
	a.all = a.enforce = -1;
	a.fold_ms = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = true; break;
		case O_ALL: all = true; break;
		case O_CLOSE: close = true; break;
		case O_ENFORCE: a.enforce = 1; policy = true; break;
		case O_CONFIG: a.config_path = optarg; policy = true; break;
		case O_NO_CONFIG: a.no_config = true; policy = true; break;
		case O_PORTS: a.ports = optarg; policy = true; break;
		case O_SOCKET: sock = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (!a.config_path && !a.no_config && !access(GP_CONFIG_PATH, F_OK))
		a.config_path = GP_CONFIG_PATH;

	snprintf(req, sizeof(req), "scan%s%s%s", json ? " json" : "",
		 all ? " all" : "", close ? " close" : "");
	if (!gp_ctl_request(sock, req, 120000, &ans, err, sizeof(err))) {
		/* The daemon's policy is the one in force: say so when the
		 * command line named another. */
		if (policy)
			fprintf(stderr,
				"ghostport: a daemon is running: scanning under its policy (--config, --ports, --enforce ignored)\n");
		ret = print_answer(ans);
		free(ans);
		return ret;
	}
	if (strncmp(err, "no daemon running", 16)) {
		fprintf(stderr, "ghostport: %s\n", err);
		return 1;
	}
	return standalone(&a, json, close);
}
