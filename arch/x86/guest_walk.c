// SPDX-License-Identifier: GPL-2.0-only
/* Walking the guest's page tables (SDM vol. 3A, 4.3 - 4.5; APM vol. 2, 5.3). */
#include <asm/guest_walk.h>
#include <asm/processor.h>
#include <hv/vmcoreinfo.h>

#define PTE_P	 (1ull << 0)
#define PTE_PS	 (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull
#define CR4_PSE	 (1ull << 4)
#define CR4_LA57 (1ull << 12)

static int walk_64(const struct guest_paging *gp, u64 la, unsigned int levels, u64 *pa)
{
	u64 table = gp->cr3 & PTE_ADDR;

	for (unsigned int l = levels; l >= 1; l--) {
		unsigned int shift = 12 + 9 * (l - 1);
		u64 e;

		if (gp->read_phys(gp->ctx, table + ((la >> shift) & 511) * 8, &e, 8) || !(e & PTE_P))
			return -EFAULT;
		if (l == 1 || ((l == 2 || l == 3) && (e & PTE_PS))) {
			u64 mask = (1ull << shift) - 1;

			*pa = ((e & PTE_ADDR) & ~mask) | (la & mask);
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -EFAULT;
}

static int walk_pae(const struct guest_paging *gp, u64 la, u64 *pa)
{
	u64 pdpte, e, pd;

	/* PAE: CR3 points to four 8-byte PDPTEs, 32-byte aligned. */
	if (gp->read_phys(gp->ctx, (gp->cr3 & 0xffffffe0u) + ((la >> 30) & 3) * 8, &pdpte, 8) ||
	    !(pdpte & PTE_P))
		return -EFAULT;
	pd = pdpte & PTE_ADDR;
	if (gp->read_phys(gp->ctx, pd + ((la >> 21) & 511) * 8, &e, 8) || !(e & PTE_P))
		return -EFAULT;
	if (e & PTE_PS) {
		*pa = (e & PTE_ADDR & ~0x1fffffull) | (la & 0x1fffff);
		return 0;
	}
	if (gp->read_phys(gp->ctx, (e & PTE_ADDR) + ((la >> 12) & 511) * 8, &e, 8) || !(e & PTE_P))
		return -EFAULT;
	*pa = (e & PTE_ADDR) | (la & 0xfff);
	return 0;
}

static int walk_32(const struct guest_paging *gp, u64 la, u64 *pa)
{
	u32 e;

	if (gp->read_phys(gp->ctx, (gp->cr3 & 0xfffff000u) + ((la >> 22) & 1023) * 4, &e, 4) || !(e & PTE_P))
		return -EFAULT;
	if ((e & PTE_PS) && (gp->cr4 & CR4_PSE)) {
		*pa = (e & 0xffc00000u) | (la & 0x3fffff);
		return 0;
	}
	if (gp->read_phys(gp->ctx, (e & 0xfffff000u) + ((la >> 12) & 1023) * 4, &e, 4) || !(e & PTE_P))
		return -EFAULT;
	*pa = (e & 0xfffff000u) | (la & 0xfff);
	return 0;
}

int guest_translate(const struct guest_paging *gp, u64 la, u64 *pa)
{
	if (!(gp->cr0 & X86_CR0_PG)) {
		*pa = la & 0xffffffffull;
		return 0;
	}
	if (gp->efer & EFER_LMA)
		return walk_64(gp, la, (gp->cr4 & CR4_LA57) ? 5 : 4, pa);
	if (gp->cr4 & X86_CR4_PAE)
		return walk_pae(gp, la & 0xffffffffull, pa);
	return walk_32(gp, la & 0xffffffffull, pa);
}

int guest_read_linear(const struct guest_paging *gp, u64 la, void *buf, unsigned int n)
{
	u8 *out = buf;

	while (n) {
		unsigned int chunk = (unsigned int)MIN((u64)n, PAGE_SIZE - (la & 0xfff));
		u64 pa;

		if (guest_translate(gp, la, &pa) || gp->read_phys(gp->ctx, pa, out, chunk))
			return -EFAULT;
		la += chunk;
		out += chunk;
		n -= chunk;
	}
	return 0;
}

bool guest_vmcoreinfo_fits(const struct guest_paging *gp, const char *vi, u32 len)
{
	u64 stext, pa;
	s64 base;

	if (!(gp->efer & EFER_LMA) || (gp->cr4 & CR4_LA57) ||
	    vmcoreinfo_hex(vi, len, "SYMBOL(_stext)", &stext) ||
	    vmcoreinfo_number(vi, len, "NUMBER(phys_base)", &base) ||
	    stext < GUEST_START_KERNEL_MAP)
		return true;
	return !guest_translate(gp, stext, &pa) && pa == stext - GUEST_START_KERNEL_MAP + (u64)base;
}
