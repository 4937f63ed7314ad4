/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jsonw.h - a small JSON writer into a caller's buffer, for the per-event hot
 * path: no allocation, no stdio, one pass.
 *
 * The writer never writes past buf[len - 1] and always leaves room for a
 * terminating NUL.  When something does not fit it sets `overflow` and
 * ignores every later call; gp_json_finish() then reports -1, so the caller
 * checks once at the end instead of after every field.
 *
 * Strings are escaped so that the output is valid JSON whatever the input
 * bytes are: '"', '\\' and every control byte (0x00-0x1f, 0x7f) are escaped,
 * valid UTF-8 passes through, and each byte that is not part of a valid
 * UTF-8 sequence (stray continuation, overlong form, surrogate, above
 * U+10FFFF, truncated sequence) becomes U+FFFD.  That replacement is lossy;
 * a caller that must keep the bytes adds them with gp_json_key_hex().
 *
 * Commas are tracked with one flag: a value after another value at the same
 * level gets a comma, and a closed object or array counts as a value of its
 * parent, which is all a well-nested writer needs.
 */
#ifndef GP_JSONW_H
#define GP_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gp_json {
	char *buf;
	size_t len;		/* size of buf, including the NUL */
	size_t pos;		/* bytes written so far, excluding the NUL */
	bool overflow;		/* something did not fit; output is unusable */
	bool need_comma;	/* the next value or key follows another one */
};

void gp_json_init(struct gp_json *w, char *buf, size_t len);

void gp_json_begin_object(struct gp_json *w);
void gp_json_end_object(struct gp_json *w);
/* "key":[ ... ]  -- fill with gp_json_array_string(). */
void gp_json_key_begin_array(struct gp_json *w, const char *key);
void gp_json_end_array(struct gp_json *w);
void gp_json_array_string(struct gp_json *w, const char *s);
/* An array element from n raw bytes (escaped like gp_json_key_bytes). */
void gp_json_array_bytes(struct gp_json *w, const void *p, size_t n);
/* An array element as clean text (like gp_json_key_text); true if lossy. */
bool gp_json_array_text(struct gp_json *w, const void *p, size_t n);

/* "key":"s" with s a NUL-terminated string. */
void gp_json_key_string(struct gp_json *w, const char *key, const char *s);
/* "key":"..." from n raw bytes, which may contain NULs. */
void gp_json_key_bytes(struct gp_json *w, const char *key,
		       const void *p, size_t n);
/*
 * "key":"..." from n raw bytes as clean text: like gp_json_key_bytes, but
 * control characters (C0, DEL, C1) also become U+FFFD.  Returns true if
 * anything was replaced; the caller then adds the bytes with
 * gp_json_key_hex() (docs/siem.md: comm_hex, exe_hex).
 */
bool gp_json_key_text(struct gp_json *w, const char *key,
		      const void *p, size_t n);
/* "key":"0a1b..." lowercase hex of n bytes: lossless for any bytes. */
void gp_json_key_hex(struct gp_json *w, const char *key,
		     const void *p, size_t n);
void gp_json_key_u64(struct gp_json *w, const char *key, uint64_t v);
void gp_json_key_s64(struct gp_json *w, const char *key, int64_t v);
void gp_json_key_bool(struct gp_json *w, const char *key, bool v);
void gp_json_key_null(struct gp_json *w, const char *key);

/* Append bytes as they are (a newline between records, say). */
void gp_json_raw(struct gp_json *w, const char *p, size_t n);

/*
 * NUL-terminate and return the length written (without the NUL), or -1 if
 * anything overflowed.  On -1 the buffer holds a truncated, NUL-terminated
 * prefix (when len > 0) that must not be emitted.
 */
int gp_json_finish(struct gp_json *w);

/* 1 if the n bytes are entirely valid UTF-8 (RFC 3629), else 0. */
int gp_bytes_valid_utf8(const void *p, size_t n);

/*
 * Lowercase hex of n bytes into out (2n chars + NUL).  Returns 2n, or -1
 * (with out untouched) if outlen < 2n + 1.
 */
int gp_hex_encode(char *out, size_t outlen, const void *p, size_t n);

#endif /* GP_JSONW_H */
