/* SPDX-License-Identifier: GPL-2.0 */
/*
 * yamltree.h - a configuration file read into a small YAML tree, safely.
 *
 * The file is parsed by libyaml's event API; this only builds the tree and
 * refuses, with FILE:LINE:COL and what was expected, everything a config
 * file has no business containing and a hostile one might: more than
 * GP_YAML_MAX_BYTES (checked before parsing), NUL bytes, invalid UTF-8,
 * nesting deeper than GP_YAML_MAX_DEPTH, more than GP_YAML_MAX_NODES nodes,
 * anchors and aliases (billion laughs), explicit tags, and more than one
 * document.  Duplicate and unknown keys are the schema's business
 * (policy/config.c), which knows which keys exist.
 *
 * Lines and columns are 1-based; columns count characters, as libyaml does.
 */
#ifndef GP_YAMLTREE_H
#define GP_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>

#define GP_YAML_MAX_BYTES	(1024 * 1024)
#define GP_YAML_MAX_DEPTH	8
#define GP_YAML_MAX_NODES	65536

enum gp_ynode_type {
	GP_Y_SCALAR,
	GP_Y_SEQ,
	GP_Y_MAP,
};

struct gp_ynode {
	enum gp_ynode_type type;
	unsigned line, col;		/* where it starts */
	/* scalar */
	char *value;			/* NUL-terminated (no NULs inside) */
	bool plain;			/* unquoted: may be a number, bool, null */
	/* sequence: items[0..n); mapping: items[2i] key, items[2i+1] value */
	struct gp_ynode **items;
	size_t n;
};

struct gp_ydoc {
	struct gp_ynode *root;		/* NULL for an empty file */
	size_t nodes;
	char path[512];			/* as given, for messages */
};

/*
 * Read and parse path.  0 on success (doc->root may be NULL: empty file,
 * comments only, or an empty document), -1 with one line
 * "PATH:LINE:COL: message" (or "PATH: message" when there is no position)
 * in err.  gp_ydoc_free() is safe after either.
 */
int gp_ydoc_load(const char *path, struct gp_ydoc *doc, char *err,
		 size_t errlen);

/* The same from memory (tests, and the loader itself); name is for messages. */
int gp_ydoc_parse(const char *name, const char *buf, size_t len,
		  struct gp_ydoc *doc, char *err, size_t errlen);

void gp_ydoc_free(struct gp_ydoc *doc);

/* "a mapping", "a sequence", "a string" ... for "expected X, got Y". */
const char *gp_ynode_kind(const struct gp_ynode *n);

#endif /* GP_YAMLTREE_H */
