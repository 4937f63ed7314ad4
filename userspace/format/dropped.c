// SPDX-License-Identifier: GPL-2.0
/*
 * dropped.c - the synthetic "N events dropped" record an output
 * writes, in its own format, when its collector is back after the spool
 * overflowed (format.h, docs/siem.md).  Its position in the stream is
 * where the lost events were.  One function per format, reached through
 * the format's ops (format/registry.c); CEF's and syslog's live with
 * their formats.
 */
#include <stdio.h>

#include "format/format.h"
#include "format/internal.h"
#include "lib/jsonobj.h"
#include "lib/strbuf.h"
#include "lib/timefmt.h"

/* The time and the human message every drop notice carries. */
static void notice_text(uint64_t dropped, const struct timespec *now,
			char ts[32], char msg[128])
{
	gp_time_rfc3339(ts, now, 9);
	snprintf(msg, 128,
		 "ghostport: %llu events dropped while collector was unreachable",
		 (unsigned long long)dropped);
}

/* What every JSON drop notice starts with. */
struct notice {
	char ts[32], msg[128];
	struct gp_json w;
};

static struct gp_json *json_begin(struct notice *n, uint64_t dropped,
				  const struct timespec *now, char *buf,
				  size_t len)
{
	notice_text(dropped, now, n->ts, n->msg);
	gp_json_init(&n->w, buf, len);
	gp_json_begin_object(&n->w);
	return &n->w;
}

int gp_format_text_dropped(uint64_t dropped, const struct timespec *now,
			   const char *host, const char *mid, char *buf,
			   size_t len)
{
	char ts[32], msg[128];
	struct gp_sb b;

	notice_text(dropped, now, ts, msg);
	gp_sb_init(&b, buf, len);
	gp_sb_str(&b, ts);
	gp_sb_char(&b, ' ');
	gp_sb_str(&b, msg);
	gp_sb_char(&b, '\n');
	return gp_sb_finish(&b);
}

static int json_finish(struct gp_json *w)
{
	gp_json_end_object(w);
	gp_json_raw(w, "\n", 1);
	return gp_json_finish(w);
}

int gp_format_json_dropped(uint64_t dropped, const struct timespec *now,
			   const char *host, const char *mid, char *buf,
			   size_t len)
{
	struct notice n;
	struct gp_json *w = json_begin(&n, dropped, now, buf, len);

	gp_json_key_string(w, "time", n.ts);
	gp_json_key_string(w, "event", "dropped");
	gp_json_key_u64(w, "dropped", dropped);
	gp_json_key_string(w, "message", n.msg);
	if (host)
		gp_json_key_string(w, "host", host);
	if (host && mid)
		gp_json_key_string(w, "machine_id", mid);
	return json_finish(w);
}

int gp_format_ecs_dropped(uint64_t dropped, const struct timespec *now,
			  const char *host, const char *mid, char *buf,
			  size_t len)
{
	struct notice n;
	struct gp_json *w = json_begin(&n, dropped, now, buf, len);

	gp_json_key_string(w, "@timestamp", n.ts);
	gp_json_key_string(w, "message", n.msg);
	gp_ecs_put_version(w);
	gp_json_key_begin_object(w, "event");
	gp_json_key_string(w, "kind", "event");
	gp_json_key_string(w, "action", "events-dropped");
	gp_json_key_string(w, "module", "ghostport");
	gp_json_key_string(w, "dataset", "ghostport.bind");
	gp_json_end_object(w);
	if (host || mid) {
		gp_json_key_begin_object(w, "host");
		if (host)
			gp_json_key_string(w, "hostname", host);
		if (mid)
			gp_json_key_string(w, "id", mid);
		gp_json_end_object(w);
	}
	gp_json_key_begin_object(w, "ghostport");
	gp_json_key_u64(w, "dropped", dropped);
	gp_json_end_object(w);
	return json_finish(w);
}

int gp_format_ocsf_dropped(uint64_t dropped, const struct timespec *now,
			   const char *host, const char *mid, char *buf,
			   size_t len)
{
	struct notice n;
	struct gp_json *w = json_begin(&n, dropped, now, buf, len);

	/* Not network activity: OCSF's Base Event (class 0), Other. */
	gp_json_key_u64(w, "class_uid", 0);
	gp_json_key_string(w, "class_name", "Base Event");
	gp_json_key_u64(w, "category_uid", 0);
	gp_json_key_u64(w, "activity_id", 99);
	gp_json_key_string(w, "activity_name", "Events Dropped");
	gp_json_key_u64(w, "type_uid", 99);
	gp_json_key_u64(w, "time", gp_time_epoch_ms(now));
	gp_json_key_u64(w, "severity_id", 3);
	gp_json_key_string(w, "severity", "Medium");
	gp_json_key_u64(w, "count", dropped);
	gp_json_key_string(w, "message", n.msg);
	gp_ocsf_put_header_dropped(w, host, mid);
	gp_json_key_begin_object(w, "unmapped");
	gp_json_key_begin_object(w, "ghostport");
	gp_json_key_u64(w, "dropped", dropped);
	gp_json_end_object(w);
	gp_json_end_object(w);
	return json_finish(w);
}
