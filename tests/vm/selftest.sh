#!/bin/bash
# ghostport test VM: test the harness's own accelerator choice and fallback
# (tests/vm/accel.sh, tests/vm/run.sh), on any machine, whatever its /dev/kvm.
#
#   tests/vm/selftest.sh [--kernel 6.12]
#
# Result lines: PASS|FAIL|SKIP vm/accel/<case>.  Cases:
#   probe-boots     the probe initramfs reaches /init (under TCG), so a
#                   working KVM would pass the probe
#   no-device       no KVM device -> TCG, reason named
#   probe-fails     a KVM device whose probe boot fails -> TCG, reason named
#   forced          GP_VM_ACCEL=tcg|kvm|bogus are obeyed or refused
#   choice          what this machine gets, and why (always PASS: informative)
#   retry           a KVM boot that dies is retried once under TCG and the
#                   suite's env checks then pass (a short real run of run.sh)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VM=${GP_VM_DIR:-$ROOT/build/vm}
HERE=$ROOT/tests/vm
kernel=6.12
while [ $# -gt 0 ]; do
	case $1 in
		--kernel) kernel=${2:?}; shift 2;;
		*) echo "selftest.sh: unknown argument '$1'" >&2; exit 2;;
	esac
done
[ "$kernel" = all ] && kernel=6.12
S=vm/accel
fails=0
say() { echo "$*"; case $* in FAIL\ *) fails=$((fails + 1));; esac; }

mkdir -p "$VM/logs"
if ! "$HERE/fetch-kernels.sh" "$kernel" > "$VM/logs/selftest-fetch.log" 2>&1; then
	say "FAIL $S/fetch: $(tail -n 2 "$VM/logs/selftest-fetch.log" | tr '\n' ' ')"
	exit 1
fi
# shellcheck disable=SC1090
. "$VM/kernels/$kernel/env"
# shellcheck source=tests/vm/accel.sh
. "$HERE/accel.sh"

expect() { # case want-accel want-why-pattern
	if [ "$GP_ACCEL" = "$2" ] && [[ $GP_ACCEL_WHY == *$3* ]]; then
		say "PASS $S/$1: $GP_ACCEL ($GP_ACCEL_WHY)"
	else
		say "FAIL $S/$1: got $GP_ACCEL ($GP_ACCEL_WHY), expected $2 with '$3'"
	fi
}

# probe-boots: the probe itself can succeed (run it under TCG).
if GP_VM_PROBE_ACCEL=tcg GP_VM_PROBE_TIMEOUT=90 gp_accel_probe "$VMLINUZ"; then
	say "PASS $S/probe-boots: $GP_ACCEL_PROBE_WHY (under TCG)"
else
	say "FAIL $S/probe-boots: $GP_ACCEL_PROBE_WHY (under TCG; log $VM/logs/accel-probe.log)"
fi

# no-device
GP_VM_KVM_DEV=/nonexistent/kvm gp_accel_choose "$VMLINUZ"
expect no-device tcg "no /nonexistent/kvm"

# probe-fails: a writable "device" and a KVM boot that cannot start.
GP_VM_KVM_DEV=/dev/null GP_VM_KVM_EXTRA="-machine gp-no-such-machine" gp_accel_choose "$VMLINUZ" 2>/dev/null
expect probe-fails tcg "KVM probe boot failed"

# forced
ok=1
GP_VM_ACCEL=tcg gp_accel_choose "$VMLINUZ"; [ "$GP_ACCEL" = tcg ] || ok=0
GP_VM_ACCEL=kvm gp_accel_choose "$VMLINUZ"; [ "$GP_ACCEL" = kvm ] || ok=0
GP_VM_ACCEL=bogus gp_accel_choose "$VMLINUZ"; [ "$GP_ACCEL" = tcg ] && [[ $GP_ACCEL_WHY == *"not auto|kvm|tcg"* ]] || ok=0
if [ $ok = 1 ]; then say "PASS $S/forced"; else say "FAIL $S/forced: GP_VM_ACCEL not obeyed ($GP_ACCEL_WHY)"; fi

# choice: this machine, as run.sh will decide it.
GP_VM_ACCEL=${GP_VM_ACCEL:-auto} gp_accel_choose "$VMLINUZ" 2>/dev/null
say "PASS $S/choice: this machine uses $GP_ACCEL ($GP_ACCEL_WHY)"

# retry: force KVM with a broken option, so the real boot dies; run.sh must
# retry under TCG and the guest's env checks must pass.
out=$VM/logs/selftest-retry.out
GP_VM_ACCEL=kvm GP_VM_KVM_EXTRA="-machine gp-no-such-machine" GP_VM_ONLY='00-*' \
	GP_VM_NO_KMOD=1 GP_VM_JOBS=1 "$HERE/run.sh" --kernel "$kernel" --timeout 300 > "$out" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "retried under TCG" "$out" && grep -q "^PASS vm-$kernel/boot" "$out"; then
	say "PASS $S/retry: forced KVM boot died, retried under TCG, $(grep -c '^PASS ' "$out") checks passed"
else
	say "FAIL $S/retry: run.sh exit $rc; $(grep -E '^FAIL|retried' "$out" | head -n 3 | tr '\n' ' ') (log: $out)"
fi
[ $fails = 0 ]
