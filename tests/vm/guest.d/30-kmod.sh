#!/bin/sh
# gp-min-results: 25
# gp-timeout: 420
# ghostport.ko in the guest: load, /dev/ghostport, ioctls, records field by
# field, list update, one reader, unload, and the load/stress/unload loop.
# Needs /gp/ghostport.ko, /gp/bin/gp_kmodctl and /gp/bin/gp_stress
# (tests/e2e/); SKIPs every case when one is missing.
S=${GP_STAGE:-vm-unknown}/kmod
KO=/gp/ghostport.ko
CTL=/gp/bin/gp_kmodctl
STRESS=/gp/bin/gp_stress
PORTS='686,886/tcp,5000-5010/udp'
STRESS_PORTS=686,886,5000,5001,5002,5003
LOOPS=${GP_KMOD_LOOPS:-20}
T=/tmp/gp-kmod
mkdir -p $T

pass() { echo "PASS $S/$1${2:+ ($2)}"; }
fail() { echo "FAIL $S/$1: $2"; }
skip() { echo "SKIP $S/$1: $2"; }
loaded() { [ -d /sys/module/ghostport ]; }
# why: the last meaningful line of a file, on one line
why() { grep -v '^$' "$1" 2>/dev/null | tail -n 3 | tr '\n' ' ' | cut -c1-300; }

CASES="load params device version readsem bind-v4 bind-v6 bind-v4mapped
bind-udp proto-filter unlisted conf-all list-update busy counters
port-counts reset run-source-kmod unload-busy unload load-bad-params stress stress-unload kernel-log"

missing=
[ -f $KO ] || missing="no $KO (module not built for this kernel)"
[ -x $CTL ] || missing="${missing:-no $CTL (make static did not build tests/e2e/gp_kmodctl.c)}"
[ -x $STRESS ] || missing="${missing:-no $STRESS}"
if [ -n "$missing" ]; then
	for c in $CASES; do skip $c "$missing"; done
	exit 0
fi

# The kernel log from here on is ours to check.
dmesg > $T/dmesg.before
base=$(wc -l < $T/dmesg.before)
CG=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
[ -d "$CG" ] || CG=

loaded && rmmod ghostport 2>/dev/null

# ---- load ------------------------------------------------------------------
if insmod $KO "ports=$PORTS" ring_records=1024 2> $T/insmod.err && loaded; then
	pass load
else
	fail load "$(why $T/insmod.err)"
	for c in $CASES; do case $c in load) ;; *) skip $c "module did not load";; esac; done
	exit 0
fi

p=$(cat /sys/module/ghostport/parameters/ports 2>/dev/null)
r=$(cat /sys/module/ghostport/parameters/ring_records 2>/dev/null)
if [ "$p" = "$PORTS" ] && [ "$r" = 1024 ]; then
	pass params
else
	fail params "ports='$p' ring_records='$r'"
fi

if [ -c /dev/ghostport ]; then pass device; else fail device "no /dev/ghostport character device"; fi

if $CTL version > $T/version.out 2>&1; then
	v=$(sed -n 's/.* version=//p' $T/version.out)
	mv=$(cat /sys/module/ghostport/version 2>/dev/null)
	if [ -n "$v" ] && [ "$v" = "$mv" ]; then
		pass version "$v"
	else
		fail version "ioctl says '$v', /sys/module/ghostport/version '$mv'"
	fi
else
	fail version "$(why $T/version.out)"
fi

# 4 records on 5010/udp (listed), counted below.
if $CTL readsem 5010 > $T/readsem.out 2>&1; then pass readsem; else fail readsem "$(why $T/readsem.out)"; fi

# ---- records, field by field ---------------------------------------------------
bindcheck() { # name proto addr port expect
	n=$1; shift
	if $CTL bindcheck "$@" "$CG" > $T/$n.out 2>&1; then
		pass $n "$(sed -n 's/^identity: //p' $T/$n.out)"
	else
		fail $n "$(grep -E 'mismatch|records for|gp_kmodctl' $T/$n.out | tr '\n' ' ' | cut -c1-300)"
	fi
}
bindcheck bind-v4 tcp 127.0.0.1 686 1
bindcheck bind-v6 tcp6 ::1 686 1
bindcheck bind-v4mapped tcp6 ::ffff:127.0.0.1 886 1
bindcheck bind-udp udp 0.0.0.0 5005 1
bindcheck proto-filter udp 0.0.0.0 886 0		# 886 is listed for tcp only
bindcheck unlisted tcp 127.0.0.1 7777 0

