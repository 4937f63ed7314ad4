// SPDX-License-Identifier: GPL-2.0
/*
 * portlist.c - parse and print port lists (syntax: portlist.h).
 *
 * Parsing is strict on purpose: a blocklist that silently means something
 * else than what was typed ("80x" read as 80, "0x50" as 0) is worse than a
 * refused one, so every malformed item is an error naming the item.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/portlist.h"

#define GP_PORT_MAX	65535U

/* A parsed item, before it is applied. */
struct item {
	unsigned lo, hi;
	unsigned protos;	/* GP_PROTO_* */
};

/* Room for a reason that quotes part of the item; the other reasons are
 * static strings. */
struct parse_error {
	char whybuf[96];
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\v' || c == '\f';
}

/* c as it can be shown between double quotes in a one-line message. */
static void show_char(char *out, size_t outlen, char c)
{
	unsigned char u = (unsigned char)c;

	if (u == '"' || u == '\\')
		snprintf(out, outlen, "\\%c", c);
	else if (u >= 0x20 && u < 0x7f)
		snprintf(out, outlen, "%c", c);
	else
		snprintf(out, outlen, "\\x%02x", u);
}

static const char *unexpected(struct parse_error *e, char c, const char *where)
{
	char shown[8];

	show_char(shown, sizeof(shown), c);
	snprintf(e->whybuf, sizeof(e->whybuf), "unexpected \"%s\" %s",
		 shown, where);
	return e->whybuf;
}

/* s[0..n) escaped for a one-line message, with "..." if it was cut. */
static void show_item(char *out, size_t outlen, const char *s, size_t n)
{
	/* Room kept for the longest escape ("\xhh"), "..." and the NUL. */
	const size_t tail = 4 + 3 + 1;
	size_t pos = 0, k;

	out[0] = '\0';
	for (k = 0; k < n && pos + tail <= outlen; k++) {
		show_char(out + pos, outlen - pos, s[k]);
		pos += strlen(out + pos);
	}
	if (k < n)
		memcpy(out + pos, "...", 4);
}

/*
 * One port at s[*i], the second of a range if range_end.  Returns NULL and
 * advances *i past the digits, or the reason it is not a port.
 */
static const char *parse_port(const char *s, size_t n, size_t *i,
			      unsigned *port, bool range_end)
{
	size_t start = *i, j = *i;
	unsigned long v = 0;

	if (j >= n || !is_digit(s[j])) {
		if (range_end)
			return "range end missing";
		if (j < n && s[j] == '-')
			return "negative port";
		if (j >= n || s[j] == '/')
			return "missing port number";
		return "not a port number";
	}
	if (s[j] == '0' && j + 1 < n && (s[j + 1] == 'x' || s[j + 1] == 'X'))
		return "hex is not accepted, ports are decimal";
	for (; j < n && is_digit(s[j]); j++) {
		/* Saturate instead of overflowing; anything above the cap is
		 * out of range anyway. */
		if (v <= GP_PORT_MAX)
			v = v * 10 + (unsigned long)(s[j] - '0');
	}
	if (s[start] == '0' && j - start > 1)
		return "leading zero, ports are plain decimal";
	if (v == 0)
		return "port 0 means 'any port'";
	if (v > GP_PORT_MAX)
		return "port above 65535";
	*port = (unsigned)v;
	*i = j;
	return NULL;
}

static unsigned proto_bits(const char *s, size_t n)
{
	static const struct {
		const char *name;
		unsigned bits;
	} protos[] = {
		{ "tcp", GP_PROTO_TCP },	{ "udp", GP_PROTO_UDP },
		{ "sctp", GP_PROTO_SCTP },	{ "other", GP_PROTO_OTHER },
		{ "raw", GP_PROTO_OTHER },	{ "all", GP_PROTO_ALL },
	};

	for (size_t k = 0; k < sizeof(protos) / sizeof(protos[0]); k++)
		if (strlen(protos[k].name) == n &&
		    !strncasecmp(s, protos[k].name, n))
			return protos[k].bits;
	return 0;
}

/* "tcp+udp" at s[i..n). */
static const char *parse_protos(struct parse_error *e, const char *s,
				size_t n, size_t i, unsigned *protos)
{
	if (i >= n)
		return "missing protocol after \"/\"";
	*protos = 0;
	while (i <= n) {
		size_t end = i;
		unsigned bits;

		while (end < n && s[end] != '+')
			end++;
		if (end == i)
			return "empty protocol name";
		bits = proto_bits(s + i, end - i);
		if (!bits) {
			char shown[40];

			show_item(shown, sizeof(shown), s + i, end - i);
			snprintf(e->whybuf, sizeof(e->whybuf),
				 "unknown protocol \"%s\" (use tcp, udp, sctp, other or all)",
				 shown);
			return e->whybuf;
		}
		*protos |= bits;
		i = end + 1;	/* past the '+', or past n: done */
	}
	return NULL;
}

