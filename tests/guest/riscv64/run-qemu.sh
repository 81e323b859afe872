#!/bin/sh
# Run one bare-metal test program under QEMU's virt machine; its exit status
# is the program's (sifive_test: 0x5555 -> 0, (code << 16) | 0x3333 -> code).
command -v qemu-system-riscv64 >/dev/null 2>&1 || {
	echo "SKIP: qemu-system-riscv64 not installed"
	exit 77
}
exec qemu-system-riscv64 -M virt -bios none -display none -monitor none \
	-serial stdio -no-reboot -kernel "$1"
