// SPDX-License-Identifier: GPL-2.0
/*
 * fields.c - the ghostport fields ECS (ghostport.*) and OCSF
 * (unmapped.ghostport.*) both write with the json format's names and values,
 * and the opts array all three write (format/internal.h).  One writer, so the
 * formats cannot drift apart.
 */
#include <stdio.h>
#include <string.h>

#include "format/internal.h"
#include "lib/jsonobj.h"
#include "event/names.h"

void gp_json_key_opts(struct gp_json *w, __u8 opts)
{
	gp_json_key_begin_array(w, "opts");
	for (unsigned bit = 0; bit < GP_OPT_NR_BITS; bit++)
		if (opts & (1U << bit))
			gp_json_array_string(w, gp_opt_name(bit));
	gp_json_end_array(w);
}

void gp_json_put_verdict(struct gp_json *w, const struct gp_event *ev)
{
	gp_json_key_string(w, "verdict", gp_verdict_name(ev->verdict));
	if (ev->verdict == GP_VERDICT_DENY)
		gp_json_key_string(w, "deny_errno",
				   gp_errno_name(ev->deny_errno));
	gp_json_key_string(w, "source", gp_source_name(ev->source));
	gp_json_key_bool(w, "kernel", ev->flags & GP_EF_KERNEL);
	gp_json_key_bool(w, "listed", ev->flags & GP_EF_LISTED);
	gp_json_key_bool(w, "v4mapped", ev->flags & GP_EF_V4MAPPED);
	if (ev->flags & GP_EF_LOCKDOWN)
		gp_json_key_string(w, "progset", "lockdown-safe");
}

void gp_json_put_socket(struct gp_json *w, const struct gp_event *ev)
{
	if (ev->valid & GP_VF_TYPE)
		gp_json_key_string(w, "sock_type",
				   gp_sock_type_name(ev->sock_type));
	if (ev->valid & GP_VF_OPTS)
		gp_json_key_opts(w, ev->opts);
	if (ev->valid & GP_VF_NETNS)
		gp_json_key_u64(w, "netns", ev->netns_ino);
	if (ev->valid & GP_VF_CGROUP)
		gp_json_key_u64(w, "cgroup_id", ev->cgroup_id);
}

/* Would gp_json_key_text() replace anything in these bytes? */
static bool text_lossy(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;

	if (!gp_bytes_valid_utf8(p, n))
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7f ||
		    (s[i] == 0xc2 && i + 1 < n && s[i + 1] < 0xa0))
			return true;
	return false;
}

void gp_json_put_raw_hex(struct gp_json *w, const struct gp_record *r)
{
	size_t comm_len = strnlen(r->ev.comm, GP_COMM_LEN);
	size_t exe_len = strnlen(r->exe, sizeof(r->exe));

	if (text_lossy(r->ev.comm, comm_len))
		gp_json_key_hex(w, "comm_hex", r->ev.comm, comm_len);
	if (text_lossy(r->exe, exe_len))
		gp_json_key_hex(w, "exe_hex", r->exe, exe_len);
}

void gp_json_key_id_name(struct gp_json *w, const char *key,
			 const char *idkey, __u32 id, const char *name)
{
	char s[12];

	snprintf(s, sizeof(s), "%u", id);
	gp_json_key_begin_object(w, key);
	gp_json_key_string(w, idkey, s);
	if (name[0])
		gp_json_key_text(w, "name", name, strlen(name));
	gp_json_end_object(w);
}

static const char *const exe_flag_names[16] = {
	"deleted", "memfd", "anon_mount", "truncated", NULL, "fault",
	"no_capture", "not_rooted",
};

void gp_json_key_exe_flags(struct gp_json *w, const char *key, __u16 xf)
{
	gp_json_key_begin_array(w, key);
	for (unsigned int i = 0; i < 16; i++)
		if ((xf & (1U << i)) && exe_flag_names[i])
			gp_json_array_string(w, exe_flag_names[i]);
	gp_json_end_array(w);
}

