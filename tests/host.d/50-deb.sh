#!/bin/bash
# tests/host.d/50-deb.sh - the Debian packages (debian/, `make deb`):
# build, lintian, install on this host, what the installed package does,
# purge leaves nothing behind (files, unit links, spool, BPF pins), and
# the ghostport-dkms source built by DKMS (signed through the documented
# framework.conf drop-in) for each test VM kernel whose headers are cached.
# The DKMS-built modules land in build/dkms/<short>/ghostport.ko, which
# tests/vm/build-initramfs.sh puts in the guest for guest.d/35-dkms.sh.
#
# Installs on the host (this machine is a throw-away CI VM with no systemd
# as PID 1): takes /tmp/gp-host.lock unless the caller already holds it.
# Result lines per docs/hacking.md: PASS/FAIL/SKIP host/deb/<name>.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
P=host/deb
LOCK=/tmp/gp-host.lock
# Holding the lock already (flock(1) leaves its descriptor open in the
# command it runs)?  Else take it: a second open of the file would block.
held=0
for fd in /proc/$$/fd/*; do
	[ "$(readlink "$fd" 2>/dev/null)" = "$LOCK" ] && held=1
done
if [ $held = 0 ] && [ -z "${GP_DEB_LOCKED:-}" ]; then
	exec env GP_DEB_LOCKED=1 flock -w 3600 "$LOCK" "$0" "$@"
fi

cd "$ROOT" || exit 1
VM=${GP_VM_DIR:-$ROOT/build/vm}
tmp=$(mktemp -d /tmp/gp-deb-test.XXXXXX)
DROPIN=/etc/dkms/framework.conf.d/zz-ghostport-test.conf
cleanup() {
	rm -f "$DROPIN"
	[ -n "${runpid:-}" ] && kill -9 "$runpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

pass() { echo "PASS $P/$1${2:+ ($2)}"; }
fail() { echo "FAIL $P/$1: $2"; }
skip() { echo "SKIP $P/$1: $2"; }
brief() { grep -v '^$' "$1" 2>/dev/null | tail -n "${2:-4}" | tr '\n\t' '  ' | cut -c1-400; }

INSTALL_CASES="install version check-config conffile man/ghostport.8 man/ghostport.conf.5
systemd-verify enabled not-started spool dkms-registered pins-left purge purge-files
purge-unit-links purge-spool purge-pins purge-dkms"

if [ "$(id -u)" != 0 ]; then
	skip all "needs root (installs packages)"
	exit 0
fi
for t in dpkg-buildpackage dh dh_dkms lintian dkms; do
	if ! command -v $t >/dev/null; then
		skip all "$t not installed (tools/install-deps.sh --deb)"
		exit 0
	fi
done

# ---- build -------------------------------------------------------------------
want=$(head -n1 debian/changelog | cut -d' ' -f2 | tr -d '()')
if make -s deb >"$tmp/build.log" 2>&1 &&
	[ -f "build/deb/ghostport_${want}_amd64.deb" ] &&
	[ -f "build/deb/ghostport-dkms_${want}_all.deb" ]; then
	pass build "ghostport_${want}_amd64.deb ghostport-dkms_${want}_all.deb"
else
	fail build "$(brief "$tmp/build.log" 6)"
	exit 0
fi
DEB=build/deb/ghostport_${want}_amd64.deb
DKMSDEB=build/deb/ghostport-dkms_${want}_all.deb

if lintian --fail-on error,warning build/deb/ghostport_"${want}"_amd64.changes \
	>"$tmp/lintian.log" 2>&1; then
	pass lintian "$(grep -c '^[EW]:' "$tmp/lintian.log") errors/warnings"
else
	fail lintian "$(grep '^[EW]:' "$tmp/lintian.log" | head -5 | tr '\n' ' ')"
fi

# ---- install -------------------------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
dpkg --purge ghostport ghostport-dkms >/dev/null 2>&1
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's#^\./#/#; s#/$##' | grep -v '^/\?$' >"$tmp/files"
if apt-get install -y -q --no-install-recommends "./$DEB" "./$DKMSDEB" \
	>"$tmp/install.log" 2>&1; then
	pass install
else
	fail install "$(brief "$tmp/install.log")"
	for c in $INSTALL_CASES; do [ "$c" = install ] || skip "$c" "install failed"; done
	INSTALL_CASES=
fi

if [ -n "$INSTALL_CASES" ]; then
	out=$(/usr/sbin/ghostport version 2>&1)
	if [[ $out == "ghostport $want (event ABI "*")" ]] &&
		[ "$(dpkg-query -W -f='${Version}' ghostport)" = "$want" ]; then
		pass version "$out"
	else
		fail version "installed: '$out', package $(dpkg-query -W -f='${Version}' ghostport), changelog $want"
	fi

	out=$(/usr/sbin/ghostport check-config /etc/ghostport/ghostport.conf 2>&1)
	rc=$?
	if [ $rc = 0 ] && [[ $out == *": OK ("* ]]; then
		pass check-config
	else
		fail check-config "exit $rc: ${out:0:300}"
	fi

	if grep -qx /etc/ghostport/ghostport.conf /var/lib/dpkg/info/ghostport.conffiles 2>/dev/null; then
		pass conffile
	else
		fail conffile "/etc/ghostport/ghostport.conf not in ghostport.conffiles"
	fi

	for m in man8/ghostport.8 man5/ghostport.conf.5; do
		f=/usr/share/man/$m.gz
		if [ ! -f "$f" ]; then
			fail "man/${m#*/}" "$f not installed"
		elif ! zcat "$f" | LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z >"$tmp/groff.log" 2>&1 ||
			grep -q . "$tmp/groff.log"; then
			fail "man/${m#*/}" "groff: $(brief "$tmp/groff.log")"
		elif ! MANWIDTH=80 man -l "$f" >"$tmp/man.txt" 2>"$tmp/man.log" ||
			! grep -qi ghostport "$tmp/man.txt"; then
			fail "man/${m#*/}" "man -l: $(brief "$tmp/man.log")"
		else
			pass "man/${m#*/}"
		fi
	done

	unit=/lib/systemd/system/ghostport.service
	if ! command -v systemd-analyze >/dev/null; then
		skip systemd-verify "systemd-analyze not installed"
	elif ! grep -q '^ExecStart=/usr/sbin/ghostport run ' "$unit"; then
		fail systemd-verify "ExecStart is not /usr/sbin/ghostport: $(grep ^ExecStart= "$unit")"
	elif SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$unit" >"$tmp/verify.log" 2>&1 &&
		! grep -q . "$tmp/verify.log"; then
		pass systemd-verify
	else
		fail systemd-verify "$(brief "$tmp/verify.log")"
	fi

	if [ -L /etc/systemd/system/sysinit.target.wants/ghostport.service ]; then
		pass enabled "sysinit.target.wants"
	else
		fail enabled "no /etc/systemd/system/sysinit.target.wants/ghostport.service"
	fi

	# systemd is not PID 1 here: the postinst must not have started it
	# (nor failed: the install above succeeded).
	if [ -d /run/systemd/system ]; then
		skip not-started "systemd is running on this host: the postinst starts the unit"
	elif pgrep -f '^/usr/sbin/ghostport run' >/dev/null; then
		fail not-started "a /usr/sbin/ghostport run is running after install"
	else
		pass not-started "no systemd as PID 1, nothing started"
	fi

	if [ "$(stat -c %a /var/spool/ghostport 2>/dev/null)" = 700 ]; then
		pass spool
	else
		fail spool "/var/spool/ghostport: $(stat -c %a /var/spool/ghostport 2>&1)"
	fi

	if dkms status ghostport/"$want" 2>/dev/null | grep -q "ghostport/$want"; then
		pass dkms-registered "$(dkms status ghostport/"$want" | head -n1)"
	else
		fail dkms-registered "dkms status: $(dkms status 2>&1 | head -3 | tr '\n' ' ')"
	fi

	# Leave pins behind the way a crash with enforcement does (kill -9);
	# the purge must remove them.
	/usr/sbin/ghostport run --enforce --ports 686 --source cgroup >"$tmp/run.out" 2>"$tmp/run.err" &
	runpid=$!
	for _ in $(seq 100); do
		grep -q '^ghostport: ready' "$tmp/run.err" && break
		kill -0 $runpid 2>/dev/null || break
		sleep 0.1
	done
	kill -9 $runpid 2>/dev/null
	wait $runpid 2>/dev/null
	runpid=
	if [ -n "$(ls -A /sys/fs/bpf/ghostport 2>/dev/null)" ]; then
		pass pins-left "$(ls /sys/fs/bpf/ghostport | wc -l) pins after kill -9"
	else
		fail pins-left "no pins under /sys/fs/bpf/ghostport after kill -9 of an enforcing run: $(brief "$tmp/run.err")"
	fi

	# ---- purge -------------------------------------------------------------------
	if apt-get purge -y -q ghostport ghostport-dkms >"$tmp/purge.log" 2>&1 &&
		! dpkg-query -W -f='${Status}\n' ghostport ghostport-dkms 2>/dev/null | grep -q 'installed\|config-files'; then
		pass purge
	else
		fail purge "$(brief "$tmp/purge.log")"
	fi
	left=
	while read -r f; do
		case $f in /etc|/lib|/lib/systemd|/lib/systemd/system|/usr|/usr/sbin|/usr/share|/usr/share/doc|/usr/share/man|/usr/share/man/man5|/usr/share/man/man8) continue;; esac
		[ -e "$f" ] && left="$left $f"
	done <"$tmp/files"
	[ -e /etc/ghostport ] && left="$left /etc/ghostport"
	if [ -z "$left" ]; then
		pass purge-files "$(wc -l <"$tmp/files") paths gone"
	else
		fail purge-files "left:$left"
	fi
	links=$(find /etc/systemd -name 'ghostport*' 2>/dev/null; ls /var/lib/systemd/deb-systemd-helper-enabled 2>/dev/null | grep ghostport)
	if [ -z "$links" ]; then
		pass purge-unit-links
	else
		fail purge-unit-links "$(echo $links)"
	fi
	if [ ! -e /var/spool/ghostport ]; then pass purge-spool; else fail purge-spool "/var/spool/ghostport remains"; fi
	if [ ! -e /sys/fs/bpf/ghostport ]; then
		pass purge-pins
	else
		fail purge-pins "/sys/fs/bpf/ghostport remains: $(ls /sys/fs/bpf/ghostport | head -5 | tr '\n' ' ')"
		/usr/sbin/ghostport unload >/dev/null 2>&1 || build/ghostport unload >/dev/null 2>&1
	fi
	if [ ! -e "/usr/src/ghostport-$want" ] && ! dkms status 2>/dev/null | grep -q '^ghostport'; then
		pass purge-dkms
	else
		fail purge-dkms "/usr/src/ghostport-$want or dkms status entry remains"
	fi
