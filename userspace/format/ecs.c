// SPDX-License-Identifier: GPL-2.0
/*
 * ecs.c - Elastic Common Schema (9.4) JSON Lines.
 *
 * A bind makes the task the would-be *server* of an endpoint, so the
 * endpoint is server.ip/port/address (not source.*, which ECS reserves for
 * the initiator of a connection); the task is process.*, its ids user.id and
 * group.id (keywords, hence strings).  ECS fields that do not apply are left
 * out rather than written as null, which is what ECS consumers expect.
 * Everything ghostport-specific is under "ghostport.", with the same names
 * and values as the json format.  Mapping table: docs/siem.md.
 */
#include <stdio.h>

#include "format/format.h"
#include "format/internal.h"
#include "lib/jsonobj.h"
#include "event/names.h"
#include "lib/timefmt.h"

/* The ECS release the fields follow; tests/schema/check-ecs.py validates
 * against the same release of Elastic's definitions (@elastic/ecs). */
#define ECS_VERSION	"9.4.0"

#ifndef GP_VERSION
#define GP_VERSION "0"
#endif

/*
 * A scan event (a socket found already on a listed port): present and
 * gone are "info"/"end" of an inventory, closed is ended by ghostport
 * ("end", "denied"), open is a close that failed ("info", "denied",
 * outcome failure: "error" is not a type of the network category).
 */
static void put_scan_event(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;

	gp_json_key_begin_array(w, "type");
	switch (ev->verdict) {
	case GP_VERDICT_GONE:
		gp_json_array_string(w, "end");
		break;
	case GP_VERDICT_CLOSED:
		gp_json_array_string(w, "end");
		gp_json_array_string(w, "denied");
		break;
	case GP_VERDICT_OPEN:
		gp_json_array_string(w, "info");
		gp_json_array_string(w, "denied");
		break;
	default:
		gp_json_array_string(w, "info");
		break;
	}
	gp_json_end_array(w);
	gp_json_key_string(w, "action", ev->verdict == GP_VERDICT_GONE ?
			   "socket-gone" : ev->verdict == GP_VERDICT_CLOSED ?
			   "socket-closed" : ev->verdict == GP_VERDICT_OPEN ?
			   "socket-close-failed" : "socket-present");
	if (ev->verdict == GP_VERDICT_CLOSED || ev->verdict == GP_VERDICT_OPEN)
		gp_json_key_string(w, "outcome", ev->verdict == GP_VERDICT_CLOSED ?
				   "success" : "failure");
	gp_json_key_string(w, "module", "ghostport");
	gp_json_key_string(w, "dataset", "ghostport.scan");
}

static void put_event(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;

	gp_json_key_begin_object(w, "event");
	gp_json_key_string(w, "kind", "event");
	gp_json_key_begin_array(w, "category");
	gp_json_array_string(w, "network");
	gp_json_end_array(w);
	if (r->scan) {
		put_scan_event(w, r);
		goto tail;
	}
	gp_json_key_begin_array(w, "type");
	if (ev->verdict == GP_VERDICT_DENY) {
		gp_json_array_string(w, "denied");
	} else {
		/* bypass (a deny rule matched, not enforced) is allowed too:
		 * ghostport.verdict says so, ECS has no failed-control type */
		gp_json_array_string(w, "start");
		if (ev->verdict != GP_VERDICT_NONE)
			gp_json_array_string(w, "allowed");
	}
	gp_json_end_array(w);
	gp_json_key_string(w, "action", "bind");
	if (!(ev->valid & GP_VF_RET))
		gp_json_key_string(w, "outcome", "unknown");
	else
		gp_json_key_string(w, "outcome",
				   ev->ret < 0 ? "failure" : "success");
	gp_json_key_string(w, "module", "ghostport");
	gp_json_key_string(w, "dataset", "ghostport.bind");
tail:
	gp_json_key_string(w, "provider", gp_source_name(ev->source));
	gp_json_key_u64(w, "severity", (uint64_t)gp_syslog_severity(r));
	/* No event.count in ECS: a folded event's count is ghostport.count. */
	gp_json_end_object(w);
}

