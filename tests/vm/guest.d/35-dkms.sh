#!/bin/sh
# gp-min-results: 6
# ghostport.ko as DKMS built it from the ghostport-dkms package
# (tests/host.d/50-deb.sh: dkms build against this kernel's headers, signed
# with a throw-away key; build-initramfs.sh puts it at /gp/dkms/ghostport.ko):
# it loads, carries the package's version and the signature, serves
# /dev/ghostport, and `ghostport run --source kmod` reports a bind with it.
S=${GP_STAGE:-vm-unknown}/dkms
KO=/gp/dkms/ghostport.ko
CTL=/gp/bin/gp_kmodctl
GP=/gp/bin/ghostport
T=/tmp/gp-dkms
mkdir -p $T

pass() { echo "PASS $S/$1${2:+ ($2)}"; }
fail() { echo "FAIL $S/$1: $2"; }
skip() { echo "SKIP $S/$1: $2"; }
why() { grep -v '^$' "$1" 2>/dev/null | tail -n 3 | tr '\n' ' ' | cut -c1-300; }
CASES="load version signed device run-source-kmod unload"

if [ ! -f $KO ]; then
	for c in $CASES; do
		skip $c "no $KO (tests/host.d/50-deb.sh builds it with DKMS before the VM stage)"
	done
	exit 0
fi
[ -d /sys/module/ghostport ] && rmmod ghostport 2>/dev/null

if insmod $KO ports=686 2> $T/insmod.err && [ -d /sys/module/ghostport ]; then
	pass load
else
	fail load "$(why $T/insmod.err)"
	for c in $CASES; do [ $c = load ] || skip $c "module did not load"; done
	exit 0
fi

mv=$(cat /sys/module/ghostport/version 2>/dev/null)
uv=$($GP version 2>/dev/null | sed -n 's/^ghostport \([^ ]*\) .*/\1/p')
if [ -n "$mv" ] && [ "$mv" = "$uv" ]; then
	pass version "$mv"
else
	fail version "module '$mv', ghostport version '$uv'"
fi

# A signed module has the signature appended; the kernel taints it only
# when it cannot verify it (our throw-away key is not trusted: expected).
if tail -c 28 $KO | grep -q 'Module signature appended'; then
	pass signed
else
	fail signed "no module signature in $KO"
fi

if [ -c /dev/ghostport ] && $CTL version > $T/version.out 2>&1; then
	pass device "$(cat $T/version.out | tr '\n' ' ' | cut -c1-120)"
else
	fail device "$(why $T/version.out)"
fi

$GP run --source kmod --format json --ports 686 > $T/run.json 2> $T/run.err &
gpid=$!
n=0
while [ $n -lt 50 ] && ! grep -q 'ghostport: ready' $T/run.err; do sleep 0.1; n=$((n + 1)); done
$CTL bind tcp 127.0.0.1 686 > /dev/null 2>&1
sleep 0.5
kill $gpid 2>/dev/null; wait $gpid
if grep -q 'ghostport: ready source=kmod' $T/run.err &&
   grep -q '"source": *"kmod"' $T/run.json && grep -q '"port": *686' $T/run.json; then
	pass run-source-kmod
else
	fail run-source-kmod "json: $(head -c 200 $T/run.json); stderr: $(why $T/run.err)"
fi

if rmmod ghostport 2> $T/rmmod.err && [ ! -d /sys/module/ghostport ]; then
	pass unload
else
	fail unload "$(why $T/rmmod.err)"
fi
exit 0
