/*
 * The x86-64 encoder against binutils: encode a list of instructions,
 * disassemble the bytes with `objdump -D -b binary -mi386:x86-64` and
 * compare each line's text with what we meant to encode. Skips (77) when
 * objdump is not installed.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel/tcg/host/x86_64/emit.h"
#include "tests/test.h"

#define MAXI 128

static struct x86_buf b;
static uint8_t buf[4096];
static const char *want[MAXI];
static unsigned n_want;

#define E(text, call)                                                                              \
	do {                                                                                       \
		call;                                                                              \
		want[n_want++] = text;                                                             \
	} while (0)

static void encode_all(void)
{
	b = (struct x86_buf){.p = buf, .start = buf, .end = buf + sizeof(buf)};
	E("add %rbx,%rax", x86_alu_rr(&b, X86_ADD, true, X86_RAX, X86_RBX));
	E("sub %r15d,%r8d", x86_alu_rr(&b, X86_SUB, false, X86_R8, X86_R15));
	E("and $0x7f,%rcx", x86_alu_ri(&b, X86_AND, true, X86_RCX, 0x7f));
	E("cmp $0x12345,%r12", x86_alu_ri(&b, X86_CMP, true, X86_R12, 0x12345));
	E("xor $0xffffffff,%eax", x86_alu_ri(&b, X86_XOR, false, X86_RAX, -1));
	E("cmpl $0x0,0x0(%rbp)", x86_alu_mi(&b, X86_CMP, false, X86_RBP, 0, 0));
	E("cmp 0x8(%rax),%rsi", x86_alu_rm(&b, X86_CMP, true, X86_RSI, X86_RAX, 8));
	E("cmp 0x10(%rbp),%ecx", x86_alu_rm(&b, X86_CMP, false, X86_RCX, X86_RBP, 16));
	E("mov %rsp,%r9", x86_mov_rr(&b, true, X86_R9, X86_RSP));
	E("mov %r13d,%eax", x86_mov_rr(&b, false, X86_RAX, X86_R13));
	E("xor %edx,%edx", x86_mov_ri(&b, X86_RDX, 0));
	E("mov $0x12345678,%r10d", x86_mov_ri(&b, X86_R10, 0x12345678));
	E("mov $0xffffffffffffff00,%rax", x86_mov_ri(&b, X86_RAX, 0xffffffffffffff00ULL));
	E("movabs $0x123456789a,%r11", x86_mov_ri(&b, X86_R11, 0x123456789aULL));
	E("mov 0x10(%rbp),%rax", x86_load(&b, X86_LD64, X86_RAX, X86_RBP, X86_NOREG, 0x10));
	E("movzbl (%r12),%ebx", x86_load(&b, X86_LD8U, X86_RBX, X86_R12, X86_NOREG, 0));
	E("movsbq 0x0(%r13),%r13", x86_load(&b, X86_LD8S, X86_R13, X86_R13, X86_NOREG, 0));
	E("movzwl 0x8(%rsp),%esi", x86_load(&b, X86_LD16U, X86_RSI, X86_RSP, X86_NOREG, 8));
	E("movswq 0x100(%rax,%rbx,1),%rdi",
	  x86_load(&b, X86_LD16S, X86_RDI, X86_RAX, X86_RBX, 0x100));
	E("mov -0x40000(%rbp,%rax,1),%r8d",
	  x86_load(&b, X86_LD32U, X86_R8, X86_RBP, X86_RAX, -0x40000));
	E("movslq -0x8(%r15),%r9", x86_load(&b, X86_LD32S, X86_R9, X86_R15, X86_NOREG, -8));
	E("mov 0x0(%r13,%rax,1),%rdx", x86_load(&b, X86_LD64, X86_RDX, X86_R13, X86_RAX, 0));
	E("mov %sil,(%rax)", x86_store(&b, 1, X86_RSI, X86_RAX, X86_NOREG, 0));
	E("mov %bl,0x1(%r12)", x86_store(&b, 1, X86_RBX, X86_R12, X86_NOREG, 1));
	E("mov %r10w,0x2(%rbp)", x86_store(&b, 2, X86_R10, X86_RBP, X86_NOREG, 2));
	E("mov %eax,(%rsp)", x86_store(&b, 4, X86_RAX, X86_RSP, X86_NOREG, 0));
	E("mov %r15,0x7f(%r12,%rcx,1)", x86_store(&b, 8, X86_R15, X86_R12, X86_RCX, 0x7f));
	E("mov %rdi,0x80(%rbp)", x86_store(&b, 8, X86_RDI, X86_RBP, X86_NOREG, 0x80));
	E("lea -0x1000(%rbp,%rax,1),%rax", x86_lea(&b, X86_RAX, X86_RBP, X86_RAX, -0x1000));
	E("lea 0x0(%r13,%r12,4),%rax", x86_lea_scaled(&b, X86_RAX, X86_R13, X86_R12, 2, 0));
	E("lea 0x10(%rbx,%rsi,8),%r9", x86_lea_scaled(&b, X86_R9, X86_RBX, X86_RSI, 3, 16));
	E("lea -0x12345(%rax,%r8,2),%rdx",
	  x86_lea_scaled(&b, X86_RDX, X86_RAX, X86_R8, 1, -0x12345));
	E("shl %cl,%rbx", x86_shift_cl(&b, X86_SHL, true, X86_RBX));
	E("sar $0x1f,%r14d", x86_shift_ri(&b, X86_SAR, false, X86_R14, 31));
	E("shr $0x7,%rax", x86_shift_ri(&b, X86_SHR, true, X86_RAX, 7));
	E("rol %cl,%r8d", x86_shift_cl(&b, X86_ROL, false, X86_R8));
	E("neg %r11", x86_unop(&b, X86_NEG, true, X86_R11));
	E("not %esi", x86_unop(&b, X86_NOT, false, X86_RSI));
	E("idiv %ecx", x86_unop(&b, X86_IDIV, false, X86_RCX));
	E("div %r9", x86_unop(&b, X86_DIV, true, X86_R9));
	E("mul %rbx", x86_unop(&b, X86_MUL, true, X86_RBX));
	E("imul %r12", x86_unop(&b, X86_IMUL1, true, X86_R12));
	E("imul %r13,%rax", x86_imul_rr(&b, true, X86_RAX, X86_R13));
	E("cqto", x86_cqo(&b, true));
	E("cltd", x86_cqo(&b, false));
	E("test %rsi,%rsi", x86_test_rr(&b, true, X86_RSI, X86_RSI));
	E("movzbl %sil,%ebx", x86_ext_rr(&b, X86_LD8U, X86_RBX, X86_RSI));
	E("movsbq %dil,%r8", x86_ext_rr(&b, X86_LD8S, X86_R8, X86_RDI));
	E("movzbl %al,%r11d", x86_ext_rr(&b, X86_LD8U, X86_R11, X86_RAX));
	E("movzwl %r9w,%eax", x86_ext_rr(&b, X86_LD16U, X86_RAX, X86_R9));
	E("movswq %r9w,%rax", x86_ext_rr(&b, X86_LD16S, X86_RAX, X86_R9));
	E("movslq %eax,%r12", x86_ext_rr(&b, X86_LD32S, X86_R12, X86_RAX));
	E("mov %r12d,%r12d", x86_ext_rr(&b, X86_LD32U, X86_R12, X86_R12));
	E("setb %al", x86_setcc(&b, X86_CC_B, X86_RAX));
	E("setg %sil", x86_setcc(&b, X86_CC_G, X86_RSI));
	E("cmovge %r10,%rax", x86_cmov(&b, X86_CC_GE, true, X86_RAX, X86_R10));
	E("cmovb %ecx,%eax", x86_cmov(&b, X86_CC_B, false, X86_RAX, X86_RCX));
	E("lzcnt %r12,%rax", x86_bitop(&b, X86_LZCNT, true, X86_RAX, X86_R12));
	E("tzcnt %r8d,%eax", x86_bitop(&b, X86_TZCNT, false, X86_RAX, X86_R8));
	E("popcnt %ebx,%r9d", x86_bitop(&b, X86_POPCNT, false, X86_R9, X86_RBX));
	E("bswap %r13", x86_bswap(&b, true, X86_R13));
	E("bswap %eax", x86_bswap(&b, false, X86_RAX));
	E("movq %rdx,%xmm0", x86_mov_xr(&b, true, 0, X86_RDX));
	E("movq %r9,%xmm1", x86_mov_xr(&b, true, 1, X86_R9));
	E("movq %xmm0,%rax", x86_mov_rx(&b, true, X86_RAX, 0));
	E("movq %xmm9,%r11", x86_mov_rx(&b, true, X86_R11, 9));
	E("addsd %xmm1,%xmm0", x86_sse_scalar(&b, true, X86_SSE_ADD, 0, 1));
	E("subsd %xmm1,%xmm0", x86_sse_scalar(&b, true, X86_SSE_SUB, 0, 1));
	E("mulsd %xmm10,%xmm0", x86_sse_scalar(&b, true, X86_SSE_MUL, 0, 10));
	E("divsd %xmm1,%xmm8", x86_sse_scalar(&b, true, X86_SSE_DIV, 8, 1));
	E("movd %esi,%xmm0", x86_mov_xr(&b, false, 0, X86_RSI));
	E("movd %r10d,%xmm1", x86_mov_xr(&b, false, 1, X86_R10));
	E("movd %xmm0,%eax", x86_mov_rx(&b, false, X86_RAX, 0));
	E("addss %xmm1,%xmm0", x86_sse_scalar(&b, false, X86_SSE_ADD, 0, 1));
	E("subss %xmm1,%xmm0", x86_sse_scalar(&b, false, X86_SSE_SUB, 0, 1));
	E("mulss %xmm9,%xmm0", x86_sse_scalar(&b, false, X86_SSE_MUL, 0, 9));
	E("divss %xmm1,%xmm0", x86_sse_scalar(&b, false, X86_SSE_DIV, 0, 1));
	E("call *%rax", x86_call_r(&b, X86_RAX));
	E("jmp *%rsi", x86_jmp_r(&b, X86_RSI));
	E("jmp *0x28(%rax)", x86_jmp_m(&b, X86_RAX, 0x28));
	E("push %r15", x86_push(&b, X86_R15));
	E("push %rbp", x86_push(&b, X86_RBP));
	E("pop %rbx", x86_pop(&b, X86_RBX));
	E("pop %r12", x86_pop(&b, X86_R12));
	E("ret", x86_ret(&b));
}

/* Jumps: target text depends on the offset, so check them separately. */
static void test_jumps(void)
{
	uint8_t jb[64];
	struct x86_buf j = {.p = jb, .start = jb, .end = jb + sizeof(jb)};
	uint8_t *rel = x86_jcc32(&j, X86_CC_NE);

	x86_patch_rel32(rel, jb + 32);
	CHECK_EQ(jb[0], 0x0f);
	CHECK_EQ(jb[1], 0x85);
	CHECK_EQ(rel - jb, 2);
	CHECK_EQ(jb[2] | jb[3] << 8, 32 - 6);
	rel = x86_jmp32(&j);
	CHECK_EQ(*(rel - 1), 0xe9);
	x86_patch_rel32(rel, jb);
	CHECK_EQ((int32_t)(rel[0] | rel[1] << 8 | rel[2] << 16 | (uint32_t)rel[3] << 24), -11);
	rel = x86_call32(&j);
	CHECK_EQ(*(rel - 1), 0xe8);
	x86_patch_rel32(rel, jb);
	CHECK_EQ((int32_t)(rel[0] | rel[1] << 8 | rel[2] << 16 | (uint32_t)rel[3] << 24), -16);
	x86_jmp8(&j, 12);
	CHECK_EQ(jb[16], 0xeb);
	CHECK_EQ(jb[17], 12);
	/* Overflow is recorded, never written past the end. */
	struct x86_buf small = {.p = jb, .start = jb, .end = jb + 2};
	x86_mov_ri(&small, X86_R11, 0x123456789aULL);
	CHECK(small.overflow);
	CHECK(small.p == jb + 2);
}