if $CTL conf all > $T/conf.out 2>&1; then
	bindcheck conf-all tcp 127.0.0.1 7777 all
	$CTL conf none > /dev/null 2>&1
else
	fail conf-all "$(why $T/conf.out)"
fi

# ---- list update at run time ------------------------------------------------------
ok=1; msg=
if ! $CTL set-ports 5555/tcp > $T/lu.out 2>&1; then
	ok=0; msg="set-ports: $(why $T/lu.out)"
fi
[ $ok = 1 ] && ! $CTL bindcheck tcp 127.0.0.1 5555 1 > $T/lu1.out 2>&1 && { ok=0; msg="new port 5555 not reported"; }
[ $ok = 1 ] && ! $CTL bindcheck tcp 127.0.0.1 686 0 > $T/lu2.out 2>&1 && { ok=0; msg="removed port 686 still reported"; }
[ $ok = 1 ] && { g=$($CTL get-ports 2>&1); [ "$g" = "5555/0x1" ] || { ok=0; msg="get-ports says '$g'"; }; }
$CTL set-ports "$PORTS" > /dev/null 2>&1
[ $ok = 1 ] && ! $CTL bindcheck tcp 127.0.0.1 686 1 > $T/lu3.out 2>&1 && { ok=0; msg="686 not reported after restoring the list"; }
if [ $ok = 1 ]; then pass list-update; else fail list-update "$msg"; fi

# ---- one reader ---------------------------------------------------------------
if $CTL busy > $T/busy.out 2>&1; then pass busy; else fail busy "$(why $T/busy.out)"; fi

# ---- counters ---------------------------------------------------------------------
# So far: readsem (4 on 5010), bind-v4, bind-v6, bind-v4mapped, bind-udp,
# conf-all, list-update (5555, 686) = 11 records, no drops, no misses.
c=$($CTL counters 2>&1)
case "$c" in
	"events=11 drops=0 misses=0 "*) pass counters "$c";;
	*) fail counters "want events=11 drops=0 misses=0, got: $c";;
esac
pc=$($CTL port-counts 2>&1 | tr '\n' ' ')
case "$pc" in
	"port 686: 3 port 886: 1 port 5005: 1 port 5010: 4 port 5555: 1 port 7777: 1 sum=11 ")
		pass port-counts;;
	*) fail port-counts "got: $pc";;
esac
if $CTL reset > $T/reset.out 2>&1 && $CTL counters 2>&1 | grep -q '^events=0 drops=0 misses=0 '; then
	pass reset
else
	fail reset "$(why $T/reset.out) $($CTL counters 2>&1)"
fi

# ---- the reader: ghostport run --source kmod ----------------------------------------
if [ ! -x /gp/bin/ghostport ]; then
	skip run-source-kmod "no /gp/bin/ghostport"
else
	/gp/bin/ghostport run --source kmod --format json --ports 686,4242/udp \
		> $T/run.json 2> $T/run.err &
	gpid=$!
	n=0
	while [ $n -lt 50 ] && ! grep -q 'ghostport: ready' $T/run.err; do sleep 0.1; n=$((n + 1)); done
	$CTL bind tcp 127.0.0.1 686 > /dev/null 2>&1
	$CTL bind udp6 ::1 4242 > /dev/null 2>&1
	$CTL bind tcp 127.0.0.1 4242 > /dev/null 2>&1	# tcp: not listed
	sleep 0.5
	kill $gpid 2>/dev/null; wait $gpid
	ev=$(grep -c '"source": *"kmod"' $T/run.json)
	if grep -q 'ghostport: ready source=kmod' $T/run.err && [ "$ev" = 2 ] &&
	   grep -q '"port": *686' $T/run.json && grep -q '"port": *4242' $T/run.json &&
	   grep -q 'summary source=kmod events=2 drops=0 misses=0' $T/run.err; then
		pass run-source-kmod
	else
		fail run-source-kmod "$ev kmod events in the JSON (want 2); stderr: $(why $T/run.err)"
	fi
