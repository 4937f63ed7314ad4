#!/bin/sh
# gp-min-results: 10
# gp-timeout: 60
# The guest has what the tests need (runs first: a FAIL here explains later ones).
S=${GP_STAGE:-vm-unknown}/env

check() { # name why command...
	n=$1; why=$2; shift 2
	if "$@" >/dev/null 2>&1; then echo "PASS $S/$n"; else echo "FAIL $S/$n: $why"; fi
}
mounted() { awk -v d="$1" -v t="$2" '$2 == d && $3 == t {f=1} END {exit !f}' /proc/mounts; }

check kernel "uname -r is $(uname -r), expected $GP_KERNEL.*" sh -c 'case $(uname -r) in "$GP_KERNEL".*) exit 0;; esac; exit 1'
check lsm-bpf "/sys/kernel/security/lsm is '$(cat /sys/kernel/security/lsm 2>/dev/null)'" \
	sh -c 'tr , "\n" < /sys/kernel/security/lsm | grep -qx bpf'
check bpffs "no bpf filesystem at /sys/fs/bpf" mounted /sys/fs/bpf bpf
check cgroup2 "no cgroup2 at /sys/fs/cgroup" mounted /sys/fs/cgroup cgroup2
check securityfs "no securityfs at /sys/kernel/security" mounted /sys/kernel/security securityfs
check tracefs "no tracefs at /sys/kernel/tracing" mounted /sys/kernel/tracing tracefs
check btf "/sys/kernel/btf/vmlinux missing" test -s /sys/kernel/btf/vmlinux
check kprobes "no kprobe_events in tracefs (CONFIG_KPROBE_EVENTS)" test -e /sys/kernel/tracing/kprobe_events
check lo-ipv4 "127.0.0.1 not on lo" sh -c 'ip -4 addr show dev lo | grep -q "inet 127.0.0.1/"'
check lo-ipv6 "::1 not on lo" sh -c 'ip -6 addr show dev lo | grep -q "inet6 ::1/128"'
check sctp "SCTP not in /proc/net/protocols (module not loaded?)" grep -q '^SCTP ' /proc/net/protocols
check binaries "no ghostport in /gp/bin (make static failed or not run)" test -x /gp/bin/ghostport
exit 0
