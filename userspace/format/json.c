// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - JSON Lines: one object per event, fixed key set.
 *
 * Optional fields whose GP_VF_* bit is clear are written as null, never as a
 * zero that looks like data; the key set itself is stable so a consumer can
 * index on it.  The only keys that come and go are comm_hex (present when
 * comm is not valid UTF-8, so the replaced bytes can be recovered),
 * deny_errno (deny verdicts), count (folded duplicates), scan (scan
 * events: holders, netns name, state, close outcome), and host and
 * machine_id (host identity, when the run loop set it).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "format/format.h"
#include "format/internal.h"
#include "lib/jsonw.h"
#include "event/names.h"
#include "lib/timefmt.h"

static void key_name(struct gp_json *w, const char *key, const char *name)
{
	if (name[0])
		gp_json_key_string(w, key, name);
	else
		gp_json_key_null(w, key);
}

/*
 * Who bound (ABI v2): the executable's identity even when its path is
 * unknown (inode, device, and why), argv as an array of byte strings,
 * the parent, effective and login ids with names, cgroup, unit, container.
 */
static void put_identity(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	const struct gp_ident *id = &r->id;
	const unsigned char *p;
	size_t pos = 0, n;

	if (ev->valid & GP_VF_EXE) {
		gp_json_put_exe_id(w, ev);
	} else {
		gp_json_key_null(w, "exe_ino");
		gp_json_key_null(w, "exe_dev");
		gp_json_key_null(w, "exe_flags");
	}
	if (id->exe.path[0] || !id->exe.reason)
		gp_json_key_null(w, "exe_reason");
	else
		gp_json_key_string(w, "exe_reason", id->exe.reason);
	if (id->has_args) {
		gp_json_key_begin_array(w, "args");
		while (gp_ident_arg_next(id, &pos, &p, &n))
			gp_json_array_bytes(w, p, n);
		gp_json_end_array(w);
		gp_json_key_bool(w, "args_truncated",
				 ev->args_flags & GP_AF_TRUNCATED);
	} else {
		gp_json_key_null(w, "args");
	}
	if (ev->valid & GP_VF_PARENT)
		gp_json_key_bytes(w, "parent_comm", ev->parent_comm,
				  strnlen(ev->parent_comm, GP_COMM_LEN));
	else
		gp_json_key_null(w, "parent_comm");
	if (id->parent_exe.path[0])
		gp_json_key_bytes(w, "parent_exe", id->parent_exe.path,
				  strlen(id->parent_exe.path));
	else
		gp_json_key_null(w, "parent_exe");
	key_name(w, "user", id->user);
	key_name(w, "group", id->group);
	if (ev->valid & GP_VF_CREDS) {
		gp_json_key_u64(w, "euid", ev->euid);
		gp_json_key_u64(w, "egid", ev->egid);
		key_name(w, "euser", id->euser);
		key_name(w, "egroup", id->egroup);
	} else {
		gp_json_key_null(w, "euid");
		gp_json_key_null(w, "egid");
	}
	if ((ev->valid & GP_VF_LOGIN) && ev->auid != (__u32)-1)
		gp_json_key_u64(w, "auid", ev->auid);
	else
		gp_json_key_null(w, "auid");
	if ((ev->valid & GP_VF_LOGIN) && ev->sessionid != (__u32)-1)
		gp_json_key_u64(w, "sessionid", ev->sessionid);
	else
		gp_json_key_null(w, "sessionid");
	key_name(w, "cgroup", id->cgroup);
	key_name(w, "unit", id->unit);
	key_name(w, "container_id", id->container_id);
}

