// SPDX-License-Identifier: GPL-2.0
/*
 * cef.c - ArcSight Common Event Format:
 *
 *   CEF:0|ghostport|ghostport|VERSION|SignatureID|Name|Severity|Extension
 *
 * Header fields escape '\' and '|' with a backslash; extension values
 * escape '\' and '=' and write newline/CR as \n and \r (CEF rules).  Any
 * other control character or byte that is not valid UTF-8 becomes U+FFFD
 * (CEF is UTF-8 text) and the raw comm/exe bytes are then added in hex.
 *
 * The binding process is the would-be server of the endpoint it binds, so
 * the endpoint and the process are on the destination side: dst (IPv4) or
 * c6a3 (IPv6), dpt, dpid, dproc, duid.  Key by key: docs/siem.md.
 */
#include <stdio.h>
#include <sys/socket.h>

#include "format/format.h"
#include "format/internal.h"
#include "event/names.h"
#include "lib/strbuf.h"
#include "lib/timefmt.h"

#define HDR_SPECIAL	"\\|"
#define EXT_SPECIAL	"\\="

#ifndef GP_VERSION
#define GP_VERSION "0"
#endif

/* SignatureID, Name and Severity (0..10) per verdict. */
static void verdict_header(__u8 verdict, const char **sig, const char **name,
			   int *sev)
{
	switch (verdict) {
	case GP_VERDICT_DENY:
		*sig = "bind-deny"; *name = "Bind to ghost port denied";
		*sev = 7;
		break;
	case GP_VERDICT_AUDIT:
		*sig = "bind-audit"; *name = "Bind to ghost port";
		*sev = 5;
		break;
	case GP_VERDICT_EXEMPT:
		*sig = "bind-exempt"; *name = "Exempted bind to ghost port";
		*sev = 3;
		break;
	case GP_VERDICT_PRESENT:
		*sig = "scan-present"; *name = "Socket on ghost port present";
		*sev = 5;
		break;
	case GP_VERDICT_GONE:
		*sig = "scan-gone"; *name = "Socket on ghost port gone";
		*sev = 3;
		break;
	case GP_VERDICT_CLOSED:
		*sig = "scan-closed"; *name = "Socket on ghost port closed";
		*sev = 7;
		break;
	case GP_VERDICT_OPEN:
		*sig = "scan-open"; *name = "Socket on ghost port stayed open";
		*sev = 8;
		break;
	case GP_VERDICT_BYPASS:
		*sig = "bind-bypass";
		*name = "Bind to ghost port not denied (enforcement bypassed)";
		*sev = 9;
		break;
	default:
		*sig = "bind"; *name = "Bind";
		*sev = 1;
		break;
	}
}

static void key(struct gp_sb *b, const char *k)
{
	gp_sb_char(b, ' ');
	gp_sb_str(b, k);
	gp_sb_char(b, '=');
}

static bool ext_bytes(struct gp_sb *b, const char *k, const char *v, size_t n)
{
	key(b, k);
	return gp_sb_escaped(b, v, n, EXT_SPECIAL, GP_ESC_NL_CR);
}

static void ext_str(struct gp_sb *b, const char *k, const char *v)
{
	ext_bytes(b, k, v, strlen(v));
}

static void ext_u64(struct gp_sb *b, const char *k, uint64_t v)
{
	key(b, k);
	gp_sb_u64(b, v);
}

/* A labelled custom field: csN=value csNLabel=label. */
static void ext_custom(struct gp_sb *b, const char *k, const char *label,
		       const char *v, size_t n)
{
	char lk[16];

	ext_bytes(b, k, v, n);
	snprintf(lk, sizeof(lk), "%sLabel", k);
	ext_str(b, lk, label);
}

static void ext_custom_num(struct gp_sb *b, const char *k, const char *label,
			   uint64_t v)
{
	char lk[16];

	ext_u64(b, k, v);
	snprintf(lk, sizeof(lk), "%sLabel", k);
	ext_str(b, lk, label);
}

/* CEF header + first part common to events and the drop notice. */
static void header(struct gp_sb *b, const char *sig, const char *name, int sev)
{
	gp_sb_str(b, "CEF:0|ghostport|ghostport|");
	gp_sb_escaped(b, GP_VERSION, strlen(GP_VERSION), HDR_SPECIAL, 0);
	gp_sb_char(b, '|');
	gp_sb_escaped(b, sig, strlen(sig), HDR_SPECIAL, 0);
	gp_sb_char(b, '|');
	gp_sb_escaped(b, name, strlen(name), HDR_SPECIAL, 0);
	gp_sb_char(b, '|');
	gp_sb_u64(b, (uint64_t)sev);
	gp_sb_char(b, '|');
}

/* rt, dvchost, deviceExternalId: the first extension keys of every line.
 * The extension starts without a leading blank, so the first key is
 * written by hand. */
