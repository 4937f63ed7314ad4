/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strbuf.h - a bounded string builder over a caller's buffer, and the
 * escapers the SIEM formats (CEF, RFC 5424) need.
 *
 * Same contract as lib/jsonw.h: nothing is allocated, nothing is written past
 * buf[len - 1], room for the NUL is always kept, and the first thing that
 * does not fit sets `overflow` so the caller checks once, at the end.
 */
#ifndef GP_STRBUF_H
#define GP_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gp_sb {
	char *buf;
	size_t len;		/* size of buf, including the NUL */
	size_t pos;		/* bytes written, excluding the NUL */
	bool overflow;
};

void gp_sb_init(struct gp_sb *b, char *buf, size_t len);
void gp_sb_add(struct gp_sb *b, const char *s, size_t n);
void gp_sb_str(struct gp_sb *b, const char *s);
void gp_sb_char(struct gp_sb *b, char c);
void gp_sb_u64(struct gp_sb *b, uint64_t v);
void gp_sb_s64(struct gp_sb *b, int64_t v);
/* NUL-terminate; bytes written without the NUL, or -1 on overflow. */
int gp_sb_finish(struct gp_sb *b);

/*
 * Length of the valid UTF-8 sequence (RFC 3629: no overlongs, surrogates or
 * code points above U+10FFFF) at p, 1..4, with its code point in *cp; 0 if
 * the bytes at p do not start one.
 */
size_t gp_utf8_seq(const unsigned char *p, size_t n, uint32_t *cp);

/* Escaper flags. */
#define GP_ESC_NL_CR	(1U << 0) /* '\n' -> "\n", '\r' -> "\r" (CEF ext) */

/*
 * Append n bytes of s as clean UTF-8 for a text protocol: every byte in
 * `special` gets a backslash before it, and every byte that is not part of a
 * valid UTF-8 sequence, and every control character (C0, DEL, C1), becomes
 * U+FFFD -- except '\n' and '\r' with GP_ESC_NL_CR.  Returns true if
 * anything was replaced (the caller then adds a lossless hex field).
 */
bool gp_sb_escaped(struct gp_sb *b, const char *s, size_t n,
		   const char *special, unsigned flags);

/*
 * Append n bytes as printable ASCII: 0x20..0x7e as they are, '\\' doubled,
 * everything else as \xHH.  Unambiguous and safe in any 8-bit channel.
 */
void gp_sb_ascii_escaped(struct gp_sb *b, const char *s, size_t n);

/* Lowercase hex of n bytes. */
void gp_sb_hex(struct gp_sb *b, const void *p, size_t n);

#endif /* GP_STRBUF_H */
