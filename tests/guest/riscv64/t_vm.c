/*
 * Virtual memory (priv spec 1.12 §4.3-4.5): Sv39 gigapage, megapage and
 * 4 KiB leaves, the same tables under Sv48 and Sv57, permission faults
 * (load 13, store 15, fetch 12, with stval = the address), hardware A/D
 * updates, SUM and MXR, a misaligned superpage, reserved encodings, a
 * non-canonical address, sfence.vma by address and by ASID, MPRV from M;
 * address-space switches: satp to another root and ASID without a fence
 * must not reuse the old non-global translations of data or code, and
 * sfence.vma x0, asid must drop them; a block across two pages must not
 * outlive a remap of its second page fenced by that page's address.
 * The page faults are delegated to the S-mode vector (rvpriv.h).
 */
#include "rvpriv.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_G (1UL << 5)
#define RWXAD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define VA_MEGA	 0x40000000UL /* l1[0]: 2 MiB, read-only, -> 0x8000_0000 */
#define VA_PAGE	 0x40200000UL /* l0[n]: 4 KiB pages */
#define VA_GIGAU 0xc0000000UL /* root[3]: 1 GiB user alias of 0x8000_0000 */
#define VA_BADMP 0x40400000UL /* l1[2]: misaligned megapage */

enum { PG_AD, PG_INVALID, PG_XONLY, PG_NOEXEC, PG_USER, PG_SWITCH, PG_WONLY, PG_RO };

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static uint64_t root4[512] __attribute__((aligned(4096)));
static uint64_t root5[512] __attribute__((aligned(4096)));
static volatile uint64_t page1[512] __attribute__((aligned(4096)));
static volatile uint64_t page2[512] __attribute__((aligned(4096)));

/* Two address spaces (asid_switch): the same VAs, other pages. */
#define VA_SW	0x100000000UL /* rootX[4] -> l1X[0] -> l0X[0]: data */
#define VA_CODE 0x100001000UL /* l0X[1]: code */
static uint64_t root_a[512] __attribute__((aligned(4096)));
static uint64_t root_b[512] __attribute__((aligned(4096)));
static uint64_t l1_a[512] __attribute__((aligned(4096)));
static uint64_t l1_b[512] __attribute__((aligned(4096)));
static uint64_t l0_a[512] __attribute__((aligned(4096)));
static uint64_t l0_b[512] __attribute__((aligned(4096)));
static uint32_t code_a[1024] __attribute__((aligned(4096)));
static uint32_t code_b[1024] __attribute__((aligned(4096)));
/* A block across two virtual pages (two_page_block): l0_a[2], then l0_a[3]. */
#define VA_CODE2 0x100002000UL
static uint16_t code_c[2048] __attribute__((aligned(4096)));
static uint16_t code_d1[2048] __attribute__((aligned(4096)));
static uint16_t code_d2[2048] __attribute__((aligned(4096)));

static uint64_t pte(uint64_t pa, uint64_t flags)
{
	return (pa >> 12) << 10 | flags;
}

static uint64_t va(unsigned n)
{
	return VA_PAGE + n * 4096UL;
}

static uint64_t ret_arg(uint64_t a)
{
	return a + 1;
}

