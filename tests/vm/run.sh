#!/bin/bash
# ghostport test VM: run the suite on Debian's stock kernels under qemu.
#
#   tests/vm/run.sh [--kernel 5.10|6.1|6.12|7.3|LIST,...|all] [--timeout S] [--verbose]
#   tests/vm/run.sh --shell [--kernel 5.10|6.1|6.12|7.3]
#
# Per kernel: fetch (cached) -> `make static` (once) -> `make kmod` against the
# kernel's headers -> initramfs -> boot under qemu -> result lines.
# Prints the guest's result lines (already prefixed vm-<short>/...) and its own:
#   PASS|FAIL vm-<short>/boot           kernel booted and reached /init
#   FAIL      vm-<short>/timeout        the guest hung (killed after --timeout)
#   PASS|FAIL vm-<short>/results-count  guest's count == lines received >= minimum
#   PASS|FAIL vm-<short>/kernel-log     no BUG/WARNING/Oops/... in the guest kernel log
# Logs: build/vm/logs/<short>/{console.log,dmesg.log,kmod-build.log}.
# Exits non-zero on any FAIL.  See docs/testing-vm.md.
#
# Environment: GP_VM_TIMEOUT (default 1200 s a kernel), GP_VM_VERBOSE=1 (show
# the console), GP_VM_APPEND (extra kernel command line), GP_VM_EXTRA_GUEST_D
# (a directory of extra guest.d-style scripts, e.g. to try a test or to break
# the run on purpose), GP_VM_DIR (default build/vm), GP_VM_JOBS (kernels at
# once, default 2), GP_VM_NO_KMOD=1 (skip the module build).
#
# Acceleration (tests/vm/accel.sh): GP_VM_ACCEL=auto (default) uses KVM only
# when a probe boot of the kernel under KVM reaches /init, else TCG, and says
# which and why once per run; kvm|tcg force one.  A KVM boot that dies
# without reaching /init is retried once under TCG, and that is reported.
# GP_VM_KVM_EXTRA (extra qemu options for KVM boots only) and GP_VM_KVM_DEV
# (default /dev/kvm) exist to test that fallback (tests/vm/selftest.sh).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VM=${GP_VM_DIR:-$ROOT/build/vm}
HERE=$ROOT/tests/vm
cd "$ROOT" || exit 2

kernel=all
shell=0
tmo=${GP_VM_TIMEOUT:-1200}
verbose=${GP_VM_VERBOSE:-0}
while [ $# -gt 0 ]; do
	case $1 in
		--kernel) kernel=${2:?--kernel needs a value}; shift 2;;
		--kernel=*) kernel=${1#*=}; shift;;
		--shell) shell=1; shift;;
		--timeout) tmo=${2:?--timeout needs seconds}; shift 2;;
		--timeout=*) tmo=${1#*=}; shift;;
		-v|--verbose) verbose=1; shift;;
		-h|--help) sed -n '2,17p' "$0"; exit 0;;
		*) echo "run.sh: unknown argument '$1'" >&2; exit 2;;
	esac
done
case $kernel in
	all) kernels=(5.10 6.1 6.12 7.3);;
	*)
		# one kernel or a comma-separated list of them
		IFS=, read -r -a kernels <<<"$kernel"
		for k in "${kernels[@]}"; do
			case $k in
				5.10|6.1|6.12|7.3) ;;
				*) echo "run.sh: unknown kernel '$k' (5.10, 6.1, 6.12, 7.3, a list of them or all)" >&2; exit 2;;
			esac
		done;;
