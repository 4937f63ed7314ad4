#!/bin/bash
# tools/lint.sh - `make lint`: the kernel's checkpatch.pl over kmod/ and bpf/
# (kernel code, kernel style), and the userspace layer check
# (tools/check-layers.sh).  One result line each, as the unit stage of
# tests/run-all.sh counts them:
#
#   PASS|FAIL unit/check-layers
#   PASS|FAIL|SKIP unit/checkpatch    (SKIP: checkpatch.pl could not be had)
#
# checkpatch.pl comes from Debian's kernel source (tools/get-checkpatch.sh,
# cached in build/checkpatch).  Exit 1 if anything failed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
CP_DIR=${GP_CHECKPATCH_DIR:-build/checkpatch}
rc=0
mkdir -p "$(dirname "$CP_DIR")"

# checkpatch's defaults (not --strict, as most of the kernel), lines up to
# 100 columns as the kernel allows since 5.7.  A report is fixed, or, where
# it does not apply, its type is ignored here with the reason:
#   VOLATILE  in BPF, `const volatile` is libbpf's idiom for read-only data
#             the loader sets before load, and volatile accesses keep clang
#             from merging or dropping loads the verifier has to see
#   PREFER_DEFINED_ATTRIBUTE_MACRO  BPF programs have no
#             <linux/compiler_attributes.h>: __attribute__((noinline)) is
#             how a BPF-to-BPF function is written (libbpf's headers too)
IGNORES=VOLATILE,PREFER_DEFINED_ATTRIBUTE_MACRO

if out=$(tools/check-layers.sh 2>&1); then
	echo "PASS unit/check-layers"
else
	echo "FAIL unit/check-layers: a stage includes one above it"
	printf '%s\n' "$out" | sed 's/^/# /'
	rc=1
fi

if ! tools/get-checkpatch.sh "$CP_DIR" >"$CP_DIR.log" 2>&1 &&
   ! [ -x "$CP_DIR/scripts/checkpatch.pl" ]; then
	echo "SKIP unit/checkpatch: checkpatch.pl not available ($(tail -n1 "$CP_DIR.log"))"
	exit $rc
fi
files=$(ls kmod/*.c kmod/*.h bpf/*.bpf.c bpf/*.bpf.h 2>/dev/null)
# shellcheck disable=SC2086
if out=$(perl "$CP_DIR/scripts/checkpatch.pl" --no-tree --file --terse \
	--show-types --max-line-length=100 ${IGNORES:+--ignore "$IGNORES"} \
	$files 2>&1); then
	echo "PASS unit/checkpatch"
else
	echo "FAIL unit/checkpatch: $(printf '%s\n' "$out" | grep -c ': \(ERROR\|WARNING\|CHECK\):') reports in kmod/ and bpf/"
	printf '%s\n' "$out" | grep ': \(ERROR\|WARNING\|CHECK\):' | sed 's/^/# /'
	rc=1
fi
exit $rc