/* "   4:\t48 01 d8 \tadd    %rbx,%rax" -> "add %rbx,%rax" */
static void normalize(char *line, char *out, size_t n)
{
	char *t = strchr(line, '\t');
	size_t k = 0;
	bool space = false;

	t = t ? strchr(t + 1, '\t') : NULL;
	if (!t) {
		out[0] = 0;
		return;
	}
	for (t++; *t && *t != '\n' && k + 1 < n; t++) {
		if (isspace((unsigned char)*t)) {
			space = true;
			continue;
		}
		if (space && k)
			out[k++] = ' ';
		space = false;
		out[k++] = *t;
	}
	out[k] = 0;
}

static void check_objdump(void)
{
	char path[] = "/tmp/vmm-x86-emit-XXXXXX", cmd[256], line[512], text[256];
	size_t len = (size_t)(b.p - buf);
	unsigned i = 0;
	int fd = mkstemp(path);
	FILE *p;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, buf, len), len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "objdump -D -b binary -mi386:x86-64 %s", path);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	while (p && fgets(line, sizeof(line), p)) {
		if (!strchr(line, ':') || line[0] != ' ')
			continue;
		normalize(line, text, sizeof(text));
		if (!text[0])
			continue; /* continuation line of a long encoding */
		if (i < n_want && strcmp(text, want[i]) != 0)
			fprintf(stderr, "insn %u: objdump says \"%s\", wanted \"%s\"\n", i, text,
				want[i]);
		CHECK(i < n_want && strcmp(text, want[i]) == 0);
		i++;
	}
	if (p)
		CHECK_EQ(pclose(p), 0);
	CHECK_EQ(i, n_want);
	unlink(path);
}

int main(void)
{
	if (system("objdump --version >/dev/null 2>&1") != 0)
		TEST_SKIP("objdump (binutils) not installed");
	encode_all();
	CHECK(!b.overflow);
	check_objdump();
	test_jumps();
	return test_result("x86_emit");
}
