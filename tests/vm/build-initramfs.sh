#!/bin/bash
# Build the test VM's initramfs for one kernel of the matrix:
#   build/vm/initramfs-<short>.cpio.gz
#
#   tests/vm/build-initramfs.sh <short>        (5.10, 6.1, 6.12 or 7.3)
#
# Contents: busybox-static + applet links, /init (tests/vm/guest/init),
# /gp/run-suite, /gp/lib-common (tests/vm/guest: the guest.d scripts' shell
# helpers), /gp/guest.d/*.sh (tests/vm/guest.d), /gp/bin/* (every file of
# build/static/ghostport and build/static/tests/e2e/, from `make static`),
# /gp/ghostport.ko (from build/vm/kmod/<short>, if run.sh built it),
# /gp/modules/*.ko + order (tests/vm/modules.txt and their dependencies,
# decompressed), /gp/kernel (<short>).
# Needs tests/vm/fetch-kernels.sh to have run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VM=${GP_VM_DIR:-$ROOT/build/vm}
short=${1:?usage: build-initramfs.sh <short>}
envf=$VM/kernels/$short/env
[ -f "$envf" ] || { echo "build-initramfs: $envf missing: run tests/vm/fetch-kernels.sh $short" >&2; exit 1; }
# shellcheck disable=SC1090
. "$envf"

BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 ||
	{ echo "build-initramfs: $BUSYBOX is not a static busybox (install busybox-static)" >&2; exit 1; }

out=$VM/initramfs-$short.cpio.gz
stage=$VM/initramfs-$short
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,gp/bin,gp/guest.d,gp/modules}

# busybox and its applets
cp "$BUSYBOX" "$stage/bin/busybox"
for a in $("$BUSYBOX" --list-full); do
	[ -e "$stage/$a" ] || ln -s /bin/busybox "$stage/$a"
done
mkdir -p "$stage/sys/fs" "$stage/lib/modules"
cat > "$stage/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$stage/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
G
cat > "$stage/etc/hosts" <<'H'
127.0.0.1	localhost ghostport-vm
::1	localhost ip6-localhost ip6-loopback
H
printf 'tcp 6 TCP\nudp 17 UDP\nsctp 132 SCTP\nudplite 136 UDPLite\n' > "$stage/etc/protocols"
echo 'export PS1="[vm-'"$short"'] \w # "' > "$stage/etc/profile"
echo 'export PATH=/gp/bin:/sbin:/bin:/usr/sbin:/usr/bin' >> "$stage/etc/profile"

# init and the suite
install -m 0755 "$ROOT/tests/vm/guest/init" "$stage/init"
install -m 0755 "$ROOT/tests/vm/guest/run-suite" "$stage/gp/run-suite"
install -m 0644 "$ROOT/tests/vm/guest/lib-common" "$stage/gp/lib-common"
echo "$short" > "$stage/gp/kernel"
# GP_VM_EXTRA_GUEST_D: more scripts (not part of the suite: trying a test,
# breaking the run on purpose).
for f in "$ROOT"/tests/vm/guest.d/*.sh ${GP_VM_EXTRA_GUEST_D:+"$GP_VM_EXTRA_GUEST_D"/*.sh}; do
	# GP_VM_ONLY=GLOB: only the guest scripts whose name matches (debugging)
	case $(basename "$f") in ${GP_VM_ONLY:-*}) ;; *) continue;; esac
	[ -f "$f" ] && install -m 0755 "$f" "$stage/gp/guest.d/"
done

# the project's static binaries
nbin=0
for f in "$ROOT/build/static/ghostport" "$ROOT"/build/static/tests/e2e/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	install -m 0755 "$f" "$stage/gp/bin/"
	nbin=$((nbin + 1))
done

# the module, if it was built for this kernel
ko=$(find "$VM/kmod/$short" -name ghostport.ko 2>/dev/null | head -n1 || true)
[ -n "$ko" ] && install -m 0644 "$ko" "$stage/gp/ghostport.ko"

# the module as DKMS built it from the ghostport-dkms package
# (tests/host.d/50-deb.sh), for guest.d/35-dkms.sh
dko=$ROOT/build/dkms/$short/ghostport.ko
[ -f "$dko" ] && install -D -m 0644 "$dko" "$stage/gp/dkms/ghostport.ko"

# kernel modules the tests need, dependencies first
: > "$stage/gp/modules/order"
root=${MODDIR%/lib/modules/*}
sed 's/#.*//' "$ROOT/tests/vm/modules.txt" | while read -r m; do
	[ -n "$m" ] || continue
	deps=$(modprobe --show-depends -d "$root" -S "$KVER" "$m" 2>&1) || {
		echo "build-initramfs: $short: module $m: $deps" >&2; continue; }
	echo "$deps" | while read -r kind path _; do
		[ "$kind" = insmod ] || continue          # "builtin <name>" lines
		base=$(basename "$path")
		case $base in
			*.ko.xz)  name=${base%.xz};  xz -dc "$path" > "$stage/gp/modules/$name";;
			*.ko.zst) name=${base%.zst}; zstd -qdc "$path" > "$stage/gp/modules/$name";;
			*.ko.gz)  name=${base%.gz};  gzip -dc "$path" > "$stage/gp/modules/$name";;
			*.ko)     name=$base;        cp "$path" "$stage/gp/modules/$name";;
			*) continue;;
		esac
		grep -qx "$name" "$stage/gp/modules/order" || echo "$name" >> "$stage/gp/modules/order"
	done
done

cat > "$stage/gp/manifest" <<M
kernel=$short
kver=$KVER
binaries=$nbin
kmod=$([ -f "$stage/gp/ghostport.ko" ] && echo yes || echo no)
modules=$(tr '\n' ' ' < "$stage/gp/modules/order")
M

(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "build-initramfs: $out ($(du -h "$out" | cut -f1); binaries: $nbin; kmod: $(sed -n 's/^kmod=//p' "$stage/gp/manifest"); modules: $(tr '\n' ' ' < "$stage/gp/modules/order"))" >&2