/* process.args, args_count and command_line, when the producer sent argv. */
static void put_args(struct gp_json *w, const struct gp_ident *id)
{
	char line[GP_CMDLINE_MAX];
	const unsigned char *p;
	size_t pos = 0, n;

	if (!id->has_args)
		return;
	gp_json_key_begin_array(w, "args");
	while (gp_ident_arg_next(id, &pos, &p, &n))
		gp_json_array_text(w, p, n);
	gp_json_end_array(w);
	gp_json_key_u64(w, "args_count", gp_ident_arg_count(id));
	n = gp_ident_cmdline(id, line, sizeof(line));
	gp_json_key_text(w, "command_line", line, n);
}

/* process.parent: pid, and what the kernel saw of it (name, executable). */
static void put_parent(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	size_t n = strlen(r->id.parent_exe.path);

	if (!(ev->valid & (GP_VF_PPID | GP_VF_PARENT)) && !n)
		return;
	gp_json_key_begin_object(w, "parent");
	if (ev->valid & GP_VF_PPID)
		gp_json_key_u64(w, "pid", ev->ppid);
	if (ev->valid & GP_VF_PARENT)
		gp_json_key_text(w, "name", ev->parent_comm,
				 strnlen(ev->parent_comm, GP_COMM_LEN));
	if (n)
		gp_json_key_text(w, "executable", r->id.parent_exe.path, n);
	gp_json_end_object(w);
}

/* {"id":"N","name":"..."}: an ECS user or group (ids are keywords). */
static void put_id_name(struct gp_json *w, const char *key, __u32 v,
			const char *name)
{
	gp_json_key_id_name(w, key, "id", v, name);
}

static void put_process(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	size_t exe_len = strnlen(r->exe, sizeof(r->exe));

	/* A socket no process holds has no process to name. */
	if (r->scan && !r->scan->n_holders)
		return;
	gp_json_key_begin_object(w, "process");
	gp_json_key_u64(w, "pid", ev->pid);
	if (r->scan && r->scan->holders[0].cmdline[0])
		gp_json_key_text(w, "command_line", r->scan->holders[0].cmdline,
				 strlen(r->scan->holders[0].cmdline));
	/* Text with U+FFFD for controls; the bytes in ghostport.*_hex. */
	gp_json_key_text(w, "name", ev->comm, strnlen(ev->comm, GP_COMM_LEN));
	if (exe_len)
		gp_json_key_text(w, "executable", r->exe, exe_len);
	if (!r->scan)		/* scan: its holder's command_line, above */
		put_args(w, &r->id);
	gp_json_key_begin_object(w, "thread");
	gp_json_key_u64(w, "id", ev->tid);
	gp_json_end_object(w);
	put_parent(w, r);
	/* The process's own ids: user is the effective one (what the kernel
	 * checks; ECS 9.4 has no process.group), real_* who started it. */
	if (ev->valid & GP_VF_CREDS)
		put_id_name(w, "user", ev->euid, r->id.euser);
	put_id_name(w, "real_user", ev->uid, r->id.user);
	put_id_name(w, "real_group", ev->gid, r->id.group);
	gp_json_end_object(w);
}

/*
 * user.* is who made the bind (the real ids, as before), user.effective.*
 * the ids it ran with; group.* the real group.
 */
static void put_ids(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	char id[12];

	snprintf(id, sizeof(id), "%u", ev->uid);
	gp_json_key_begin_object(w, "user");
	gp_json_key_string(w, "id", id);
	if (r->id.user[0])
		gp_json_key_text(w, "name", r->id.user, strlen(r->id.user));
	if (ev->valid & GP_VF_CREDS)
		put_id_name(w, "effective", ev->euid, r->id.euser);
	gp_json_end_object(w);
	put_id_name(w, "group", ev->gid, r->id.group);
}

/*
 * container.id (docker, containerd, podman, kubepods cgroup layouts) and
 * service.name: ECS 9.4 has no systemd or cgroup field; service.* is "the
 * service data is collected from", which on a host is the unit that made
 * the bind.  The IANA name of the port stays ghostport.service.
 */
