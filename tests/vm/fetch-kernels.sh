#!/bin/bash
# Obtain Debian's stock kernels (image + headers) for the test VM, through apt,
# without installing them: a private sources file and list dir under
# build/vm/apt, `apt-get download`, `dpkg -x` into build/vm/kernels/<short>/.
#
#   tests/vm/fetch-kernels.sh [5.10] [6.1] [6.12] [7.3]     (default: all)
#
# The matrix (short -> Debian suite):
#   5.10  bullseye            linux-image-5.10.0-*-amd64 (built with gcc-10)
#   6.1   bookworm            linux-image-6.1.0-*-amd64
#   6.12  bookworm-backports  linux-image-6.12.*+deb12-amd64
#   7.3   trixie-backports    linux-binary-* + linux-modules-* (from 7.x Debian
#                             splits the image; built with gcc-14)
# A kernel built with a compiler bookworm lacks (the headers' Depends name it:
# linux-compiler-gcc-10-x86, gcc-14-for-host) gets a build root of its own
# suite with that compiler (mmdebstrap, build/vm/chroots/<suite>); run.sh
# builds the module in it (KBUILD_ROOT in the env file).
#
# Idempotent: a kernel whose build/vm/kernels/<short>/env exists is left alone.
# Writes build/vm/kernels/<short>/env with KVER, VMLINUZ, KDIR, MODDIR and
# KBUILD_ROOT (empty: the host builds the module).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VM=${GP_VM_DIR:-$ROOT/build/vm}
APT=$VM/apt
KERNELS=$VM/kernels

log() { echo "fetch-kernels: $*" >&2; }
die() { log "error: $*"; exit 1; }

shorts=("$@")
[ ${#shorts[@]} -gt 0 ] || shorts=(5.10 6.1 6.12 7.3)
for s in "${shorts[@]}"; do
	case $s in 5.10|6.1|6.12|7.3) ;; *) die "unknown kernel '$s' (5.10, 6.1, 6.12 or 7.3)";; esac
done

# ---- host tools ------------------------------------------------------------
# The rest of the harness needs these too; install what is missing.
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
command -v cpio >/dev/null || missing+=(cpio)
command -v pahole >/dev/null || missing+=(dwarves)
command -v depmod >/dev/null || missing+=(kmod)
command -v dpkg-deb >/dev/null || die "dpkg-deb missing: this harness needs a Debian-like host"
command -v xz >/dev/null || missing+=(xz-utils)
command -v zstd >/dev/null || missing+=(zstd)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing host packages: ${missing[*]} (run as root or install them)"
	log "installing host packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || true
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Anything to do?
need=()
for s in "${shorts[@]}"; do
	[ -f "$KERNELS/$s/env" ] || need+=("$s")
