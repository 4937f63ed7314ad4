# shellcheck shell=bash
# ghostport test VM: choose the accelerator, sourced by tests/vm/run.sh and
# tests/vm/selftest.sh.
#
# A writable /dev/kvm proves nothing: some machines of this project's kind
# have a PVM device there (/sys/module/kvm_pvm) on which qemu aborts ("failed
# to set MSR 0x10a") or Debian's kernels die on an invalid opcode.  So KVM is
# used only when a probe boot of the kernel under test reaches a minimal
# /init within GP_VM_PROBE_TIMEOUT seconds (default 20; a good KVM boot takes
# 1-3 s); anything else falls back to TCG, with the reason.
#
#   gp_accel_choose VMLINUZ   sets GP_ACCEL (kvm|tcg) and GP_ACCEL_WHY
#   gp_accel_opts kvm|tcg     prints the qemu options for that accelerator
#
# GP_VM_ACCEL=auto|kvm|tcg (default auto) forces a choice; GP_VM_KVM_DEV
# (default /dev/kvm) and GP_VM_KVM_EXTRA (extra qemu options for KVM boots,
# e.g. a broken one) let tests/vm/selftest.sh exercise every fallback.
# Needs: VM (the harness's build/vm directory).

gp_accel_opts() { # kvm|tcg
	case $1 in
		kvm) echo "-enable-kvm -cpu host ${GP_VM_KVM_EXTRA:-}";;
		*) echo "-accel tcg";;
	esac
}

# A tiny initramfs whose /init prints a marker and powers off.
gp_accel_probe_initramfs() {
	local out=$VM/accel-probe.cpio.gz stage=$VM/accel-probe
	[ -s "$out" ] && { echo "$out"; return 0; }
	rm -rf "$stage"
	mkdir -p "$stage/bin" "$stage/dev" "$stage/proc"
	cp "${BUSYBOX:-/bin/busybox}" "$stage/bin/busybox" || return 1
	cat > "$stage/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox echo "@@GP-PROBE-INIT@@"
/bin/busybox poweroff -f
INIT
	chmod 0755 "$stage/init"
	(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp" &&
		mv "$out.tmp" "$out" && echo "$out"
}

# Boot VMLINUZ under KVM with the probe initramfs; 0 if it reached /init.
# Sets GP_ACCEL_PROBE_WHY to what went wrong.
gp_accel_probe() { # vmlinuz
	local vmlinuz=$1 initrd log rc t0 t1 tmo=${GP_VM_PROBE_TIMEOUT:-20}
	log=$VM/logs/accel-probe.log
	initrd=$(gp_accel_probe_initramfs) || { GP_ACCEL_PROBE_WHY="cannot build the probe initramfs"; return 1; }
	t0=$(date +%s.%N)
	# (in a subshell that is not just an exec, whose stderr is discarded:
	# a qemu that aborts would otherwise make bash print "Aborted" with the
	# whole command line)
	# shellcheck disable=SC2046
	(timeout -k 2 "$tmo" qemu-system-x86_64 -m 256 -smp 1 $(gp_accel_opts "${GP_VM_PROBE_ACCEL:-kvm}") \
		-kernel "$vmlinuz" -initrd "$initrd" -display none -no-reboot -nodefaults \
		-serial stdio -monitor none -append "console=ttyS0 quiet panic=-1" \
		< /dev/null > "$log" 2>&1; exit $?) 2>/dev/null
	rc=$?
	t1=$(date +%s.%N)
	if tr -d '\r' < "$log" | grep -q '^@@GP-PROBE-INIT@@'; then
		GP_ACCEL_PROBE_WHY=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "probe boot reached /init in %.1f s", b - a}')
		return 0
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		GP_ACCEL_PROBE_WHY="KVM probe boot did not reach /init within ${tmo}s"
	else
		GP_ACCEL_PROBE_WHY="KVM probe boot failed (qemu exit $rc: $(grep -v '^$' "$log" | tail -n 2 | tr '\n\t' '  ' | cut -c1-200))"
	fi
	return 1
}

gp_accel_choose() { # vmlinuz
	local want=${GP_VM_ACCEL:-auto} dev=${GP_VM_KVM_DEV:-/dev/kvm}
	case $want in
		tcg) GP_ACCEL=tcg; GP_ACCEL_WHY="forced by GP_VM_ACCEL=tcg"; return;;
		kvm) GP_ACCEL=kvm; GP_ACCEL_WHY="forced by GP_VM_ACCEL=kvm"; return;;
		auto) ;;
		*) GP_ACCEL=tcg; GP_ACCEL_WHY="GP_VM_ACCEL=$want is not auto|kvm|tcg; using TCG"; return;;
	esac
	if [ ! -e "$dev" ]; then
		GP_ACCEL=tcg; GP_ACCEL_WHY="no $dev"; return
	fi
	if [ ! -w "$dev" ]; then
		GP_ACCEL=tcg; GP_ACCEL_WHY="$dev is not writable"; return
	fi
	if gp_accel_probe "$1"; then
		GP_ACCEL=kvm; GP_ACCEL_WHY="$GP_ACCEL_PROBE_WHY"
	else
		GP_ACCEL=tcg
		GP_ACCEL_WHY="$GP_ACCEL_PROBE_WHY"
		[ "$dev" = /dev/kvm ] && [ -d /sys/module/kvm_pvm ] && GP_ACCEL_WHY="$GP_ACCEL_WHY; $dev is a PVM device (kvm_pvm)"
	fi
}