fi

# ---- unload with a reader blocked in read() ---------------------------------------
$CTL reader > $T/reader.out 2>&1 &
rpid=$!
sleep 1
if rmmod ghostport > $T/unload-busy.out 2>&1; then
	fail unload-busy "rmmod succeeded while a reader had /dev/ghostport open"
elif ! loaded; then
	fail unload-busy "rmmod failed but the module is gone"
else
	pass unload-busy "refused while open: $(why $T/unload-busy.out)"
fi
kill $rpid 2>/dev/null
wait $rpid 2>/dev/null
if loaded && rmmod ghostport > $T/rmmod.out 2>&1 && ! loaded && [ ! -e /dev/ghostport ]; then
	pass unload
else
	fail unload "$(why $T/rmmod.out)"
fi

# ---- bad parameters are refused -------------------------------------------------
bad=
for args in "ports=0" "ports=686-600" "ports=686/xyz" "ports=70000" "ports=686,,886" \
	    "ring_records=1000" "ring_records=32"; do
	if insmod $KO $args > /dev/null 2>&1; then
		bad="$bad '$args'"
		rmmod ghostport 2>/dev/null
	fi
done
if [ -z "$bad" ]; then pass load-bad-params; else fail load-bad-params "accepted:$bad"; fi

# ---- stress: load, bind on every CPU while the list changes, unload ----------------
# Per load: a reader that churns the list (every list keeps the stress ports)
# while gp_stress binds from 2 threads per CPU; events + drops must equal the
# binds made, records read must equal events, no misses.  Then the module is
# removed (while a second gp_stress still binds on every CPU only when asked:
# see busy_unload).
# Loading or unloading while binds run is not tested by default: arming or
# disarming any kprobe on inet_bind/inet6_bind while other CPUs run them
# crashes Debian's 5.10 and 6.1 under qemu TCG with no ghostport loaded at
# all (tests/vm/repro/95-kprobe-toggle.sh, docs/kmod.md); the busy cases
# run when the guest is booted with GP_VM_APPEND=gp.unload_stress=1.
busy_unload=0
grep -q 'gp.unload_stress=1' /proc/cmdline && busy_unload=1
BUSY_WHY="arming/disarming kprobes on inet_bind while binds run crashes this kernel under TCG without ghostport (tests/vm/repro/95-kprobe-toggle.sh, docs/kmod.md); GP_VM_APPEND=gp.unload_stress=1 runs it"

i=1; sfail=; ufail=; tb=0; te=0; td=0; tr=0
LISTS="686,886,5000-5003 686/tcp+udp,886,5000-5003,6000-6100/udp 5000-5003,886,686,7000/tcp"
while [ $i -le $LOOPS ]; do
	# Odd loads: a small ring, so drops happen and must be counted.
	if [ $((i % 2)) = 1 ]; then ring=64; else ring=4096; fi
	if ! insmod $KO "ports=$STRESS_PORTS" ring_records=$ring 2> $T/s-insmod.err; then
		sfail="$sfail load $i: insmod: $(why $T/s-insmod.err);"
		i=$((i + 1)); continue
	fi
	# shellcheck disable=SC2086
	$CTL reader $LISTS > $T/s-reader.out 2>&1 &
	rpid=$!
	sleep 0.3
	st=$($STRESS -t 2 -d 2 -6 $STRESS_PORTS 2>&1)
	sleep 0.2
	kill $rpid; wait $rpid
	rd=$(tail -n 1 $T/s-reader.out)
	b=$(echo "$st" | sed -n 's/^binds=\([0-9]*\) .*/\1/p')
	rec=$(echo "$rd" | sed -n 's/^records=\([0-9]*\) .*/\1/p')
	ev=$(echo "$rd" | sed -n 's/.* events=\([0-9]*\) .*/\1/p')
	dr=$(echo "$rd" | sed -n 's/.* drops=\([0-9]*\) .*/\1/p')
	mi=$(echo "$rd" | sed -n 's/.* misses=\([0-9]*\) .*/\1/p')
	up=$(echo "$rd" | sed -n 's/.* updates=\([0-9]*\).*/\1/p')
	if [ -z "$b" ] || [ -z "$ev" ] || [ -z "$dr" ] || [ -z "$rec" ]; then
		sfail="$sfail load $i: no figures (stress: $st; reader: $(why $T/s-reader.out));"
	elif [ $((ev + dr)) != "$b" ] || [ "$rec" != "$ev" ] || [ "$mi" != 0 ] || [ "${up:-0}" = 0 ]; then
		sfail="$sfail load $i (ring $ring): binds=$b events=$ev drops=$dr records=$rec misses=$mi updates=$up;"
	fi
	echo "# kmod stress load $i ring=$ring: binds=$b events=$ev drops=$dr records=$rec misses=$mi list-updates=$up"
	tb=$((tb + ${b:-0})); te=$((te + ${ev:-0})); td=$((td + ${dr:-0})); tr=$((tr + ${rec:-0}))

	# Unload while binds run on every CPU (see busy_unload).
	spid=
	if [ $busy_unload = 1 ]; then
		$STRESS -t 2 -d 2 -6 $STRESS_PORTS > /dev/null 2>&1 &
		spid=$!
		sleep 0.5
	fi
	if ! rmmod ghostport 2> $T/s-rmmod.err; then
		ufail="$ufail load $i: $(why $T/s-rmmod.err);"
	fi
	[ -z "$spid" ] || wait $spid
	loaded && rmmod ghostport 2>/dev/null
	i=$((i + 1))
