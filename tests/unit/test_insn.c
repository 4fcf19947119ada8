// SPDX-License-Identifier: GPL-2.0-only
/* Decoding the stores a guest uses on MMIO (as Linux writes the xAPIC). */
#include "harness.h"
#include <asm/insn.h>

static struct mmio_insn decode(const u8 *b, unsigned int n, bool lm, bool d32, int want)
{
	struct mmio_insn in;

	memset(&in, 0xee, sizeof(in));
	assert_int_equal(insn_decode_store(b, n, lm, d32, &in), want);
	return in;
}

static void test_mov_store_forms(void **state)
{
	/* mov %eax, 0xffffffffff5fb300 (absolute disp32 through SIB) */
	static const u8 a[] = { 0x89, 0x04, 0x25, 0x00, 0xb3, 0x5f, 0xff };
	/* mov %r12d, 0xb0(%r13) */
	static const u8 b[] = { 0x45, 0x89, 0xa5, 0xb0, 0x00, 0x00, 0x00 };
	/* mov %esi, (%rdi) */
	static const u8 c[] = { 0x89, 0x37 };
	/* mov %ecx, 0x10(%rax,%rbx,4) */
	static const u8 d[] = { 0x89, 0x4c, 0x98, 0x10 };
	/* 32-bit code: mov %edx, 0xfee00300 */
	static const u8 e[] = { 0x89, 0x15, 0x00, 0x03, 0xe0, 0xfe };
	struct mmio_insn in;

	(void)state;
	in = decode(a, sizeof(a), true, false, 0);
	assert_int_equal(in.kind, MMIO_STORE_REG);
	assert_int_equal(in.len, 7);
	assert_int_equal(in.reg, 0);
	assert_int_equal(in.size, 4);
	in = decode(b, sizeof(b), true, false, 0);
	assert_int_equal(in.len, 7);
	assert_int_equal(in.reg, 12);
	in = decode(c, sizeof(c), true, false, 0);
	assert_int_equal(in.len, 2);
	assert_int_equal(in.reg, 6);
	in = decode(d, sizeof(d), true, false, 0);
	assert_int_equal(in.len, 4);
	assert_int_equal(in.reg, 1);
	in = decode(e, sizeof(e), false, true, 0);
	assert_int_equal(in.len, 6);
	assert_int_equal(in.reg, 2);
}

static void test_imm_xchg_and_sizes(void **state)
{
	/* movl $0x0, 0x123(%rip) */
	static const u8 a[] = { 0xc7, 0x05, 0x23, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	/* xchg %eax, (%rdx) with a lock prefix */
	static const u8 b[] = { 0xf0, 0x87, 0x02 };
	/* movw $0x1234, (%rax) */
	static const u8 c[] = { 0x66, 0xc7, 0x00, 0x34, 0x12 };
	/* movq $-1, (%rax) (imm32 sign-extended) */
	static const u8 d[] = { 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff };
	/* movb %al, (%rbx) */
	static const u8 e[] = { 0x88, 0x03 };
	struct mmio_insn in;

	(void)state;
	in = decode(a, sizeof(a), true, false, 0);
	assert_int_equal(in.kind, MMIO_STORE_IMM);
	assert_int_equal(in.len, 10);
	assert_int_equal(in.imm, 0);
	in = decode(b, sizeof(b), true, false, 0);
	assert_int_equal(in.kind, MMIO_XCHG);
	assert_int_equal(in.len, 3);
	in = decode(c, sizeof(c), true, false, 0);
	assert_int_equal(in.size, 2);
	assert_int_equal(in.imm, 0x1234);
	assert_int_equal(in.len, 5);
	in = decode(d, sizeof(d), true, false, 0);
	assert_int_equal(in.size, 8);
	assert_int_equal(in.imm, ~0ull);
	in = decode(e, sizeof(e), true, false, 0);
	assert_int_equal(in.size, 1);
}

static void test_refusals(void **state)
{
	static const u8 reg_operand[] = { 0x89, 0xc0 };		   /* mov %eax, %eax */
	static const u8 load[] = { 0x8b, 0x07 };		   /* a load, not a store */
	static const u8 c7_not_mov[] = { 0xc7, 0x08, 0, 0, 0, 0 }; /* C7 /1 */
	static const u8 truncated[] = { 0x89, 0x04, 0x25, 0x00 };
	static const u8 addr16[] = { 0x89, 0x07 };

	(void)state;
	decode(reg_operand, sizeof(reg_operand), true, false, -EINVAL);
	decode(load, sizeof(load), true, false, -EINVAL);
	decode(c7_not_mov, sizeof(c7_not_mov), true, false, -EINVAL);
	decode(truncated, sizeof(truncated), true, false, -EINVAL);
	decode(addr16, sizeof(addr16), false, false, -EINVAL); /* 16-bit code */
	decode(NULL, 0, true, false, -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mov_store_forms),
		cmocka_unit_test(test_imm_xchg_and_sizes),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
