// SPDX-License-Identifier: GPL-2.0
/*
 * gp_dev.c - /dev/ghostport, the misc device the reader uses.
 *
 * One reader at a time: a second open() gets -EBUSY until the first file
 * is released.  read() returns whole records (gp_ring_read() has the
 * rules), blocking unless O_NONBLOCK; poll/epoll report EPOLLIN when
 * records wait.  The
 * ioctls (ghostport_kmod.h) need CAP_NET_ADMIN or CAP_SYS_ADMIN.
 *
 * The open file holds a reference on the module (fops.owner), so the
 * module cannot be removed while a reader has the device open: rmmod
 * fails with EBUSY until the reader closes it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "gp_kmod.h"

static atomic_t gp_dev_open = ATOMIC_INIT(0);

static int gp_dev_do_open(struct inode *inode, struct file *file)
{
	if (atomic_cmpxchg(&gp_dev_open, 0, 1))
		return -EBUSY;
	return stream_open(inode, file);
}

static int gp_dev_release(struct inode *inode, struct file *file)
{
	atomic_set(&gp_dev_open, 0);
	return 0;
}

static ssize_t gp_dev_read(struct file *file, char __user *buf, size_t count,
			   loff_t *ppos)
{
	return gp_ring_read(buf, count, file->f_flags & O_NONBLOCK);
}

static __poll_t gp_dev_poll(struct file *file, poll_table *pt)
{
	return gp_ring_poll(file, pt);
}

static long gp_ioc_version(void __user *arg)
{
	struct gp_kmod_version v = {
		.magic = GP_KMOD_MAGIC,
		.api_version = GP_KMOD_API_VERSION,
		.abi_version = GP_ABI_VERSION,
		.record_size = sizeof(struct gp_event),
		.ring_records = gp_ring_size(),
		.nr_ports = GP_NR_PORTS,
	};

	strscpy(v.version, GP_VERSION, sizeof(v.version));
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long gp_ioc_rules(void __user *arg, bool set)
{
	struct gp_kmod_rules r;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.nr != GP_NR_PORTS || r.flags)
		return -EINVAL;
	if (set)
		return gp_policy_set_rules(u64_to_user_ptr(r.rules));
	return gp_policy_get_rules(u64_to_user_ptr(r.rules));
}

static long gp_ioc_counters(void __user *arg)
{
	struct gp_kmod_counters c;

	memset(&c, 0, sizeof(c));
	gp_ring_counters(&c);
	c.misses = gp_probe_missed();
	c.rule_updates = gp_policy_updates();
	return copy_to_user(arg, &c, sizeof(c)) ? -EFAULT : 0;
}

static long gp_dev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long uarg)
{
	void __user *arg = (void __user *)uarg;
	struct gp_kmod_port_counts pc;
	struct gp_conf conf;

	if (!capable(CAP_NET_ADMIN) && !capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (cmd) {
	case GP_IOC_GET_VERSION:
		return gp_ioc_version(arg);
	case GP_IOC_SET_RULES:
		return gp_ioc_rules(arg, true);
	case GP_IOC_GET_RULES:
		return gp_ioc_rules(arg, false);
	case GP_IOC_SET_CONF:
		if (copy_from_user(&conf, arg, sizeof(conf)))
			return -EFAULT;
		gp_policy_set_conf(&conf);
		return 0;
	case GP_IOC_GET_CONF:
		gp_policy_get_conf(&conf);
		return copy_to_user(arg, &conf, sizeof(conf)) ? -EFAULT : 0;
	case GP_IOC_GET_COUNTERS:
		return gp_ioc_counters(arg);
	case GP_IOC_GET_PORT_COUNTS:
		if (copy_from_user(&pc, arg, sizeof(pc)))
			return -EFAULT;
		return gp_ring_port_counts(pc.first, pc.nr,
					   u64_to_user_ptr(pc.counts));
	case GP_IOC_RESET:
		gp_ring_reset();
		gp_probe_reset();
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations gp_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= gp_dev_do_open,
	.release	= gp_dev_release,
	.read		= gp_dev_read,
	.poll		= gp_dev_poll,
	.unlocked_ioctl	= gp_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice gp_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= GP_KMOD_NAME,
	.fops	= &gp_dev_fops,
	.mode	= 0600,
};

int gp_dev_init(void)
{
	return misc_register(&gp_miscdev);
}

void gp_dev_exit(void)
{
	misc_deregister(&gp_miscdev);
}
