// SPDX-License-Identifier: GPL-2.0
/*
 * jsonw.c - JSON writer into a caller buffer (see lib/jsonw.h).
 */
#include <limits.h>
#include <string.h>

#include "lib/jsonw.h"
#include "lib/strbuf.h"

static const char hex_digits[] = "0123456789abcdef";

void gp_json_init(struct gp_json *w, char *buf, size_t len)
{
	w->buf = buf;
	w->len = len;
	w->pos = 0;
	/* No room even for the NUL: nothing can ever be written. */
	w->overflow = len == 0;
	w->need_comma = false;
	if (len)
		buf[0] = '\0';
}

/* Room for n more bytes, keeping one for the final NUL? */
static bool reserve(struct gp_json *w, size_t n)
{
	if (w->overflow)
		return false;
	if (n >= w->len - w->pos) {
		w->overflow = true;
		return false;
	}
	return true;
}

static void put(struct gp_json *w, const char *p, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->pos, p, n);
	w->pos += n;
}

static void put_char(struct gp_json *w, char c)
{
	if (!reserve(w, 1))
		return;
	w->buf[w->pos++] = c;
}

/* Length of the valid UTF-8 sequence at p (1..4), 0 if none starts there. */
static size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	uint32_t cp;

	return gp_utf8_seq(p, n, &cp);
}

