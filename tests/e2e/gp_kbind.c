// SPDX-License-Identifier: GPL-2.0
/*
 * gp_kbind.c - a bind made by the kernel itself, seen by `ghostport run`.
 *
 *   gp_kbind up PORT        create vxlan gpvx0 (VNI 42, UDP PORT, local
 *                           127.0.0.1) and set it up: the kernel binds then
 *   gp_kbind down           delete gpvx0
 *   gp_kbind test --ghostport PATH --prefix NAME --source MODE
 *                 [--enforce [--deny-with lsm|cgroup]] [--port N (686)]
 *                 [--expect-available yes|no|any] [--ready-timeout S (90)]
 *                 [--event-timeout S (20)]
 *
 * The kernel bind: a VXLAN device's UDP socket is created by the kernel when
 * the link goes up (vxlan_open -> udp_sock_create4 -> sock_create_kern +
 * kernel_bind -> inet_bind), so its sock has sk_kern_sock set.  ghostport
 * must report it with "kernel":true in every attach mode and must never deny
 * it, whatever the enforcement method.
 *
 * `test`:
 *   1. probe, no ghostport running: create gpvx0 (down), set it up and down
 *      again (the port can be bound here).  Missing vxlan support, or a link
 *      that cannot come up: every case SKIPs with the reason.
 *   2. `ghostport run --no-config --source MODE --ports PORT/udp --format json
 *      [--enforce --no-pin --deny-with M]`, wait for "ghostport: ready".
 *   3. a child ("gp-kbind-up") sets gpvx0 up: the kernel binds PORT/udp.
 *      It must succeed, also under --enforce (case vxlan-up).  Exactly one
 *      event for the port: proto udp, kernel true, verdict "audit" (case
 *      kernel-event).
 *   4. gpvx0 is deleted (case link-delete: the kernel socket is gone, the
 *      port is free again).
 *   5. a child ("gp-kbind-user") binds PORT/udp itself: under --enforce it
 *      fails with EPERM and yields one event with verdict "deny", kernel false,
 *      source the enforcement method; without, it succeeds with one "audit"
 *      event, kernel false (case user-bind: the flag is not always true).
 *   6. SIGINT, ghostport exits 0 (case exit).
 * Case names: <prefix>/{start,vxlan-up,kernel-event,link-delete,user-bind,exit};
 * each is printed exactly once (PASS, FAIL or SKIP).  Every event line that
 * a check is about is printed as a "# " note.  Exit status 1 if anything
 * failed.
 *
 * Raw rtnetlink (no libmnl, no iproute2): static, runs in the busybox guest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define GPT_PROG	"gp_kbind"
#define GPT_PREFIX	"kbind"
#include "gp_test.h"

#ifndef IFF_UP
#define IFF_UP 0x1
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define IFNAME		"gpvx0"
#define VNI		42

static const char *errno_name(int e)
{
	return e ? gpt_errno_name(e, strerror(e)) : "success";
}

/* ------------------------------------------------------------------ */
/* rtnetlink                                                           */
/* ------------------------------------------------------------------ */

struct nlreq {
	struct nlmsghdr n;
	struct ifinfomsg i;
	char buf[512];
};

static void nl_init(struct nlreq *r, int type, int flags)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r->n.nlmsg_type = (unsigned short)type;
	r->n.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	r->i.ifi_family = AF_UNSPEC;
}

static struct rtattr *nl_attr(struct nlreq *r, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)&r->n + NLMSG_ALIGN(r->n.nlmsg_len));
	size_t alen = RTA_LENGTH(len);

	if (NLMSG_ALIGN(r->n.nlmsg_len) + RTA_ALIGN(alen) > sizeof(*r)) {
		fprintf(stderr, "gp_kbind: netlink request too long\n");
		exit(2);
	}
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)alen;
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->n.nlmsg_len = (unsigned)(NLMSG_ALIGN(r->n.nlmsg_len) + RTA_ALIGN(alen));
	return a;
}

static void nl_nest_end(struct nlreq *r, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)&r->n + r->n.nlmsg_len - (char *)nest);
}

