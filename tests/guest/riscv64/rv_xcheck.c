/*
 * Cross-check of the RISC-V frontend against QEMU: random valid instruction
 * sequences (rv_gen.c) are packed into one Linux user-mode ELF, 128 per
 * image, each slot loading its registers, running its sequence and writing
 * the registers and its scratch memory to stdout. qemu-riscv64-static runs
 * the image; vmm's JIT (interpreter) runs the same sequences from the same
 * image at the same addresses; registers and scratch must match.
 *
 *   rv_xcheck [count [seed]]   (defaults: 1024 sequences, seed 1)
 *
 * Skips (77) without qemu-riscv64-static. A failure names the seed of the
 * sequence and the first differing register; `rv_xcheck 1 SEED` replays it.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel/tcg/riscv64/cpu.h"
#include "accel/tcg/tcg.h"
#include "memory/guest_mem.h"
#include "memory/io_bus.h"
#include "rv_gen.h"

#define IMG_BASE    0x80000000ULL
#define IMG_SIZE    (1u << 20)
#define SLOTS	    128
#define SLOT_SIZE   0x1000u
#define SCRATCH_OFF 0x80000u /* slot k's scratch: IMG_BASE + SCRATCH_OFF + k * 4096 */
#define SEQ_OFF	    0x80u    /* the sequence starts after the 32-insn prologue */
#define TABLE_OFF   0x600u   /* initial x0..x31 */
#define RES_OFF	    0x700u   /* final x0..x31 as written by the epilogue */
#define FILE_OFF    0x1000u

struct slot {
	uint64_t seed;
	size_t len; /* sequence bytes */
};

static uint8_t *img;
static size_t pos; /* emit cursor (image offset) */

static void emit(uint32_t w)
{
	memcpy(img + pos, &w, 4);
	pos += 4;
}

/* addi rd, rs, imm / ld / sd / auipc, from rv_gen's encoders. */
static uint32_t addi(unsigned rd, unsigned rs, int32_t imm)
{
	return rvgen_enc_i((uint32_t)imm, rs, 0, rd, 0x13);
}

static void emit_prologue(void)
{
	emit(0x00000f97); /* auipc x31, 0: the slot base */
	for (unsigned r = 1; r < 32; r++)
		emit(rvgen_enc_i(TABLE_OFF + 8 * r, 31, 3, r, 0x03)); /* ld xr, TABLE+8r(x31) */
}

/* Registers and scratch to stdout, then the next slot or exit(0). */
static void emit_epilogue(unsigned k)
{
	uint64_t here;

	emit(0xf20f8053); /* fmv.d.x f0, x31 (the scratch address) */
	here = pos;
	emit(0x00000f97); /* auipc x31, 0 */
	emit(addi(31, 31, -(int32_t)(here - (uint64_t)k * SLOT_SIZE)));
	for (unsigned r = 1; r < 31; r++)
		emit(rvgen_enc_s(RES_OFF + 8 * r, r, 31, 3)); /* sd xr, RES+8r(x31) */
	emit(0xe20000d3);				      /* fmv.x.d x1, f0 */
	emit(rvgen_enc_s(RES_OFF + 8 * 31, 1, 31, 3));
	/* write(1, slot + RES, 256) */
	emit(addi(17, 0, 64));
	emit(addi(10, 0, 1));
	emit(addi(11, 31, RES_OFF));
	emit(addi(12, 0, 256));
	emit(0x00000073);
	/* write(1, scratch, 4096) */
	emit(0xe20005d3); /* fmv.x.d a1, f0 */
	emit(0x00001637); /* lui a2, 1 */
	emit(addi(17, 0, 64));
	emit(addi(10, 0, 1));
	emit(0x00000073);
	if (k + 1 < SLOTS) {
		emit(rvgen_enc_j((int32_t)((uint64_t)(k + 1) * SLOT_SIZE - pos), 0));
	} else {
		emit(addi(10, 0, 0));
		emit(addi(17, 0, 93)); /* exit */
		emit(0x00000073);
	}
}

static void build_slot(unsigned k, uint64_t seed, struct slot *s)
{
	uint64_t regs[32];
	uint8_t code[RVGEN_MAX_CODE];

	rvgen_seed(seed);
	s->seed = seed;
	s->len = rvgen_sequence(code);
	rvgen_regs(regs);
	regs[31] = IMG_BASE + SCRATCH_OFF + (uint64_t)k * SLOT_SIZE;
	for (unsigned i = 0; i < RVGEN_SCRATCH_LEN; i++)
		img[SCRATCH_OFF + k * SLOT_SIZE + i] = (uint8_t)rvgen_rand();
	memcpy(img + k * SLOT_SIZE + TABLE_OFF, regs, sizeof(regs));
	pos = (size_t)k * SLOT_SIZE;
	emit_prologue();
	memcpy(img + pos, code, s->len);
	pos += s->len;
	emit_epilogue(k);
}

