// SPDX-License-Identifier: GPL-2.0
/*
 * fold.c - flood control (see event/fold.h for the rules).
 *
 * A fixed array of slots, indexed by a chained hash on the key, and an LRU
 * list through the same slots: lookups stay O(1) under a flood (the case
 * this exists for), and eviction always has a victim at hand.  Links are
 * slot indices, NIL at the ends, so the whole table is one allocation.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "event/fold.h"

#define NIL	UINT32_MAX

struct slot {
	/* key */
	__u32 pid;
	__u16 port;
	__u16 protocol;
	__u16 sock_type;
	__u8 verdict;
	bool used;
	/* window */
	__u64 window_start;	/* caller clock, ns */
	__u32 repeats;		/* pushed since the window started */
	__u64 first_repeat_ts;	/* ev.ts_ns of the first of them */
	/* links */
	__u32 hnext;		/* hash chain */
	__u32 prev, next;	/* LRU list: head = most recent */
	struct gp_record rec;	/* the last repeat */
};

struct gp_fold {
	__u64 window_ns;
	size_t nslots;
	__u32 nbuckets;		/* power of two, >= 2 * nslots */
	__u32 *buckets;
	__u32 lru_head, lru_tail;
	__u32 free_head;	/* free slots, chained through hnext */
	struct gp_fold_stats st;
	struct slot *slots;
};

static __u32 hash_key(const struct gp_event *e)
{
	/* Mix the main key fields; a multiplicative hash is plenty for a
	 * table keyed by pids and ports, which nobody outside chooses freely
	 * enough to matter: a skewed chain costs time, never correctness. */
	__u64 h = (__u64)e->pid * 0x9e3779b97f4a7c15ULL;

	h ^= ((__u64)e->port << 32) | ((__u64)e->protocol << 16) |
	     ((__u64)e->sock_type << 8) | e->verdict;
	h *= 0xff51afd7ed558ccdULL;
	h ^= (__u64)e->uid * 0x9e3779b97f4a7c15ULL ^ e->addr[15] ^
	     ((__u64)e->addr[3] << 8);
	return (__u32)(h >> 32);
}

/* The key is everything a record reports but its time: events that
 * differ in address, uid, result, executable ... are never merged. */
static bool same_key(const struct slot *s, const struct gp_record *r)
{
	struct gp_event a = s->rec.ev, b = r->ev;

	a.ts_ns = b.ts_ns = 0;
	return s->pid == b.pid && !memcmp(&a, &b, sizeof(a)) &&
	       !strcmp(s->rec.exe, r->exe) && !strcmp(s->rec.addr, r->addr);
}

static void lru_unlink(struct gp_fold *f, __u32 i)
{
	struct slot *s = &f->slots[i];

	if (s->prev != NIL)
		f->slots[s->prev].next = s->next;
	else
		f->lru_head = s->next;
	if (s->next != NIL)
		f->slots[s->next].prev = s->prev;
	else
		f->lru_tail = s->prev;
	s->prev = s->next = NIL;
}

static void lru_push_front(struct gp_fold *f, __u32 i)
{
	struct slot *s = &f->slots[i];

	s->prev = NIL;
	s->next = f->lru_head;
	if (f->lru_head != NIL)
		f->slots[f->lru_head].prev = i;
	f->lru_head = i;
	if (f->lru_tail == NIL)
		f->lru_tail = i;
}

static void hash_unlink(struct gp_fold *f, __u32 i)
{
	__u32 *p = &f->buckets[hash_key(&f->slots[i].rec.ev) & (f->nbuckets - 1)];

	while (*p != NIL && *p != i)
		p = &f->slots[*p].hnext;
	if (*p == i)
		*p = f->slots[i].hnext;
}

/* Copy what a formatter reads; exe only up to its NUL, since a full
 * PATH_MAX copy per repeat is most of the cost of a flood. */
static void copy_record(struct gp_record *dst, const struct gp_record *src)
{
	size_t n = strnlen(src->exe, sizeof(src->exe) - 1);

	dst->ev = src->ev;
	dst->wall = src->wall;
	memcpy(dst->addr, src->addr, sizeof(dst->addr));
	dst->service = src->service;
	memcpy(dst->exe, src->exe, n);
	dst->exe[n] = '\0';
	dst->count = src->count;
	dst->fold_first_ns = src->fold_first_ns;
	dst->hostname = src->hostname;
	dst->machine_id = src->machine_id;
}

static void emit_repeats(struct gp_fold *f, struct slot *s,
			 gp_fold_emit_fn emit, void *ctx)
{
	if (!s->repeats)
		return;
	s->rec.count = s->repeats;
	s->rec.fold_first_ns = s->first_repeat_ts;
	f->st.emitted++;
	emit(ctx, &s->rec);
	s->repeats = 0;
}

/* Forget slot i; its pending repeats must have been emitted. */
static void release(struct gp_fold *f, __u32 i)
{
	hash_unlink(f, i);
	lru_unlink(f, i);
	f->slots[i].used = false;
	f->slots[i].hnext = f->free_head;
	f->free_head = i;
	f->st.active--;
}

struct gp_fold *gp_fold_new(__u64 window_ns, size_t slots)
{
	struct gp_fold *f;
	__u32 i;