/*
 * Sends the request, waits for its ack.  Returns 0 or -errno; msg gets the
 * kernel's extended ack text (if any) or the errno's name.
 */
static int nl_talk(struct nlreq *r, char *msg, size_t mlen)
{
	static unsigned seq = 1000;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[8192];
	int fd, one = 1, ret = -EIO;

	snprintf(msg, mlen, "no answer");
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		ret = -errno;
		snprintf(msg, mlen, "netlink socket: %s", strerror(errno));
		return ret;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	r->n.nlmsg_seq = ++seq;
	if (sendto(fd, &r->n, r->n.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		snprintf(msg, mlen, "netlink send: %s", strerror(errno));
		close(fd);
		return ret;
	}
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t k;
		int len;

		if (poll(&p, 1, 10000) <= 0) {
			snprintf(msg, mlen, "no netlink answer within 10 s");
			ret = -ETIMEDOUT;
			break;
		}
		k = recv(fd, buf, sizeof(buf), 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			snprintf(msg, mlen, "netlink recv: %s", strerror(errno));
			break;
		}
		len = (int)k;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			struct nlmsgerr *e;
			size_t off;

			if (h->nlmsg_seq != r->n.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			e = NLMSG_DATA(h);
			ret = e->error;
			snprintf(msg, mlen, "%s", ret ? errno_name(-ret) : "ok");
			if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
				goto out;
			off = sizeof(*e);
			if (!(h->nlmsg_flags & NLM_F_CAPPED))
				off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
			if (NLMSG_HDRLEN + off >= h->nlmsg_len)
				goto out;
			{
				struct rtattr *a = (struct rtattr *)((char *)e + off);
				int alen = (int)(h->nlmsg_len - NLMSG_HDRLEN - off);

				for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
					if (a->rta_type == NLMSGERR_ATTR_MSG && ret)
						snprintf(msg, mlen, "%s (%.*s)", errno_name(-ret),
							 (int)RTA_PAYLOAD(a), (char *)RTA_DATA(a));
				}
			}
			goto out;
		}
	}
out:
	close(fd);
	return ret;
}

/* ip link add gpvx0 type vxlan id 42 dstport PORT local 127.0.0.1 */
static int link_create(int port, char *msg, size_t mlen)
{
	struct nlreq r;
	struct rtattr *li, *data;
	uint32_t vni = VNI;
	uint16_t nport = htons((uint16_t)port);
	struct in_addr local = { htonl(INADDR_LOOPBACK) };

	nl_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	nl_attr(&r, IFLA_IFNAME, IFNAME, sizeof(IFNAME));
	li = nl_attr(&r, IFLA_LINKINFO, NULL, 0);
	nl_attr(&r, IFLA_INFO_KIND, "vxlan", sizeof("vxlan"));
	data = nl_attr(&r, IFLA_INFO_DATA, NULL, 0);
	nl_attr(&r, IFLA_VXLAN_ID, &vni, sizeof(vni));
	nl_attr(&r, IFLA_VXLAN_PORT, &nport, sizeof(nport));
	nl_attr(&r, IFLA_VXLAN_LOCAL, &local, sizeof(local));
	nl_nest_end(&r, data);
	nl_nest_end(&r, li);
	return nl_talk(&r, msg, mlen);
}

/* ip link set gpvx0 up|down (by name: ifi_index 0 + IFLA_IFNAME) */
static int link_set(bool up, char *msg, size_t mlen)
{
	struct nlreq r;

	nl_init(&r, RTM_NEWLINK, 0);
	r.i.ifi_flags = up ? IFF_UP : 0;
	r.i.ifi_change = IFF_UP;
	nl_attr(&r, IFLA_IFNAME, IFNAME, sizeof(IFNAME));
	return nl_talk(&r, msg, mlen);
}

/* ip link del gpvx0 */
static int link_delete(char *msg, size_t mlen)
{
	struct nlreq r;

	nl_init(&r, RTM_DELLINK, 0);
	nl_attr(&r, IFLA_IFNAME, IFNAME, sizeof(IFNAME));
	return nl_talk(&r, msg, mlen);
}

