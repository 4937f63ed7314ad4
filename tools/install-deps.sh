#!/bin/sh
# Install what ghostport needs to build and test, from Debian's packages.
# Idempotent: installs only what is missing (apt-get update first when it must).
#   tools/install-deps.sh          build dependencies
#   tools/install-deps.sh --test   plus what the test suite uses
#   tools/install-deps.sh --bench  plus the peers `make bench` compares with
#   tools/install-deps.sh --deb    plus what `make deb` needs (debhelper, DKMS, lintian)
# --test includes --deb (the tests build, lint and install the packages) and
# fetches Elastic's ECS field definitions (npm @elastic/ecs) for the schema
# checks into build/cache/npm (tests/schema/).
set -eu

BUILD_PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
libcmocka-dev libjansson-dev libyaml-dev libssl-dev libcap-ng-dev python3 pkg-config"
TEST_PKGS="qemu-system-x86 busybox-static cpio dwarves kmod util-linux iproute2 jq
rsyslog rsyslog-gnutls rsyslog-relp openssl systemd groff-base man-db"
BENCH_PKGS="auditd valgrind"
DEB_PKGS="debhelper dh-dkms dkms lintian dpkg-dev fakeroot"
# Pinned: the ECS version ghostport's ecs format declares (format_ecs.c).
ECS_NPM="@elastic/ecs@9.4.0"

pkgs=$BUILD_PKGS
[ "${1:-}" = "--test" ] && pkgs="$pkgs $TEST_PKGS $DEB_PKGS"
[ "${1:-}" = "--deb" ] && pkgs="$pkgs $DEB_PKGS"
# npm: Debian's, unless a node installation already brings one.
[ "${1:-}" = "--test" ] && ! command -v npm >/dev/null && pkgs="$pkgs npm"
[ "${1:-}" = "--bench" ] && pkgs="$pkgs $TEST_PKGS $BENCH_PKGS"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done

# ECS definitions for tests/schema (no root needed; once, then cached).
fetch_ecs() {
	[ "${1:-}" = "--test" ] || return 0
	root=$(cd "$(dirname "$0")/.." && pwd)
	d=$root/build/cache/npm
	[ -f "$d/node_modules/@elastic/ecs/generated/ecs_flat.js" ] && return 0
	mkdir -p "$d"
	echo "ghostport: npm install $ECS_NPM into $d" >&2
	npm install --silent --no-audit --no-fund --prefix "$d" "$ECS_NPM" >&2 ||
		echo "ghostport: npm install $ECS_NPM failed; the ECS schema checks will SKIP" >&2
}
if [ -z "$missing" ]; then
	fetch_ecs "${1:-}"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "ghostport: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "ghostport: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# Installing auditd must not start it: once the kernel's audit is enabled,
# every new task is audited until reboot and the bench's syscall figures
# are skewed (docs/bench.md).  A policy-rc.d of our own (101: "not
# allowed") stops the package's service start, where none is in place.
prc=""
case " $missing " in *" auditd "*)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		prc=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' > $prc && chmod 755 $prc
	fi;;
esac
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
if [ -n "$prc" ]; then rm -f "$prc"; fi
if command -v systemctl >/dev/null 2>&1; then
	case " $missing " in *" auditd "*) systemctl disable auditd >/dev/null 2>&1 || true;; esac
fi
fetch_ecs "${1:-}"