static void put_context(struct gp_json *w, const struct gp_record *r)
{
	if (r->id.container_id[0]) {
		gp_json_key_begin_object(w, "container");
		gp_json_key_string(w, "id", r->id.container_id);
		gp_json_end_object(w);
	}
	if (r->id.unit[0]) {
		gp_json_key_begin_object(w, "service");
		gp_json_key_text(w, "name", r->id.unit, strlen(r->id.unit));
		gp_json_end_object(w);
	}
}

static void put_network(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	__u16 type = (ev->valid & GP_VF_TYPE) ? ev->sock_type : 0;
	size_t addr_len = strnlen(r->addr, sizeof(r->addr));
	char num[8];

	gp_json_key_begin_object(w, "server");
	if (addr_len) {
		gp_json_key_bytes(w, "address", r->addr, addr_len);
		gp_json_key_bytes(w, "ip", r->addr, addr_len);
	}
	gp_json_key_u64(w, "port", ev->port);
	gp_json_end_object(w);

	snprintf(num, sizeof(num), "%u", ev->protocol);
	gp_json_key_begin_object(w, "network");
	gp_json_key_string(w, "transport", gp_proto_name(ev->protocol, type));
	gp_json_key_string(w, "type", gp_family_name(ev->family));
	gp_json_key_string(w, "iana_number", num);
	gp_json_end_object(w);
}

static void put_host(struct gp_json *w, const struct gp_record *r)
{
	if (r->hostname || r->machine_id) {
		gp_json_key_begin_object(w, "host");
		if (r->hostname) {
			gp_json_key_string(w, "hostname", r->hostname);
			gp_json_key_string(w, "name", r->hostname);
		}
		if (r->machine_id)
			gp_json_key_string(w, "id", r->machine_id);
		gp_json_end_object(w);
	}
	gp_json_key_begin_object(w, "observer");
	if (r->hostname)
		gp_json_key_string(w, "hostname", r->hostname);
	gp_json_key_string(w, "product", "ghostport");
	gp_json_key_string(w, "vendor", "ghostport");
	gp_json_key_string(w, "type", "host-ids");
	gp_json_key_string(w, "version", GP_VERSION);
	gp_json_end_object(w);
}

/* ghostport.*: the json format's own fields, same names and values. */
static void put_ghostport(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;

	gp_json_key_begin_object(w, "ghostport");
	gp_json_put_verdict(w, ev);
	if (ev->valid & GP_VF_RET) {
		gp_json_key_s64(w, "ret", ev->ret);
		if (ev->ret < 0)
			gp_json_key_string(w, "errno", gp_errno_name(ev->ret));
	}
	gp_json_put_socket(w, ev);
	if (ev->valid & GP_VF_IFINDEX)
		gp_json_key_u64(w, "ifindex", ev->ifindex);
	if (r->service)
		gp_json_key_string(w, "service", r->service);
	gp_json_put_raw_hex(w, r);
	gp_json_put_identity_extra(w, r);
	if (r->count > 1)
		gp_json_key_u64(w, "count", r->count);
	if (r->scan)
		gp_json_put_scan(w, r->scan);
	gp_json_end_object(w);
}

int gp_format_ecs(const struct gp_record *r, char *buf, size_t len)
{
	struct gp_json w;
	char ts[32], summary[256];

	gp_json_init(&w, buf, len);
	gp_json_begin_object(&w);
	gp_time_rfc3339(ts, &r->wall, 9);
	gp_json_key_string(&w, "@timestamp", ts);
	if (gp_format_summary(r, summary, sizeof(summary)) > 0)
		gp_json_key_string(&w, "message", summary);
	gp_ecs_put_version(&w);
	put_event(&w, r);
	put_process(&w, r);
	put_ids(&w, r);
	put_context(&w, r);
	put_network(&w, r);
	put_host(&w, r);
	put_ghostport(&w, r);
	gp_json_end_object(&w);
	gp_json_raw(&w, "\n", 1);
	return gp_json_finish(&w);
}

/* Shared with format_dropped.c (format_int.h): every ECS document. */
void gp_ecs_put_version(struct gp_json *w)
{
	gp_json_key_begin_object(w, "ecs");
	gp_json_key_string(w, "version", ECS_VERSION);
	gp_json_end_object(w);
}
