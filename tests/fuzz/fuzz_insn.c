// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MMIO store decoder (arch/x86/insn.c): the bytes at the guest's RIP
 * when it writes the trapped xAPIC page, as many as could be fetched.
 *
 * Input: a byte of mode (bit 0 CS.L, 64-bit code; bit 1 CS.D), then the
 * instruction bytes, in a buffer of exactly their number.
 */
#include "fuzz.h"
#include <asm/insn.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct mmio_insn out;
	unsigned int n;
	u8 *b;

	if (!size)
		return 0;
	n = (unsigned int)MIN(size - 1, (size_t)64);
	b = malloc(n ? n : 1);
	memcpy(b, data + 1, n);
	memset(&out, 0xee, sizeof(out));
	if (!insn_decode_store(b, n, data[0] & 1, data[0] & 2, &out)) {
		fuzz_check(out.len >= 2 && out.len <= n && out.len <= INSN_MAX_LEN);
		fuzz_check(out.size == 1 || out.size == 2 || out.size == 4 || out.size == 8);
		fuzz_check(out.reg < 16 && (out.reg < 8 || (data[0] & 1)));
		fuzz_check(out.kind == MMIO_STORE_REG || out.kind == MMIO_STORE_IMM ||
			   out.kind == MMIO_XCHG);
		if (out.kind != MMIO_STORE_IMM)
			fuzz_check(out.imm == 0);
		else if (out.size < 8)
			fuzz_check(out.imm >> (8 * out.size) == 0);
		else
			fuzz_check(out.imm < 0x80000000ull || out.imm >= 0xffffffff80000000ull);
		/* The same bytes decode the same with more of them fetched. */
		if (n < 64) {
			struct mmio_insn again;
			u8 *more = calloc(1, n + 8);

			memcpy(more, b, n);
			fuzz_check(
				!insn_decode_store(more, n + 8, data[0] & 1, data[0] & 2, &again));
			fuzz_check(again.len == out.len && again.size == out.size &&
				   again.reg == out.reg && again.imm == out.imm);
			free(more);
		}
	}
	free(b);
	return 0;
}
