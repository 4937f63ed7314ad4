#!/bin/bash
# tools/get-checkpatch.sh [DIR] - the kernel's checkpatch.pl (with the
# spelling and const-struct lists it reads) and the kernel's .clang-format,
# from Debian's linux-source-6.1 package, into DIR (default
# build/checkpatch).  `make lint` calls it; it does nothing when DIR already
# has them.  Debian's kernel headers and kbuild packages do not ship
# checkpatch, so the source package it is: downloaded once (about 140 MB),
# and only those four files are kept.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/build/checkpatch}
PKG=${GP_CHECKPATCH_PKG:-linux-source-6.1}
FILES=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch .clang-format)

have_all() {
	local f
	for f in "${FILES[@]}"; do [ -e "$OUT/$f" ] || return 1; done
}
have_all && exit 0

mkdir -p "$OUT"
tmp=$(mktemp -d "$OUT/.get.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"	# apt-get download writes as _apt
echo "ghostport: fetching checkpatch.pl from Debian's $PKG" >&2
(cd "$tmp" && apt-get download -q "$PKG" >&2) || {
	echo "ghostport: apt-get download $PKG failed (run apt-get update first?)" >&2
	exit 1
}
deb=$(ls "$tmp"/*.deb)
# The package holds one tarball, /usr/src/<pkg>.tar.xz; take the files out
# of it without unpacking the rest.
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/$PKG.tar.xz" |
	tar -xJ -C "$tmp" "${FILES[@]/#/$PKG/}"
for f in "${FILES[@]}"; do
	mkdir -p "$OUT/$(dirname "$f")"
	mv "$tmp/$PKG/$f" "$OUT/$f"
done
chmod +x "$OUT/scripts/checkpatch.pl"
echo "ghostport: checkpatch.pl in $OUT/scripts" >&2
