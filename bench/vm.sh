#!/bin/bash
# bench/vm.sh [--kernel 6.1|6.12]: the emulated part of the benchmarks
# (bench/run.sh --vm).  Builds the bench programs statically, bundles them
# (and Debian's libbpf-tools bindsnoop with its shared libraries) into a
# guest.d script, boots the test VM through tests/vm/run.sh with
# GP_VM_EXTRA_GUEST_D, and turns the guest's BENCH lines into
# build/bench/vm-results.md and vm-results.csv.
#
# The harness runs the guest's environment check too (GP_VM_ONLY); its
# PASS/FAIL lines go to build/bench/vm-suite.log.  Under qemu TCG timing is
# noise-prone even as ratios within a round: bpf_stats and the module's
# counters are the measure there.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
B=$ROOT/build/bench
K=6.1
while [ $# -gt 0 ]; do
	case $1 in
		--kernel) K=$2; shift 2;;
		*) echo "bench/vm.sh: unknown argument '$1'" >&2; exit 2;;
	esac
done
mkdir -p "$B/vm-payload/lib" "$B/vm-guest.d"
P=$B/vm-payload
log() { echo "bench-vm: $*" >&2; }

# ---- static bench programs ----------------------------------------------------------
gcc -O2 -static -o "$P/bindloop" bench/bindloop.c -lpthread || exit 1
gcc -O2 -static -o "$P/progstats" bench/progstats.c -lbpf -lelf -lz -lzstd 2>/dev/null ||
	gcc -O2 -static -o "$P/progstats" bench/progstats.c -lbpf -lelf -lz || exit 1
rm -f "$P/floor"

# ---- bindsnoop (Debian's libbpf-tools: dynamically linked) --------------------------
bs_note=""
if [ ! -x "$B/deb/usr/sbin/bindsnoop" ]; then
	mkdir -p "$B/deb"
	( cd "$B/deb" && apt-get download libbpf-tools > /dev/null 2>&1 &&
	  dpkg -x libbpf-tools_*.deb . ) || bs_note="apt-get download libbpf-tools failed"
fi
if [ -x "$B/deb/usr/sbin/bindsnoop" ]; then
	cp "$B/deb/usr/sbin/bindsnoop" "$P/bindsnoop"
	# its libraries, loaded through the dynamic loader we ship next to it
	for l in $(ldd "$P/bindsnoop" | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do
		cp -L "$l" "$P/lib/"
	done
else
	rm -f "$P/bindsnoop"
fi

# ---- the guest script with its payload ------------------------------------------------
S=$B/vm-guest.d/99-bench.sh
{
	cat bench/vm-guest.sh
	tar -czf - -C "$P" . | base64
} > "$S"
chmod +x "$S"
log "payload $(du -k "$S" | cut -f1) KiB; booting the $K guest"

# Only the environment check and the bench (GP_VM_ONLY=GLOB to change).
GP_VM_ONLY=${GP_VM_ONLY:-[09][09]-*} GP_VM_EXTRA_GUEST_D=$B/vm-guest.d GP_VM_TIMEOUT=${GP_VM_TIMEOUT:-2400} \
	tests/vm/run.sh --kernel "$K" > "$B/vm-suite.log" 2>&1
rc=$?
LOGS=${GP_VM_DIR:-build/vm}/logs/$K
CON=$LOGS/console.txt
[ -f "$CON" ] || CON=$LOGS/console.log
# Copy the console at once: the next run of the shared harness rewrites it.
cp "$CON" "$B/vm-console-$K.txt" 2>/dev/null
grep -a '^BENCH ' "$B/vm-console-$K.txt" | tr -d '\r' > "$B/vm-raw.txt"
log "suite exit $rc; $(wc -l < "$B/vm-raw.txt") BENCH lines (suite log: $B/vm-suite.log)"
python3 bench/vm-report.py "$B" "$K" "$bs_note"
