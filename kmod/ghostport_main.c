// SPDX-License-Identifier: GPL-2.0
/*
 * ghostport.ko - audit binds to "ghost ports" with kprobes.
 *
 * For hosts where ghostport's BPF programs cannot run: kretprobes on
 * inet_bind and inet6_bind report binds to the ports on a blocklist as
 * struct gp_event records (include/ghostport_abi.h) through /dev/ghostport,
 * which the ghostport reader decodes like the BPF modes' records.
 *
 * Parameters (read-only after load; the reader changes the list with
 * GP_IOC_SET_RULES):
 *   ports=        port list, e.g. "686,886/tcp,1000-1010/udp"
 *   ring_records= ring capacity in records, power of two, 64..65536
 *   all=          report unlisted binds too (verdict none)
 *   maxactive=    kretprobe instances (binds followed at once), 0 = auto
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/security.h>

#include "gp_kmod.h"

static char *ports = "686,886";
module_param(ports, charp, 0444);
MODULE_PARM_DESC(ports, "Ports to audit at load, e.g. \"686,886/tcp,1000-1010/udp\" (default 686,886)");

static unsigned int ring_records = GP_RING_DEFAULT;
module_param(ring_records, uint, 0444);
MODULE_PARM_DESC(ring_records, "Ring capacity in records, a power of two in 64..65536 (default 4096)");

static bool all;
module_param(all, bool, 0444);
MODULE_PARM_DESC(all, "Report binds to unlisted ports too (default N)");

static int maxactive;
module_param(maxactive, int, 0444);
MODULE_PARM_DESC(maxactive, "Binds followed concurrently, up to 4096; 0 = max(128, 16 * CPUs)");

static int __init ghostport_init(void)
{
	int ret;

	/*
	 * register_kprobe() itself does not ask lockdown (only the tracing
	 * kprobe events do), so a module signed with a trusted key could
	 * attach here although the system forbids kprobes.  Honour the
	 * policy and say what to use instead.  (An unsigned module never
	 * gets here under lockdown: the loader refuses it first.)
	 */
	if (security_locked_down(LOCKDOWN_KPROBES)) {
		pr_err("kernel lockdown forbids kprobes; not loading (use ghostport's BPF cgroup mode: see docs/lockdown.md)\n");
		return -EPERM;
	}
	ret = gp_ring_init(ring_records);
	if (ret)
		return ret;
	ret = gp_ident_init();
	if (ret)
		goto err_ring;
	ret = gp_policy_init(ports, all);
	if (ret)
		goto err_ident;
	ret = gp_probe_init(maxactive);
	if (ret)
		goto err_policy;
	ret = gp_dev_init();
	if (ret)
		goto err_probe;
	pr_info("version %s loaded: ring %u records, ports \"%s\"%s\n",
		GP_VERSION, ring_records, ports, all ? ", all binds" : "");
	return 0;

err_probe:
	gp_probe_exit();
err_policy:
	gp_policy_exit();
err_ident:
	gp_ident_exit();
err_ring:
	gp_ring_shutdown();
	gp_ring_exit();
	return ret;
}

static void __exit ghostport_exit(void)
{
	gp_probe_exit();	/* waits for running handlers */
	gp_ring_shutdown();	/* no deferred wake-ups; readers fail */
	gp_dev_exit();
	gp_policy_exit();
	gp_ident_exit();
	gp_ring_exit();
	pr_info("unloaded\n");
}

module_init(ghostport_init);
module_exit(ghostport_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ghostport: audit binds to ghost ports with kprobes");
MODULE_VERSION(GP_VERSION);