static int write_elf(const char *path)
{
	Elf64_Ehdr eh = {
	    .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT},
	    .e_type = ET_EXEC,
	    .e_machine = EM_RISCV,
	    .e_version = EV_CURRENT,
	    .e_entry = IMG_BASE,
	    .e_phoff = sizeof(Elf64_Ehdr),
	    .e_flags = 0x5, /* RVC, double-float ABI */
	    .e_ehsize = sizeof(Elf64_Ehdr),
	    .e_phentsize = sizeof(Elf64_Phdr),
	    .e_phnum = 1,
	};
	Elf64_Phdr ph = {
	    .p_type = PT_LOAD,
	    .p_flags = PF_R | PF_W | PF_X,
	    .p_offset = FILE_OFF,
	    .p_vaddr = IMG_BASE,
	    .p_paddr = IMG_BASE,
	    .p_filesz = IMG_SIZE,
	    .p_memsz = IMG_SIZE,
	    .p_align = 0x1000,
	};
	static uint8_t head[FILE_OFF];
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -errno;
	memset(head, 0, sizeof(head));
	memcpy(head, &eh, sizeof(eh));
	memcpy(head + sizeof(eh), &ph, sizeof(ph));
	ok = fwrite(head, 1, sizeof(head), f) == sizeof(head) &&
	     fwrite(img, 1, IMG_SIZE, f) == IMG_SIZE;
	ok = fclose(f) == 0 && ok;
	/* qemu-user, like execve(), wants an executable file. */
	return ok && chmod(path, 0700) == 0 ? 0 : -EIO;
}

/* Run the image under QEMU; its output goes to @out. */
static int run_qemu(const char *elf, const char *out)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "qemu-riscv64-static %s > %s", elf, out);
	return system(cmd) == 0 ? 0 : -1;
}

struct vm {
	struct guest_mem gm;
	struct io_bus mmio;
	struct tcg_ctx *ctx;
	struct tcg_cpu *cpu;
	uint8_t *ram;
};

static int vm_init(struct vm *v)
{
	struct gm_region layout = {.gpa = IMG_BASE, .size = IMG_SIZE};
	struct tcg_ctx_config cfg = {.fe = &rv_frontend_ops, .backend = TCG_BACKEND_KIND_INTERP};
	int ret;

	memset(v, 0, sizeof(*v));
	if (guest_mem_alloc(&v->gm, &layout, 1) < 0)
		return -ENOMEM;
	io_bus_init(&v->mmio, "mmio");
	v->ram = gm_ptr(&v->gm, IMG_BASE, IMG_SIZE);
	cfg.mem = &v->gm;
	cfg.mmio = &v->mmio;
	ret = tcg_ctx_new(&cfg, &v->ctx);
	return ret < 0 ? ret : tcg_cpu_new(v->ctx, 0, &v->cpu);
}

static void vm_free(struct vm *v)
{
	if (v->cpu)
		tcg_cpu_free(v->cpu);
	if (v->ctx)
		tcg_ctx_free(v->ctx);
	guest_mem_free(&v->gm);
}

/* Run slot @k's sequence on the JIT and compare with QEMU's @res / @scratch. */
static int check_slot(struct vm *v, unsigned k, const struct slot *s, const uint64_t *res,
		      const uint8_t *scratch)
{
	struct rv_cpu *cpu = rv_cpu(v->cpu);
	uint64_t base = IMG_BASE + (uint64_t)k * SLOT_SIZE, end = base + SEQ_OFF + s->len;

	rv_cpu_reset(cpu, base + SEQ_OFF, 0);
	memcpy(cpu->x, v->ram + k * SLOT_SIZE + TABLE_OFF, sizeof(cpu->x));
	cpu->x[0] = 0;
	cpu->mtvec = end;
	for (unsigned n = 0; v->cpu->pc != end; n++) {
		if (n > 4 * RVGEN_MAX_ITEMS || tcg_cpu_exec_tb(v->cpu) < 0) {
			fprintf(stderr, "seed %" PRIu64 ": did not finish\n", s->seed);
			return 1;
		}
	}
	if (cpu->mcause) {
		fprintf(stderr, "seed %" PRIu64 ": trapped, mcause %" PRIu64 " at %#" PRIx64 "\n",
			s->seed, cpu->mcause, cpu->mepc);
		return 1;
	}
	for (unsigned r = 1; r < 32; r++) {
		if (cpu->x[r] != res[r]) {
			fprintf(stderr,
				"seed %" PRIu64 ": x%u vmm %#" PRIx64 " qemu %#" PRIx64 "\n",
				s->seed, r, cpu->x[r], res[r]);
			return 1;
		}
	}
	if (memcmp(v->ram + SCRATCH_OFF + k * SLOT_SIZE, scratch, RVGEN_SCRATCH_LEN)) {
		fprintf(stderr, "seed %" PRIu64 ": scratch memory differs\n", s->seed);
		return 1;
	}
	return 0;
}