done
if [ -z "$sfail" ]; then
	pass stress "$LOOPS loads: binds=$tb events=$te drops=$td records=$tr"
else
	fail stress "$sfail"
fi
if [ -z "$ufail" ]; then
	if [ $busy_unload = 1 ]; then
		pass stress-unload "$LOOPS unloads while binding on every CPU"
	else
		skip stress-unload "$BUSY_WHY"
	fi
else
	fail stress-unload "$ufail"
fi

# ---- unload while a BPF kprobe shares the probed functions -------------------------
# ghostport's own kprobe mode on inet_bind/inet6_bind makes the module's
# kretprobes members of aggregated kprobes; unloading then must be as safe.
if [ $busy_unload = 0 ]; then
	skip stress-unload-shared "$BUSY_WHY"
else
	/gp/bin/ghostport run --source kprobe --no-pin --ports 5000-5003 > /dev/null 2> $T/kp.err &
	kpid=$!
	i=0
	while [ $i -lt 90 ] && kill -0 $kpid 2>/dev/null && ! grep -q 'ghostport: ready' $T/kp.err; do
		sleep 1; i=$((i + 1))
	done
	if ! grep -q 'ghostport: ready' $T/kp.err; then
		skip stress-unload-shared "ghostport --source kprobe did not start: $(why $T/kp.err)"
	else
		afail=; i=1
		while [ $i -le 4 ]; do
			if ! insmod $KO "ports=$STRESS_PORTS" 2> $T/a-insmod.err; then
				afail="$afail load $i: insmod: $(why $T/a-insmod.err);"
				i=$((i + 1)); continue
			fi
			$STRESS -t 2 -d 2 -6 $STRESS_PORTS > /dev/null 2>&1 &
			spid=$!
			sleep 0.5
			rmmod ghostport 2> $T/a-rmmod.err || afail="$afail load $i: $(why $T/a-rmmod.err);"
			wait $spid
			loaded && rmmod ghostport 2>/dev/null
			i=$((i + 1))
		done
		if [ -z "$afail" ]; then
			pass stress-unload-shared "4 unloads while binding, with a BPF kprobe on the same functions"
		else
			fail stress-unload-shared "$afail"
		fi
	fi
	kill -INT $kpid 2>/dev/null; wait $kpid 2>/dev/null
fi

# ---- kernel log ---------------------------------------------------------------------
dmesg | tail -n +$((base + 1)) > $T/dmesg.after
if grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace|RIP:|lockdep|sleeping function' $T/dmesg.after > $T/dmesg.bad; then
	fail kernel-log "$(head -n 3 $T/dmesg.bad | tr '\n' ' ' | cut -c1-300)"
else
	pass kernel-log "$(grep -c 'ghostport: version' $T/dmesg.after) loads logged"
fi
exit 0
