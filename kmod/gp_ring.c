// SPDX-License-Identifier: GPL-2.0
/*
 * gp_ring.c - the record ring between the probes and the one reader.
 *
 * A byte ring of ring_records * GP_RING_REC_AVG bytes (a power of two),
 * allocated at load; nothing is allocated per event.  Records are ABI v2:
 * a fixed header and variable parts, gp_event.size bytes, a multiple of 8
 * (so a record's first 8 bytes, which hold its size, never wrap).
 * Producers are the kretprobe handlers (any CPU, preemption disabled):
 * they copy one record in under a raw spinlock, or count a drop when it
 * does not fit.  The one reader copies whole records from [tail, head) to
 * user space without the lock (no producer writes there while they are
 * unread) and then advances tail under the lock.
 *
 * Wake-ups are batched: a producer never calls wake_up() itself.  When the
 * waiting bytes reach wakeup_bytes it queues an irq_work that wakes the
 * reader; otherwise it makes sure a timer fires within GP_WAKE_DELAY_MS.
 *
 * Every record is counted exactly once, under the lock, as an event (it
 * went in) or a drop (it did not fit), with its port: so events + drops is
 * the number of reported binds, and a record counted as an event stays in
 * the ring until a read() has copied it out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "gp_kmod.h"

#define GP_REC	sizeof(struct gp_event)	/* a header: the smallest record */

static struct {
	raw_spinlock_t lock;		/* head, tail, counters, port counts */
	u8 *buf;
	u64 *port_counts;		/* GP_NR_PORTS: events + drops by port */
	unsigned int size;		/* capacity in records (ring_records) */
	u64 bytes;			/* buffer bytes, power of two */
	u64 mask;
	u64 head;			/* next byte to write */
	u64 tail;			/* next byte to read */
	u64 nrec;			/* records in [tail, head) */
	u64 events;
	u64 drops;
	u64 wakeups;
	u64 wakeup_bytes;		/* waiting bytes that force a wake-up */
	bool dead;			/* module going away: fail readers */
	wait_queue_head_t wq;
	struct mutex read_lock;		/* one read() at a time on the file */
	struct irq_work wake_work;
	struct timer_list wake_timer;
} gp_ring;

static void gp_ring_wake(void)
{
	WRITE_ONCE(gp_ring.wakeups, gp_ring.wakeups + 1);
	wake_up_interruptible_all(&gp_ring.wq);
}

static void gp_ring_wake_work(struct irq_work *w)
{
	gp_ring_wake();
}

static void gp_ring_wake_timer(struct timer_list *t)
{
	gp_ring_wake();
}

unsigned int gp_ring_size(void)
{
	return gp_ring.size;
}

/*
 * 0 wakes the reader for every record.  At most half the ring: records are
 * of variable size, so a threshold near the capacity might never be met
 * (the ring fills up first and only the timer would wake the reader).
 */
void gp_ring_set_wakeup(u32 bytes)
{
	WRITE_ONCE(gp_ring.wakeup_bytes,
		   clamp_t(u64, bytes, 1, gp_ring.bytes / 2));
}

u32 gp_ring_get_wakeup(void)
{
	return READ_ONCE(gp_ring.wakeup_bytes);
}

/* Copy len bytes in at ring position pos, in two pieces at the end. */
static void gp_ring_put(u64 pos, const void *src, size_t len)
{
	size_t at = pos & gp_ring.mask, first = min_t(u64, len, gp_ring.bytes - at);

	memcpy(gp_ring.buf + at, src, first);
	if (first < len)
		memcpy(gp_ring.buf, (const u8 *)src + first, len - first);
}

/* Returns false when the record was dropped (no room). */
bool gp_ring_push(const struct gp_event *e)
{
	size_t len = e->size;
	unsigned long flags;
	u64 used;
	bool full;

	raw_spin_lock_irqsave(&gp_ring.lock, flags);
	full = gp_ring.head - gp_ring.tail + len > gp_ring.bytes;
	if (full) {
		gp_ring.drops++;
	} else {
		gp_ring_put(gp_ring.head, e, len);
		gp_ring.head += len;
		gp_ring.nrec++;
		gp_ring.events++;
	}
	used = gp_ring.head - gp_ring.tail;
	gp_ring.port_counts[e->port]++;
	raw_spin_unlock_irqrestore(&gp_ring.lock, flags);

	if (used >= READ_ONCE(gp_ring.wakeup_bytes))
		irq_work_queue(&gp_ring.wake_work);
	else
		timer_reduce(&gp_ring.wake_timer,
			     jiffies + msecs_to_jiffies(GP_WAKE_DELAY_MS));
	return !full;
}