/* One image of up to SLOTS sequences from @seed0. Returns failures, or -1. */
static int run_round(struct vm *v, uint64_t seed0, unsigned n, const char *elf, const char *out)
{
	static struct slot slots[SLOTS];
	static uint8_t buf[SLOTS * (256 + RVGEN_SCRATCH_LEN)];
	size_t want = (size_t)n * (256 + RVGEN_SCRATCH_LEN), got;
	unsigned failed = 0;
	FILE *f;

	memset(img, 0, IMG_SIZE);
	for (unsigned k = 0; k < SLOTS; k++)
		build_slot(k, seed0 + k, &slots[k]);
	/* QEMU always runs all SLOTS sequences; only the first @n are checked. */
	if (write_elf(elf) < 0 || run_qemu(elf, out) < 0) {
		fprintf(stderr, "qemu-riscv64-static failed on the image from seed %" PRIu64 "\n",
			seed0);
		return -1;
	}
	f = fopen(out, "rb");
	got = f ? fread(buf, 1, sizeof(buf), f) : 0;
	if (f)
		fclose(f);
	if (got < want) {
		fprintf(stderr, "qemu output short: %zu of %zu bytes\n", got, want);
		return -1;
	}
	/* The JIT side stops where the epilogue starts: put `j .` there, ending the block. */
	memcpy(v->ram, img, IMG_SIZE);
	for (unsigned k = 0; k < n; k++) {
		uint32_t self = rvgen_enc_j(0, 0);
		memcpy(v->ram + k * SLOT_SIZE + SEQ_OFF + slots[k].len, &self, 4);
	}
	tcg_invalidate_phys_range(v->ctx, IMG_BASE, IMG_SIZE);
	for (unsigned k = 0; k < n; k++) {
		const uint8_t *rec = buf + (size_t)k * (256 + RVGEN_SCRATCH_LEN);
		uint64_t res[32];

		memcpy(res, rec, sizeof(res));
		failed += (unsigned)check_slot(v, k, &slots[k], res, rec + 256);
	}
	return (int)failed;
}

int main(int argc, char **argv)
{
	unsigned count = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1024;
	uint64_t seed0 = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	char elf[] = "/tmp/rv_xcheck_elf_XXXXXX", out[] = "/tmp/rv_xcheck_out_XXXXXX";
	unsigned failed = 0;
	struct vm v;
	int fd1, fd2, ret = 0;

	rvgen_no_ctzw = true; /* see rv_gen.h: a QEMU 7.2 bug */
	if (system("qemu-riscv64-static --version >/dev/null 2>&1") != 0) {
		printf("SKIP: qemu-riscv64-static not installed\n");
		return 77;
	}
	img = calloc(1, IMG_SIZE);
	fd1 = mkstemp(elf);
	fd2 = mkstemp(out);
	if (!img || fd1 < 0 || fd2 < 0 || vm_init(&v) < 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	close(fd1);
	close(fd2);
	for (unsigned done = 0; done < count && failed < 5; done += SLOTS) {
		unsigned n = count - done < SLOTS ? count - done : SLOTS;
		ret = run_round(&v, seed0 + done, n, elf, out);
		if (ret < 0)
			break;
		failed += (unsigned)ret;
	}
	unlink(elf);
	unlink(out);
	vm_free(&v);
	free(img);
	printf("%u sequences from seed %" PRIu64 " against QEMU: %u differ%s\n", count, seed0,
	       failed, ret < 0 ? " (QEMU run failed)" : "");
	return failed || ret < 0 ? 1 : 0;
}
