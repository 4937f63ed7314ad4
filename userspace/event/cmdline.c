// SPDX-License-Identifier: GPL-2.0
/*
 * cmdline.c - argv as the formats present it: one argument at a time (the
 * JSON arrays), and joined into one command line for the schemas that have
 * only a string (ECS process.command_line, OCSF cmd_line, CEF, syslog).
 *
 * The join quotes like a POSIX shell, so "a b" and "a" "b" stay two different
 * command lines and the line can be pasted back: an argument of only
 * [A-Za-z0-9_@%+=:,./-] (or bytes >= 0x80) is written as it is, anything
 * else in single quotes with ' written as '\''.  The bytes stay raw; each
 * format escapes them its own way (control characters, invalid UTF-8).
 */
#include <string.h>

#include "event/identity.h"

bool gp_ident_arg_next(const struct gp_ident *id, size_t *pos,
		       const unsigned char **p, size_t *n)
{
	size_t i = *pos;

	if (!id->has_args || i >= id->args_len)
		return false;
	*p = id->args + i;
	while (i < id->args_len && id->args[i])
		i++;
	*n = (size_t)(id->args + i - *p);
	*pos = i + 1;		/* past the NUL (or the end) */
	return true;
}

size_t gp_ident_arg_count(const struct gp_ident *id)
{
	const unsigned char *p;
	size_t pos = 0, n, count = 0;

	while (gp_ident_arg_next(id, &pos, &p, &n))
		count++;
	return count;
}

static bool plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80 || strchr("_@%+=:,./-", c);
}

/* Append n bytes if they fit (with the NUL): an argument is whole or gone. */
static bool put(char *out, size_t outlen, size_t *len, const char *s,
		size_t n)
{
	if (*len + n >= outlen)
		return false;
	memcpy(out + *len, s, n);
	*len += n;
	return true;
}

size_t gp_ident_cmdline(const struct gp_ident *id, char *out, size_t outlen)
{
	const unsigned char *p;
	size_t pos = 0, n, len = 0;

	if (!outlen)
		return 0;
	while (gp_ident_arg_next(id, &pos, &p, &n)) {
		size_t mark = len, i;
		bool quote = n == 0, ok = true;

		for (i = 0; i < n && !quote; i++)
			quote = !plain(p[i]) || p[i] == 0;
		if (len)
			ok = put(out, outlen, &len, " ", 1);
		if (ok && quote)
			ok = put(out, outlen, &len, "'", 1);
		for (i = 0; ok && i < n; i++)
			ok = p[i] == '\'' ? put(out, outlen, &len, "'\\''", 4)
					  : put(out, outlen, &len,
						(const char *)p + i, 1);
		if (ok && quote)
			ok = put(out, outlen, &len, "'", 1);
		if (!ok) {
			len = mark;
			break;
		}
	}
	out[len] = '\0';
	return len;
}
