// SPDX-License-Identifier: GPL-2.0
/*
 * fields.c - the ghostport fields ECS (ghostport.*) and OCSF
 * (unmapped.ghostport.*) both write with the json format's names and values,
 * and the opts array all three write (format/internal.h).  One writer, so the
 * formats cannot drift apart.
 */
#include "format/internal.h"
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