esac
if [ $shell = 1 ] && [ ${#kernels[@]} != 1 ]; then
	kernels=(6.1)
fi

fails=0
say() { # a result line; counts FAILs
	echo "$*"
	case $* in FAIL\ *) fails=$((fails + 1));; esac
}
info() { echo "# $*"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }
tail_reason() { # file: last lines squeezed into one
	tail -n "${2:-5}" "$1" 2>/dev/null | tr '\n\t' '  ' | sed 's/  */ /g; s/^ //; s/ $//' | cut -c1-600
}

t_all=$(now)
mkdir -p "$VM/logs"
# One run at a time per build tree (they share the kernels, initramfs, logs).
exec 9> "$VM/.lock"
if ! flock -n 9; then
	echo "# vm: another tests/vm/run.sh holds $VM/.lock; waiting" >&2
	flock 9
fi

# ---- kernels ----------------------------------------------------------------
if ! "$HERE/fetch-kernels.sh" "${kernels[@]}" > "$VM/logs/fetch.log" 2>&1; then
	for k in "${kernels[@]}"; do
		say "FAIL vm-$k/fetch: $(tail_reason "$VM/logs/fetch.log" 3) (log: $VM/logs/fetch.log)"
	done
	exit 1
fi

# ---- the project's static binaries (once) -------------------------------------
t0=$(now)
if make -s static > "$VM/logs/static-build.log" 2>&1; then
	info "vm: make static: $(secs "$t0" "$(now)") s"
else
	say "FAIL vm/static-build: $(tail_reason "$VM/logs/static-build.log" 4) (log: $VM/logs/static-build.log)"
fi

# Minimum number of result lines a complete run yields: init's own (1) plus
# each guest.d script's `# gp-min-results: N` (default 1).  A script with a
# `# gp-boot: TAG ARGS...` header runs in an extra boot of each kernel with
# ARGS on the kernel command line (what only a boot parameter sets, such as
# lockdown=confidentiality), with the other TAG scripts only; that boot's
# lines are named vm-<short>/TAG/... and its logs are in logs/<short>/TAG.
min_results=1
declare -A boot_args=() boot_min=()
for f in "$HERE"/guest.d/*.sh ${GP_VM_EXTRA_GUEST_D:+"$GP_VM_EXTRA_GUEST_D"/*.sh}; do
	[ -f "$f" ] || continue
	case $(basename "$f") in ${GP_VM_ONLY:-*}) ;; *) continue;; esac
	m=$(sed -n 's/^# *gp-min-results: *\([0-9][0-9]*\).*/\1/p' "$f" | head -n1)
	b=$(sed -n 's/^# *gp-boot: *//p' "$f" | head -n1)
	if [ -n "$b" ]; then
		t=${b%% *}
		boot_args[$t]=$([ "$b" = "$t" ] || echo "${b#* }")
		boot_min[$t]=$((${boot_min[$t]:-1} + ${m:-1}))
		continue
	fi
	min_results=$((min_results + ${m:-1}))
done

# ---- acceleration: KVM only if it proves it can boot these kernels -----------
# shellcheck source=tests/vm/accel.sh
. "$HERE/accel.sh"
# shellcheck disable=SC1090
. "$VM/kernels/${kernels[0]}/env"
gp_accel_choose "$VMLINUZ"
info "vm: accelerator: $GP_ACCEL ($GP_ACCEL_WHY)"
echo "vm: accelerator: $GP_ACCEL ($GP_ACCEL_WHY)" > "$VM/logs/accel.txt"

# Run a command for the module build: on the host, or, when the kernel was
# built with a compiler bookworm lacks, in that suite's build root
# (KBUILD_ROOT from fetch-kernels.sh) with the tree and build/vm bind-mounted
# at the same paths.
kbuild() {
	if [ -z "${KBUILD_ROOT:-}" ]; then
		"$@"
		return
	fi
	local q
	q=$(printf '%q ' "$@")
	mkdir -p "$KBUILD_ROOT$ROOT" "$KBUILD_ROOT$VM" "$KBUILD_ROOT/proc"
	unshare -m sh -c "mount --bind '$ROOT' '$KBUILD_ROOT$ROOT' &&
		mount --bind '$VM' '$KBUILD_ROOT$VM' &&
		mount -t proc proc '$KBUILD_ROOT/proc' &&
		exec chroot '$KBUILD_ROOT' sh -c 'cd $ROOT && exec $q'"
}

run_kernel() { # short [gp-boot tag]
	local k=$1 tag=${2:-} t0 t1 logs envf kdir st min
	st=vm-$k${tag:+/$tag}
	min=${tag:+${boot_min[$tag]}}
	min=${min:-$min_results}
	logs=$VM/logs/$k${tag:+/$tag}
	rm -rf "$logs"; mkdir -p "$logs"
	envf=$VM/kernels/$k/env
	# shellcheck disable=SC1090
	KDIR=; VMLINUZ=; KVER=; KBUILD_ROOT=; . "$envf"
	t0=$(now)

	# -- the module, with the documented target, against this kernel's headers
	local kout=$VM/kmod/$k
	[ -n "$tag" ] || rm -rf "$kout"
	if [ -n "$tag" ]; then
		:	# an extra boot: the module and initramfs are the main boot's
	elif [ "${GP_VM_NO_KMOD:-0}" = 1 ]; then
		info "$st: module build skipped (GP_VM_NO_KMOD=1)"
	elif [ ! -f "$ROOT/Kbuild" ]; then
		say "SKIP $st/kmod-build: no top-level Kbuild in the tree"
	elif kbuild make -s kmod KDIR="$KDIR" KMOD_OUT="$kout" > "$logs/kmod-build.log" 2>&1 &&
		[ -n "$(find "$kout" -name ghostport.ko 2>/dev/null)" ]; then
		say "PASS $st/kmod-build"
	else
		say "FAIL $st/kmod-build: $(tail_reason "$logs/kmod-build.log" 6) (log: $logs/kmod-build.log)"
		rm -rf "$kout"   # the guest runs without it; the kmod tests SKIP
	fi

	# -- initramfs
	if [ -z "$tag" ] && ! "$HERE/build-initramfs.sh" "$k" > "$logs/initramfs.log" 2>&1; then
		say "FAIL $st/initramfs: $(tail_reason "$logs/initramfs.log" 3) (log: $logs/initramfs.log)"
		return
	fi
	[ "$verbose" = 1 ] && [ -z "$tag" ] && cat "$logs/initramfs.log"

	local append="console=ttyS0 quiet panic=-1 lsm=lockdown,capability,landlock,bpf${GP_VM_APPEND:+ $GP_VM_APPEND}${tag:+ ${boot_args[$tag]} gp.boot=$tag}"
	local accel_used=$GP_ACCEL
	qemu_cmd() { # accel -> the qemu command line in ${qemu[@]}
		qemu=(qemu-system-x86_64 -m 1024 -smp 2 $(gp_accel_opts "$1")
			-kernel "$VMLINUZ" -initrd "$VM/initramfs-$k.cpio.gz"
			-display none -no-reboot -nodefaults)
	}
	local qemu
	qemu_cmd "$accel_used"

	if [ $shell = 1 ]; then
		info "booting $k ($KVER) to a shell under $accel_used; leave with 'exit' (or Ctrl-A x)"
		exec "${qemu[@]}" -serial mon:stdio -append "$append gp.shell"
	fi

	# -- boot and run the suite
	local t_boot rc
	t_boot=$(now)
	boot() {
		if [ "$verbose" = 1 ]; then
			timeout -k 5 "$tmo" "${qemu[@]}" -serial stdio -monitor none -append "$append" \
				< /dev/null 2>&1 | tee "$logs/console.log"
			rc=${PIPESTATUS[0]}
		else
			(timeout -k 5 "$tmo" "${qemu[@]}" -serial stdio -monitor none -append "$append" \
				< /dev/null > "$logs/console.log" 2>&1; exit $?) 2>/dev/null
			rc=$?
		fi
	}
	boot
	# A KVM boot that died before /init (qemu abort, a guest that faults on
	# an instruction the accelerator mishandles) is not the kernel's fault:
	# run it again under TCG, once, and say so.
	if [ "$accel_used" = kvm ] && ! tr -d '\r' < "$logs/console.log" | grep -q '^@@GP-BOOTED '; then
		info "$st: the KVM boot died before /init (qemu exit $rc: $(tail_reason "$logs/console.log" 2)); retrying once under TCG"
		mv "$logs/console.log" "$logs/console-kvm.log"
		accel_used=tcg
		qemu_cmd tcg
		boot
		info "$st: retried under TCG (the KVM attempt: $logs/console-kvm.log)"
		echo "$st: KVM boot died, retried under TCG" >> "$VM/logs/accel.txt"
	fi
	t1=$(now)

	local clean=$logs/console.txt
	tr -d '\r' < "$logs/console.log" > "$clean"
	sed -n '/^@@GP-DMESG-BEGIN@@$/,/^@@GP-DMESG-END@@$/p' "$clean" | sed '1d;$d' > "$logs/dmesg.log"

	local booted=0 failed_before=$fails
	if grep -q '^@@GP-BOOTED ' "$clean"; then
		booted=1
		say "PASS $st/boot"
	else
		say "FAIL $st/boot: the guest never reached /init (qemu exit $rc; last: $(grep -v '^$' "$clean" | tail_reason /dev/stdin 3))"
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		say "FAIL $st/timeout: guest killed after ${tmo}s"
	fi

	# -- the guest's results
	local endline count got
	endline=$(grep -m1 '^@@GP-END [0-9]*@@$' "$clean")
	if [ -n "$endline" ]; then
		count=${endline#@@GP-END }; count=${count%@@}
		sed -n '/^@@GP-BEGIN@@$/,/^@@GP-END [0-9]*@@$/p' "$clean" | sed '1d;$d' |
			grep -E '^(PASS|FAIL|SKIP) [^ ]+/' > "$logs/results.txt"
		got=$(wc -l < "$logs/results.txt")
		while IFS= read -r l; do say "$l"; done < "$logs/results.txt"
		if [ "$got" != "$count" ]; then
			say "FAIL $st/results-count: guest reported $count results, $got arrived intact"
		elif [ "$got" -lt "$min" ]; then
			say "FAIL $st/results-count: $got results, expected at least $min"
		else
			say "PASS $st/results-count"
		fi
	elif [ $booted = 1 ]; then
		# crashed or hung mid-suite: show what did arrive
		grep -E "^(PASS|FAIL|SKIP) $st/" "$clean" | awk '!seen[$0]++' > "$logs/results.txt"
		while IFS= read -r l; do say "$l"; done < "$logs/results.txt"
		say "FAIL $st/results-count: no result block (the guest died or hung; $(wc -l < "$logs/results.txt") results seen on the console)"
	fi

	# -- the guest kernel's log
	local klog=$logs/dmesg.log bad
	[ -s "$klog" ] || klog=$clean
	if [ $booted = 1 ] || [ -s "$logs/dmesg.log" ]; then
		bad=$(grep -E 'BUG:|WARNING:|Oops|KASAN|UBSAN|general protection|Call Trace|Kernel panic|kernel BUG' "$klog" | head -n 3 | tr '\n' ' ' | cut -c1-400)
		if [ -n "$bad" ]; then
			say "FAIL $st/kernel-log: $bad"
		elif [ ! -s "$logs/dmesg.log" ]; then
			say "FAIL $st/kernel-log: no kernel log dumped by the guest (console checked instead)"
		else
			say "PASS $st/kernel-log"
		fi
	fi

	local up_boot up_done
	up_boot=$(sed -n 's/^@@GP-BOOTED \([0-9.]*\) .*/\1/p' "$clean" | head -n1)
	up_done=$(sed -n 's/^@@GP-DONE \([0-9.]*\)@@.*/\1/p' "$clean" | head -n1)
	info "$st: $KVER under $accel_used: wall $(secs "$t0" "$t1") s (build $(secs "$t0" "$t_boot") s, qemu $(secs "$t_boot" "$t1") s); guest uptime at /init ${up_boot:-?} s, suite done at ${up_done:-?} s"
	if [ $fails != "$failed_before" ]; then
		info "$st: logs: $logs/ (console.log, dmesg.log, kmod-build.log)"
	fi
	if [ -z "$tag" ]; then
		for tag in "${!boot_args[@]}"; do
			run_kernel "$k" "$tag"
		done
	fi
}

# Two kernels at a time by default: the guests spend much of their time in
# fixed-length waits and each uses about one host core under TCG, so on a
# 2-core machine two at once take ~60% of the sequential time (measured: 142 s
# vs 249 s for two kernels).  GP_VM_JOBS=1 runs them one after the other.
jobs=${GP_VM_JOBS:-2}
if [ $shell = 1 ] || [ "$jobs" -le 1 ] || [ ${#kernels[@]} = 1 ]; then
	for k in "${kernels[@]}"; do
		run_kernel "$k"
	done
else
	# A pool of $jobs: start the next kernel as soon as one finishes; print
	# each kernel's lines in matrix order.
	declare -A pid_of=()
	running=0
	for k in "${kernels[@]}"; do
		if [ "$running" -ge "$jobs" ]; then
			wait -n
			running=$((running - 1))
		fi
		run_kernel "$k" > "$VM/logs/run-$k.out" 2>&1 &
		pid_of[$k]=$!
		running=$((running + 1))
	done
	for k in "${kernels[@]}"; do
		wait "${pid_of[$k]}"
		cat "$VM/logs/run-$k.out"
		fails=$((fails + $(grep -c '^FAIL ' "$VM/logs/run-$k.out")))
	done
fi
info "vm: total $(secs "$t_all" "$(now)") s"
[ $fails = 0 ]