static u64 gp_ring_avail(u64 *tail)
{
	unsigned long flags;
	u64 n;

	raw_spin_lock_irqsave(&gp_ring.lock, flags);
	*tail = gp_ring.tail;
	n = gp_ring.head - gp_ring.tail;
	raw_spin_unlock_irqrestore(&gp_ring.lock, flags);
	return n;
}

static bool gp_ring_ready(void)
{
	u64 tail;

	return gp_ring_avail(&tail) || READ_ONCE(gp_ring.dead);
}

/* Copy len bytes at ring position pos to user space. */
static int gp_ring_copy_out(char __user *dst, u64 pos, size_t len)
{
	size_t at = pos & gp_ring.mask, first = min_t(u64, len, gp_ring.bytes - at);

	if (copy_to_user(dst, gp_ring.buf + at, first))
		return -EFAULT;
	if (first < len && copy_to_user(dst + first, gp_ring.buf, len - first))
		return -EFAULT;
	return 0;
}

/*
 * read(): whole records only, as many as fit in count, oldest first.
 *  - nothing queued: -EAGAIN with O_NONBLOCK, whatever count is; otherwise
 *    sleep until a record is queued (a signal: -ERESTARTSYS);
 *  - the next record is larger than count: -EINVAL, and the record stays
 *    queued (a buffer of GP_RECORD_MAX bytes always fits one);
 *  - the module is going away and nothing is queued: -ENODEV;
 *  - a fault on the user buffer: the records copied before it are
 *    returned and consumed, the rest stay; -EFAULT when none was copied.
 * Emptiness is checked before the size, so a reader polling with any
 * buffer sees EAGAIN, never EINVAL, on an empty device.
 */
ssize_t gp_ring_read(char __user *buf, size_t count, bool nonblock)
{
	u64 avail, tail, done = 0, recs = 0;
	unsigned long flags;
	ssize_t ret;

	if (mutex_lock_interruptible(&gp_ring.read_lock))
		return -ERESTARTSYS;
	for (;;) {
		avail = gp_ring_avail(&tail);
		if (avail)
			break;
		if (READ_ONCE(gp_ring.dead)) {
			ret = -ENODEV;
			goto out;
		}
		if (nonblock) {
			ret = -EAGAIN;
			goto out;
		}
		ret = wait_event_interruptible(gp_ring.wq, gp_ring_ready());
		if (ret)
			goto out;
	}
	/*
	 * [tail, tail + avail) holds whole records that no producer touches
	 * until tail moves (we are the only reader); a record's first 8
	 * bytes, with its size, never wrap (sizes are multiples of 8).
	 */
	ret = 0;
	while (done < avail) {
		const struct gp_event *e = (const void *)(gp_ring.buf +
					((tail + done) & gp_ring.mask));
		size_t len = READ_ONCE(e->size);

		if (WARN_ON_ONCE(len < GP_REC || len % 8 ||
				 len > avail - done)) {
			ret = -EIO;	/* a producer bug: never guess */
			break;
		}
		if (done + len > count) {
			ret = -EINVAL;	/* only if it is the first one */
			break;
		}
		if (gp_ring_copy_out(buf + done, tail + done, len)) {
			ret = -EFAULT;
			break;
		}
		done += len;
		recs++;
	}
	if (!done)
		goto out;
	raw_spin_lock_irqsave(&gp_ring.lock, flags);
	gp_ring.tail += done;
	gp_ring.nrec -= recs;
	raw_spin_unlock_irqrestore(&gp_ring.lock, flags);
	ret = done;
out:
	mutex_unlock(&gp_ring.read_lock);
	return ret;
}

__poll_t gp_ring_poll(struct file *file, poll_table *pt)
{
	u64 tail;

	poll_wait(file, &gp_ring.wq, pt);
	if (gp_ring_avail(&tail))
		return EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(gp_ring.dead))
		return EPOLLERR | EPOLLHUP;
	return 0;
}

