/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jsonobj.h - "key":{ for the nested SIEM JSON formats (ECS, OCSF), on top
 * of lib/jsonw.h's comma tracking.  Keys here are our own plain literals.
 */
#ifndef GP_JSONOBJ_H
#define GP_JSONOBJ_H

#include <string.h>

#include "lib/jsonw.h"

static inline void gp_json_key_begin_object(struct gp_json *w, const char *k)
{
	if (w->need_comma)
		gp_json_raw(w, ",", 1);
	gp_json_raw(w, "\"", 1);
	gp_json_raw(w, k, strlen(k));
	gp_json_raw(w, "\":", 2);
	w->need_comma = false;
	gp_json_begin_object(w);
}

#endif /* GP_JSONOBJ_H */