static bool link_exists(void)
{
	struct stat st;

	return stat("/sys/class/net/" IFNAME, &st) == 0;
}

/* ------------------------------------------------------------------ */
/* Children: the kernel bind (link up) and the user bind               */
/* ------------------------------------------------------------------ */

struct cres {
	pid_t pid;
	int err;		/* 0 or the errno */
	char why[256];		/* netlink's message, or what failed */
	bool done;		/* the child reported back */
};

enum job { J_UP, J_PROBE, J_USER_BIND };

/* Runs the job in a forked child named comm (its own pid and comm). */
static void child_run(enum job job, int port, const char *comm, struct cres *res)
{
	int pipefd;
	pid_t pid;
	ssize_t k;

	memset(res, 0, sizeof(*res));
	res->pid = -1;
	pid = gpt_fork_piped(&pipefd, res->why, sizeof(res->why));
	if (pid < 0)
		return;
	if (pid == 0) {
		struct cres c = { 0 };

		signal(SIGINT, SIG_DFL);
		prctl(PR_SET_NAME, comm, 0, 0, 0);
		c.pid = getpid();
		c.done = true;
		if (job == J_UP) {
			c.err = -link_set(true, c.why, sizeof(c.why));
		} else if (job == J_PROBE) {
			c.err = -link_set(true, c.why, sizeof(c.why));
			if (!c.err && (c.err = -link_set(false, c.why, sizeof(c.why))))
				c.err = -c.err;	/* down failed: negative */
		} else {
			struct sockaddr_in a = { .sin_family = AF_INET,
						 .sin_port = htons((uint16_t)port),
						 .sin_addr = { htonl(INADDR_LOOPBACK) } };
			int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

			if (fd < 0) {
				c.err = errno;
				snprintf(c.why, sizeof(c.why), "socket: %s", strerror(errno));
			} else if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
				c.err = errno;
				snprintf(c.why, sizeof(c.why), "bind: %s", errno_name(errno));
			} else {
				snprintf(c.why, sizeof(c.why), "bind: ok");
			}
			if (fd >= 0)
				close(fd);
		}
		if (write(pipefd, &c, sizeof(c)) != sizeof(c))
			_exit(1);
		_exit(0);
	}
	do
		k = read(pipefd, res, sizeof(*res));
	while (k < 0 && errno == EINTR);
	close(pipefd);
	if (k != sizeof(*res)) {
		memset(res, 0, sizeof(*res));
		snprintf(res->why, sizeof(res->why), "the child (%s) did not report back", comm);
	}
	res->pid = pid;
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* The reader: ghostport run, its stdout and stderr as lines           */
/* ------------------------------------------------------------------ */

static struct gpt_reader *live_reader;	/* killed on a signal */