int gp_bytes_valid_utf8(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0;

	while (i < n) {
		size_t l = utf8_seq_len(s + i, n - i);

		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

/* Bytes that go out as they came in: printable ASCII but '"' and '\\'. */
static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/*
 * text: control characters (C0, DEL, C1) become U+FFFD too, instead of
 * JSON escapes: for fields a schema defines as text (ECS process.name, OCSF
 * process.name), where consumers would otherwise show raw controls.
 * Returns true if anything was replaced.
 */
static bool put_escaped_mode(struct gp_json *w, const unsigned char *s,
			     size_t n, bool text)
{
	static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */
	bool replaced = false;
	size_t i = 0;

	put_char(w, '"');
	while (i < n && !w->overflow) {
		unsigned char c = s[i];
		size_t run, l;

		/* Copy the common case, a run of plain ASCII, in one go. */
		for (run = 0; i + run < n && json_plain(s[i + run]); run++)
			;
		if (run) {
			put(w, (const char *)s + i, run);
			i += run;
			continue;
		}
		if (c >= 0x80) {
			l = utf8_seq_len(s + i, n - i);
			if (l && !(text && l == 2 && c == 0xc2 && s[i + 1] < 0xa0)) {
				put(w, (const char *)s + i, l);
				i += l;
			} else {
				/* One replacement per bad byte, as promised
				 * (and per C1 control in text mode). */
				put(w, replacement, 3);
				replaced = true;
				i += l ? l : 1;
			}
			continue;
		}
		if (text && c != '"' && c != '\\') {
			put(w, replacement, 3);	/* C0 control or DEL */
			replaced = true;
			i++;
			continue;
		}
		switch (c) {
		case '"':  put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\t': put(w, "\\t", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\b': put(w, "\\b", 2); break;
		case '\f': put(w, "\\f", 2); break;
		default: {
			/* The other C0 controls and DEL. */
			char u[6] = { '\\', 'u', '0', '0',
				      hex_digits[c >> 4], hex_digits[c & 15] };

			put(w, u, sizeof(u));
		}
		}
		i++;
	}
	put_char(w, '"');
	return replaced;
}

static void put_escaped(struct gp_json *w, const unsigned char *s, size_t n)
{
	put_escaped_mode(w, s, n, false);
}

static void put_key(struct gp_json *w, const char *key)
{
	size_t n = strlen(key), plain = 0, need;

	/* Keys are nearly always our own plain literals: write ,"key": with
	 * one bounds check instead of five (the writer's hottest call). */
	while (plain < n && json_plain((unsigned char)key[plain]))
		plain++;
	need = n + 3 + w->need_comma;
	if (plain == n && reserve(w, need)) {
		char *o = w->buf + w->pos;

		if (w->need_comma)
			*o++ = ',';
		*o++ = '"';
		memcpy(o, key, n);
		o += n;
		*o++ = '"';
		*o = ':';
		w->pos += need;
	} else {
		if (w->need_comma)
			put_char(w, ',');
		put_escaped(w, (const unsigned char *)key, n);
		put_char(w, ':');
	}
	w->need_comma = true;
}

void gp_json_begin_object(struct gp_json *w)
{
	if (w->need_comma)
		put_char(w, ',');
	put_char(w, '{');
	w->need_comma = false;
}

void gp_json_end_object(struct gp_json *w)
{
	put_char(w, '}');
	w->need_comma = true;
}

void gp_json_key_begin_array(struct gp_json *w, const char *key)
{
	put_key(w, key);
	put_char(w, '[');
	w->need_comma = false;
}

void gp_json_end_array(struct gp_json *w)
{
	put_char(w, ']');
	w->need_comma = true;
}

void gp_json_array_string(struct gp_json *w, const char *s)
{
	if (w->need_comma)
		put_char(w, ',');
	put_escaped(w, (const unsigned char *)s, strlen(s));
	w->need_comma = true;
}

void gp_json_array_bytes(struct gp_json *w, const void *p, size_t n)
{
	if (w->need_comma)
		put_char(w, ',');
	put_escaped(w, p, n);
	w->need_comma = true;
}

bool gp_json_array_text(struct gp_json *w, const void *p, size_t n)
{
	bool lossy;

	if (w->need_comma)
		put_char(w, ',');
	lossy = put_escaped_mode(w, p, n, true);
	w->need_comma = true;
	return lossy;
}

void gp_json_key_string(struct gp_json *w, const char *key, const char *s)
{
	put_key(w, key);
	put_escaped(w, (const unsigned char *)s, strlen(s));
}

void gp_json_key_bytes(struct gp_json *w, const char *key,
		       const void *p, size_t n)
{
	put_key(w, key);
	put_escaped(w, p, n);
}

bool gp_json_key_text(struct gp_json *w, const char *key,
		      const void *p, size_t n)
{
	put_key(w, key);
	return put_escaped_mode(w, p, n, true);
}

void gp_json_key_hex(struct gp_json *w, const char *key,
		     const void *p, size_t n)
{
	const unsigned char *s = p;

	put_key(w, key);
	put_char(w, '"');
	if (n > (SIZE_MAX - 1) / 2 || !reserve(w, 2 * n))
		return;
	for (size_t i = 0; i < n; i++) {
		w->buf[w->pos++] = hex_digits[s[i] >> 4];
		w->buf[w->pos++] = hex_digits[s[i] & 15];
	}
	put_char(w, '"');
}

/* Decimal digits of v, written backwards from the end of tmp. */
static void put_u64_digits(struct gp_json *w, uint64_t v, bool negative)
{
	char tmp[21];		/* 20 digits of UINT64_MAX and a '-' */
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (negative)
		tmp[--i] = '-';
	put(w, tmp + i, sizeof(tmp) - i);
}

void gp_json_key_u64(struct gp_json *w, const char *key, uint64_t v)
{
	put_key(w, key);
	put_u64_digits(w, v, false);
}

void gp_json_key_s64(struct gp_json *w, const char *key, int64_t v)
{
	put_key(w, key);
	/* Negate in unsigned so INT64_MIN has a magnitude. */
	if (v < 0)
		put_u64_digits(w, 0 - (uint64_t)v, true);
	else
		put_u64_digits(w, (uint64_t)v, false);
}

void gp_json_key_bool(struct gp_json *w, const char *key, bool v)
{
	put_key(w, key);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void gp_json_key_null(struct gp_json *w, const char *key)
{
	put_key(w, key);
	put(w, "null", 4);
}

void gp_json_raw(struct gp_json *w, const char *p, size_t n)
{
	put(w, p, n);
}

int gp_json_finish(struct gp_json *w)
{
	if (w->len)
		w->buf[w->pos] = '\0';
	if (w->overflow || w->pos > INT_MAX)
		return -1;
	return (int)w->pos;
}

int gp_hex_encode(char *out, size_t outlen, const void *p, size_t n)
{
	const unsigned char *s = p;

	if (n > (INT_MAX - 1) / 2 || outlen < 2 * n + 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_digits[s[i] >> 4];
		out[2 * i + 1] = hex_digits[s[i] & 15];
	}
	out[2 * n] = '\0';
	return (int)(2 * n);
}
