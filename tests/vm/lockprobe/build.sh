#!/bin/bash
# Build the lockdown probe (research tool for docs/lockdown.md) statically,
# into build/static/tests/e2e/lockprobe so the test VM's initramfs carries it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=${1:-$ROOT/build/static/tests/e2e}
mkdir -p "$ROOT/build/lockprobe" "$OUT"
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-I"$ROOT/bpf/vmlinux/x86" -c "$ROOT/tests/vm/lockprobe/lockprobe.bpf.c" \
	-o "$ROOT/build/lockprobe/lockprobe.bpf.o"
gcc -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -DLP_OBJ="\"$ROOT/build/lockprobe/lockprobe.bpf.o\"" \
	-o "$OUT/lockprobe" "$ROOT/tests/vm/lockprobe/lockprobe.c" -static -lbpf -lelf -lz
