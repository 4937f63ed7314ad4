// SPDX-License-Identifier: GPL-2.0
/*
 * format_json.c - JSON Lines: one object per event, fixed key set.
 *
 * Optional fields whose GP_VF_* bit is clear are written as null, never as a
 * zero that looks like data; the key set itself is stable so a consumer can
 * index on it.  The only keys that come and go are comm_hex (present when
 * comm is not valid UTF-8, so the replaced bytes can be recovered),
 * deny_errno (deny verdicts), count (folded duplicates), and host and
 * machine_id (host identity, when the run loop set it).
 */
#include <stdint.h>
#include <string.h>

#include "format.h"
#include "jsonw.h"
#include "names.h"

#define NSEC_PER_SEC	1000000000L

/*
 * Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
 * civil_from_days).  Done by hand because gmtime_r takes glibc's timezone
 * lock on every call, and this runs once per event.
 */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

/* width decimal digits of v, zero padded, ending just before end. */
static void put_digits(char *end, unsigned width, uint64_t v)
{
	while (width--) {
		*--end = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * "2026-11-23T15:04:05.123456789Z" into out (at least 32 bytes).  Years
 * outside 0..9999 cannot be written in RFC 3339; they are clamped to its
 * ends so that a garbage clock still gives a parseable timestamp.
 */
static void format_rfc3339(char out[32], const struct timespec *ts)
{
	int64_t sec = ts->tv_sec, days, y;
	long nsec = ts->tv_nsec;
	unsigned m, d, sod;

	if (nsec < 0 || nsec >= NSEC_PER_SEC) {
		sec += nsec / NSEC_PER_SEC;
		nsec %= NSEC_PER_SEC;
		if (nsec < 0) {
			nsec += NSEC_PER_SEC;
			sec--;
		}
	}
	days = sec / 86400;
	if (sec % 86400 < 0)
		days--;
	sod = (unsigned)(sec - days * 86400);
	civil_from_days(days, &y, &m, &d);
	if (y < 0) {
		y = 0; m = 1; d = 1; sod = 0; nsec = 0;
	} else if (y > 9999) {
		y = 9999; m = 12; d = 31; sod = 86399; nsec = NSEC_PER_SEC - 1;
	}
	memcpy(out, "0000-00-00T00:00:00.000000000Z", 31);
	put_digits(out + 4, 4, (uint64_t)y);
	put_digits(out + 7, 2, m);
	put_digits(out + 10, 2, d);
	put_digits(out + 13, 2, sod / 3600);
	put_digits(out + 16, 2, sod / 60 % 60);
	put_digits(out + 19, 2, sod % 60);
	put_digits(out + 29, 9, (uint64_t)nsec);
}

static void put_opts(struct gp_json *w, __u8 opts)
{
	gp_json_key_begin_array(w, "opts");
	for (unsigned bit = 0; bit < GP_OPT_NR_BITS; bit++)
		if (opts & (1U << bit))
			gp_json_array_string(w, gp_opt_name(bit));
	gp_json_end_array(w);
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

	format_rfc3339(ts, &r->wall);
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
		put_opts(&w, ev->opts);
	else
		gp_json_key_null(&w, "opts");

	gp_json_key_bool(&w, "kernel", ev->flags & GP_EF_KERNEL);
	gp_json_key_bool(&w, "listed", ev->flags & GP_EF_LISTED);
	if (r->count > 1)
		gp_json_key_u64(&w, "count", r->count);
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
