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
 * on the undelivered bytes in it.  A spool left by an earlier run is
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
	uint64_t spool_max;	/* bound on wr - rd */
	uint64_t max_record;	/* longest record accepted */
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

/* Move records from memory to the spool (oldest first) while they fit.
 * Returns the number moved, -1 on an I/O error. */
int gp_queue_spill(struct gp_queue *q);

/* The oldest record copied into buf (which must hold max_record bytes):
 * its length, 0 if the queue is empty, -1 on a spool read error. */
long gp_queue_peek(struct gp_queue *q, char *buf, size_t buflen);

/* Remove the oldest record (the one gp_queue_peek returned). */
void gp_queue_pop(struct gp_queue *q);

static inline uint64_t gp_queue_count(const struct gp_queue *q)
{
	return q->mem_count + q->spool_count;
}

/* Spill what is in memory, leave only undelivered records in the spool
 * file (or remove it when there are none), free.  Returns the number of
 * records that could not be kept. */
uint64_t gp_queue_close(struct gp_queue *q);

#endif /* GP_OUTPUT_QUEUE_H */
