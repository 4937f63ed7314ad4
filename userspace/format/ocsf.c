// SPDX-License-Identifier: GPL-2.0
/*
 * ocsf.c - OCSF (schema 1.8.0) Network Activity events, JSON Lines.
 *
 * Class 4001 (Network Activity), category 4.  OCSF's activities describe
 * connections (Open, Close, Reset, Fail, Refuse, Traffic, Listen); a bind
 * is none of them -- it claims a local endpoint, and for UDP or a TCP socket
 * that never calls listen() no connection or listening ever follows -- so
 * every bind is activity_id 99 "Other" with activity_name "Bind" (type_uid
 * 400199).  The verdict goes where OCSF puts security controls' decisions:
 * action_id/disposition_id 2 Denied/Blocked for a denied bind, 1
 * Allowed/Allowed otherwise; status_id is the bind() result (1 Success, 2
 * Failure, 0 Unknown).  The bound endpoint is dst_endpoint (the side that
 * would accept connections), the task is actor.process, the host is device.
 * Fields OCSF has no place for are under unmapped.ghostport, with the json
 * format's names.  device and actor belong to OCSF's "host" profile,
 * action/disposition to "security_control": metadata.profiles declares
 * both, or consumers would drop them.  Checked against the schema files by
 * tests/schema/check-ocsf.py.  Mapping table: docs/siem.md.
 */
#include <stdio.h>
#include <sys/socket.h>

#include "format/format.h"
#include "format/internal.h"
#include "lib/jsonobj.h"
#include "event/names.h"
#include "lib/timefmt.h"

#define OCSF_VERSION		"1.8.0"
#define OCSF_CLASS		4001
#define OCSF_CATEGORY		4
#define OCSF_ACTIVITY_OTHER	99

#ifndef GP_VERSION
#define GP_VERSION "0"
#endif

/* severity_id: 1 Informational, 2 Low, 3 Medium, 4 High (a deny rule
 * that was not enforced: the control failed). */
static unsigned severity_id(__u8 verdict)
{
	switch (verdict) {
	case GP_VERDICT_BYPASS:	return 4;
	case GP_VERDICT_DENY:	return 3;
	case GP_VERDICT_AUDIT:	return 2;
	default:		return 1;
	}
}

static const char *severity_name(unsigned id)
{
	return id == 4 ? "High" : id == 3 ? "Medium" :
	       id == 2 ? "Low" : "Informational";
}

/* profiles: NULL-terminated list of the OCSF profiles the event uses. */
static void put_metadata(struct gp_json *w, const char *const *profiles)
{
	gp_json_key_begin_object(w, "metadata");
	gp_json_key_string(w, "version", OCSF_VERSION);
	gp_json_key_begin_array(w, "profiles");
	for (; *profiles; profiles++)
		gp_json_array_string(w, *profiles);
	gp_json_end_array(w);
	gp_json_key_begin_object(w, "product");
	gp_json_key_string(w, "name", "ghostport");
	gp_json_key_string(w, "vendor_name", "ghostport");
	gp_json_key_string(w, "version", GP_VERSION);
	gp_json_end_object(w);
	gp_json_end_object(w);
}

static void put_device(struct gp_json *w, const char *host, const char *mid)
{
	gp_json_key_begin_object(w, "device");
	gp_json_key_u64(w, "type_id", 0);	/* Unknown: server or desktop */
	gp_json_key_string(w, "type", "Unknown");
	if (host)
		gp_json_key_string(w, "hostname", host);
	if (mid)
		gp_json_key_string(w, "uid", mid);
	gp_json_end_object(w);
}

/* An OCSF file object for an executable path: path, name, type_id. */
static void put_file(struct gp_json *w, const char *path, size_t n,
		     __u16 xf, bool flags_known)
{
	const char *base = memrchr(path, '/', n);

	base = base ? base + 1 : path;
	gp_json_key_begin_object(w, "file");
	gp_json_key_text(w, "path", path, n);
	gp_json_key_text(w, "name", base, n - (size_t)(base - path));
	gp_json_key_u64(w, "type_id", 1);	/* Regular File */
	if (flags_known)
		gp_json_key_bool(w, "is_deleted", xf & GP_XF_DELETED);
	gp_json_end_object(w);
}

/* An OCSF user object: uid (string_t) and name when known. */
static void put_user(struct gp_json *w, const char *key, __u32 uid,
		     const char *name)
{
	gp_json_key_id_name(w, key, "uid", uid, name);
}

/*
 * actor.process: the task (pid, tid, name, cmd_line, file, the user it
 * runs as, its container), parent_process (pid, name, file); actor.user: who
 * made the bind (the real uid).  container belongs to OCSF's "container"
 * profile, which metadata.profiles then lists.
 */
