#!/bin/bash
# ghostport test runner: `make test` (all stages) or one stage.
#
#   tests/run-all.sh [unit|host|vm ...] [--kernel 5.10|6.1|6.12|7.3]
#
# Stages:
#   unit  the layer check, cmocka unit tests, plain and under ASan+UBSan
#   host  end-to-end tests on this machine's kernel (root: real binds)
#   vm    the same and more on Debian's kernels under qemu (tests/vm/run.sh)
#
# Every test prints result lines (PASS/FAIL/SKIP <stage>/<name>); this script
# keeps them in build/test-results/<stage>.txt, prints the time each stage
# took, and ends with one line: "N passed, N failed, N skipped".
# Exit status: non-zero if anything failed or a stage broke.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
RES=build/test-results
mkdir -p "$RES"

stages=()
kernel=all
while [ $# -gt 0 ]; do
	case $1 in
		unit|host|vm) stages+=("$1"); shift;;
		--kernel) kernel=${2:?--kernel needs a value}; shift 2;;
		*) echo "run-all.sh: unknown argument '$1'" >&2; exit 2;;
	esac
done
[ ${#stages[@]} -eq 0 ] && stages=(unit host vm)

broken=0

# Convert cmocka's TAP to result lines; a crash is a FAIL, never silence.
run_cmocka() { # variant binary
	local variant=$1 bin=$2 name out rc
	name=$(basename "$bin")
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out" | awk -v p="$variant/$name" '
		/^ok [0-9]+ - .*# SKIP/ { sub(/^ok [0-9]+ - /, ""); print "SKIP " p "/" $0; next }
		/^ok [0-9]+ - / { sub(/^ok [0-9]+ - /, ""); print "PASS " p "/" $0; next }
		/^not ok [0-9]+ - / { sub(/^not ok [0-9]+ - /, ""); print "FAIL " p "/" $0; next }
		/^#/ { print }'
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		echo "FAIL $variant/$name: exited with status $rc"
		printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
	fi
}

stage_unit() {
	# Which userspace stage may include which (tools/check-layers.sh).
	local layers
	if layers=$(tools/check-layers.sh 2>&1); then
		echo "PASS unit/check-layers"
	else
		echo "FAIL unit/check-layers: a stage includes one above it"
		printf '%s\n' "$layers" | sed 's/^/# /'
	fi
	if ! make -s all unit >"$RES/unit-build.log" 2>&1; then
		echo "FAIL unit/build: make failed (see $RES/unit-build.log)"
		tail -20 "$RES/unit-build.log" | sed 's/^/# /'
		return 1
	fi
	for t in build/tests/unit/test_*; do
		[ -x "$t" ] && run_cmocka unit "$t"
	done
	tests/schema/run.sh	# SIEM formats against ECS's and OCSF's schemas
	if ! make -s asan >"$RES/unit-asan-build.log" 2>&1; then
		echo "FAIL unit-asan/build: make asan failed (see $RES/unit-asan-build.log)"
		tail -20 "$RES/unit-asan-build.log" | sed 's/^/# /'
		return 1
	fi
	for t in build/asan/tests/unit/test_*; do
		[ -x "$t" ] && ASAN_OPTIONS=detect_leaks=1 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			run_cmocka unit-asan "$t"
	done
}

stage_host() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP host/all: needs root to load BPF programs"
		return 0
	fi
	if ! make -s all asan >"$RES/host-build.log" 2>&1; then
		echo "FAIL host/build: make failed (see $RES/host-build.log)"
		return 1
	fi
	# With the VM stage to come, fetch its kernels now: the package tests
	# (host.d/50-deb.sh) build the DKMS module against them.
	if [[ " ${stages[*]} " == *" vm "* ]] &&
		! tests/vm/fetch-kernels.sh > "$RES/host-fetch-kernels.log" 2>&1; then
		echo "# host: fetching the VM kernels failed (see $RES/host-fetch-kernels.log); the DKMS builds will SKIP"
	fi
	local t
	for t in tests/e2e/run-host.sh tests/e2e/bad-input.sh tests/host.d/*.sh; do
		[ -x "$t" ] || continue
		"$t" || true
	done
}

stage_vm() {
	local rc=0
	# The harness's own accelerator choice and KVM->TCG fallback first.
	tests/vm/selftest.sh --kernel "$([ "$kernel" = all ] && echo 6.12 || echo "$kernel")" || rc=1
	tests/vm/run.sh --kernel "$kernel" || rc=1
	return $rc
}

total_start=$(date +%s)
for s in "${stages[@]}"; do
	start=$(date +%s)
	echo "=== stage $s ==="
	"stage_$s" 2>&1 | tee "$RES/$s.txt"
	rc=${PIPESTATUS[0]}
	end=$(date +%s)
	# A stage that failed without saying which test failed is itself a FAIL.
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$RES/$s.txt"; then
		echo "FAIL $s/runner: stage exited with status $rc" | tee -a "$RES/$s.txt"
	fi
	printf '=== stage %s: %ds, %d passed, %d failed, %d skipped ===\n' "$s" \
		$((end - start)) "$(grep -c '^PASS ' "$RES/$s.txt")" \
		"$(grep -c '^FAIL ' "$RES/$s.txt")" "$(grep -c '^SKIP ' "$RES/$s.txt")"
done

cat "${stages[@]/#/$RES/}" 2>/dev/null >/dev/null
files=()
for s in "${stages[@]}"; do files+=("$RES/$s.txt"); done
pass=$(cat "${files[@]}" | grep -c '^PASS ')
fail=$(cat "${files[@]}" | grep -c '^FAIL ')
skip=$(cat "${files[@]}" | grep -c '^SKIP ')
if [ "$fail" -gt 0 ]; then
	echo "failed tests:"
	cat "${files[@]}" | grep '^FAIL ' | sed 's/^/  /'
fi
echo "total time: $(( $(date +%s) - total_start ))s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
