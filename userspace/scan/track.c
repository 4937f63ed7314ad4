// SPDX-License-Identifier: GPL-2.0
/*
 * scan_track.c - the reported squatters between scans (see scan_track.h).
 * A socket is known by its inode and cookie (an inode number can be reused
 * by a later socket; the cookie cannot), kept with a copy of what was
 * reported so its "gone" event can say what went away.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "event/names.h"
#include "scan/track.h"

struct gp_scan_track {
	struct gp_scan_sock *v;		/* holders copied, owned here */
	size_t n, cap;
};

struct gp_scan_track *gp_scan_track_new(void)
{
	return calloc(1, sizeof(struct gp_scan_track));
}

static void forget(struct gp_scan_track *t, size_t i)
{
	free(t->v[i].holders);
	t->v[i] = t->v[--t->n];
}

void gp_scan_track_free(struct gp_scan_track *t)
{
	if (!t)
		return;
	while (t->n)
		forget(t, t->n - 1);
	free(t->v);
	free(t);
}

static bool same(const struct gp_scan_sock *a, const struct gp_scan_sock *b)
{
	return a->ino == b->ino && a->cookie == b->cookie &&
	       a->netns_ino == b->netns_ino;
}

static bool listed(const struct gp_scan_sock *s, const __u32 *rules)
{
	__u16 p = s->protocol == IPPROTO_MPTCP ? IPPROTO_TCP : s->protocol;

	return GP_RULE_AUDIT(rules[s->port]) & gp_proto_bit(p, 0);
}

static void remember(struct gp_scan_track *t, const struct gp_scan_sock *s)
{
	struct gp_scan_sock *c;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct gp_scan_sock *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return;
		t->v = v;
		t->cap = cap;
	}
	c = &t->v[t->n];
	*c = *s;
	c->holders = NULL;
	if (s->n_holders) {
		c->holders = malloc(s->n_holders * sizeof(*c->holders));
		if (!c->holders)
			c->n_holders = 0;
		else
			memcpy(c->holders, s->holders,
			       s->n_holders * sizeof(*c->holders));
	}
	t->n++;
}

void gp_scan_track_update(struct gp_scan_track *t,
			  const struct gp_scan_result *r, const __u32 *rules,
			  gp_scan_sock_fn on_sock, gp_scan_gone_fn on_gone,
			  void *ctx)
{
	/* seen[j]: 1 still there, 2 closed by this scan (forget it quietly:
	 * its "closed" event was the last word). */
	__u8 *seen = calloc(t->n + 1, sizeof(*seen));
	size_t known = t->n, i, j;

	for (i = 0; i < r->n; i++) {
		const struct gp_scan_sock *s = &r->socks[i];
		bool found = false;

		for (j = 0; j < known && !found; j++)
			if (same(s, &t->v[j])) {
				found = true;
				if (seen)
					seen[j] = s->close == GP_CLOSE_DONE ? 2 : 1;
			}
		on_sock(ctx, s, found ? GP_SEEN_KNOWN : GP_SEEN_NEW);
		if (!found && s->close != GP_CLOSE_DONE)
			remember(t, s);
	}
	/* Backwards: forget() moves the last entry into the hole. */
	for (j = known; seen && j-- > 0;) {
		if (seen[j] == 1)
			continue;
		if (!seen[j] && listed(&t->v[j], rules))
			on_gone(ctx, &t->v[j]);
		forget(t, j);
	}
	free(seen);
}

size_t gp_scan_track_count(const struct gp_scan_track *t)
{
	return t->n;
}