static void host_fields(struct gp_sb *b, const struct timespec *ts,
			const char *host, const char *mid)
{
	gp_sb_str(b, "rt=");
	gp_sb_u64(b, gp_time_epoch_ms(ts));
	if (host)
		ext_str(b, "dvchost", host);
	if (mid)
		ext_str(b, "deviceExternalId", mid);
}

/* Task bytes as a value; NAME plus hex key HEXKEY when it was lossy. */
static void ext_task(struct gp_sb *b, const char *k, const char *hexkey,
		     const void *v, size_t n)
{
	if (ext_bytes(b, k, v, n)) {
		key(b, hexkey);
		gp_sb_hex(b, v, n);
	}
}

/* CEF's keys for what it writes like RFC 5424 does (format/kv.c): the
 * inode is fileId (CEF's "could be the inode"), the rest ghostport* keys;
 * names from the system are plain values, without hex. */
static const struct gp_kv_format cef_kv = {
	.str = ext_str, .u64 = ext_u64, .name = ext_str,
	.exe_ino = "fileId", .exe_dev = "ghostportExeDev",
	.exe_flags = "ghostportExeFlags", .exe_reason = "ghostportExeReason",
	.group = "ghostportGroup", .euid = "ghostportEuid",
	.egid = "ghostportEgid", .euser = "ghostportEuser",
	.egroup = "ghostportEgroup", .auid = "ghostportAuid",
	.sessionid = "ghostportSessionId", .cgroup = "ghostportCgroup",
	.holder_special = EXT_SPECIAL ",:", .holder_esc = GP_ESC_NL_CR,
};

/*
 * Who bound, beyond dpid/dproc/duid/filePath: the inode (fileId, CEF's
 * "could be the inode"), the command line (cs4), systemd unit (cs5) and
 * container id (cs6), and ghostport* keys for what CEF has no key for.
 */
static void put_identity(struct gp_sb *b, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	const struct gp_ident *id = &r->id;
	char line[GP_CMDLINE_MAX];
	size_t n;

	gp_kv_put_exe(&cef_kv, b, r);
	/* A scan event names its holders' command line and uses cs4..cs6
	 * for its own fields. */
	if (id->has_args && !r->scan) {
		n = gp_ident_cmdline(id, line, sizeof(line));
		if (ext_bytes(b, "cs4", line, n)) {
			key(b, "ghostportArgsHex");
			gp_sb_hex(b, id->args, id->args_len);
		}
		ext_str(b, "cs4Label", "commandLine");
		if (ev->args_flags & GP_AF_TRUNCATED)
			ext_str(b, "ghostportArgsTruncated", "true");
	}
	if (id->unit[0] && !r->scan)
		ext_custom(b, "cs5", "unit", id->unit, strlen(id->unit));
	else if (id->unit[0])
		ext_str(b, "ghostportUnit", id->unit);
	if (id->container_id[0] && !r->scan)
		ext_custom(b, "cs6", "containerId", id->container_id,
			   strlen(id->container_id));
	else if (id->container_id[0])
		ext_str(b, "ghostportContainerId", id->container_id);
	if (ev->valid & GP_VF_PARENT)
		ext_task(b, "ghostportParentComm", "ghostportParentCommHex",
			 ev->parent_comm, strnlen(ev->parent_comm, GP_COMM_LEN));
	if (id->parent_exe.path[0])
		ext_task(b, "ghostportParentExe", "ghostportParentExeHex",
			 id->parent_exe.path, strlen(id->parent_exe.path));
	gp_kv_put_creds(&cef_kv, b, r);
}

/* A scan event's extra keys: state, netns name, close outcome (cs4..6),
 * the socket inode, every holder as "pid:comm:uid" joined by ',', and the
 * first holder's command line. */
static void scan_fields(struct gp_sb *b, const struct gp_scan_info *si)
{
	ext_custom(b, "cs4", "state", si->state, strlen(si->state));
	ext_custom(b, "cs5", "netnsName", si->netns_name,
		   strlen(si->netns_name));
	ext_custom(b, "cs6", "close", si->close, strlen(si->close));
	if (si->close_error)
		ext_str(b, "ghostportCloseError", si->close_error);
	ext_u64(b, "ghostportInode", si->inode);
	key(b, "ghostportHolders");
	gp_kv_put_holders(&cef_kv, b, si);
	if (si->n_holders && si->holders[0].cmdline[0])
		ext_str(b, "ghostportCmdline", si->holders[0].cmdline);
}

