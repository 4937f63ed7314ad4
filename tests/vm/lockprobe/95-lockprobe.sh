#!/bin/sh
# gp-min-results: 1
# gp-boot: lockprobe lockdown=confidentiality
# gp-timeout: 400
S=${GP_STAGE:-vm-unknown}/lockprobe
echo "# cmdline: $(cat /proc/cmdline)"
echo "# lockdown: $(cat /sys/kernel/security/lockdown 2>&1)"
echo "# lsm: $(cat /sys/kernel/security/lsm 2>&1)"
/gp/bin/lockprobe /sys/fs/cgroup 2>&1
echo "# ---- ghostport run (auto) ----"
timeout 20 /gp/bin/ghostport run --ports 686 > /tmp/r.out 2>&1 &
sleep 8
kill %1 2>/dev/null; wait
sed 's/^/#   /' /tmp/r.out | head -20
echo "# ---- ghostport run --enforce ----"
timeout 20 /gp/bin/ghostport run --ports 686 --enforce > /tmp/r.out 2>&1 &
sleep 8
kill %1 2>/dev/null; wait
sed 's/^/#   /' /tmp/r.out | head -20
/gp/bin/ghostport unload >/dev/null 2>&1
echo "# ---- insmod ----"
if [ -f /gp/ghostport.ko ]; then
	insmod /gp/ghostport.ko > /tmp/i.out 2>&1; echo "#   insmod rc=$?: $(cat /tmp/i.out)"
	dmesg | tail -n 5 | sed 's/^/#   dmesg: /'
	[ -d /sys/module/ghostport ] && rmmod ghostport
fi
echo "PASS $S/ran"
