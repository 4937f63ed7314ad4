#!/bin/sh
# Install what ghostport needs to build and test, from Debian's packages.
# Idempotent: installs only what is missing (apt-get update first when it must).
#   tools/install-deps.sh          build dependencies
#   tools/install-deps.sh --test   plus what the test suite uses
#   tools/install-deps.sh --bench  plus the peers `make bench` compares with
set -eu

BUILD_PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
libcmocka-dev libjansson-dev libyaml-dev libssl-dev libsystemd-dev libcap-ng-dev python3 pkg-config"
TEST_PKGS="qemu-system-x86 busybox-static cpio dwarves kmod util-linux iproute2 jq
rsyslog rsyslog-gnutls openssl systemd groff-base man-db"
BENCH_PKGS="auditd valgrind"

pkgs=$BUILD_PKGS
[ "${1:-}" = "--test" ] && pkgs="$pkgs $TEST_PKGS"
[ "${1:-}" = "--bench" ] && pkgs="$pkgs $TEST_PKGS $BENCH_PKGS"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

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
[ -n "$prc" ] && rm -f "$prc"
command -v systemctl >/dev/null 2>&1 && case " $missing " in *" auditd "*)
	systemctl disable auditd >/dev/null 2>&1 || true;; esac
exit 0
