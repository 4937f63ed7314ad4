// SPDX-License-Identifier: GPL-2.0
/*
 * yamltree.c - libyaml events to a bounded tree (see policy/yamltree.h).
 *
 * The event API rather than yaml_parser_load(): the document loader
 * resolves aliases into shared nodes and builds whatever depth it is given
 * before we could look; with events every limit is enforced the moment it
 * is crossed, so a hostile file costs at most the limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <yaml.h>

#include "policy/yamltree.h"

struct builder {
	struct gp_ydoc *doc;
	struct gp_ynode *stack[GP_YAML_MAX_DEPTH];
	size_t depth;
	char *err;
	size_t errlen;
};

static int fail_at(const char *name, char *err, size_t errlen,
		   size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int fail_at(const char *name, char *err, size_t errlen,
		   size_t line, size_t col, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err, errlen, "%s:%zu:%zu: %s", name, line, col, msg);
	else
		snprintf(err, errlen, "%s: %s", name, msg);
	return -1;
}

/*
 * Length of the valid UTF-8 sequence at p (1..4), 0 if none starts there:
 * overlongs, surrogates, code points above U+10FFFF and truncated
 * sequences are all invalid (RFC 3629).
 */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/*
 * NUL bytes and invalid UTF-8, located by line and column: libyaml would
 * refuse most of them too, but a NUL ends its input early (what follows
 * would be silently ignored), and its positions for encoding errors are
 * byte offsets, not lines.
 */
static int check_bytes(const char *name, const unsigned char *s, size_t n,
		       char *err, size_t errlen)
{
	size_t i = 0, line = 1, col = 1, l;

	while (i < n) {
		if (s[i] == '\0')
			return fail_at(name, err, errlen, line, col,
				       "NUL byte: this is not a text file");
		l = utf8_len(s + i, n - i);
		if (!l)
			return fail_at(name, err, errlen, line, col,
				       "invalid UTF-8 (byte 0x%02x): the file must be UTF-8 text",
				       s[i]);
		if (s[i] == '\n')
			line++, col = 1;
		else
			col++;
		i += l;
	}
	return 0;
}

static struct gp_ynode *new_node(struct builder *b, enum gp_ynode_type t,
				 const yaml_mark_t *m)
{
	struct gp_ynode *n;

	if (b->doc->nodes >= GP_YAML_MAX_NODES) {
		fail_at(b->doc->path, b->err, b->errlen, m->line + 1,
			m->column + 1, "more than %d YAML nodes: not a config file",
			GP_YAML_MAX_NODES);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		fail_at(b->doc->path, b->err, b->errlen, 0, 0, "out of memory");
		return NULL;
	}
	b->doc->nodes++;
	n->type = t;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	return n;
}

static void free_node(struct gp_ynode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		free_node(n->items[i]);
	free(n->items);
	free(n->value);
	free(n);
}

/* Attach n to the open container, or make it the root. */
static int attach(struct builder *b, struct gp_ynode *n)
{
	struct gp_ynode *p;
	struct gp_ynode **items;

	if (!b->depth) {
		b->doc->root = n;
		return 0;
	}
	p = b->stack[b->depth - 1];
	if ((p->n & (p->n - 1)) == 0) {	/* 0, 1, 2, 4 ...: grow */
		items = realloc(p->items, (p->n ? p->n * 2 : 1) * sizeof(*items));
		if (!items) {
			free_node(n);
			return fail_at(b->doc->path, b->err, b->errlen, 0, 0,
				       "out of memory");
		}
		p->items = items;
	}
	p->items[p->n++] = n;
	return 0;
}

