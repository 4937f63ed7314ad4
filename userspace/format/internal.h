/* SPDX-License-Identifier: GPL-2.0 */
/*
 * internal.h - what the format files share among themselves: the
 * ghostport fields that the JSON formats (json, ECS, OCSF) write the same
 * way (format/fields.c), those the key=value formats (CEF, RFC 5424) write
 * the same way (format/kv.c), and the pieces of the drop notice that
 * format/dropped.c borrows from the formats.  Not for callers of
 * format/format.h.
 */
#ifndef GP_FORMAT_INT_H
#define GP_FORMAT_INT_H

#include <stdint.h>
#include <time.h>

#include "format/format.h"
#include "lib/jsonw.h"
#include "lib/strbuf.h"
#include "event/record.h"

/* "opts":["reuseaddr",...]: the names of the option bits set in opts. */
void gp_json_key_opts(struct gp_json *w, __u8 opts);

/*
 * The json format's verdict keys, for the ghostport object of ECS and OCSF:
 * verdict, deny_errno (deny only), source, kernel, listed, v4mapped.
 */
void gp_json_put_verdict(struct gp_json *w, const struct gp_event *ev);

/*
 * The json format's socket keys, each only when its GP_VF_* bit says it is
 * known (ECS and OCSF leave out what they cannot say): sock_type, opts,
 * netns, cgroup_id.
 */
void gp_json_put_socket(struct gp_json *w, const struct gp_event *ev);

/*
 * comm_hex / exe_hex: the raw bytes of comm and exe, each only when its text
 * field (gp_json_key_text) had to replace something (invalid UTF-8, control
 * characters), so nothing the task chose is lost.
 */
void gp_json_put_raw_hex(struct gp_json *w, const struct gp_record *r);

/*
 * "KEY":{"IDKEY":"N","name":"..."}: a user or group as ECS and OCSF write
 * it, the id as a string (both schemas type it so), the name when known.
 */
void gp_json_key_id_name(struct gp_json *w, const char *key,
			 const char *idkey, __u32 id, const char *name);

/* "exe_flags":["deleted",...]: the names of the GP_XF_* bits set. */
void gp_json_key_exe_flags(struct gp_json *w, const char *key, __u16 xf);
/* The GP_XF_* bits' names joined with ',' into out (CEF, syslog). */
size_t gp_exe_flags_join(char *out, size_t outlen, __u16 xf);
/* "MAJOR:MINOR" of a kernel dev_t (exe_dev), into out[24]. */
void gp_kdev_str(char out[24], __u32 dev);

/* exe_ino, exe_dev, exe_flags of an executable the kernel identified
 * (GP_VF_EXE): json at the top level, ECS and OCSF among their extras. */
void gp_json_put_exe_id(struct gp_json *w, const struct gp_event *ev);

/*
 * The identity keys ECS (ghostport.*) and OCSF (unmapped.ghostport.*) have
 * no schema field for, with the json format's names, each only when known:
 * exe_ino, exe_dev, exe_flags, exe_reason, args_truncated, euid, egid,
 * auid, sessionid, cgroup, unit, container_runtime; args_hex,
 * parent_comm_hex and parent_exe_hex when the text form replaced bytes.
 */
void gp_json_put_identity_extra(struct gp_json *w, const struct gp_record *r);
/*
 * "scan":{...}: a scan event's netns name, state, socket inode, holders
 * (pid, ppid, uid, gid, fd, comm, exe, cmdline, cgroup) and close outcome;
 * the same object in json (top level), ECS (ghostport.scan) and OCSF
 * (unmapped.ghostport.scan).
 */
void gp_json_put_scan(struct gp_json *w, const struct gp_scan_info *si);

/*
 * A key=value format (CEF, RFC 5424): how it writes a value, and its keys
 * for the fields format/kv.c writes for both.
 */
struct gp_kv_format {
	void (*str)(struct gp_sb *b, const char *key, const char *v);
	void (*u64)(struct gp_sb *b, const char *key, uint64_t v);
	/* A name the system gave (group, user, cgroup), kept as the format
	 * keeps such bytes (RFC 5424 adds KEY_hex when it replaced any). */
	void (*name)(struct gp_sb *b, const char *key, const char *v);
	const char *exe_ino, *exe_dev, *exe_flags, *exe_reason;
	const char *group, *euid, *egid, *euser, *egroup, *auid, *sessionid,
		*cgroup;
	/* What a holder's comm escapes in "pid:comm:uid,...". */
	const char *holder_special;
	unsigned int holder_esc;
};

/* exe_ino, exe_dev, exe_flags when the executable is known, else
 * exe_reason when there is one. */
void gp_kv_put_exe(const struct gp_kv_format *f, struct gp_sb *b,
		   const struct gp_record *r);
/* group, euid, egid, euser, egroup, auid, sessionid, cgroup: each only
 * when known. */
void gp_kv_put_creds(const struct gp_kv_format *f, struct gp_sb *b,
		     const struct gp_record *r);
/* A scan event's holders as "pid:comm:uid" joined by ',' (the value only:
 * the caller writes the key and any quotes). */
void gp_kv_put_holders(const struct gp_kv_format *f, struct gp_sb *b,
		       const struct gp_scan_info *si);

/* The drop notice of each format (format/dropped.c, and format/cef.c,
 * format/syslog.c for theirs); gp_format_ops.dropped. */
gp_format_dropped_fn gp_format_text_dropped, gp_format_json_dropped,
	gp_format_ecs_dropped, gp_format_ocsf_dropped, gp_format_cef_dropped,
	gp_format_syslog_dropped;
/* {"ecs":{"version":...}}, which ECS requires in every document. */
void gp_ecs_put_version(struct gp_json *w);
/* OCSF's metadata and device objects, for its drop notice (format/ocsf.c). */
void gp_ocsf_put_header_dropped(struct gp_json *w, const char *host,
				const char *mid);

#endif /* GP_FORMAT_INT_H */
