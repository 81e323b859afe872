#!/bin/sh
# Boot Debian's riscv64 kernel and the test initramfs under
# qemu-system-riscv64 -M virt with *our* device tree (-dtb, from mkdtb), so
# a real kernel and OpenSBI judge boot/fdt_riscv: the PLIC, the UART and its
# interrupt, both harts, and poweroff through the SiFive test device (QEMU
# exits with the guest's status). Opt-in suite qemu-images: slow under TCG.
# usage: fdt-qemu-boot.sh SRCROOT MKDTB
root=$1
mkdtb=$2
img=$root/images/riscv64
command -v qemu-system-riscv64 >/dev/null || { echo "SKIP: qemu-system-riscv64 not installed"; exit 77; }
[ -f "$img/Image" ] && [ -f "$img/initrd.img" ] || { echo "SKIP: no images (tools/mkimages riscv64)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mkdtb" "$tmp/t.dtb" 2 512 \
	'console=ttyS0 earlycon=sbi vmm.run="echo ok-$((6*7)); nproc; exit 3"' || exit 1
timeout 600 nice qemu-system-riscv64 -M virt -smp 2 -m 512 -nographic -no-reboot \
	-dtb "$tmp/t.dtb" -kernel "$img/Image" -initrd "$img/initrd.img" \
	</dev/null >"$tmp/log" 2>&1
rc=$?
tr -d '\r' <"$tmp/log" >"$tmp/txt"
fail=0
check() {
	what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
check "model is ours" grep -q "Machine model: riscv-virtio,vmm" "$tmp/txt"
check "PLIC probed with 4 contexts" grep -q "riscv-plic: plic@c000000: mapped 95 interrupts with 2 handlers for 4 contexts" "$tmp/txt"
check "banner, 2 CPUs" grep -q "^vmm guest: Linux .* riscv64, 2 CPUs$" "$tmp/txt"
check "command ran" grep -qx "ok-42" "$tmp/txt"
check "nproc 2" grep -qx 2 "$tmp/txt"
check "exit status 3 through the test device (got $rc)" [ "$rc" -eq 3 ]
if [ $fail -ne 0 ]; then
	echo "--- console (last 30 lines) ---"
	tail -n 30 "$tmp/txt"
	exit 1
fi
exit 0