static void put_actor(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	const struct gp_ident *id = &r->id;
	size_t exe_len = strnlen(r->exe, sizeof(r->exe));
	size_t pexe_len = strlen(id->parent_exe.path);
	char line[GP_CMDLINE_MAX];

	/* A socket no process holds (scan) has no actor. */
	if (r->scan && !r->scan->n_holders)
		return;
	gp_json_key_begin_object(w, "actor");
	gp_json_key_begin_object(w, "process");
	gp_json_key_u64(w, "pid", ev->pid);
	gp_json_key_u64(w, "tid", ev->tid);
	if (r->scan && r->scan->holders[0].cmdline[0])
		gp_json_key_text(w, "cmd_line", r->scan->holders[0].cmdline,
				 strlen(r->scan->holders[0].cmdline));
	/* Text with U+FFFD for controls; the bytes are in unmapped (*_hex). */
	gp_json_key_text(w, "name", ev->comm, strnlen(ev->comm, GP_COMM_LEN));
	if (id->has_args && !r->scan)	/* scan: its holder's, above */
		gp_json_key_text(w, "cmd_line", line,
				 gp_ident_cmdline(id, line, sizeof(line)));
	if (exe_len)
		put_file(w, r->exe, exe_len, ev->exe_flags,
			 ev->valid & GP_VF_EXE);
	if (ev->valid & (GP_VF_PPID | GP_VF_PARENT) || pexe_len) {
		gp_json_key_begin_object(w, "parent_process");
		if (ev->valid & GP_VF_PPID)
			gp_json_key_u64(w, "pid", ev->ppid);
		if (ev->valid & GP_VF_PARENT)
			gp_json_key_text(w, "name", ev->parent_comm,
					 strnlen(ev->parent_comm, GP_COMM_LEN));
		if (pexe_len)
			put_file(w, id->parent_exe.path, pexe_len,
				 ev->parent_exe_flags,
				 ev->valid & GP_VF_PARENT_EXE);
		gp_json_end_object(w);
	}
	/* The user it runs as: the effective one when the producer saw it
	 * (a setuid helper), else the real one. */
	if (ev->valid & GP_VF_CREDS)
		put_user(w, "user", ev->euid, id->euser);
	else
		put_user(w, "user", ev->uid, id->user);
	if (id->container_id[0]) {
		gp_json_key_begin_object(w, "container");
		gp_json_key_string(w, "uid", id->container_id);
		if (id->container_runtime)
			gp_json_key_string(w, "runtime",
					   id->container_runtime);
		gp_json_end_object(w);
	}
	gp_json_end_object(w);
	put_user(w, "user", ev->uid, id->user);
	gp_json_end_object(w);
}

static void put_endpoint(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	__u16 type = (ev->valid & GP_VF_TYPE) ? ev->sock_type : 0;
	size_t addr_len = strnlen(r->addr, sizeof(r->addr));

	gp_json_key_begin_object(w, "dst_endpoint");
	if (addr_len)
		gp_json_key_bytes(w, "ip", r->addr, addr_len);
	gp_json_key_u64(w, "port", ev->port);
	if (r->service)
		gp_json_key_string(w, "svc_name", r->service);
	if (ev->valid & GP_VF_IFINDEX && ev->ifindex) {
		char ifx[12];	/* string_t in the schema */

		snprintf(ifx, sizeof(ifx), "%u", ev->ifindex);
		gp_json_key_string(w, "interface_uid", ifx);
	}
	gp_json_end_object(w);

	gp_json_key_begin_object(w, "connection_info");
	gp_json_key_string(w, "protocol_name", gp_proto_name(ev->protocol, type));
	gp_json_key_u64(w, "protocol_num", ev->protocol);
	if (ev->family == AF_INET || ev->family == AF_INET6)
		gp_json_key_u64(w, "protocol_ver_id",
				ev->family == AF_INET ? 4 : 6);
	gp_json_key_u64(w, "direction_id", 0);	/* Unknown: no peer yet */
	gp_json_end_object(w);
}

static void put_unmapped(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;

	gp_json_key_begin_object(w, "unmapped");
	gp_json_key_begin_object(w, "ghostport");
	gp_json_put_verdict(w, ev);
	gp_json_key_u64(w, "gid", ev->gid);
	if (ev->valid & GP_VF_RET)
		gp_json_key_s64(w, "ret", ev->ret);
	gp_json_put_socket(w, ev);
	if (r->service)
		gp_json_key_string(w, "service", r->service);
	gp_json_put_raw_hex(w, r);
	gp_json_put_identity_extra(w, r);
	if (r->id.has_args) {
		const unsigned char *p;
		size_t pos = 0, n;

		/* argv itself: cmd_line is a quoted join of it. */
		gp_json_key_begin_array(w, "args");
		while (gp_ident_arg_next(&r->id, &pos, &p, &n))
			gp_json_array_text(w, p, n);
		gp_json_end_array(w);
	}
	if (r->id.egroup[0])
		gp_json_key_text(w, "egroup", r->id.egroup,
				 strlen(r->id.egroup));
	if (r->id.group[0])
		gp_json_key_text(w, "group", r->id.group, strlen(r->id.group));
	if (r->scan)
		gp_json_put_scan(w, r->scan);
	gp_json_end_object(w);
	gp_json_end_object(w);
}