int gp_format_cef(const struct gp_record *r, char *buf, size_t len)
{
	const struct gp_event *ev = &r->ev;
	__u16 type = (ev->valid & GP_VF_TYPE) ? ev->sock_type : 0;
	size_t comm_len = strnlen(ev->comm, GP_COMM_LEN);
	size_t exe_len = strnlen(r->exe, sizeof(r->exe));
	const char *sig, *name;
	char proto[24], opts[GP_OPTS_STR_LEN], summary[256];
	struct gp_sb b;
	int sev;

	verdict_header(ev->verdict, &sig, &name, &sev);
	gp_sb_init(&b, buf, len);
	header(&b, sig, name, sev);
	host_fields(&b, &r->wall, r->hostname, r->machine_id);

	/* CEF's proto is the upper-case transport name. */
	snprintf(proto, sizeof(proto), "%s", gp_proto_name(ev->protocol, type));
	for (char *p = proto; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	ext_str(&b, "proto", proto);
	if (ev->family == AF_INET6) {
		ext_custom(&b, "c6a3", "Destination IPv6 Address", r->addr,
			   strnlen(r->addr, sizeof(r->addr)));
	} else if (r->addr[0]) {
		ext_bytes(&b, "dst", r->addr, strnlen(r->addr, sizeof(r->addr)));
	}
	ext_u64(&b, "dpt", ev->port);
	ext_u64(&b, "dpid", ev->pid);
	if (ext_bytes(&b, "dproc", ev->comm, comm_len)) {
		key(&b, "ghostportCommHex");
		gp_sb_hex(&b, ev->comm, comm_len);
	}
	ext_u64(&b, "duid", ev->uid);
	if (r->id.user[0])
		ext_str(&b, "duser", r->id.user);
	ext_str(&b, "act", gp_verdict_name(ev->verdict));
	if (ev->valid & GP_VF_RET) {
		ext_str(&b, "outcome", ev->ret < 0 ? "failure" : "success");
		if (ev->ret < 0)
			ext_str(&b, "reason", gp_errno_name(ev->ret));
	}
	if (ev->verdict == GP_VERDICT_DENY)
		ext_str(&b, "ghostportDenyErrno", gp_errno_name(ev->deny_errno));
	if (r->service)
		ext_custom(&b, "cs1", "service", r->service,
			   strlen(r->service));
	if (exe_len && ext_bytes(&b, "filePath", r->exe, exe_len)) {
		key(&b, "ghostportExeHex");
		gp_sb_hex(&b, r->exe, exe_len);
	}
	if (ev->valid & GP_VF_OPTS)
		ext_custom(&b, "cs2", "opts", opts,
			   gp_opts_join(opts, sizeof(opts), ev->opts));
	ext_custom(&b, "cs3", "source", gp_source_name(ev->source),
		   strlen(gp_source_name(ev->source)));
	put_identity(&b, r);
	if (ev->valid & GP_VF_CGROUP)
		ext_custom_num(&b, "cn1", "cgroupId", ev->cgroup_id);
	if (ev->valid & GP_VF_NETNS)
		ext_custom_num(&b, "cn2", "netns", ev->netns_ino);
	if (r->count > 1)
		ext_u64(&b, "cnt", r->count);	/* baseEventCount */
	if (ev->valid & GP_VF_PPID)
		ext_u64(&b, "ghostportPpid", ev->ppid);
	ext_u64(&b, "ghostportTid", ev->tid);
	ext_u64(&b, "ghostportGid", ev->gid);
	ext_str(&b, "ghostportFamily", gp_family_name(ev->family));
	if (ev->valid & GP_VF_TYPE)
		ext_str(&b, "ghostportSockType", gp_sock_type_name(ev->sock_type));
	if (ev->valid & GP_VF_IFINDEX)
		ext_u64(&b, "ghostportIfindex", ev->ifindex);
	ext_str(&b, "ghostportKernel", (ev->flags & GP_EF_KERNEL) ? "true" : "false");
	ext_str(&b, "ghostportListed", (ev->flags & GP_EF_LISTED) ? "true" : "false");
	if (ev->flags & GP_EF_V4MAPPED)
		ext_str(&b, "ghostportV4mapped", "true");
	if (r->scan)
		scan_fields(&b, r->scan);
	if (gp_format_summary(r, summary, sizeof(summary)) > 0)
		ext_str(&b, "msg", summary);
	gp_sb_char(&b, '\n');
	return gp_sb_finish(&b);
}

/* Shared with format/dropped.c (format/internal.h). */
int gp_format_cef_dropped(uint64_t dropped, const struct timespec *now,
			  const char *host, const char *mid, char *buf,
			  size_t len)
{
	char msg[128];
	struct gp_sb b;

	gp_sb_init(&b, buf, len);
	header(&b, "events-dropped", "Events dropped", 5);
	host_fields(&b, now, host, mid);
	ext_u64(&b, "cnt", dropped);
	snprintf(msg, sizeof(msg),
		 "ghostport: %llu events dropped while collector was unreachable",
		 (unsigned long long)dropped);
	ext_str(&b, "msg", msg);
	gp_sb_char(&b, '\n');
	return gp_sb_finish(&b);
}
