// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest page walker (arch/x86/guest_walk.c) over page tables the guest
 * wrote: the crash path reads the crashed kernel's memory through them, the
 * xAPIC store emulation its instructions.
 *
 * Input: a mode byte (bit 0 CR0.PG, 1 CR4.PAE, 2 EFER.LMA, 3 CR4.LA57,
 * 4 CR4.PSE), CR3, the linear address and a length (u64, u64, u16), then
 * writes into a 256 KiB guest-physical memory that starts zeroed: each a
 * 32-bit address (taken modulo the size, 8-byte aligned) and a 64-bit value.
 * Reads outside that memory fail, as gpm_read() fails outside guest RAM.
 */
#include "fuzz.h"
#include <asm/guest_walk.h>
#include <asm/processor.h>
#include <stdlib.h>

#define MEM_SIZE (256 * KiB)

static u8 *mem;

/* As gpm_read(): all of [pa, pa + n) in memory, or nothing; never across a page. */
static int read_phys(const void *ctx, u64 pa, void *buf, unsigned int n)
{
	(void)ctx;
	fuzz_check(n && (pa & (PAGE_SIZE - 1)) + n <= PAGE_SIZE);
	if (pa >= MEM_SIZE || n > MEM_SIZE - pa)
		return -EFAULT;
	memcpy(buf, mem + pa, n);
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	u8 mode = fuzz_u8(&in), *buf;
	struct guest_paging gp = { 0 };
	u64 la, pa, pa2;
	unsigned int n;
	int ret;

	if (!mem)
		mem = malloc(MEM_SIZE);
	memset(mem, 0, MEM_SIZE);
	gp.cr0 = X86_CR0_PE | (mode & 1 ? X86_CR0_PG : 0);
	gp.cr4 = (mode & 2 ? X86_CR4_PAE : 0) | (mode & 8 ? 1u << 12 : 0) |
		 (mode & 16 ? 1u << 4 : 0);
	gp.efer = mode & 4 ? EFER_LMA | EFER_LME : 0;
	gp.read_phys = read_phys;
	gp.cr3 = fuzz_u64(&in);
	la = fuzz_u64(&in);
	n = fuzz_u16(&in) % (3 * PAGE_SIZE);
	while (in.n) {
		u32 at = fuzz_u32(&in) % MEM_SIZE & ~7u;
		u64 v = fuzz_u64(&in);

		memcpy(mem + at, &v, 8);
	}

	ret = guest_translate(&gp, la, &pa);
	if (!(gp.cr0 & X86_CR0_PG))
		fuzz_check(!ret && pa == (la & 0xffffffffull));
	if (!ret) {
		fuzz_check((pa & 0xfff) == (la & 0xfff));
		/* Within the same page, the same frame. */
		fuzz_check(!guest_translate(&gp, la ^ (~la & 0xfff), &pa2) &&
			   (pa2 & ~0xfffull) == (pa & ~0xfffull));
	}
	buf = malloc(n ? n : 1);
	if (!guest_read_linear(&gp, la, buf, n) && n) {
		fuzz_check(!ret && pa < MEM_SIZE && buf[0] == mem[pa]);
		fuzz_check(!guest_translate(&gp, la + n - 1, &pa2));
		fuzz_check(pa2 < MEM_SIZE && buf[n - 1] == mem[pa2]);
	}
	free(buf);
	return 0;
}