	if (!slots)
		slots = GP_FOLD_DEFAULT_SLOTS;
	if (slots > GP_FOLD_MAX_SLOTS)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->window_ns = window_ns;
	f->nslots = slots;
	f->nbuckets = 1;
	while (f->nbuckets < 2 * slots)
		f->nbuckets <<= 1;
	f->slots = calloc(slots, sizeof(*f->slots));
	f->buckets = malloc(f->nbuckets * sizeof(*f->buckets));
	if (!f->slots || !f->buckets) {
		gp_fold_free(f);
		return NULL;
	}
	for (i = 0; i < f->nbuckets; i++)
		f->buckets[i] = NIL;
	for (i = 0; i < slots; i++) {
		f->slots[i].hnext = i + 1 < slots ? i + 1 : NIL;
		f->slots[i].prev = f->slots[i].next = NIL;
	}
	f->free_head = 0;
	f->lru_head = f->lru_tail = NIL;
	return f;
}

void gp_fold_free(struct gp_fold *f)
{
	if (!f)
		return;
	free(f->slots);
	free(f->buckets);
	free(f);
}

static __u32 find(struct gp_fold *f, const struct gp_record *r, __u32 h)
{
	__u32 i = f->buckets[h];

	while (i != NIL && !same_key(&f->slots[i], r))
		i = f->slots[i].hnext;
	return i;
}

/* A slot for a new key: a free one, else the LRU one (emitted first). */
static __u32 take_slot(struct gp_fold *f, gp_fold_emit_fn emit, void *ctx)
{
	__u32 i = f->free_head;

	if (i == NIL) {
		i = f->lru_tail;
		emit_repeats(f, &f->slots[i], emit, ctx);
		release(f, i);
		f->st.evictions++;
	}
	f->free_head = f->slots[i].hnext;
	return i;
}

void gp_fold_push(struct gp_fold *f, const struct gp_record *r, __u64 now_ns,
		  gp_fold_emit_fn emit, void *ctx)
{
	const struct gp_event *e = &r->ev;
	__u32 h, i;
	struct slot *s;

	f->st.pushed++;
	if (!f->window_ns) {
		f->st.emitted++;
		emit(ctx, r);
		return;
	}
	h = hash_key(e) & (f->nbuckets - 1);
	i = find(f, r, h);
	if (i != NIL && now_ns - f->slots[i].window_start >= f->window_ns) {
		/* Its window ended before a tick noticed: close it as the
		 * tick would have, then treat this one as a first. */
		emit_repeats(f, &f->slots[i], emit, ctx);
		release(f, i);
		i = NIL;
	}
	if (i != NIL) {
		s = &f->slots[i];
		if (!s->repeats)
			s->first_repeat_ts = e->ts_ns;
		s->repeats++;
		copy_record(&s->rec, r);
		f->st.folded++;
		lru_unlink(f, i);
		lru_push_front(f, i);
		/* A window holds at most 2^32-1 repeats: close it early
		 * rather than wrap the count. */
		if (s->repeats == UINT32_MAX)
			emit_repeats(f, s, emit, ctx);
		return;
	}
	/* The first of its key: out now, and remembered. */
	f->st.emitted++;
	emit(ctx, r);
	i = take_slot(f, emit, ctx);
	h = hash_key(e) & (f->nbuckets - 1);
	s = &f->slots[i];
	s->pid = e->pid;
	s->port = e->port;
	s->protocol = e->protocol;
	s->sock_type = e->sock_type;
	s->verdict = e->verdict;
	s->used = true;
	s->window_start = now_ns;
	s->repeats = 0;
	s->first_repeat_ts = 0;
	copy_record(&s->rec, r);
	s->hnext = f->buckets[h];
	f->buckets[h] = i;
	lru_push_front(f, i);
	f->st.active++;
}

void gp_fold_tick(struct gp_fold *f, __u64 now_ns, gp_fold_emit_fn emit,
		  void *ctx)
{
	size_t k;

	if (!f->st.active)
		return;
	for (k = 0; k < f->nslots; k++) {
		struct slot *s = &f->slots[k];

		if (!s->used || now_ns - s->window_start < f->window_ns)
			continue;
		if (s->repeats) {
			/* Still flooding: one record for this window, and a
			 * new window for the key. */
			emit_repeats(f, s, emit, ctx);
			s->window_start = now_ns;
		} else {
			release(f, (__u32)k);
		}
	}
}

void gp_fold_flush(struct gp_fold *f, gp_fold_emit_fn emit, void *ctx)
{
	/* Oldest first, so the output stays roughly in time order. */
	while (f->lru_tail != NIL) {
		__u32 i = f->lru_tail;

		emit_repeats(f, &f->slots[i], emit, ctx);
		release(f, i);
	}
}

void gp_fold_set_window(struct gp_fold *f, __u64 window_ns,
			gp_fold_emit_fn emit, void *ctx)
{
	if (window_ns == f->window_ns)
		return;
	gp_fold_flush(f, emit, ctx);
	f->window_ns = window_ns;
}

void gp_fold_get_stats(const struct gp_fold *f, struct gp_fold_stats *s)
{
	*s = f->st;
}
