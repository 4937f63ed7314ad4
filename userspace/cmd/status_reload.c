// SPDX-License-Identifier: GPL-2.0
/*
 * status_reload.c - `ghostport status` and `ghostport reload`: one
 * request to the control socket of the running daemon (daemon/ctl.h).
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "lib/log.h"
#include "cmd/cmd.h"
#include "daemon/ctl.h"

/* Print an answer; "error: " lines go to stderr.  1 if there were any. */
static int print_answer(const char *a, FILE *out)
{
	int failed = 0;

	while (*a) {
		size_t l = strcspn(a, "\n");

		if (!strncmp(a, "error: ", 7)) {
			gp_log_err("%.*s", (int)(l - 7), a + 7);
			failed = 1;
		} else {
			fprintf(out, "%.*s\n", (int)l, a);
		}
		a += l + (a[l] == '\n');
	}
	return failed;
}

/*
 * node_exporter may read the file at any moment: write a temporary file
 * beside it and rename it over, so it only ever sees a complete file.
 */
static int write_textfile(const char *path, const char *text)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *copy = strdup(path), *tmp = NULL;
	size_t len = strlen(text);
	FILE *f;
	int fd, ret = -1;

	if (!copy || asprintf(&tmp, "%s/.%s.XXXXXX", dirname(copy), base) < 0) {
		gp_log_err("out of memory");
		free(copy);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		gp_log_err("--textfile %s: %s", path,
			   strerror(errno));
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		gp_log_err("%s: %s", tmp, strerror(errno));
		goto remove;
	}
	/* Readable by node_exporter, which rarely runs as root. */
	if (fchmod(fd, 0644) || fwrite(text, 1, len, f) != len || fflush(f) ||
	    fsync(fd)) {
		gp_log_err("writing %s: %s", tmp,
			   strerror(errno));
		fclose(f);
		goto remove;
	}
	if (fclose(f)) {
		gp_log_err("writing %s: %s", tmp,
			   strerror(errno));
		goto remove;
	}
	if (rename(tmp, path)) {
		gp_log_err("--textfile %s: %s", path,
			   strerror(errno));
		goto remove;
	}
	ret = 0;
	goto out;
remove:
	unlink(tmp);
out:
	free(tmp);
	free(copy);
	return ret;
}

/*
 * What status and reload say about their command line, the same way:
 * getopt_long's ':' (a missing value) or any option they do not know.
 * Returns 2, the exit status of a usage error.
 */
static int bad_option(int c, char **argv, const char *cmd)
{
	if (c == ':')
		gp_log_err("option %s needs a value",
			   argv[optind - 1]);
	else
		gp_log_err("unknown option \"%s\" (see ghostport %s --help)",
			   argv[optind - 1], cmd);
	return 2;
}

/* Neither command takes operands: 2 (said) if there are any left, else 0. */
static int no_operands(int argc, char **argv)
{
	if (optind < argc) {
		gp_log_err("unexpected argument \"%s\"",
			   argv[optind]);
		return 2;
	}
	return 0;
}

/* What the command line asks for ("status" and "reload" defaults). */
struct cmdline {
	const char *req, *textfile, *sock;
};

/*
 * Both commands' command line.  reload's option table has no --json,
 * --prometheus or --textfile, so getopt_long never returns their letters
 * there.  -1 to go on, else the exit status: 0 after --help, 2 after a
 * usage error (said).
 */
static int parse_cmdline(int argc, char **argv, const struct option *opts,
			 const char *cmd, void (*usage)(FILE *f),
			 struct cmdline *a)
{
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': a->req = "status json"; break;
		case 'p': a->req = "status prometheus"; break;
		case 't': a->textfile = optarg; break;
		case 's': a->sock = optarg; break;
		case 'h': usage(stdout); return 0;
		default: return bad_option(c, argv, cmd);
		}
	}
	return no_operands(argc, argv) ? 2 : -1;
}

/* One request to the daemon; 1 (said) if it could not be asked, else 0. */
static int ask(const char *sock, const char *req, int timeout_ms,
	       char **ans)
{
	char err[512];

	if (gp_ctl_request(sock, req, timeout_ms, ans, err, sizeof(err))) {
		gp_log_err("%s", err);
		return 1;
	}
	return 0;
}

/* The options both commands take, in their usage and their tables. */
#define SOCKET_HELP_USAGE \
"  --socket PATH     control socket (default " GP_CTL_SOCK ")\n" \
"  -h, --help        this help\n"
#define SOCKET_HELP_OPTS \
	{ "socket", required_argument, NULL, 's' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ NULL, 0, NULL, 0 }

static void status_usage(FILE *f)
{
	fprintf(f,
"Usage: ghostport status [--json | --prometheus [--textfile PATH]]\n"
"Show the state of the running daemon: attach and enforcement methods,\n"
"policy digest, uptime, counters (events, drops, denials, per port, per\n"
"output delivered/spooled/dropped).\n"
"\n"
"  --json            one JSON object\n"
"  --prometheus      Prometheus text exposition format\n"
"  --textfile PATH   with --prometheus: write PATH atomically (temporary\n"
"                    file + rename) for node_exporter's textfile collector\n"
SOCKET_HELP_USAGE
"\n"
"Exit status 1 when no daemon is running.\n");
}

int gp_cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'p' },
		{ "textfile", required_argument, NULL, 't' },
		SOCKET_HELP_OPTS,
	};
	struct cmdline a = { .req = "status" };
	char *ans;
	int ret;

	ret = parse_cmdline(argc, argv, opts, "status", status_usage, &a);
	if (ret >= 0)
		return ret;
	if (a.textfile && strcmp(a.req, "status prometheus")) {
		gp_log_err("--textfile goes with --prometheus");
		return 2;
	}
	if (ask(a.sock, a.req, 5000, &ans))
		return 1;
	if (!strncmp(ans, "error: ", 7) || !a.textfile) {
		ret = print_answer(ans, stdout);
		if (fflush(stdout))
			ret = 1;
	} else {
		ret = write_textfile(a.textfile, ans) ? 1 : 0;
	}
	free(ans);
	return ret;
}

static void reload_usage(FILE *f)
{
	fprintf(f,
"Usage: ghostport reload [--socket PATH]\n"
"Make the running daemon read its config again.  The new policy replaces\n"
"the old one atomically; a config with errors is refused, the errors are\n"
"printed, and the running policy stays (exit status 1).  Same as SIGHUP,\n"
"but says what happened.\n"
"\n"
SOCKET_HELP_USAGE);
}

int gp_cmd_reload(int argc, char **argv)
{
	static const struct option opts[] = {
		SOCKET_HELP_OPTS,
	};
	struct cmdline a = { .req = "reload" };
	char *ans;
	int ret;

	ret = parse_cmdline(argc, argv, opts, "reload", reload_usage, &a);
	if (ret >= 0)
		return ret;
	/* Loading BPF maps can take a while on a busy host. */
	if (ask(a.sock, a.req, 60000, &ans))
		return 1;
	ret = print_answer(ans, stdout);
	free(ans);
	return ret;
}
