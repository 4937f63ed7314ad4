// SPDX-License-Identifier: GPL-2.0
/*
 * dropped.c - the synthetic "N events dropped" record an output
 * writes, in its own format, when its collector is back after the spool
 * overflowed (format.h, docs/siem.md).  Its position in the stream is
 * where the lost events were.
 */
#include <stdio.h>

#include "format/format.h"
#include "format/internal.h"
#include "lib/jsonobj.h"
#include "lib/strbuf.h"
#include "lib/timefmt.h"

int gp_format_dropped(enum gp_format f, uint64_t dropped,
		      const struct timespec *now, const char *host,
		      const char *mid, char *buf, size_t len)
{
	char ts[32], msg[128];
	struct gp_json w;

	gp_time_rfc3339(ts, now, 9);
	snprintf(msg, sizeof(msg),
		 "ghostport: %llu events dropped while collector was unreachable",
		 (unsigned long long)dropped);

	switch (f) {
	case GP_FMT_TEXT: {
		struct gp_sb b;

		gp_sb_init(&b, buf, len);
		gp_sb_str(&b, ts);
		gp_sb_char(&b, ' ');
		gp_sb_str(&b, msg);
		gp_sb_char(&b, '\n');
		return gp_sb_finish(&b);
	}
	case GP_FMT_CEF:
		return gp_format_cef_dropped(dropped, now, host, mid, buf, len);
	case GP_FMT_SYSLOG:
		return gp_format_syslog_dropped(dropped, now, host, mid, buf,
						len);
	default:
		break;
	}

	gp_json_init(&w, buf, len);
	gp_json_begin_object(&w);
	switch (f) {
	case GP_FMT_JSON:
		gp_json_key_string(&w, "time", ts);
		gp_json_key_string(&w, "event", "dropped");
		gp_json_key_u64(&w, "dropped", dropped);
		gp_json_key_string(&w, "message", msg);
		if (host)
			gp_json_key_string(&w, "host", host);
		if (host && mid)
			gp_json_key_string(&w, "machine_id", mid);
		break;
	case GP_FMT_ECS:
		gp_json_key_string(&w, "@timestamp", ts);
		gp_json_key_string(&w, "message", msg);
		gp_ecs_put_version(&w);
		gp_json_key_begin_object(&w, "event");
		gp_json_key_string(&w, "kind", "event");
		gp_json_key_string(&w, "action", "events-dropped");
		gp_json_key_string(&w, "module", "ghostport");
		gp_json_key_string(&w, "dataset", "ghostport.bind");
		gp_json_end_object(&w);
		if (host || mid) {
			gp_json_key_begin_object(&w, "host");
			if (host)
				gp_json_key_string(&w, "hostname", host);
			if (mid)
				gp_json_key_string(&w, "id", mid);
			gp_json_end_object(&w);
		}
		gp_json_key_begin_object(&w, "ghostport");
		gp_json_key_u64(&w, "dropped", dropped);
		gp_json_end_object(&w);
		break;
	case GP_FMT_OCSF:
		/* Not network activity: OCSF's Base Event (class 0), Other. */
		gp_json_key_u64(&w, "class_uid", 0);
		gp_json_key_string(&w, "class_name", "Base Event");
		gp_json_key_u64(&w, "category_uid", 0);
		gp_json_key_u64(&w, "activity_id", 99);
		gp_json_key_string(&w, "activity_name", "Events Dropped");
		gp_json_key_u64(&w, "type_uid", 99);
		gp_json_key_u64(&w, "time", gp_time_epoch_ms(now));
		gp_json_key_u64(&w, "severity_id", 3);
		gp_json_key_string(&w, "severity", "Medium");
		gp_json_key_u64(&w, "count", dropped);
		gp_json_key_string(&w, "message", msg);
		gp_ocsf_put_header_dropped(&w, host, mid);
		gp_json_key_begin_object(&w, "unmapped");
		gp_json_key_begin_object(&w, "ghostport");
		gp_json_key_u64(&w, "dropped", dropped);
		gp_json_end_object(&w);
		gp_json_end_object(&w);
		break;
	default:
		return -1;
	}
	gp_json_end_object(&w);
	gp_json_raw(&w, "\n", 1);
	return gp_json_finish(&w);
}