void gp_ring_counters(struct gp_kmod_counters *c)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&gp_ring.lock, flags);
	c->events = gp_ring.events;
	c->drops = gp_ring.drops;
	c->ring_used = gp_ring.nrec;
	c->ring_size = gp_ring.size;
	c->wakeups = READ_ONCE(gp_ring.wakeups);
	raw_spin_unlock_irqrestore(&gp_ring.lock, flags);
}

int gp_ring_port_counts(u32 first, u32 nr, u64 __user *out)
{
	unsigned long flags;
	u64 chunk[64];
	u32 i, n;

	if (first >= GP_NR_PORTS || nr > GP_NR_PORTS - first)
		return -EINVAL;
	while (nr) {
		n = min_t(u32, nr, ARRAY_SIZE(chunk));
		raw_spin_lock_irqsave(&gp_ring.lock, flags);
		for (i = 0; i < n; i++)
			chunk[i] = gp_ring.port_counts[first + i];
		raw_spin_unlock_irqrestore(&gp_ring.lock, flags);
		if (copy_to_user(out, chunk, n * sizeof(chunk[0])))
			return -EFAULT;
		out += n;
		first += n;
		nr -= n;
	}
	return 0;
}

/* Zero the counters; the records in the ring stay. */
void gp_ring_reset(void)
{
	unsigned long flags;
	u32 i;

	raw_spin_lock_irqsave(&gp_ring.lock, flags);
	gp_ring.events = 0;
	gp_ring.drops = 0;
	WRITE_ONCE(gp_ring.wakeups, 0);
	raw_spin_unlock_irqrestore(&gp_ring.lock, flags);
	/* Cleared in slices: no long stretch with interrupts off. */
	for (i = 0; i < GP_NR_PORTS; i += 1024) {
		raw_spin_lock_irqsave(&gp_ring.lock, flags);
		memset(&gp_ring.port_counts[i], 0,
		       1024 * sizeof(gp_ring.port_counts[0]));
		raw_spin_unlock_irqrestore(&gp_ring.lock, flags);
	}
}

/*
 * The probes are gone: no more producers.  Stop the deferred wake-ups and
 * let any reader still in read() or poll() return.
 */
void gp_ring_shutdown(void)
{
	irq_work_sync(&gp_ring.wake_work);
	timer_delete_sync(&gp_ring.wake_timer);
	WRITE_ONCE(gp_ring.dead, true);
	wake_up_interruptible_all(&gp_ring.wq);
}

int gp_ring_init(unsigned int records)
{
	if (records < GP_RING_MIN || records > GP_RING_MAX ||
	    !is_power_of_2(records)) {
		pr_err("ring_records=%u: want a power of two in %u..%u\n",
		       records, GP_RING_MIN, GP_RING_MAX);
		return -EINVAL;
	}
	raw_spin_lock_init(&gp_ring.lock);
	init_waitqueue_head(&gp_ring.wq);
	mutex_init(&gp_ring.read_lock);
	init_irq_work(&gp_ring.wake_work, gp_ring_wake_work);
	timer_setup(&gp_ring.wake_timer, gp_ring_wake_timer, 0);
	gp_ring.size = records;
	gp_ring.bytes = (u64)records * GP_RING_REC_AVG;
	gp_ring.mask = gp_ring.bytes - 1;
	gp_ring.head = 0;
	gp_ring.tail = 0;
	gp_ring.nrec = 0;
	gp_ring.events = 0;
	gp_ring.drops = 0;
	gp_ring.wakeups = 0;
	gp_ring.dead = false;
	gp_ring_set_wakeup(min_t(u64, gp_ring.bytes / 4, 64 * GP_RING_REC_AVG));

	gp_ring.buf = vzalloc(gp_ring.bytes);
	if (!gp_ring.buf)
		return -ENOMEM;
	gp_ring.port_counts = vzalloc(array_size(GP_NR_PORTS, sizeof(u64)));
	if (!gp_ring.port_counts) {
		vfree(gp_ring.buf);
		gp_ring.buf = NULL;
		return -ENOMEM;
	}
	return 0;
}

void gp_ring_exit(void)
{
	vfree(gp_ring.port_counts);
	vfree(gp_ring.buf);
	gp_ring.port_counts = NULL;
	gp_ring.buf = NULL;
}