static const char *const event_profiles[] = {
	"host", "security_control", NULL
};
static const char *const event_profiles_container[] = {
	"host", "security_control", "container", NULL
};

/*
 * A scan event (source scan): still activity 99 "Other", named after what
 * the inventory found; closed is a denial that took effect (action Denied,
 * disposition Blocked, status Success), open one that did not (status
 * Failure); present and gone decide nothing (action and disposition
 * Unknown).
 */
static void put_scan_activity(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	bool closed = ev->verdict == GP_VERDICT_CLOSED;
	bool open = ev->verdict == GP_VERDICT_OPEN;
	const char *name = ev->verdict == GP_VERDICT_GONE ? "Socket Gone" :
			   closed ? "Socket Closed" :
			   open ? "Socket Close Failed" : "Socket Present";
	char type[64];

	gp_json_key_string(w, "activity_name", name);
	gp_json_key_u64(w, "type_uid", OCSF_CLASS * 100 + OCSF_ACTIVITY_OTHER);
	snprintf(type, sizeof(type), "Network Activity: %s", name);
	gp_json_key_string(w, "type_name", type);
	gp_json_key_u64(w, "time", gp_time_epoch_ms(&r->wall));
	gp_json_key_u64(w, "severity_id", closed || open ? 3 : 2);
	gp_json_key_string(w, "severity", closed || open ? "Medium" : "Low");
	gp_json_key_u64(w, "action_id", closed || open ? 2 : 0);
	gp_json_key_string(w, "action", closed || open ? "Denied" : "Unknown");
	gp_json_key_u64(w, "disposition_id", closed ? 2 : 0);
	gp_json_key_string(w, "disposition", closed ? "Blocked" : "Unknown");
	gp_json_key_u64(w, "status_id", closed ? 1 : open ? 2 : 0);
	gp_json_key_string(w, "status", closed ? "Success" :
			   open ? "Failure" : "Unknown");
}

int gp_format_ocsf(const struct gp_record *r, char *buf, size_t len)
{
	const struct gp_event *ev = &r->ev;
	bool deny = ev->verdict == GP_VERDICT_DENY;
	unsigned sev = severity_id(ev->verdict);
	struct gp_json w;
	char summary[256];

	gp_json_init(&w, buf, len);
	gp_json_begin_object(&w);
	gp_json_key_u64(&w, "class_uid", OCSF_CLASS);
	gp_json_key_string(&w, "class_name", "Network Activity");
	gp_json_key_u64(&w, "category_uid", OCSF_CATEGORY);
	gp_json_key_string(&w, "category_name", "Network Activity");
	gp_json_key_u64(&w, "activity_id", OCSF_ACTIVITY_OTHER);
	if (r->scan) {
		put_scan_activity(&w, r);
		goto tail;
	}
	gp_json_key_string(&w, "activity_name", "Bind");
	gp_json_key_u64(&w, "type_uid", OCSF_CLASS * 100 + OCSF_ACTIVITY_OTHER);
	gp_json_key_string(&w, "type_name", "Network Activity: Bind");
	gp_json_key_u64(&w, "time", gp_time_epoch_ms(&r->wall));
	gp_json_key_u64(&w, "severity_id", sev);
	gp_json_key_string(&w, "severity", severity_name(sev));
	gp_json_key_u64(&w, "action_id", deny ? 2 : 1);
	gp_json_key_string(&w, "action", deny ? "Denied" : "Allowed");
	gp_json_key_u64(&w, "disposition_id", deny ? 2 : 1);
	gp_json_key_string(&w, "disposition", deny ? "Blocked" : "Allowed");
	if (!(ev->valid & GP_VF_RET)) {
		gp_json_key_u64(&w, "status_id", 0);
		gp_json_key_string(&w, "status", "Unknown");
	} else {
		gp_json_key_u64(&w, "status_id", ev->ret < 0 ? 2 : 1);
		gp_json_key_string(&w, "status",
				   ev->ret < 0 ? "Failure" : "Success");
		if (ev->ret < 0)
			gp_json_key_string(&w, "status_code",
					   gp_errno_name(ev->ret));
	}
tail:
	if (r->count > 1)
		gp_json_key_u64(&w, "count", r->count);
	if (gp_format_summary(r, summary, sizeof(summary)) > 0)
		gp_json_key_string(&w, "message", summary);
	put_metadata(&w, r->id.container_id[0] ? event_profiles_container
					       : event_profiles);
	put_device(&w, r->hostname, r->machine_id);
	put_actor(&w, r);
	put_endpoint(&w, r);
	put_unmapped(&w, r);
	gp_json_end_object(&w);
	gp_json_raw(&w, "\n", 1);
	return gp_json_finish(&w);
}

/* Shared with format/dropped.c (format/internal.h). */
void gp_ocsf_put_header_dropped(struct gp_json *w, const char *host,
				const char *mid)
{
	static const char *const profiles[] = { "host", NULL };

	put_metadata(w, profiles);
	put_device(w, host, mid);
}