static void build_tables(void)
{
	root[0] = pte(0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D); /* MMIO identity */
	root[1] = pte((uint64_t)l1, PTE_V);
	root[2] = pte(0x80000000UL, RWXAD); /* RAM identity: code, data, stack */
	root[3] = pte(0x80000000UL, RWXAD | PTE_U);
	l1[0] = pte(0x80000000UL, PTE_V | PTE_R | PTE_A);
	l1[1] = pte((uint64_t)l0, PTE_V);
	l1[2] = pte(0x80001000UL, PTE_V | PTE_R | PTE_A); /* PPN not 2 MiB aligned */
	l0[PG_AD] = pte((uint64_t)page1, PTE_V | PTE_R | PTE_W);
	l0[PG_INVALID] = pte((uint64_t)page1, PTE_R | PTE_W | PTE_A | PTE_D);
	l0[PG_XONLY] = pte((uint64_t)page1, PTE_V | PTE_X | PTE_A);
	l0[PG_NOEXEC] = pte((uint64_t)ret_arg & ~0xfffUL, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	l0[PG_USER] = pte((uint64_t)page1, RWXAD | PTE_U);
	l0[PG_SWITCH] = pte((uint64_t)page1, PTE_V | PTE_R | PTE_A);
	l0[PG_WONLY] = pte((uint64_t)page1, PTE_V | PTE_W | PTE_A | PTE_D); /* reserved */
	l0[PG_RO] = pte((uint64_t)page1, PTE_V | PTE_R | PTE_A);
	root4[0] = pte((uint64_t)root, PTE_V);
	root5[0] = pte((uint64_t)root4, PTE_V);
}

static uint64_t load(uint64_t a)
{
	return *(volatile uint64_t *)a;
}

static void store(uint64_t a, uint64_t v)
{
	*(volatile uint64_t *)a = v;
}

static void sfence_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* Expect exactly one delegated trap of @cause at @tval since the last clear. */
static void check_fault(unsigned line, uint64_t cause, uint64_t tval)
{
	rvt_check_eq(line, rvp_s_trap.count, 1);
	rvt_check_eq(line, rvp_s_trap.cause, cause);
	rvt_check_eq(line, rvp_s_trap.tval, tval);
	rvp_clear_s_trap();
}
#define CHECK_FAULT(c, t) check_fault(__LINE__, c, t)

static void levels(void)
{
	uint64_t code = *(volatile uint64_t *)0x80000000UL;

	page1[0] = 0x1111;
	CHECK_EQ(load(VA_MEGA), code);	   /* 2 MiB leaf */
	CHECK_EQ(load(va(PG_RO)), 0x1111); /* 4 KiB leaf */
	/* 1 GiB leaf (a user page: S reads it with SUM). */
	__asm__ volatile("csrs sstatus, %0" ::"r"(MSTATUS_SUM));
	CHECK_EQ(load((uint64_t)&page1[0] - 0x80000000UL + VA_GIGAU), 0x1111);
	__asm__ volatile("csrc sstatus, %0" ::"r"(MSTATUS_SUM));
}

static void faults(void)
{
	uint64_t (*f)(uint64_t);

	rvp_clear_s_trap();
	load(va(PG_INVALID));
	CHECK_FAULT(13, va(PG_INVALID));
	store(va(PG_RO) + 8, 1);
	CHECK_FAULT(15, va(PG_RO) + 8);
	store(VA_MEGA + 16, 1);
	CHECK_FAULT(15, VA_MEGA + 16);
	load(va(PG_WONLY));
	CHECK_FAULT(13, va(PG_WONLY));
	load(VA_BADMP);
	CHECK_FAULT(13, VA_BADMP);
	/* Bit 38 set, bits 63:39 clear: not a valid Sv39 address (§4.4.1). */
	load(0x4000000000UL);
	CHECK_FAULT(13, 0x4000000000UL);
	/* Fetch from a page without X: the vector resumes at ra (a0 = arg). */
	f = (uint64_t (*)(uint64_t))(va(PG_NOEXEC) + ((uint64_t)ret_arg & 0xfff));
	CHECK_EQ(f(5), 5);
	CHECK_FAULT(12, (uint64_t)f);
	CHECK_EQ(ret_arg(5), 6);
}

static void access_dirty(void)
{
	rvp_clear_s_trap();
	CHECK_EQ(*(volatile uint64_t *)&l0[PG_AD] & (PTE_A | PTE_D), 0);
	load(va(PG_AD));
	CHECK_EQ(*(volatile uint64_t *)&l0[PG_AD] & (PTE_A | PTE_D), PTE_A);
	store(va(PG_AD) + 24, 0x2424);
	CHECK_EQ(*(volatile uint64_t *)&l0[PG_AD] & (PTE_A | PTE_D), PTE_A | PTE_D);
	CHECK_EQ(page1[3], 0x2424);
	CHECK_EQ(rvp_s_trap.count, 0);
}

static void sum_mxr(void)
{
	rvp_clear_s_trap();
	__asm__ volatile("csrc sstatus, %0" ::"r"(MSTATUS_SUM | MSTATUS_MXR));
	sfence_all();
	page1[1] = 0x5151;
	load(va(PG_USER) + 8);
	CHECK_FAULT(13, va(PG_USER) + 8);
	__asm__ volatile("csrs sstatus, %0" ::"r"(MSTATUS_SUM));
	CHECK_EQ(load(va(PG_USER) + 8), 0x5151);
	/* SUM never allows S to execute user pages. */
	__asm__ volatile("csrc sstatus, %0" ::"r"(MSTATUS_SUM));
	load(va(PG_XONLY) + 8);
	CHECK_FAULT(13, va(PG_XONLY) + 8);
	__asm__ volatile("csrs sstatus, %0" ::"r"(MSTATUS_MXR));
	CHECK_EQ(load(va(PG_XONLY) + 8), 0x5151);
	__asm__ volatile("csrc sstatus, %0" ::"r"(MSTATUS_MXR));
	load(va(PG_XONLY) + 8);
	CHECK_FAULT(13, va(PG_XONLY) + 8);
}

static void fences(void)
{
	uint64_t asid = 0;

	page1[2] = 0x1010;
	page2[2] = 0x2020;
	CHECK_EQ(load(va(PG_SWITCH) + 16), 0x1010);
	l0[PG_SWITCH] = pte((uint64_t)page2, PTE_V | PTE_R | PTE_A);
	__asm__ volatile("sfence.vma %0" ::"r"(va(PG_SWITCH)) : "memory");
	CHECK_EQ(load(va(PG_SWITCH) + 16), 0x2020);
	l0[PG_SWITCH] = pte((uint64_t)page1, PTE_V | PTE_R | PTE_A);
	__asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
	CHECK_EQ(load(va(PG_SWITCH) + 16), 0x1010);
	/* An address fence inside a superpage: the whole leaf goes (§4.2.1). */
	l1[0] = pte(0x80200000UL, PTE_V | PTE_R | PTE_A);
	__asm__ volatile("sfence.vma %0" ::"r"(VA_MEGA + 0x1000) : "memory");
	CHECK_EQ(load(VA_MEGA), *(volatile uint64_t *)0x80200000UL);
	l1[0] = pte(0x80000000UL, PTE_V | PTE_R | PTE_A);
	sfence_all();
}

static uint64_t satp_of(uint64_t *root_table, uint64_t asid)
{
	return (8UL << 60) | (asid << 44) | ((uint64_t)root_table >> 12);
}

static uint64_t call_code(void)
{
	return ((uint64_t (*)(void))VA_CODE)();
}

/* li a0, N; ret */
static void make_code(uint32_t *code, unsigned n)
{
	code[0] = 0x00000513u | n << 20;
	code[1] = 0x00008067u;
}

/*
 * c.nop at the end of a page, then li a0, N across the page boundary (its
 * immediate in the second page), then c.jr ra: one block on two virtual
 * pages. The second page remapped and fenced by its address alone: the
 * jump cache entry (under the first page) must go.
 */
static void make_two_page(void)
{
	code_c[2046] = 0x0001;		 /* c.nop */
	code_c[2047] = 0x0513;		 /* addi a0, x0, imm: low half */
	code_d1[0] = (uint16_t)(5 << 4); /* high half: imm 5 */
	code_d1[1] = 0x8082;		 /* c.jr ra */
	code_d2[0] = (uint16_t)(6 << 4);
	code_d2[1] = 0x8082;
	l0_a[2] = pte((uint64_t)code_c, PTE_V | PTE_X | PTE_A);
	l0_a[3] = pte((uint64_t)code_d1, PTE_V | PTE_X | PTE_A);
	__asm__ volatile("fence.i" ::: "memory");
}

static uint64_t call_two_page(void)
{
	return ((uint64_t(*)(void))(VA_CODE2 + 4092))();
}

static void two_page_block(void)
{
	CHECK_EQ(call_two_page(), 5);
	CHECK_EQ(call_two_page(), 5);
	l0_a[3] = pte((uint64_t)code_d2, PTE_V | PTE_X | PTE_A);
	__asm__ volatile("sfence.vma %0" ::"r"(VA_CODE2 + 4096) : "memory");
	CHECK_EQ(call_two_page(), 6);
	l0_a[3] = pte((uint64_t)code_d1, PTE_V | PTE_X | PTE_A);
	__asm__ volatile("sfence.vma %0" ::"r"(VA_CODE2 + 4096) : "memory");
	CHECK_EQ(call_two_page(), 5);
}

static void build_spaces(void)
{
	/* MMIO and RAM identity maps, global in both spaces (code, stack). */
	root_a[0] = root_b[0] = root[0] | PTE_G;
	root_a[2] = root_b[2] = root[2] | PTE_G;
	root_a[4] = pte((uint64_t)l1_a, PTE_V);
	root_b[4] = pte((uint64_t)l1_b, PTE_V);
	l1_a[0] = pte((uint64_t)l0_a, PTE_V);
	l1_b[0] = pte((uint64_t)l0_b, PTE_V);
	l0_a[0] = pte((uint64_t)page1, PTE_V | PTE_R | PTE_A);
	l0_b[0] = pte((uint64_t)page2, PTE_V | PTE_R | PTE_A);
	l0_a[1] = pte((uint64_t)code_a, PTE_V | PTE_X | PTE_A);
	l0_b[1] = pte((uint64_t)code_b, PTE_V | PTE_X | PTE_A);
	make_code(code_a, 1);
	make_code(code_b, 2);
	make_two_page();
	__asm__ volatile("fence.i" ::: "memory");
}

static uint64_t asid_switch(uint64_t a)
{
	(void)a;
	page1[3] = 0xaaaa;
	page2[3] = 0xbbbb;
	CSR_WRITE(satp, satp_of(root_a, 1));
	sfence_all();
	CHECK_EQ(load(VA_SW + 24), 0xaaaa);
	CHECK_EQ(call_code(), 1);
	/* Another root and ASID, no fence: nothing of ASID 1 may be used. */
	CSR_WRITE(satp, satp_of(root_b, 2));
	CHECK_EQ(load(VA_SW + 24), 0xbbbb);
	CHECK_EQ(call_code(), 2);
	CSR_WRITE(satp, satp_of(root_a, 1));
	CHECK_EQ(load(VA_SW + 24), 0xaaaa);
	CHECK_EQ(call_code(), 1);
	/*
	 * The code page remapped, then a fence of that address only: the
	 * block cached for the indirect call's target must go too.
	 */
	l0_a[1] = pte((uint64_t)code_b, PTE_V | PTE_X | PTE_A);
	__asm__ volatile("sfence.vma %0" ::"r"(VA_CODE) : "memory");
	CHECK_EQ(call_code(), 2);
	l0_a[1] = pte((uint64_t)code_a, PTE_V | PTE_X | PTE_A);
	__asm__ volatile("sfence.vma %0" ::"r"(VA_CODE) : "memory");
	CHECK_EQ(call_code(), 1);
	two_page_block();
	/* New PTEs in ASID 1's tables, then sfence.vma x0, asid. */
	l0_a[0] = pte((uint64_t)page2, PTE_V | PTE_R | PTE_A);
	l0_a[1] = pte((uint64_t)code_b, PTE_V | PTE_X | PTE_A);
	__asm__ volatile("sfence.vma zero, %0" ::"r"(1UL) : "memory");
	CHECK_EQ(load(VA_SW + 24), 0xbbbb);
	CHECK_EQ(call_code(), 2);
	l0_a[0] = pte((uint64_t)page1, PTE_V | PTE_R | PTE_A);
	l0_a[1] = pte((uint64_t)code_a, PTE_V | PTE_X | PTE_A);
	sfence_all();
	CSR_WRITE(satp, satp_of(root, 0));
	sfence_all();
	return 0;
}

static uint64_t vm_tests(uint64_t a)
{
	(void)a;
	levels();
	faults();
	access_dirty();
	sum_mxr();
	fences();
	return 0;
}

static uint64_t read_tables(uint64_t a)
{
	levels();
	return load(va(PG_RO)) + a;
}

static void run_with(uint64_t satp)
{
	CSR_WRITE(satp, satp);
	sfence_all();
	CHECK_EQ(CSR_READ(satp), satp);
	rvp_clear_s_trap();
	rvt_puts(" run\n");
}

int main(void)
{
	rvp_init();
	build_tables();
	CSR_WRITE(medeleg, (1UL << 12) | (1UL << 13) | (1UL << 15));
	rvt_puts("sv39");
	run_with((8UL << 60) | ((uint64_t)root >> 12));
	CHECK_EQ(rvp_run(RVP_S, vm_tests, 0), 0);
	rvt_puts("asid");
	build_spaces();
	rvt_puts(" run\n");
	CHECK_EQ(rvp_run(RVP_S, asid_switch, 0), 0);
	/* MPRV: M-mode loads through S's translation (§3.1.6.3). */
	__asm__ volatile("csrs mstatus, %0" ::"r"(MSTATUS_MPRV | (1UL << 11)));
	CHECK_EQ(load(va(PG_RO)), page1[0]);
	__asm__ volatile("csrc mstatus, %0" ::"r"(MSTATUS_MPRV | MSTATUS_MPP));
	rvt_puts("sv48");
	run_with((9UL << 60) | ((uint64_t)root4 >> 12));
	CHECK_EQ(rvp_run(RVP_S, read_tables, 1), 0x1112);
	rvt_puts("sv57");
	run_with((10UL << 60) | ((uint64_t)root5 >> 12));
	CHECK_EQ(rvp_run(RVP_S, read_tables, 2), 0x1113);
	CSR_WRITE(satp, 0);
	return 0;
}
