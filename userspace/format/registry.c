// SPDX-License-Identifier: GPL-2.0
/*
 * registry.c - the formats, one const struct gp_format_ops each, and the
 * lookups over them.  The table is indexed by enum gp_format with
 * designated initializers, so nothing depends on the enum's order; a
 * format missing here fails the unit tests (test_format walks every id).
 */
#include <string.h>

#include "format/format.h"
#include "format/internal.h"

static const struct gp_format_ops text_ops = {
	.name = "text",
	.id = GP_FMT_TEXT,
	.event = gp_format_text,
	.dropped = gp_format_text_dropped,
	.header = gp_format_text_header,
};

static const struct gp_format_ops json_ops = {
	.name = "json",
	.id = GP_FMT_JSON,
	.event = gp_format_json,
	.dropped = gp_format_json_dropped,
};

static const struct gp_format_ops ecs_ops = {
	.name = "ecs",
	.id = GP_FMT_ECS,
	.event = gp_format_ecs,
	.dropped = gp_format_ecs_dropped,
};

static const struct gp_format_ops ocsf_ops = {
	.name = "ocsf",
	.id = GP_FMT_OCSF,
	.event = gp_format_ocsf,
	.dropped = gp_format_ocsf_dropped,
};

static const struct gp_format_ops cef_ops = {
	.name = "cef",
	.id = GP_FMT_CEF,
	.event = gp_format_cef,
	.dropped = gp_format_cef_dropped,
};

static const struct gp_format_ops syslog_ops = {
	.name = "syslog",
	.id = GP_FMT_SYSLOG,
	.event = gp_format_syslog,
	.dropped = gp_format_syslog_dropped,
	.syslog_framed = true,
};

static const struct gp_format_ops *const formats[GP_FMT_MAX] = {
	[GP_FMT_TEXT] = &text_ops,
	[GP_FMT_JSON] = &json_ops,
	[GP_FMT_ECS] = &ecs_ops,
	[GP_FMT_OCSF] = &ocsf_ops,
	[GP_FMT_CEF] = &cef_ops,
	[GP_FMT_SYSLOG] = &syslog_ops,
};

const struct gp_format_ops *gp_format_ops(enum gp_format f)
{
	return (unsigned)f < GP_FMT_MAX ? formats[f] : NULL;
}

const struct gp_format_ops *gp_format_find(const char *name)
{
	if (!name)
		return NULL;
	for (int f = 0; f < GP_FMT_MAX; f++)
		if (formats[f] && !strcmp(name, formats[f]->name))
			return formats[f];
	return NULL;
}

int gp_format_parse(const char *name)
{
	const struct gp_format_ops *ops = gp_format_find(name);

	return ops ? (int)ops->id : -1;
}

const char *gp_format_name(enum gp_format f)
{
	const struct gp_format_ops *ops = gp_format_ops(f);

	return ops ? ops->name : "unknown";
}

int gp_format_record(enum gp_format f, const struct gp_record *r, char *buf,
		     size_t len)
{
	const struct gp_format_ops *ops = gp_format_ops(f);

	return ops ? ops->event(r, buf, len) : -1;
}

int gp_format_dropped(enum gp_format f, uint64_t dropped,
		      const struct timespec *now, const char *hostname,
		      const char *machine_id, char *buf, size_t len)
{
	const struct gp_format_ops *ops = gp_format_ops(f);

	return ops ? ops->dropped(dropped, now, hostname, machine_id, buf,
				  len) : -1;
}
