// SPDX-License-Identifier: GPL-2.0
/*
 * strbuf.c - bounded string builder and text-protocol escapers (lib/strbuf.h).
 */
#include <string.h>

#include "lib/strbuf.h"

static const char hex_digits[] = "0123456789abcdef";
static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

void gp_sb_init(struct gp_sb *b, char *buf, size_t len)
{
	b->buf = buf;
	b->len = len;
	b->pos = 0;
	b->overflow = len == 0;
	if (len)
		buf[0] = '\0';
}

void gp_sb_add(struct gp_sb *b, const char *s, size_t n)
{
	if (b->overflow || n >= b->len - b->pos) {
		b->overflow = true;
		return;
	}
	memcpy(b->buf + b->pos, s, n);
	b->pos += n;
}

void gp_sb_str(struct gp_sb *b, const char *s)
{
	gp_sb_add(b, s, strlen(s));
}

void gp_sb_char(struct gp_sb *b, char c)
{
	gp_sb_add(b, &c, 1);
}

void gp_sb_u64(struct gp_sb *b, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	gp_sb_add(b, tmp + i, sizeof(tmp) - i);
}

void gp_sb_s64(struct gp_sb *b, int64_t v)
{
	if (v < 0) {
		gp_sb_char(b, '-');
		/* -(v + 1) + 1 does not overflow for INT64_MIN. */
		gp_sb_u64(b, (uint64_t)(-(v + 1)) + 1);
	} else {
		gp_sb_u64(b, (uint64_t)v);
	}
}

int gp_sb_finish(struct gp_sb *b)
{
	if (b->len)
		b->buf[b->overflow ? 0 : b->pos] = '\0';
	return b->overflow ? -1 : (int)b->pos;
}

size_t gp_utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t c = p[0], min;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2; c &= 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; c &= 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; c &= 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

bool gp_sb_escaped(struct gp_sb *b, const char *s, size_t n,
		   const char *special, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	bool lossy = false;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t l = gp_utf8_seq(p + i, n - i, &cp);

		if (!l) {
			gp_sb_add(b, replacement, 3);
			lossy = true;
			i++;
			continue;
		}
		if ((flags & GP_ESC_NL_CR) && (cp == '\n' || cp == '\r')) {
			gp_sb_add(b, cp == '\n' ? "\\n" : "\\r", 2);
		} else if (is_control(cp)) {
			gp_sb_add(b, replacement, 3);
			lossy = true;
		} else {
			if (l == 1 && cp && strchr(special, (int)cp))
				gp_sb_char(b, '\\');
			gp_sb_add(b, s + i, l);
		}
		i += l;
	}
	return lossy;
}

void gp_sb_ascii_escaped(struct gp_sb *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			gp_sb_add(b, "\\\\", 2);
		} else if (c >= 0x20 && c < 0x7f) {
			gp_sb_char(b, (char)c);
		} else {
			char e[4] = { '\\', 'x', hex_digits[c >> 4],
				      hex_digits[c & 15] };

			gp_sb_add(b, e, 4);
		}
	}
}

void gp_sb_hex(struct gp_sb *b, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		char e[2] = { hex_digits[s[i] >> 4], hex_digits[s[i] & 15] };

		gp_sb_add(b, e, 2);
	}
}