fi

# ---- DKMS build against the test VM kernels' headers -----------------------------
# A private DKMS tree, the package's source, and a throw-away signing key in
# the documented framework.conf drop-in (docs/kmod.md, "Signing").
kernels=$(ls "$VM/kernels" 2>/dev/null)
if [ -z "$kernels" ]; then
	skip dkms-build "no test VM kernels in $VM/kernels (tests/vm/fetch-kernels.sh)"
	exit 0
fi
rm -rf build/dkms
mkdir -p "$tmp/src" "$tmp/tree"
dpkg-deb -x "$DKMSDEB" "$tmp/pkg"
cp -r "$tmp/pkg/usr/src/ghostport-$want" "$tmp/src/"
openssl req -new -x509 -newkey rsa:2048 -nodes -days 2 -outform DER \
	-subj "/CN=ghostport test signing/" -keyout "$tmp/mok.priv" -out "$tmp/mok.der" >/dev/null 2>&1
DK=(--dkmstree "$tmp/tree" --sourcetree "$tmp/src")
if ! dkms add "${DK[@]}" "ghostport/$want" >"$tmp/dkms-add.log" 2>&1; then
	fail dkms-add "$(brief "$tmp/dkms-add.log")"
	exit 0
fi
for k in $kernels; do
	envf=$VM/kernels/$k/env
	[ -f "$envf" ] || continue
	KVER=; KDIR=
	# shellcheck disable=SC1090
	. "$envf"
	mkdir -p /etc/dkms/framework.conf.d
	printf 'sign_file="%s"\nmok_signing_key="%s"\nmok_certificate="%s"\n' \
		"$KDIR/scripts/sign-file" "$tmp/mok.priv" "$tmp/mok.der" >"$DROPIN"
	log=$tmp/dkms-build-$k.log
	if dkms build "${DK[@]}" "ghostport/$want" -k "$KVER" --kernelsourcedir "$KDIR" >"$log" 2>&1 &&
		ko=$(find "$tmp/tree/ghostport/$want/$KVER" -name 'ghostport.ko*' | head -n1) && [ -n "$ko" ]; then
		info=$(modinfo "$ko" 2>&1)
		v=$(sed -n 's/^version: *//p' <<<"$info")
		s=$(sed -n 's/^signer: *//p' <<<"$info")
		vm=$(sed -n 's/^vermagic: *\([^ ]*\).*/\1/p' <<<"$info")
		if [ "$v" = "$want" ] && [ "$s" = "ghostport test signing" ] && [ "$vm" = "$KVER" ]; then
			mkdir -p "build/dkms/$k"
			cp "$ko" "build/dkms/$k/ghostport.ko"
			pass "dkms-build/$k" "$KVER, version $v, signed by '$s'"
		else
			fail "dkms-build/$k" "modinfo: version '$v' (want $want), signer '$s', vermagic '$vm'"
		fi
	elif ! make -s kmod KDIR="$KDIR" KMOD_OUT="$tmp/kmod-$k" >"$tmp/kmod-$k.log" 2>&1; then
		# Only a compiler this host lacks is a reason to skip (the VM
		# stage builds those kernels' modules in their own build roots);
		# a module that does not compile is a failure.
		cc=$(grep -m1 -oE '[A-Za-z0-9_.-]*gcc[A-Za-z0-9_.-]*: not found' "$tmp/kmod-$k.log")
		if [ -n "$cc" ]; then
			skip "dkms-build/$k" "$KVER's compiler is not on this host ($cc); tests/vm builds it in a build root"
		else
			fail "dkms-build/$k" "the module does not build for $KVER: $(grep -m1 -iE 'error' "$tmp/kmod-$k.log" | cut -c1-200)"
		fi
	else
		fail "dkms-build/$k" "$(brief "$log" 6)"
	fi
	rm -f "$DROPIN"
done
exit 0