size_t gp_exe_flags_join(char *out, size_t outlen, __u16 xf)
{
	size_t len = 0;

	if (!outlen)
		return 0;
	out[0] = '\0';
	for (unsigned int i = 0; i < 16; i++) {
		int n;

		if (!(xf & (1U << i)) || !exe_flag_names[i])
			continue;
		n = snprintf(out + len, outlen - len, "%s%s", len ? "," : "",
			     exe_flag_names[i]);
		if (n < 0 || (size_t)n >= outlen - len)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	return len;
}

void gp_kdev_str(char out[24], __u32 dev)
{
	snprintf(out, 24, "%u:%u", dev >> 20, dev & 0xfffff);
}

void gp_json_put_exe_id(struct gp_json *w, const struct gp_event *ev)
{
	char dev[24];

	gp_json_key_u64(w, "exe_ino", ev->exe_ino);
	gp_kdev_str(dev, ev->exe_dev);
	gp_json_key_string(w, "exe_dev", dev);
	gp_json_key_exe_flags(w, "exe_flags", ev->exe_flags);
}

void gp_json_put_identity_extra(struct gp_json *w, const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	const struct gp_ident *id = &r->id;
	const unsigned char *p;
	size_t pos = 0, n;
	bool lossy = false;

	if (ev->valid & GP_VF_EXE)
		gp_json_put_exe_id(w, ev);
	if (!r->exe[0] && id->exe.reason)
		gp_json_key_string(w, "exe_reason", id->exe.reason);
	if (id->has_args) {
		gp_json_key_bool(w, "args_truncated",
				 ev->args_flags & GP_AF_TRUNCATED);
		while (gp_ident_arg_next(id, &pos, &p, &n))
			lossy |= text_lossy((const char *)p, n);
		if (lossy)
			gp_json_key_hex(w, "args_hex", id->args, id->args_len);
	}
	if (ev->valid & GP_VF_CREDS) {
		gp_json_key_u64(w, "euid", ev->euid);
		gp_json_key_u64(w, "egid", ev->egid);
	}
	if ((ev->valid & GP_VF_LOGIN) && ev->auid != (__u32)-1)
		gp_json_key_u64(w, "auid", ev->auid);
	if ((ev->valid & GP_VF_LOGIN) && ev->sessionid != (__u32)-1)
		gp_json_key_u64(w, "sessionid", ev->sessionid);
	if (id->cgroup[0])
		gp_json_key_bytes(w, "cgroup", id->cgroup, strlen(id->cgroup));
	if (id->unit[0])
		gp_json_key_bytes(w, "unit", id->unit, strlen(id->unit));
	if (id->container_runtime)
		gp_json_key_string(w, "container_runtime",
				   id->container_runtime);
	n = strnlen(ev->parent_comm, GP_COMM_LEN);
	if ((ev->valid & GP_VF_PARENT) && text_lossy(ev->parent_comm, n))
		gp_json_key_hex(w, "parent_comm_hex", ev->parent_comm, n);
	n = strlen(id->parent_exe.path);
	if (text_lossy(id->parent_exe.path, n))
		gp_json_key_hex(w, "parent_exe_hex", id->parent_exe.path, n);
}

void gp_json_put_scan(struct gp_json *w, const struct gp_scan_info *si)
{
	size_t i;

	gp_json_key_begin_object(w, "scan");
	gp_json_key_text(w, "netns_name", si->netns_name,
			 strlen(si->netns_name));
	gp_json_key_string(w, "state", si->state);
	gp_json_key_u64(w, "inode", si->inode);
	gp_json_key_u64(w, "cookie", si->cookie);
	gp_json_key_u64(w, "sock_uid", si->sk_uid);
	/* No holder: a kernel socket, or one in flight between processes. */
	gp_json_key_bool(w, "unowned", !si->n_holders);
	gp_json_key_begin_array(w, "holders");
	for (i = 0; i < si->n_holders; i++) {
		const struct gp_scan_holder *h = &si->holders[i];
		size_t n = strnlen(h->comm, GP_COMM_LEN);

		gp_json_begin_object(w);
		gp_json_key_u64(w, "pid", (uint64_t)h->pid);
		gp_json_key_u64(w, "ppid", (uint64_t)h->ppid);
		gp_json_key_u64(w, "uid", h->uid);
		gp_json_key_u64(w, "gid", h->gid);
		gp_json_key_u64(w, "fd", (uint64_t)h->fd);
		if (gp_json_key_text(w, "comm", h->comm, n))
			gp_json_key_hex(w, "comm_hex", h->comm, n);
		if (h->exe[0] && gp_json_key_text(w, "exe", h->exe,
						  strlen(h->exe)))
			gp_json_key_hex(w, "exe_hex", h->exe, strlen(h->exe));
		if (h->cmdline[0])
			gp_json_key_text(w, "cmdline", h->cmdline,
					 strlen(h->cmdline));
		if (h->cgroup[0])
			gp_json_key_text(w, "cgroup", h->cgroup,
					 strlen(h->cgroup));
		if (h->cgroup_id)
			gp_json_key_u64(w, "cgroup_id", h->cgroup_id);
		gp_json_end_object(w);
	}
	gp_json_end_array(w);
	gp_json_key_string(w, "close", si->close);
	if (si->close_error)
		gp_json_key_string(w, "close_error", si->close_error);
	gp_json_end_object(w);
}
