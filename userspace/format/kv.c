// SPDX-License-Identifier: GPL-2.0
/*
 * kv.c - the fields the two key=value formats, CEF (extension keys) and
 * RFC 5424 (SD params), write alike: the executable's identity, the
 * credentials after the group, and a scan event's holder list
 * (format/internal.h).  Each format brings its own value writers and key
 * names in a const struct gp_kv_format; the order and the conditions are
 * written once, so the two cannot drift apart.
 */
#include "format/internal.h"
#include "event/names.h"

void gp_kv_put_exe(const struct gp_kv_format *f, struct gp_sb *b,
		   const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	char tmp[64];

	if (ev->valid & GP_VF_EXE) {
		f->u64(b, f->exe_ino, ev->exe_ino);
		gp_kdev_str(tmp, ev->exe_dev);
		f->str(b, f->exe_dev, tmp);
		if (gp_exe_flags_join(tmp, sizeof(tmp), ev->exe_flags))
			f->str(b, f->exe_flags, tmp);
	}
	if (!r->exe[0] && r->id.exe.reason)
		f->str(b, f->exe_reason, r->id.exe.reason);
}

void gp_kv_put_creds(const struct gp_kv_format *f, struct gp_sb *b,
		     const struct gp_record *r)
{
	const struct gp_event *ev = &r->ev;
	const struct gp_ident *id = &r->id;

	if (id->group[0])
		f->name(b, f->group, id->group);
	if (ev->valid & GP_VF_CREDS) {
		f->u64(b, f->euid, ev->euid);
		f->u64(b, f->egid, ev->egid);
		if (id->euser[0])
			f->name(b, f->euser, id->euser);
		if (id->egroup[0])
			f->name(b, f->egroup, id->egroup);
	}
	if ((ev->valid & GP_VF_LOGIN) && ev->auid != (__u32)-1)
		f->u64(b, f->auid, ev->auid);
	if ((ev->valid & GP_VF_LOGIN) && ev->sessionid != (__u32)-1)
		f->u64(b, f->sessionid, ev->sessionid);
	if (id->cgroup[0])
		f->name(b, f->cgroup, id->cgroup);
}

void gp_kv_put_holders(const struct gp_kv_format *f, struct gp_sb *b,
		       const struct gp_scan_info *si)
{
	for (size_t i = 0; i < si->n_holders; i++) {
		const struct gp_scan_holder *h = &si->holders[i];

		if (i)
			gp_sb_char(b, ',');
		gp_sb_u64(b, (uint64_t)h->pid);
		gp_sb_char(b, ':');
		gp_sb_escaped(b, h->comm, strnlen(h->comm, GP_COMM_LEN),
			      f->holder_special, f->holder_esc);
		gp_sb_char(b, ':');
		gp_sb_u64(b, h->uid);
	}
}
