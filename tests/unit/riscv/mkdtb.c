/*
 * Write a device tree from boot/fdt_riscv for QEMU's virt machine (same
 * memory map as ours) and the CPU QEMU 7.2 emulates by default, so a real
 * kernel can check the tree: see fdt-qemu-boot.sh.
 *
 * usage: mkdtb OUT.dtb NCPUS MEM_MIB BOOTARGS
 */
#include <stdio.h>
#include <stdlib.h>

#include "boot/fdt_riscv.h"

/* QEMU 7.2 `-M virt` default CPU (its own tree's riscv,isa). */
static const char *const qemu_exts[] = {"i",   "m",   "a",     "f",	   "d",
					"c",   "h",   "zicsr", "zifencei", "zihintpause",
					"zba", "zbb", "zbc",   "zbs",	   "sstc"};

static const struct fdt_riscv_virtio qemu_virtio[] = {
    {0x10001000, 0x1000, 1},
    {0x10002000, 0x1000, 2},
};

int main(int argc, char **argv)
{
	static char buf[FDT_RISCV_DEFAULT_SIZE];
	struct fdt_riscv_config c = {
	    .extensions = qemu_exts,
	    .nextensions = ARRAY_SIZE(qemu_exts),
	    .mmu_type = "riscv,sv48",
	    .ram_base = 0x80000000,
	    .plic_base = 0x0c000000,
	    .plic_size = 0x600000,
	    .plic_ndev = 95,
	    .uart_base = 0x10000000,
	    .uart_size = 0x100,
	    .uart_irq = 10,
	    .uart_clock_hz = 3686400,
	    .test_base = 0x100000,
	    .test_size = 0x1000,
	    /* OpenSBI (QEMU's default firmware) finds its timer and IPIs here. */
	    .clint_base = 0x2000000,
	    .clint_size = 0x10000,
	    .virtio = qemu_virtio,
	    .nvirtio = ARRAY_SIZE(qemu_virtio),
	};
	FILE *f;
	int len;

	if (argc != 5) {
		fprintf(stderr, "usage: %s OUT.dtb NCPUS MEM_MIB BOOTARGS\n", argv[0]);
		return 2;
	}
	c.ncpus = (unsigned)atoi(argv[2]);
	c.ram_size = strtoull(argv[3], NULL, 0) * MiB;
	c.bootargs = argv[4];
	len = fdt_riscv_build(&c, buf, sizeof(buf));
	if (len < 0) {
		fprintf(stderr, "fdt_riscv_build: %d\n", len);
		return 1;
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(buf, 1, (size_t)len, f) != (size_t)len || fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
