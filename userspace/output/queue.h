/* SPDX-License-Identifier: GPL-2.0 */
/*
 * queue.h - what a network output has not delivered yet: a bounded
 * in-memory queue in front of a bounded on-disk spool.
 *
 * Order is kept by one invariant: everything in the spool is older than
 * everything in memory.  Records enter memory; the spool only ever receives
 * the oldest records of memory (gp_queue_spill), and delivery takes the
 * spool first, then memory.
 *
 * The spool is an append-only file of records, each a 4-byte little-endian
 * length and that many bytes (the message as it goes into a frame).  It is
 * emptied (truncated) whenever everything in it was delivered; its bound is
 * on the file's size: when an append would pass it, the delivered prefix is
 * cut off first (copied to a new file renamed over the old one), so the
 * file never grows past the bound however slowly the collector reads.
 * The spool file is opened O_NOFOLLOW in a directory that must belong to
 * us and be writable by nobody else: a planted symlink is refused.
 *
 * Sent but not yet acknowledged: records are sent from a cursor that runs
 * ahead of the oldest record (gp_queue_next / gp_queue_sent); the oldest
 * leaves only when the collector acknowledged it (gp_queue_pop), and a
 * broken connection sends again from the oldest (gp_queue_rewind).  A spool left by an earlier run is
 * delivered first; a torn record at its end (crash mid-write) is cut off.
 * The file is not fsync'ed: the spool survives a collector outage and a
 * restart of ghostport, not a power cut.
 *
 * Records are never allocated one by one: memory is one buffer allocated at
 * init, and spool records are read into the caller's frame buffer.
 */
#ifndef GP_OUTPUT_QUEUE_H
#define GP_OUTPUT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gp_queue {
	char *mem;		/* records: u32 length + bytes */
	size_t cap, head, tail;	/* live bytes are mem[head, tail) */
	uint64_t mem_count;

	char *path;		/* spool file path */
	int fd;			/* -1 until the spool is first needed */
	uint64_t rd, wr;	/* spool: next record to deliver, end */
	uint64_t spool_count;
	uint64_t spool_max;	/* bound on wr (the file's size) */
	uint64_t max_record;	/* longest record accepted */

	/* sent, not yet acknowledged: the first ns records of the spool
	 * (nsb bytes from rd), then the first nm of memory (nmb bytes from
	 * head); nm > 0 only when every spool record was sent */
	uint64_t ns, nsb, nm, nmb;
	uint64_t marked;	/* marked records queued (drop notices) */
};

/* Allocates memory for mem_cap bytes; opens an existing spool at path (a
 * leftover from an earlier run).  -1 with a reason in err on failure. */
int gp_queue_init(struct gp_queue *q, size_t mem_cap, const char *path,
		  uint64_t spool_max, uint64_t max_record, char *err,
		  size_t errlen);

/* Append one record to memory; when memory is full, spill it to the spool
 * first.  0, or -1 if the record could be kept nowhere (full or I/O error):
 * the caller counts it as dropped. */
int gp_queue_push(struct gp_queue *q, const char *p, size_t n);
/* The same; a marked record is not an event (a drop notice): it is kept
 * and delivered in order like any, and counted apart (marked). */
int gp_queue_push_mark(struct gp_queue *q, const char *p, size_t n,
		       bool mark);

/* Move records from memory to the spool (oldest first) while they fit.
 * Returns the number moved, -1 on an I/O error. */
int gp_queue_spill(struct gp_queue *q);

/* The oldest record copied into buf (which must hold max_record bytes):
 * its length, 0 if the queue is empty, -1 on a spool read error. */
long gp_queue_peek(struct gp_queue *q, char *buf, size_t buflen);

/* Remove the oldest record (the one gp_queue_peek returned): delivered.
 * true if it was a marked record. */
bool gp_queue_pop(struct gp_queue *q);

/* The oldest record not sent yet, like gp_queue_peek (0: none). */
long gp_queue_next(struct gp_queue *q, char *buf, size_t buflen);
/* The record gp_queue_next returned was sent (awaits its ack). */
void gp_queue_sent(struct gp_queue *q);
/* The connection broke: everything unacknowledged is unsent again. */
static inline void gp_queue_rewind(struct gp_queue *q)
{
	q->ns = q->nsb = q->nm = q->nmb = 0;
}
/* Records sent and not acknowledged yet. */
static inline uint64_t gp_queue_inflight(const struct gp_queue *q)
{
	return q->ns + q->nm;
}

static inline uint64_t gp_queue_count(const struct gp_queue *q)
{
	return q->mem_count + q->spool_count;
}

/* Events queued: records that are not marked. */
static inline uint64_t gp_queue_events(const struct gp_queue *q)
{
	uint64_t n = gp_queue_count(q);

	return n > q->marked ? n - q->marked : 0;
}

/* Spill what is in memory, leave only undelivered records in the spool
 * file (or remove it when there are none), free.  Returns the number of
 * records that could not be kept. */
uint64_t gp_queue_close(struct gp_queue *q);

#endif /* GP_OUTPUT_QUEUE_H */
