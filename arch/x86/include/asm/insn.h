/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Just enough x86 decoding to emulate a store to a trapped MMIO page: the
 * hardware reports the guest-physical address, the hv needs the value and the
 * instruction length (QEMU's TCG has neither decode assists nor NRIP save).
 */
#ifndef ASM_INSN_H
#define ASM_INSN_H

#include <hv/types.h>

#define INSN_MAX_LEN 15

enum mmio_kind {
	MMIO_STORE_REG, /* MOV r/m, reg */
	MMIO_STORE_IMM, /* MOV r/m, imm */
	MMIO_XCHG,	/* XCHG r/m, reg: store reg, old value into reg */
};

struct mmio_insn {
	enum mmio_kind kind;
	unsigned int len;  /* bytes, prefixes included */
	unsigned int size; /* operand size: 1, 2, 4 or 8 */
	unsigned int reg;  /* register number in ModRM order (0 = RAX ... 15 = R15) */
	u64 imm;
};

/**
 * insn_decode_store() - decode the store at b (avail bytes fetched). long_mode
 * is CS.L (64-bit code), def32 is CS.D otherwise. Returns 0, or -EINVAL for
 * anything but MOV/XCHG to memory with 32/64-bit addressing.
 */
int insn_decode_store(const u8 *b, unsigned int avail, bool long_mode, bool def32,
		      struct mmio_insn *out);

#endif /* ASM_INSN_H */