static const char *parse_item(struct parse_error *e, const char *s, size_t n,
			      struct item *it)
{
	size_t i = 0;
	const char *why;

	if (n == 0)
		return "empty item";
	why = parse_port(s, n, &i, &it->lo, false);
	if (why)
		return why;
	it->hi = it->lo;
	if (i < n && s[i] == '-') {
		i++;
		why = parse_port(s, n, &i, &it->hi, true);
		if (why)
			return why;
		if (it->lo > it->hi)
			return "range start above end";
	}
	it->protos = GP_PROTO_ALL;
	if (i == n)
		return NULL;
	if (s[i] != '/')
		return unexpected(e, s[i], "after port number");
	return parse_protos(e, s, n, i + 1, &it->protos);
}

/*
 * Walk the list; with rules NULL only check it.  Parsing twice (check, then
 * apply) is what makes a bad list leave the rules untouched, without a
 * 256 KiB scratch copy of them.
 */
static int walk(const char *list, __u32 *rules, char *err, size_t errlen)
{
	const char *p = list;
	unsigned index = 1;

	for (;; index++) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		const char *b = p, *e = end;
		struct parse_error pe;
		struct item it;
		const char *why;

		while (b < e && is_space(*b))
			b++;
		while (e > b && is_space(e[-1]))
			e--;
		why = parse_item(&pe, b, (size_t)(e - b), &it);
		if (why) {
			char shown[80];

			if (err && errlen) {
				show_item(shown, sizeof(shown), b,
					  (size_t)(e - b));
				snprintf(err, errlen,
					 "bad port list item %u \"%s\": %s",
					 index, shown, why);
			}
			return -1;
		}
		if (rules)
			for (unsigned port = it.lo; port <= it.hi; port++)
				rules[port] |= GP_RULE_AUDIT(it.protos);
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

int gp_portlist_parse(const char *list, __u32 *rules, char *err,
		      size_t errlen)
{
	if (!list) {
		if (err && errlen)
			snprintf(err, errlen, "no port list");
		return -1;
	}
	if (walk(list, NULL, err, errlen))
		return -1;
	return walk(list, rules, err, errlen);
}

/* Append to buf at *pos; false (and nothing written) if it does not fit
 * with its NUL. */
static bool append(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos + n >= len)
		return false;
	memcpy(buf + *pos, s, n + 1);
	*pos += n;
	return true;
}

static void format_protos(char *out, size_t outlen, unsigned protos)
{
	static const char *const names[] = { "tcp", "udp", "sctp", "other" };
	size_t pos = 0;

	out[0] = '\0';
	if (protos == GP_PROTO_ALL)
		return;
	for (unsigned b = 0; b < 4; b++) {
		if (!(protos & (1U << b)))
			continue;
		pos += (size_t)snprintf(out + pos, outlen - pos, "%s%s",
					pos ? "+" : "/", names[b]);
	}
}

int gp_portlist_format(const __u32 *rules, char *buf, size_t len)
{
	size_t pos = 0;

	if (!len)
		return -1;
	buf[0] = '\0';
	for (unsigned lo = 1; lo <= GP_PORT_MAX; ) {
		unsigned protos = GP_RULE_AUDIT(rules[lo]);
		unsigned hi = lo;
		char item[48], suffix[24];

		if (!protos) {
			lo++;
			continue;
		}
		while (hi < GP_PORT_MAX && GP_RULE_AUDIT(rules[hi + 1]) == protos)
			hi++;
		format_protos(suffix, sizeof(suffix), protos);
		if (hi == lo)
			snprintf(item, sizeof(item), "%s%u%s",
				 pos ? "," : "", lo, suffix);
		else
			snprintf(item, sizeof(item), "%s%u-%u%s",
				 pos ? "," : "", lo, hi, suffix);
		if (!append(buf, len, &pos, item))
			return -1;
		lo = hi + 1;
	}
	return (int)pos;
}

size_t gp_rules_count(const __u32 *rules)
{
	size_t n = 0;

	for (unsigned port = 1; port <= GP_PORT_MAX; port++)
		n += rules[port] != 0;
	return n;
}