int gp_format_json(const struct gp_record *r, char *buf, size_t len)
{
	const struct gp_event *ev = &r->ev;
	size_t comm_len = strnlen(ev->comm, GP_COMM_LEN);
	size_t exe_len = strnlen(r->exe, sizeof(r->exe));
	/* Unknown type: let the protocol alone name it. */
	__u16 type = (ev->valid & GP_VF_TYPE) ? ev->sock_type : 0;
	bool has_ret = ev->valid & GP_VF_RET;
	struct gp_json w;
	char ts[32];

	gp_json_init(&w, buf, len);
	gp_json_begin_object(&w);

	gp_time_rfc3339(ts, &r->wall, 9);
	gp_json_key_string(&w, "time", ts);
	gp_json_key_u64(&w, "pid", ev->pid);
	gp_json_key_u64(&w, "tid", ev->tid);
	if (ev->valid & GP_VF_PPID)
		gp_json_key_u64(&w, "ppid", ev->ppid);
	else
		gp_json_key_null(&w, "ppid");
	gp_json_key_u64(&w, "uid", ev->uid);
	gp_json_key_u64(&w, "gid", ev->gid);

	/* comm is whatever the task wrote with prctl(PR_SET_NAME): the
	 * escaped form is always valid JSON, the hex form is lossless. */
	gp_json_key_bytes(&w, "comm", ev->comm, comm_len);
	if (!gp_bytes_valid_utf8(ev->comm, comm_len))
		gp_json_key_hex(&w, "comm_hex", ev->comm, comm_len);
	if (exe_len)
		gp_json_key_bytes(&w, "exe", r->exe, exe_len);
	else
		gp_json_key_null(&w, "exe");
	put_identity(&w, r);

	gp_json_key_string(&w, "family", gp_family_name(ev->family));
	gp_json_key_string(&w, "proto", gp_proto_name(ev->protocol, type));
	if (ev->valid & GP_VF_TYPE)
		gp_json_key_string(&w, "sock_type",
				   gp_sock_type_name(ev->sock_type));
	else
		gp_json_key_null(&w, "sock_type");
	gp_json_key_bytes(&w, "addr", r->addr, strnlen(r->addr, sizeof(r->addr)));
	gp_json_key_bool(&w, "v4mapped", ev->flags & GP_EF_V4MAPPED);
	gp_json_key_u64(&w, "port", ev->port);
	if (r->service)
		gp_json_key_string(&w, "service", r->service);
	else
		gp_json_key_null(&w, "service");

	if (has_ret)
		gp_json_key_s64(&w, "ret", ev->ret);
	else
		gp_json_key_null(&w, "ret");
	/* ret null: why, where the producer knows (e.g. "failed": the bind
	 * failed after the cgroup hook, which cannot see the errno). */
	if (!has_ret && gp_ret_why_name(ev->ret_why))
		gp_json_key_string(&w, "ret_unknown",
				   gp_ret_why_name(ev->ret_why));
	else
		gp_json_key_null(&w, "ret_unknown");
	if (has_ret && ev->ret < 0)
		gp_json_key_string(&w, "errno", gp_errno_name(ev->ret));
	else
		gp_json_key_null(&w, "errno");
	gp_json_key_string(&w, "verdict", gp_verdict_name(ev->verdict));
	if (ev->verdict == GP_VERDICT_DENY)
		gp_json_key_string(&w, "deny_errno",
				   gp_errno_name(ev->deny_errno));
	gp_json_key_string(&w, "source", gp_source_name(ev->source));

	if (ev->valid & GP_VF_CGROUP)
		gp_json_key_u64(&w, "cgroup_id", ev->cgroup_id);
	else
		gp_json_key_null(&w, "cgroup_id");
	if (ev->valid & GP_VF_NETNS)
		gp_json_key_u64(&w, "netns", ev->netns_ino);
	else
		gp_json_key_null(&w, "netns");
	if (ev->valid & GP_VF_IFINDEX)
		gp_json_key_u64(&w, "ifindex", ev->ifindex);
	else
		gp_json_key_null(&w, "ifindex");
	if (ev->valid & GP_VF_OPTS)
		gp_json_key_opts(&w, ev->opts);
	else
		gp_json_key_null(&w, "opts");

	gp_json_key_bool(&w, "kernel", ev->flags & GP_EF_KERNEL);
	gp_json_key_bool(&w, "listed", ev->flags & GP_EF_LISTED);
	/* Only when set: records of the full program set keep their keys. */
	if (ev->flags & GP_EF_LOCKDOWN)
		gp_json_key_string(&w, "progset", "lockdown-safe");
	if (r->count > 1)
		gp_json_key_u64(&w, "count", r->count);
	/* Scan events only (source scan): holders, netns name, state. */
	if (r->scan)
		gp_json_put_scan(&w, r->scan);
	/* Host identity: only when the run loop set it, so that records
	 * built without it keep exactly the key set above. */
	if (r->hostname) {
		gp_json_key_string(&w, "host", r->hostname);
		if (r->machine_id)
			gp_json_key_string(&w, "machine_id", r->machine_id);
		else
			gp_json_key_null(&w, "machine_id");
	}

	gp_json_end_object(&w);
	gp_json_raw(&w, "\n", 1);
	return gp_json_finish(&w);
}
