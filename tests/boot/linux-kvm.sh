#!/bin/bash
# Real-kernel boots under KVM. Usage: linux-kvm.sh VMM IMAGES MODE
#   early   PVH entry of images/x86_64/vmlinux: the kernel starts, prints the
#           e820 map we gave it and finds our ACPI tables; stopped after that.
#           Bounded at 90 s. On the nested KVM of this project's machines,
#           which runs guest kernel code in an instruction emulator, this takes
#           about 35 s on an idle machine, most of it the kernel clearing its
#           5.5 MB .bss with `rep stosb` one emulated byte at a time; under
#           load it has taken over 60 s, hence the margin. A full boot is not
#           practical there (kvm-linux suite).
#   early-bz  the same check through the bzImage (its decompressor is slow on
#           such hosts: opt-in suite kvm-linux)
#   full    bzImage + initramfs to the busybox banner with 2 vCPUs, nproc = 2,
#           the vmm.run= command's status, and poweroff giving exit 0
# SKIP (77) without /dev/kvm, with an unusable KVM, or without images
# (tools/mkimages builds them).
set -u
vmm=$1 images=$2 mode=$3
log=$(mktemp) err=$(mktemp)
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -f "$log" "$err"; }
trap cleanup EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

[ -e /dev/kvm ] || { echo "SKIP: /dev/kvm does not exist"; exit 77; }
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no permission on /dev/kvm"; exit 77; }

need() { [ -f "$1" ] || { echo "SKIP: $1 missing (run tools/mkimages x86_64)"; exit 77; }; }

# wait_for SECONDS PATTERN...: until every pattern is in the log or vmm exits.
wait_for() {
	local limit=$1; shift
	local start=$SECONDS p missing
	while :; do
		missing=
		for p in "$@"; do grep -qE -- "$p" "$log" || { missing=$p; break; }; done
		[ -z "$missing" ] && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			if grep -q "KVM is not usable" "$err"; then
				echo "SKIP: $(grep 'KVM is not usable' "$err")"; exit 77
			fi
			echo "FAIL: vmm exited before the log showed '$missing'"; break
		fi
		if [ $((SECONDS - start)) -ge "$limit" ]; then
			echo "FAIL: no '$missing' after ${limit}s"; break
		fi
		sleep 0.5
	done
	echo "--- console"; tail -c 4000 "$log"; echo "--- stderr"; cat "$err"
	return 1
}

early_patterns=(
	"Linux version"
	"BIOS-e820: \[mem 0x0000000000000000-0x000000000009fbff\] usable"
	"BIOS-e820: \[mem 0x000000000009fc00-0x00000000000fffff\] reserved"
	"BIOS-e820: \[mem 0x0000000000100000-0x000000000fffffff\] usable"
	"ACPI: RSDP 0x00000000000E0000"
	"ACPI: XSDT 0x"
	"ACPI: FACP 0x"
	"ACPI: DSDT 0x"
	"ACPI: APIC 0x"
)
early_cmdline="console=ttyS0 earlyprintk=serial,ttyS0,115200 loglevel=8 panic=-1"

case $mode in
early|early-bz)
	kernel=$images/x86_64/vmlinux
	[ "$mode" = early-bz ] && kernel=$images/x86_64/bzImage
	need "$kernel"
	"$vmm" --kernel "$kernel" --mem 256M --console "file:$log" \
		--cmdline "$early_cmdline" </dev/null 2>"$err" &
	pid=$!
	limit=90
	[ "$mode" = early-bz ] && limit=600
	wait_for $limit "${early_patterns[@]}" || exit 1
	kill -TERM "$pid"; wait "$pid"; st=$?
	pid=
	[ $st -eq 143 ] || { echo "FAIL: vmm exited $st after SIGTERM, want 143"; cat "$err"; exit 1; }
	;;
full)
	need "$images/x86_64/bzImage"; need "$images/x86_64/initrd.img"
	timeout 900 "$vmm" --kernel "$images/x86_64/bzImage" --initrd "$images/x86_64/initrd.img" \
		--cpus 2 --mem 512M --console "file:$log" \
		--cmdline "console=ttyS0 panic=-1 vmm.run=\"nproc; exit 7\"" </dev/null 2>"$err"
	st=$?
	grep -q "vmm guest: Linux .* 2 CPUs" "$log" || { echo "FAIL: no banner with 2 CPUs"; tail -c 4000 "$log"; exit 1; }
	[ $st -eq 7 ] || { echo "FAIL: vmm exited $st, want 7 (the command's status)"; tail -c 4000 "$log"; cat "$err"; exit 1; }
	timeout 900 "$vmm" --kernel "$images/x86_64/bzImage" --initrd "$images/x86_64/initrd.img" \
		--console "file:$log" --cmdline "console=ttyS0 panic=-1 vmm.run=poweroff%20-f" </dev/null 2>"$err"
	st=$?
	[ $st -eq 0 ] || { echo "FAIL: poweroff gave exit $st, want 0"; tail -c 4000 "$log"; exit 1; }
	;;
*)
	echo "unknown mode $mode"; exit 2 ;;
esac
echo "PASS: $mode"