done
[ ${#need[@]} -gt 0 ] || { log "cached: ${shorts[*]}"; exit 0; }

# ---- private apt -----------------------------------------------------------
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring missing (install debian-archive-keyring)"
cat > "$APT/sources.list.new" <<SRC
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm-backports main
deb [signed-by=$keyring] http://deb.debian.org/debian bullseye main
deb [signed-by=$keyring] http://deb.debian.org/debian trixie main
deb [signed-by=$keyring] http://deb.debian.org/debian trixie-backports main
SRC
mv "$APT/sources.list.new" "$APT/sources.list"
APTOPTS=(-o Dir::Etc::sourcelist="$APT/sources.list" -o Dir::Etc::sourceparts=-
	-o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache"
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
	-o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1 -o APT::Sandbox::User=root)

# Refresh the lists at most once a day (they are only needed to resolve names),
# and whenever the suites above changed.
stamp=$APT/lists/.updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ] ||
	! cmp -s "$APT/sources.list" "$stamp"; then
	log "apt-get update (private lists in $APT)"
	apt-get "${APTOPTS[@]}" update -qq >&2 || die "apt-get update failed"
	cp "$APT/sources.list" "$stamp"
fi

pkg_depends() { # package[=version] -> its Depends, one name a line
	apt-cache "${APTOPTS[@]}" show "$1" | sed -n 's/^Depends: //p' | head -n1 |
		tr ',|' '\n\n' | sed 's/^ *//; s/ .*//' | grep -v '^$'
}

# A build root of a suite with the given compiler package (kept; ~30 s to make).
make_build_root() { # suite compiler-package
	local suite=$1 cc=$2 dir=$VM/chroots/$1
	if [ -x "$dir/usr/bin/make" ] && [ -f "$dir/.gp-ok" ] && grep -qx "$cc" "$dir/.gp-ok"; then
		echo "$dir"; return
	fi
	log "build root $suite with $cc (mmdebstrap)"
	mkdir -p "$VM/chroots"
	rm -rf "$dir"
	mmdebstrap --variant=apt --mode=root --include="$cc,make,dwarves,libc6-dev,libelf-dev,bc" \
		"$suite" "$dir" "deb [signed-by=$keyring] http://deb.debian.org/debian $suite main" >&2 ||
		die "mmdebstrap $suite failed"
	echo "$cc" > "$dir/.gp-ok"
	echo "$dir"
}

# Depends of linux-image-amd64 in a suite -> concrete image package name.
resolve_image() { # suite
	local suite=$1 ver dep
	# Candidate version of the metapackage in that suite.
	ver=$(apt-cache "${APTOPTS[@]}" madison linux-image-amd64 |
		awk -F'|' -v s="$suite/main" '$3 ~ s" " || $3 ~ s"$" {gsub(/ /,"",$2); print $2}' |
		head -n1)
	[ -n "$ver" ] || ver=$(apt-cache "${APTOPTS[@]}" madison linux-image-amd64 |
		awk -F'|' -v s="$suite" 'index($3, " "s"/") {gsub(/ /,"",$2); print $2}' | head -n1)
	[ -n "$ver" ] || die "no linux-image-amd64 in $suite"
	dep=$(pkg_depends "linux-image-amd64=$ver" | grep -E '^linux-image-[0-9].*-amd64(-unsigned)?$' | head -n1)
	[ -n "$dep" ] || die "cannot resolve linux-image-amd64=$ver ($suite)"
	echo "$dep"
}

fetch_one() { # short
	local short=$1 suite img kabi dest
	case $short in
		5.10) suite=bullseye;;
		6.1) suite=bookworm;;
		6.12) suite=bookworm-backports;;
		7.3) suite=trixie-backports;;
	esac
	img=$(resolve_image "$suite")
	kabi=${img#linux-image-}; kabi=${kabi%-unsigned}   # e.g. 6.1.0-41-amd64
	local base=${kabi%-amd64}                           # e.g. 6.1.0-41
	log "$short: $img (suite $suite)"
	# From 7.x the image package is empty and depends on linux-binary-*
	# (vmlinuz) and linux-modules-* (the modules): take those instead.
	local split
	split=$(pkg_depends "$img" | grep -E '^linux-(binary|modules)-[0-9]' || true)
	local pkgs
	if [ -n "$split" ]; then
		# shellcheck disable=SC2206
		pkgs=($split "linux-headers-$kabi")
	else
		pkgs=("$img" "linux-headers-$kabi")
	fi
	# linux-kbuild-6.1 (bookworm) or linux-kbuild-<base> (backports): take it and
	# the -common package from the headers' Depends, which name them exactly.
	local hdeps
	hdeps=$(apt-cache "${APTOPTS[@]}" show "linux-headers-$kabi" | sed -n 's/^Depends: //p' | head -n1 |
		tr ',' '\n' | sed 's/^ *//; s/ .*//')
	local common kb
	common=$(echo "$hdeps" | grep -E '^linux-headers-.*-common' | head -n1)
	# The compiler the kernel was built with, when bookworm does not have it.
	local cc= kroot=
	case $(echo "$hdeps" | grep -E '^(linux-compiler-gcc-[0-9]+|gcc-[0-9]+-for-host)' | head -n1) in
		linux-compiler-gcc-10-*) cc=gcc-10;;
		gcc-14-for-host) cc=gcc-14;;
	esac
	if [ -n "$cc" ]; then
		local rsuite=${suite%-backports}
		kroot=$(make_build_root "$rsuite" "$cc")
	fi
	kb=$(echo "$hdeps" | grep -E '^linux-kbuild-' | head -n1)
	[ -n "$common" ] || common=linux-headers-$base-common
	[ -n "$kb" ] || kb=linux-kbuild-$base
	pkgs+=("$common" "$kb")
	log "$short: packages ${pkgs[*]}"
	(cd "$APT/debs" && apt-get "${APTOPTS[@]}" download -qq "${pkgs[@]}" >&2) ||
		die "apt-get download failed for ${pkgs[*]}"

	dest=$KERNELS/$short
	rm -rf "$dest.tmp"; mkdir -p "$dest.tmp/root"
	local p f
	for p in "${pkgs[@]}"; do
		f=$(ls -t "$APT/debs/${p}_"*.deb | head -n1)
		[ -f "$f" ] || die "no .deb for $p"
		log "$short: unpacking $(basename "$f")"
		dpkg-deb -x "$f" "$dest.tmp/root"
	done
	local r=$dest.tmp/root
	# 7.x installs under /usr/lib/modules (merged /usr): make /lib point there
	# so depmod, modprobe -d and the paths below see one layout.
	if [ ! -e "$r/lib" ] && [ -d "$r/usr/lib/modules" ]; then
		ln -s usr/lib "$r/lib"
	fi
	local kver
	kver=$(ls "$r/lib/modules" | head -n1)
	[ -n "$kver" ] || die "$short: no /lib/modules in the image package"
	local vmlinuz=$r/boot/vmlinuz-$kver
	[ -f "$vmlinuz" ] || vmlinuz=$r/lib/modules/$kver/vmlinuz
	[ -f "$vmlinuz" ] || die "$short: no vmlinuz for $kver"
	vmlinuz=$dest${vmlinuz#"$dest.tmp"}
	local kdir=$r/usr/src/linux-headers-$kver
	[ -f "$kdir/Makefile" ] || die "$short: $kdir/Makefile missing"
	# The headers' top Makefile includes the common tree by absolute path:
	# point it at the unpacked copy.
	sed -i "s|/usr/src/|$dest/root/usr/src/|g" "$kdir/Makefile"
	# Some files are symlinks into /usr/lib/linux-kbuild-*; relative in Debian,
	# but fix any absolute ones we find.
	local l t
	while IFS= read -r l; do
		t=$(readlink "$l")
		case $t in /usr/*) ln -sfn "$dest/root$t" "$l";; esac
	done < <(find "$r/usr/src" "$r/usr/lib" -maxdepth 3 -type l 2>/dev/null)
	# Build modules.dep for the image's modules (the package ships none).
	depmod -b "$r" "$kver" 2>/dev/null || true
	cat > "$dest.tmp/env" <<ENV
# written by tests/vm/fetch-kernels.sh
KSHORT=$short
KPKG=$img
KVER=$kver
VMLINUZ=$vmlinuz
KDIR=$dest/root/usr/src/linux-headers-$kver
MODDIR=$dest/root/lib/modules/$kver
KBUILD_ROOT=$kroot
ENV
	rm -rf "$dest"
	mv "$dest.tmp" "$dest"   # the paths written above already name $dest
	log "$short: ready: $(sed -n 's/^KVER=//p' "$dest/env")"
}

for s in "${need[@]}"; do
	fetch_one "$s"
done
