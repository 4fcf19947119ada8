// SPDX-License-Identifier: GPL-2.0-only
/* Decoding of MMIO store instructions (SDM vol. 2A, 2.1 - 2.2). */
#include <asm/insn.h>

static bool is_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26:
	case 0x2e:
	case 0x36:
	case 0x3e:
	case 0x64:
	case 0x65: /* segments */
	case 0x66:
	case 0x67:
	case 0xf0:
	case 0xf2:
	case 0xf3:
		return true;
	default:
		return false;
	}
}

/* Bytes taken by ModRM, SIB and displacement (32/64-bit addressing), or -EINVAL. */
static int modrm_len(const u8 *b, unsigned int avail)
{
	u8 modrm, mod, rm;
	int len = 1;

	if (avail < 1)
		return -EINVAL;
	modrm = b[0];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return -EINVAL; /* a register operand cannot fault on memory */
	if (rm == 4) {
		if (avail < 2)
			return -EINVAL;
		len++;
		if (mod == 0 && (b[1] & 7) == 5)
			len += 4;
	} else if (mod == 0 && rm == 5) {
		len += 4; /* disp32 (RIP-relative in 64-bit mode) */
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len;
}

int insn_decode_store(const u8 *b, unsigned int avail, bool long_mode, bool def32,
		      struct mmio_insn *out)
{
	unsigned int i = 0, opsize = (long_mode || def32) ? 4 : 2;
	bool addr16 = !long_mode && !def32;
	u8 rex = 0, op;
	int ml;

	while (i < avail && i < INSN_MAX_LEN && is_legacy_prefix(b[i])) {
		if (b[i] == 0x66)
			opsize = opsize == 4 ? 2 : 4;
		if (b[i] == 0x67)
			addr16 = !long_mode && def32;
		i++;
	}
	if (long_mode && i < avail && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i >= avail || addr16)
		return -EINVAL;
	if (rex & 0x08)
		opsize = 8;
	op = b[i++];
	switch (op) {
	case 0x88:
	case 0x89:
		out->kind = MMIO_STORE_REG;
		break;
	case 0x86:
	case 0x87:
		out->kind = MMIO_XCHG;
		break;
	case 0xc6:
	case 0xc7:
		out->kind = MMIO_STORE_IMM;
		break;
	default:
		return -EINVAL;
	}
	if (!(op & 1))
		opsize = 1;
	ml = modrm_len(b + i, avail - i);
	if (ml < 0)
		return ml;
	out->reg = ((b[i] >> 3) & 7) | ((rex & 0x04) ? 8 : 0);
	if (out->kind == MMIO_STORE_IMM && ((b[i] >> 3) & 7) != 0)
		return -EINVAL; /* only C6/C7 /0 is MOV */
	i += (unsigned int)ml;
	out->imm = 0;
	if (out->kind == MMIO_STORE_IMM) {
		unsigned int n = opsize == 8 ? 4 : opsize; /* imm32 sign-extended to 64 */

		if (i + n > avail)
			return -EINVAL;
		for (unsigned int k = 0; k < n; k++)
			out->imm |= (u64)b[i + k] << (8 * k);
		if (opsize == 8 && (out->imm & 0x80000000u))
			out->imm |= 0xffffffff00000000ull;
		i += n;
	}
	if (i > avail || i > INSN_MAX_LEN)
		return -EINVAL;
	out->len = i;
	out->size = opsize;
	return 0;
}