/* Anchors, aliases and tags: refused, with the reason. */
static int refuse_props(struct builder *b, const yaml_event_t *e,
			const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor)
		return fail_at(b->doc->path, b->err, b->errlen,
			       e->start_mark.line + 1, e->start_mark.column + 1,
			       "anchors (&%s) are not allowed in the config",
			       (const char *)anchor);
	if (tag)
		return fail_at(b->doc->path, b->err, b->errlen,
			       e->start_mark.line + 1, e->start_mark.column + 1,
			       "tags (%s) are not allowed in the config",
			       (const char *)tag);
	return 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *e)
{
	const char *v = (const char *)e->data.scalar.value;
	size_t len = e->data.scalar.length, i;
	struct gp_ynode *n;

	if (refuse_props(b, e, e->data.scalar.anchor, e->data.scalar.tag))
		return -1;
	/* Escapes ("\0", "\x1b", "\n") can put in a string what the file
	 * check let through: no setting needs a control character, and one
	 * in a path or an output would end up in logs. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c == 0x7f)
			return fail_at(b->doc->path, b->err, b->errlen,
				       e->start_mark.line + 1,
				       e->start_mark.column + 1,
				       "control character 0x%02x in a string", c);
	}
	n = new_node(b, GP_Y_SCALAR, &e->start_mark);
	if (!n)
		return -1;
	n->value = strndup(v, len);
	n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (!n->value) {
		free_node(n);
		return fail_at(b->doc->path, b->err, b->errlen, 0, 0,
			       "out of memory");
	}
	return attach(b, n);
}

static int on_start(struct builder *b, const yaml_event_t *e,
		    enum gp_ynode_type t)
{
	const yaml_char_t *anchor = t == GP_Y_SEQ ?
		e->data.sequence_start.anchor : e->data.mapping_start.anchor;
	const yaml_char_t *tag = t == GP_Y_SEQ ?
		e->data.sequence_start.tag : e->data.mapping_start.tag;
	struct gp_ynode *n;

	if (refuse_props(b, e, anchor, tag))
		return -1;
	if (b->depth >= GP_YAML_MAX_DEPTH)
		return fail_at(b->doc->path, b->err, b->errlen,
			       e->start_mark.line + 1, e->start_mark.column + 1,
			       "nesting deeper than %d levels: not a ghostport config",
			       GP_YAML_MAX_DEPTH);
	n = new_node(b, t, &e->start_mark);
	if (!n || attach(b, n))
		return -1;
	b->stack[b->depth++] = n;
	return 0;
}

static int parser_error(struct builder *b, const yaml_parser_t *p)
{
	const yaml_mark_t *m = &p->problem_mark;
	const char *what = p->problem ? p->problem : "malformed YAML";

	if (p->context)
		return fail_at(b->doc->path, b->err, b->errlen, m->line + 1,
			       m->column + 1, "invalid YAML: %s %s", what,
			       p->context);
	return fail_at(b->doc->path, b->err, b->errlen, m->line + 1,
		       m->column + 1, "invalid YAML: %s", what);
}

static int run_events(struct builder *b, yaml_parser_t *p)
{
	int documents = 0, ret = 0;
	yaml_event_t e;

	for (;;) {
		if (!yaml_parser_parse(p, &e))
			return parser_error(b, p);
		switch (e.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1)
				ret = fail_at(b->doc->path, b->err, b->errlen,
					      e.start_mark.line + 1,
					      e.start_mark.column + 1,
					      "a second YAML document: the config is one document");
			break;
		case YAML_ALIAS_EVENT:
			ret = fail_at(b->doc->path, b->err, b->errlen,
				      e.start_mark.line + 1,
				      e.start_mark.column + 1,
				      "aliases (*%s) are not allowed in the config",
				      (const char *)e.data.alias.anchor);
			break;
		case YAML_SCALAR_EVENT:
			ret = on_scalar(b, &e);
			break;
		case YAML_SEQUENCE_START_EVENT:
			ret = on_start(b, &e, GP_Y_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			ret = on_start(b, &e, GP_Y_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			b->depth--;
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&e);
			return 0;
		default:
			break;
		}
		yaml_event_delete(&e);
		if (ret)
			return ret;
	}
}

int gp_ydoc_parse(const char *name, const char *buf, size_t len,
		  struct gp_ydoc *doc, char *err, size_t errlen)
{
	struct builder b = { .doc = doc, .err = err, .errlen = errlen };
	yaml_parser_t p;
	int ret;

	memset(doc, 0, sizeof(*doc));
	snprintf(doc->path, sizeof(doc->path), "%s", name);
	if (len > GP_YAML_MAX_BYTES)
		return fail_at(name, err, errlen, 0, 0,
			       "%zu bytes: larger than the %d bytes a config may have",
			       len, GP_YAML_MAX_BYTES);
	if (check_bytes(name, (const unsigned char *)buf, len, err, errlen))
		return -1;
	if (!yaml_parser_initialize(&p))
		return fail_at(name, err, errlen, 0, 0, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	ret = run_events(&b, &p);
	yaml_parser_delete(&p);
	if (ret)
		gp_ydoc_free(doc);
	return ret;
}

int gp_ydoc_load(const char *path, struct gp_ydoc *doc, char *err,
		 size_t errlen)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd, ret;

	memset(doc, 0, sizeof(*doc));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fail_at(path, err, errlen, 0, 0, "cannot open: %s",
			       strerror(errno));
	/* A FIFO or a device could block or never end: files only. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail_at(path, err, errlen, 0, 0, "not a regular file");
	}
	if (st.st_size > GP_YAML_MAX_BYTES) {
		close(fd);
		return fail_at(path, err, errlen, 0, 0,
			       "%lld bytes: larger than the %d bytes a config may have",
			       (long long)st.st_size, GP_YAML_MAX_BYTES);
	}
	/* One byte more than allowed, in case it grew since fstat. */
	buf = malloc(GP_YAML_MAX_BYTES + 1);
	if (!buf) {
		close(fd);
		return fail_at(path, err, errlen, 0, 0, "out of memory");
	}
	while (len <= GP_YAML_MAX_BYTES) {
		n = read(fd, buf + len, GP_YAML_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail_at(path, err, errlen, 0, 0, "read: %s",
				      strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	ret = gp_ydoc_parse(path, buf, len, doc, err, errlen);
out:
	free(buf);
	close(fd);
	return ret;
}

void gp_ydoc_free(struct gp_ydoc *doc)
{
	free_node(doc->root);
	doc->root = NULL;
	doc->nodes = 0;
}

const char *gp_ynode_kind(const struct gp_ynode *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case GP_Y_SEQ:
		return "a list";
	case GP_Y_MAP:
		return "a mapping";
	default:
		break;
	}
	if (n->plain && !n->value[0])
		return "an empty value";
	return n->plain ? "a plain value" : "a quoted string";
}