static void on_signal(int sig)
{
	if (live_reader && live_reader->pid > 0 && !live_reader->exited)
		kill(live_reader->pid, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int spawn_reader(struct gpt_reader *rd, char *const argv[])
{
	if (gpt_spawn(rd, argv))
		return -1;
	live_reader = rd;
	return 0;
}

static void reader_free(struct gpt_reader *rd)
{
	gpt_reader_free(rd);
	if (live_reader == rd)
		live_reader = NULL;
}

/* Runs `ghostport unload` to completion. */
static void gp_unload(const char *gp)
{
	struct gpt_reader r;
	char *args[] = { (char *)gp, "unload", NULL };

	if (spawn_reader(&r, args)) {
		gpt_note("cannot run %s unload: %s", gp, strerror(errno));
		return;
	}
	while (gpt_pump(&r, 20000))
		;
	gpt_reap(&r, 20000);
	gpt_note("ghostport unload: %s", gpt_last_err_line(&r));
	reader_free(&r);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

/* Stdout lines [from, to) that are events for port and not from pid
 * skip_pid; their indices in idx. */
static int events_for_port(struct gpt_reader *rd, size_t from, size_t to, int port,
			   pid_t skip_pid, size_t *idx, int max)
{
	int n = 0;

	for (size_t i = from; i < to && i < rd->o.n; i++) {
		json_t *j = gpt_line_json(&rd->o, i);

		if (j && gpt_jint(j, "port", -1) == port && gpt_jint(j, "pid", -1) != skip_pid) {
			if (n < max)
				idx[n] = i;
			n++;
		}
	}
	return n;
}

/* Waits until at least want events for port arrived after line from (or
 * timeout), then settle_ms more for stragglers. */
static void wait_events(struct gpt_reader *rd, size_t from, int port, pid_t skip_pid,
			int want, int timeout_s, int settle_ms)
{
	long long end = gpt_now_ns() + (long long)timeout_s * GPT_NSEC;
	size_t idx[1];

	while (gpt_now_ns() < end) {
		if (events_for_port(rd, from, rd->o.n, port, skip_pid, idx, 1) >= want)
			break;
		if (!gpt_pump(rd, 100))
			break;
	}
	end = gpt_now_ns() + (long long)settle_ms * 1000000LL;
	while (gpt_now_ns() < end && gpt_pump(rd, 50))
		;
}

static void chk_field_str(struct gpt_chk *k, const json_t *e, const char *key, const char *want)
{
	const char *v = gpt_jstr(e, key);

	if (!v || strcmp(v, want))
		gpt_cfail(k, "%s: %s%s%s, want \"%s\"", key, v ? "\"" : "", v ? v : "absent",
			  v ? "\"" : "", want);
}

static void chk_field_bool(struct gpt_chk *k, const json_t *e, const char *key, bool want)
{
	json_t *v = json_object_get(e, key);

	if (!json_is_boolean(v))
		gpt_cfail(k, "%s: %s, want %s", key, v ? "not a boolean" : "absent",
			  want ? "true" : "false");
	else if (json_is_true(v) != want)
		gpt_cfail(k, "%s: %s, want %s", key, want ? "false" : "true", want ? "true" : "false");
}

/* ------------------------------------------------------------------ */
/* test                                                                */
/* ------------------------------------------------------------------ */

static const char *const case_names[] = {
	"start", "vxlan-up", "kernel-event", "link-delete", "user-bind", "exit",
};
#define NCASE_NAMES ((int)(sizeof(case_names) / sizeof(case_names[0])))

/* SKIPs (or FAILs) every case not yet reported, from index first on. */
static void rest(int first, const char *what, const char *why)
{
	for (int i = first; i < NCASE_NAMES; i++)
		gpt_result(what, case_names[i], "%s", why);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: gp_kbind up PORT          create vxlan " IFNAME " on UDP PORT and set it up\n"
"       gp_kbind down             delete " IFNAME "\n"
"       gp_kbind test --ghostport PATH --prefix NAME --source MODE\n"
"                [--enforce [--deny-with lsm|cgroup]] [--port N (686)]\n"
"                [--expect-available yes|no|any (any)]\n"
"                [--ready-timeout S (90)] [--event-timeout S (20)]\n");
}

/* What one `gp_kbind test` knows: its options, then what each phase found. */
struct kbt {
	const char *gp, *source, *deny_with, *expect_avail;
	bool enforce;
	int port, ready_to, event_to;
	struct gpt_reader rd;
	struct cres probe, up, ub;	/* the three children's binds */
	struct gpt_chk kx;		/* the exit check, reported last */
	size_t phase2;			/* first stdout line after link-delete */
	size_t idx[16], uidx[16];	/* the kernel's and the user's events */
	int nk, nu;
};

/* 0, or 2 after the usage message. */
static int kb_parse_args(struct kbt *t, int argc, char **argv)
{
	*t = (struct kbt){ .expect_avail = "any", .port = 686,
			   .ready_to = 90, .event_to = 20 };
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--enforce")) {
			t->enforce = true;
			continue;
		}
		if (!v) {
			usage(stderr);
			return 2;
		}
		if (!strcmp(a, "--ghostport"))
			t->gp = v;
		else if (!strcmp(a, "--prefix"))
			gpt_prefix = v;
		else if (!strcmp(a, "--source"))
			t->source = v;
		else if (!strcmp(a, "--deny-with"))
			t->deny_with = v;
		else if (!strcmp(a, "--port"))
			t->port = atoi(v);
		else if (!strcmp(a, "--expect-available"))
			t->expect_avail = v;
		else if (!strcmp(a, "--ready-timeout"))
			t->ready_to = atoi(v);
		else if (!strcmp(a, "--event-timeout"))
			t->event_to = atoi(v);
		else {
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (!t->gp || !t->source || t->port <= 0 || t->port > 65535 ||
	    (t->deny_with && !t->enforce)) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/* 1. the probe, before ghostport runs: can this kernel bind the port for a
 * vxlan link at all?  -1 when not (every case reported), else 0. */
static int kb_probe(struct kbt *t, int *rc)
{
	char msg[512], why[768];
	int e, port = t->port;

	if (link_exists()) {
		gpt_note("%s exists (left by an earlier run); deleting it", IFNAME);
		if ((e = link_delete(msg, sizeof(msg))))
			gpt_note("delete %s: %s", IFNAME, msg);
	}
	if ((e = link_create(port, msg, sizeof(msg)))) {
		snprintf(why, sizeof(why), "cannot create a vxlan link (%s: vxlan id %d dstport %d "
			 "local 127.0.0.1): %s%s", IFNAME, VNI, port, msg,
			 e == -EOPNOTSUPP ? " (no vxlan in this kernel: module not loaded?)" : "");
		rest(0, "SKIP", why);
		return -1;
	}
	/* (no other ghostport run should see the probe's bind) */
	if (!gpt_wait_lock_free(180, why, sizeof(why))) {
		link_delete(msg, sizeof(msg));
		rest(0, "SKIP", why);
		return -1;
	}
	/* up and down in a child ("gp-kbind-probe"): a source that buffers
	 * records while no reader runs (kmod) delivers this bind later, and
	 * its pid tells it from the bind under test */
	child_run(J_PROBE, port, "gp-kbind-probe", &t->probe);
	if (!t->probe.done || t->probe.err > 0) {
		snprintf(why, sizeof(why), "vxlan link %s cannot be set up on UDP %d even without "
			 "ghostport: %s", IFNAME, port, t->probe.why);
		link_delete(msg, sizeof(msg));
		rest(0, "SKIP", why);
		return -1;
	}
	if (t->probe.err < 0) {
		snprintf(why, sizeof(why), "vxlan link %s cannot be set down again: %s", IFNAME,
			 t->probe.why);
		link_delete(msg, sizeof(msg));
		rest(0, "FAIL", why);
		*rc = 1;
		return -1;
	}
	gpt_note("%s: probe: vxlan %s created, set up and down without ghostport (pid %d)", gpt_prefix,
		 IFNAME, (int)t->probe.pid);
	return 0;
}

/* The ready line says the source and enforcement asked for. */
static void kb_check_ready(struct kbt *t)
{
	struct gpt_chk k = { 0 };
	const struct gpt_reader *rd = &t->rd;

	if (strcmp(rd->ready_source, t->source) && strcmp(t->source, "auto"))
		gpt_cfail(&k, "ready line says source=%s, asked for %s", rd->ready_source, t->source);
	if (t->enforce && !rd->ready_enforce[0])
		gpt_cfail(&k, "--enforce but the ready line says no enforce=");
	if (t->enforce && t->deny_with && strcmp(rd->ready_enforce, t->deny_with))
		gpt_cfail(&k, "ready line says enforce=%s, asked for --deny-with %s",
			  rd->ready_enforce, t->deny_with);
	if (!t->enforce && rd->ready_enforce[0])
		gpt_cfail(&k, "not enforcing but the ready line says enforce=%s", rd->ready_enforce);
	gpt_cdone(&k, "start");
}

/* 2. ghostport run, until its ready line.  -1 when it did not start
 * (every case reported, *rc set), else 0. */
static int kb_start(struct kbt *t, int *rc)
{
	char msg[512], why[768], ports[32];
	char *args[24];
	char cmd[512] = "";
	int n = 0;

	if (t->enforce && access(GPT_PIN_DIR, F_OK) == 0) {
		gpt_note("%s exists before the test (left by an earlier run); ghostport unload", GPT_PIN_DIR);
		gp_unload(t->gp);
	}
	snprintf(ports, sizeof(ports), "%d/udp", t->port);
	args[n++] = (char *)t->gp;
	args[n++] = "run";
	args[n++] = "--no-config";
	args[n++] = "--source";
	args[n++] = (char *)t->source;
	args[n++] = "--ports";
	args[n++] = ports;
	args[n++] = "--format";
	args[n++] = "json";
	if (t->enforce) {
		args[n++] = "--enforce";
		args[n++] = "--no-pin";
		if (t->deny_with) {
			args[n++] = "--deny-with";
			args[n++] = (char *)t->deny_with;
		}
	}
	args[n] = NULL;
	for (int i = 1; i < n; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", args[i]);
	gpt_note("%s: ghostport%s", gpt_prefix, cmd);
	if (spawn_reader(&t->rd, args)) {
		snprintf(why, sizeof(why), "cannot start %s: %s", t->gp, strerror(errno));
		link_delete(msg, sizeof(msg));
		gpt_result("FAIL", "start", "%s", why);
		rest(1, "SKIP", "not run: ghostport did not start");
		*rc = 1;
		return -1;
	}
	if (!gpt_wait_ready(&t->rd, t->ready_to, why, sizeof(why))) {
		link_delete(msg, sizeof(msg));
		if (gpt_unavailable(&t->rd, t->source) && strcmp(t->expect_avail, "yes")) {
			snprintf(why, sizeof(why), "unavailable here: %s", gpt_last_err_line(&t->rd));
			rest(0, "SKIP", why);
		} else {
			gpt_show_stderr(&t->rd);
			gpt_result("FAIL", "start", "%s", why);
			rest(1, "SKIP", "not run: ghostport did not start");
		}
		reader_free(&t->rd);
		*rc = gpt_nfail ? 1 : 0;
		return -1;
	}
	gpt_note("%s: %s", gpt_prefix, gpt_err_find(&t->rd, "ghostport: ready"));
	if (!strcmp(t->expect_avail, "no"))
		gpt_note("%s: mode %s started although --expect-available no", gpt_prefix, t->source);
	kb_check_ready(t);
	return 0;
}

/* 3. the kernel bind: the link set up in a child. */
static void kb_kernel_bind(struct kbt *t)
{
	struct gpt_chk k = { 0 };
	const struct cres *up = &t->up;

	gpt_pump(&t->rd, 0);
	child_run(J_UP, t->port, "gp-kbind-up", &t->up);
	if (!up->done)
		gpt_cfail(&k, "%s", up->why);
	else if (up->err)
		gpt_cfail(&k, "setting vxlan %s up (the kernel's bind of UDP %d) failed under "
			  "ghostport%s: %s (it worked without ghostport)", IFNAME, t->port,
			  t->enforce ? " --enforce" : "", up->why);
	else
		gpt_note("%s: %s up by pid %d (gp-kbind-up): kernel bound UDP %d", gpt_prefix,
			 IFNAME, (int)up->pid, t->port);
	gpt_cdone(&k, "vxlan-up");
	wait_events(&t->rd, 0, t->port, t->probe.pid, 1,
		    up->done && !up->err ? t->event_to : 3, 1000);
	t->phase2 = t->rd.o.n;
}

/* 4. delete the device: the kernel's socket goes. */
static void kb_link_delete(void)
{
	struct gpt_chk k = { 0 };
	char msg[512];

	if (link_delete(msg, sizeof(msg)))
		gpt_cfail(&k, "ip link del %s: %s", IFNAME, msg);
	else if (link_exists())
		gpt_cfail(&k, "%s still in /sys/class/net after delete", IFNAME);
	gpt_cdone(&k, "link-delete");
}

/* 5. the user bind, in a child. */
static void kb_user_bind(struct kbt *t)
{
	gpt_pump(&t->rd, 0);
	child_run(J_USER_BIND, t->port, "gp-kbind-user", &t->ub);
	wait_events(&t->rd, t->phase2, t->port, t->probe.pid, 1, t->event_to, 1000);
}

/* 6. stop (its result after the events'). */
static void kb_stop(struct kbt *t)
{
	struct gpt_reader *rd = &t->rd;

	kill(rd->pid, SIGINT);
	if (!gpt_reap(rd, 30000)) {
		kill(rd->pid, SIGKILL);
		gpt_reap(rd, 5000);
		gpt_cfail(&t->kx, "ghostport still running 30 s after SIGINT; killed");
	} else {
		while (gpt_pump(rd, 200))
			;
		if (!WIFEXITED(rd->status) || WEXITSTATUS(rd->status))
			gpt_cfail(&t->kx, "%s %d after SIGINT (want exit 0); stderr: %s",
				  WIFEXITED(rd->status) ? "exit" : "signal",
				  WIFEXITED(rd->status) ? WEXITSTATUS(rd->status) : WTERMSIG(rd->status),
				  gpt_last_err_line(rd));
	}
	for (size_t i = 0; i < rd->e.n; i++)
		if (strstr(rd->e.v[i], "drop") || strstr(rd->e.v[i], "summary"))
			gpt_note("%s: %s", gpt_prefix, rd->e.v[i]);
}

/* The kernel's event(s): every event for the port before the user bind,
 * and later ones not from the user bind's child; the user's own after. */
static void kb_sort_events(struct kbt *t)
{
	struct gpt_reader *rd = &t->rd;
	int port = t->port;

	for (size_t i = 0; i < rd->o.n; i++) {
		json_t *j = gpt_line_json(&rd->o, i);

		if (!j && rd->o.v[i][0])
			gpt_note("%s: not a JSON object on stdout: %s", gpt_prefix, rd->o.v[i]);
		if (j && gpt_jint(j, "port", -1) == port && t->probe.done &&
		    gpt_jint(j, "pid", -1) == t->probe.pid) {
			gpt_note("%s: the probe's bind (before ghostport started, pid %d) "
				 "reported: %s", gpt_prefix, (int)t->probe.pid, rd->o.v[i]);
		} else if (j && gpt_jint(j, "port", -1) == port) {
			if (i >= t->phase2 && t->ub.done && gpt_jint(j, "pid", -1) == t->ub.pid) {
				if (t->nu < 16)
					t->uidx[t->nu] = i;
				t->nu++;
			} else {
				if (t->nk < 16)
					t->idx[t->nk] = i;
				t->nk++;
			}
		}
	}
	for (int i = 0; i < t->nk && i < 16; i++)
		gpt_note("%s: kernel-bind event%s: %s", gpt_prefix,
			 t->idx[i] >= t->phase2 ? " (after the link was deleted)" : "",
			 rd->o.v[t->idx[i]]);
	for (int i = 0; i < t->nu && i < 16; i++)
		gpt_note("%s: user-bind event: %s", gpt_prefix, rd->o.v[t->uidx[i]]);
}

static void kb_check_kernel_event(struct kbt *t)
{
	struct gpt_chk k = { 0 };
	int nk = t->nk, port = t->port;

	if (!t->up.done || t->up.err) {
		if (nk)
			gpt_cfail(&k, "the link did not come up, yet %d event(s) for port %d", nk, port);
		else
			gpt_cfail(&k, "no kernel bind to report: the link did not come up");
	} else if (nk != 1) {
		gpt_cfail(&k, "%d events for UDP %d from the kernel's bind, want exactly 1", nk, port);
	}
	if (nk >= 1) {
		const json_t *j = gpt_line_json(&t->rd.o, t->idx[0]);

		if (gpt_jint(j, "port", -1) != port)
			gpt_cfail(&k, "port: %lld, want %d", gpt_jint(j, "port", -1), port);
		chk_field_str(&k, j, "proto", "udp");
		chk_field_bool(&k, j, "kernel", true);
		chk_field_str(&k, j, "verdict", "audit");
		if (gpt_jint(j, "pid", -1) != t->up.pid)
			gpt_note("%s: kernel-bind event pid %lld, the process that set the link "
				 "up was %d", gpt_prefix, gpt_jint(j, "pid", -1), (int)t->up.pid);
	}
	gpt_cdone(&k, "kernel-event");
}

static void kb_check_user_bind(struct kbt *t)
{
	struct gpt_chk k = { 0 };
	const struct cres *ub = &t->ub;
	int nu = t->nu, port = t->port;
	bool enforce = t->enforce;

	if (!ub->done) {
		gpt_cfail(&k, "%s", ub->why);
	} else {
		if (enforce && ub->err != EPERM)
			gpt_cfail(&k, "user bind of UDP %d: %s, want EPERM (denied)", port,
				  errno_name(ub->err));
		if (!enforce && ub->err)
			gpt_cfail(&k, "user bind of UDP %d: %s, want success (audit only)", port,
				  errno_name(ub->err));
		if (nu != 1)
			gpt_cfail(&k, "%d events for pid %d port %d, want exactly 1", nu,
				  (int)ub->pid, port);
		if (nu >= 1) {
			const json_t *j = gpt_line_json(&t->rd.o, t->uidx[0]);

			chk_field_str(&k, j, "proto", "udp");
			chk_field_bool(&k, j, "kernel", false);
			chk_field_str(&k, j, "verdict", enforce ? "deny" : "audit");
			chk_field_str(&k, j, "comm", "gp-kbind-user");
			if (enforce && t->rd.ready_enforce[0])
				chk_field_str(&k, j, "source", t->rd.ready_enforce);
		}
	}
	gpt_cdone(&k, "user-bind");
}

/* Nothing left behind: the link, the pins of an --enforce run. */
static void kb_cleanup(struct kbt *t)
{
	char msg[512];

	if (link_exists()) {
		gpt_note("%s still there at the end; deleting it", IFNAME);
		link_delete(msg, sizeof(msg));
	}
	if (t->enforce && access(GPT_PIN_DIR, F_OK) == 0) {
		gpt_note("%s exists after a --no-pin run; ghostport unload", GPT_PIN_DIR);
		gp_unload(t->gp);
	}
	reader_free(&t->rd);
}

static int cmd_test(int argc, char **argv)
{
	static struct kbt t;
	int rc = 0;

	if (kb_parse_args(&t, argc, argv))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	if (kb_probe(&t, &rc) || kb_start(&t, &rc))
		return rc;
	kb_kernel_bind(&t);
	kb_link_delete();
	kb_user_bind(&t);
	kb_stop(&t);
	kb_sort_events(&t);
	kb_check_kernel_event(&t);
	kb_check_user_bind(&t);
	gpt_cdone(&t.kx, "exit");
	kb_cleanup(&t);
	return gpt_nfail ? 1 : 0;
}

int main(int argc, char **argv)
{
	char msg[512];
	int e;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "up")) {
		int port = argc >= 3 ? atoi(argv[2]) : 0;

		if (port <= 0 || port > 65535) {
			usage(stderr);
			return 2;
		}
		if ((e = link_create(port, msg, sizeof(msg)))) {
			fprintf(stderr, "gp_kbind: create vxlan %s: %s\n", IFNAME, msg);
			return 1;
		}
		if ((e = link_set(true, msg, sizeof(msg)))) {
			fprintf(stderr, "gp_kbind: set %s up: %s\n", IFNAME, msg);
			link_delete(msg, sizeof(msg));
			return 1;
		}
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "down")) {
		if ((e = link_delete(msg, sizeof(msg)))) {
			fprintf(stderr, "gp_kbind: delete %s: %s\n", IFNAME, msg);
			return 1;
		}
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "test"))
		return cmd_test(argc - 2, argv + 2);
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
