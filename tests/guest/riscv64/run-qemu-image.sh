#!/bin/sh
# Run an S-mode test program in the Linux Image format under QEMU's virt
# machine with its default firmware (OpenSBI) and two harts; the exit
# status is the program's (SBI shutdown -> 0, test finisher failure -> code).
command -v qemu-system-riscv64 >/dev/null 2>&1 || {
	echo "SKIP: qemu-system-riscv64 not installed"
	exit 77
}
exec qemu-system-riscv64 -M virt -smp 2 -display none -monitor none \
	-serial stdio -no-reboot -kernel "$1"
