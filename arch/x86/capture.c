// SPDX-License-Identifier: GPL-2.0-only
/*
 * Crash capture, the x86 part. Layout of the capture region:
 *
 *   base                     capture kernel: protected-mode code (init_size), or
 *                            its vmlinux laid out (the PT_LOADs' span)
 *   ...                      free: the capture kernel's memory to run in
 *   tail - initrd            capture initrd
 *   tail = end - 1 MiB       reserved tail, in the capture kernel's e820 too:
 *     +0x00000 boot_params   +0x01000 command line   +0x02000 boot GDT
 *     +0x03000 ELF core header (elfcorehdr=), written at crash time
 *     +0x20000 backup of guest low memory (below 640 KiB), taken at crash time
 *     +0xc0000 identity-map page tables for a vmlinux's 64-bit entry, built when armed
 *
 * The capture kernel's e820: guest RAM below 640 KiB (the backup keeps the
 * crashed contents), the firmware's non-RAM entries (ACPI tables), the region
 * up to the tail as RAM, the tail reserved. Crashed guest RAM is absent from it
 * and read-only in its nested tables; /proc/vmcore reads it.
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/capture_region.h>
#include <asm/elf.h>
#include <asm/guest.h>
#include <asm/guest_mem.h>
#include <asm/guest_walk.h>
#include <asm/iommu.h>
#include <asm/layout.h>
#include <asm/lend.h>
#include <asm/linux.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <asm/vcpu.h>
#include <asm/vmcore.h>
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/elfcore.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/vmcoreinfo.h>

#define MIN_RUN_MEM (32 * MiB) /* what a capture kernel needs to run in, at least */

BUILD_BUG_ON(TAIL_BACKUP + LOW_MEM_END > TAIL_PGT);
BUILD_BUG_ON(TAIL_PGT + TAIL_PGT_MAX * PAGE_SIZE > TAIL_SIZE);

static u64 tail;		      /* physical address of the reserved tail */
static struct x86_entry capture_entry; /* the capture kernel's, made at hand-over */
static const struct boot_info *boot_bi; /* the firmware's memory map and screen */
static bool space_built;		       /* capture_gpm, the capture kernel's space */

BUILD_BUG_ON(ENOSPC != PARACHUTE_ENOSPC || ENOEXEC != PARACHUTE_ENOEXEC ||
	     E2BIG != PARACHUTE_E2BIG || EINVAL != PARACHUTE_EINVAL);

static int capture_e820(const struct boot_info *bi, struct memmap *m)
{
	memset(m, 0, sizeof(*m));
	for (unsigned int i = 0; i < bi->mem.nr; i++) {
		const struct e820_entry *e = &bi->mem.e[i];

		if (e->type != E820_RAM) {
			if (memmap_add(m, e->addr, e->size, e->type))
				return -ENOSPC;
		} else if (e->addr < LOW_MEM_END) {
			u64 end = MIN(e->addr + e->size, (u64)LOW_MEM_END);

			if (memmap_add(m, e->addr, end - e->addr, E820_RAM))
				return -ENOSPC;
		}
	}
	if (memmap_add(m, hv.capture_base, tail - hv.capture_base, E820_RAM) ||
	    memmap_add(m, tail, TAIL_SIZE, E820_RESERVED))
		return -ENOSPC;
	return memmap_sanitize(m);
}

/* The command line the capture kernel gets: args and where its ELF core header is. */
static int capture_cmdline(const struct bzimage *bz, const char *args, char *out, const char *what)
{
	/* Linux kernel/crash_dump: elfcorehdr=size@address. */
	int n = snprintf_hv(out, PAGE_SIZE, "%s elfcorehdr=0x%x@0x%llx", args, TAIL_ELF_MAX,
			    (unsigned long long)(tail + TAIL_ELF));

	if (n >= (int)PAGE_SIZE || (u64)n > bz->cmdline_max) {
		pr_err_what("%s: command line of %d bytes is longer than it takes (%llu)", what, n,
		       (unsigned long long)bz->cmdline_max);
		return -E2BIG;
	}
	return 0;
}

/* What the armed capture kernel's command line may grow to (its boot protocol's limit). */
static u64 tail_cmdline_max;

/* vl: the kernel's vmlinux, entered through its 64-bit entry; NULL for the bzImage's own. */
static int write_tail(const struct bzimage *bz, const struct vmlinux *vl, const char *args,
		      u64 initrd, u64 initrd_size)
{
	struct linux_boot lb = { .kernel_addr = hv.capture_base,
				 .initrd_addr = initrd,
				 .initrd_size = initrd_size,
				 .cmdline_addr = tail + TAIL_CMDLINE,
				 .rsdp = guest_rsdp,
				 .fb = &boot_bi->fw.fb };
	struct memmap m;
	int ret = capture_cmdline(bz, args, phys_to_virt(tail + TAIL_CMDLINE), "capture kernel");

	if (ret)
		return ret;
	tail_cmdline_max = MIN(bz->cmdline_max, (u64)PAGE_SIZE - 1);
	if (vl) {
		linux_boot_entry64(&capture_entry, hv.capture_base + vl->entry, tail + TAIL_BP,
				   tail + TAIL_GDT, tail + TAIL_PGT);
		/* Built now and checked with the boot data: nothing left to build at the crash. */
		if (linux_identity_map(tail + TAIL_PGT, TAIL_PGT_MAX, hv.capture_base,
				       tail + TAIL_SIZE)) {
			pr_err("capture kernel: the capture region is too large for its entry's identity map");
			return -ENOSPC;
		}
	} else
		linux_boot_entry(&capture_entry, hv.capture_base, tail + TAIL_BP, tail + TAIL_GDT);
	if (capture_e820(boot_bi, &m))
		return -ENOSPC;
	return linux_build_boot_params(phys_to_virt(tail + TAIL_BP), bz, &m, &lb);
}

/* Where things go in the region: the kernel at its base, the initrd right below the tail. */
struct placement {
	u64 kernel_end; /* base + the kernel's init_size, or its vmlinux's span */
	u64 top;	/* the initrd's address, or the tail without one */
};

static int place(const struct bzimage *bz, const struct vmlinux *vl, u64 initrd_size,
		 struct placement *p, const char *what)
{
	u64 base = hv.capture_base, need = vl ? vl->span : bz->init_size;
	/* A vmlinux moves itself by whole 2 MiB pages (head_64.S, __startup_64()). */
	u64 align = vl ? MAX(bz->alignment, 2 * MiB) : bz->alignment;

	p->kernel_end = base + ALIGN_UP(need, PAGE_SIZE);
	p->top = initrd_size <= tail - base ? ALIGN_DOWN(tail - initrd_size, PAGE_SIZE) : base;
	if (hv.capture_size < TAIL_SIZE || initrd_size > tail - base || p->kernel_end > p->top) {
		pr_err_what("%s needs %llu MiB and its initrd %llu MiB: more than capture_mem=%lluM holds",
		       what, (unsigned long long)(need >> 20),
		       (unsigned long long)(initrd_size >> 20),
		       (unsigned long long)(hv.capture_size >> 20));
		return -ENOSPC;
	}
	/* kexec refuses them as crash kernels too: it would decompress itself to pref_address. */
	if (!bz->relocatable && bz->pref_address != base) {
		pr_err_what("%s is not relocatable (relocatable_kernel 0 in its setup header): it runs at 0x%llx only, outside the capture region at 0x%llx",
		       what, (unsigned long long)bz->pref_address, (unsigned long long)base);
		return -ENOEXEC;
	}
	if (!IS_ALIGNED(base, align)) {
		pr_err_what("%s wants %llu KiB alignment; the region is at 0x%llx", what,
		       (unsigned long long)(align >> 10), (unsigned long long)base);
		return -EINVAL;
	}
	if (what && p->top - p->kernel_end < MIN_RUN_MEM)
		pr_warn("%s: only %llu MiB left to run in; consider a larger capture_mem", what,
			(unsigned long long)((p->top - p->kernel_end) >> 20));
	return 0;
}

/* The page tables linux_identity_map() builds for the region: a PML4, a PDPT, a PD per GiB. */
static u64 pgt_pages(void)
{
	return 2 + (ALIGN_UP(tail + TAIL_SIZE, GiB) - ALIGN_DOWN(hv.capture_base, GiB)) / GiB;
}

/* The armed contents: kernel and initrd, and the boot data (not the ELF header, written at crash). */
static void set_contents(struct capture_state *c, const struct bzimage *bz,
			 const struct vmlinux *vl, const struct placement *p, u64 initrd_size)
{
	c->nhashed = 0;
	if (vl)
		for (unsigned int i = 0; i < vl->nchecked; i++)
			c->hashed[c->nhashed++] = (struct phys_range){
				hv.capture_base + vl->checked[i].start,
				hv.capture_base + vl->checked[i].end, "kernel"
			};
	else
		c->hashed[c->nhashed++] = (struct phys_range){
			hv.capture_base, hv.capture_base + bz->kernel_size, "kernel"
		};
	if (initrd_size)
		c->hashed[c->nhashed++] =
			(struct phys_range){ p->top, p->top + initrd_size, "initrd" };
	c->hashed[c->nhashed++] = (struct phys_range){ tail, tail + TAIL_ELF, CAPTURE_BOOT_DATA };
	if (vl)
		c->hashed[c->nhashed++] = (struct phys_range){
			tail + TAIL_PGT, tail + TAIL_PGT + pgt_pages() * PAGE_SIZE, CAPTURE_BOOT_DATA
		};
	c->free_start = p->kernel_end;
	c->free_end = p->top;
}

/* The capture kernel's address space, built once (also for a first load at run time). */
static int build_space(void)
{
	int ret;

	if (space_built)
		return 0;
	ret = gpm_build(&capture_gpm, GPM_CAPTURE, vendor->npt_format, vendor->npt_max_leaf);
	if (!ret && nr_cpus_online > 1)
		ret = apic_trap_init(&capture_gpm);
	space_built = !ret;
	return ret;
}

void arch_capture_init(const struct boot_info *bi, struct capture_state *c)
{
	boot_bi = bi;
	tail = hv.capture_size >= TAIL_SIZE ? hv.capture_base + hv.capture_size - TAIL_SIZE
					    : hv.capture_base;
	c->free_start = hv.capture_base;
	c->free_end = tail;
}

int arch_capture_stage(const struct boot_info *bi, struct capture_state *c)
{
	const struct boot_module *km = bi->by_role[ROLE_CAPTURE];
	const struct boot_module *im = bi->by_role[ROLE_CAPTURE_INITRD];
	const struct boot_module *vm = bi->by_role[ROLE_CAPTURE_VMLINUX];
	u64 initrd_size = im ? im->size : 0;
	const struct vmlinux *v = NULL;
	struct placement p;
	struct bzimage bz;
	struct vmlinux vl;
	int ret;

	ret = bzimage_parse(phys_to_virt(km->start), km->size, &bz, "capture kernel");
	if (ret)
		return ret;
	if (vm) {
		ret = vmlinux_parse(phys_to_virt(vm->start), vm->size, &vl, "capture vmlinux");
		if (!ret)
			ret = vmlinux_matches(&vl, &bz, "capture vmlinux");
		if (ret)
			pr_warn("capture vmlinux not used: the capture kernel will decompress itself at the crash");
		else
			v = &vl;
	}
	ret = place(&bz, v, initrd_size, &p, "capture kernel");
	if (ret)
		return ret;
	if (v)
		vmlinux_load(v, phys_to_virt(hv.capture_base));
	else
		memcpy(phys_to_virt(hv.capture_base), bz.image + bz.setup_size, bz.kernel_size);
	if (im)
		memcpy(phys_to_virt(p.top), phys_to_virt(im->start), im->size);
	ret = write_tail(&bz, v, km->args, im ? p.top : 0, initrd_size);
	if (ret)
		return ret;
	if (!boot_madt.nr_ioapics)
		pr_warn("ACPI: the MADT lists no IO-APIC; none is quiesced at hand-over");
	set_contents(c, &bz, v, &p, initrd_size);
	c->meta = (struct capture_meta){ .protocol = bz.hdr->version,
					 .kernel_size = v ? vm->size : km->size,
					 .initrd_size = initrd_size };
	bzimage_version(&bz, c->meta.version, sizeof(c->meta.version));
	snprintf_hv(c->meta.cmdline, sizeof(c->meta.cmdline), "%s", km->args);
	ret = build_space();
	if (ret)
		return ret;
	if (v)
		pr_info("capture kernel: its vmlinux laid out at 0x%llx+0x%llx, entered in 64-bit mode at 0x%llx (no decompression at the crash)",
			(unsigned long long)hv.capture_base, (unsigned long long)v->span,
			(unsigned long long)(hv.capture_base + v->entry));
	pr_info("capture kernel: boot protocol %u.%02u at 0x%llx, initrd 0x%llx+%llu, %llu MiB to run in, command line \"%s\"",
		bz.hdr->version >> 8, bz.hdr->version & 0xff, (unsigned long long)hv.capture_base,
		(unsigned long long)(im ? p.top : 0), (unsigned long long)initrd_size,
		(unsigned long long)((p.top - p.kernel_end) >> 20),
		(const char *)phys_to_virt(tail + TAIL_CMDLINE));
	return 0;
}

int arch_capture_check(const struct capture_load *l, struct capture_meta *meta, bool quiet)
{
	const char *what = quiet ? NULL : "loaded capture kernel";
	u64 initrd_size = l->size[PARACHUTE_LOAD_INITRD];
	static char cmd[PAGE_SIZE];
	static struct memmap e820;
	struct placement p;
	struct bzimage bz;
	int ret;

	ret = bzimage_parse(phys_to_virt(l->addr[0]), l->size[PARACHUTE_LOAD_KERNEL], &bz, what);
	if (!ret)
		ret = place(&bz, NULL, initrd_size, &p, what);
	if (!ret)
		ret = capture_cmdline(&bz, l->cmdline, cmd, what);
	if (!ret && capture_e820(boot_bi, &e820)) {
		pr_err_what("%s: the capture kernel's memory map has too many entries", what);
		ret = -ENOSPC;
	}
	if (!ret && build_space()) {
		pr_err_what("%s: no memory for the capture kernel's address space", what);
		ret = -ENOSPC;
	}
	if (ret)
		return ret;
	meta->protocol = bz.hdr->version;
	bzimage_version(&bz, meta->version, sizeof(meta->version));
	return 0;
}

void arch_capture_switch(const struct capture_load *l, struct capture_state *c)
{
	u64 initrd_size = l->size[PARACHUTE_LOAD_INITRD];
	struct placement p;
	struct bzimage bz;

	/* Checked by arch_capture_check(): neither can fail now, nor log. */
	bzimage_parse(phys_to_virt(l->addr[0]), l->size[PARACHUTE_LOAD_KERNEL], &bz, "");
	place(&bz, NULL, initrd_size, &p, "loaded capture kernel");
	/* The boot data first, while bz still points at an intact staged copy. */
	write_tail(&bz, NULL, l->cmdline, initrd_size ? p.top : 0, initrd_size);
	/*
	 * The staged copies lie in the old free part, the kernel first: the
	 * initrd moves up (its place ends at the tail, above its staged copy),
	 * then the kernel down to the base (its init_size ends below the initrd).
	 */
	if (initrd_size)
		memmove(phys_to_virt(p.top), phys_to_virt(l->addr[1]), initrd_size);
	memmove(phys_to_virt(hv.capture_base), bz.image + bz.setup_size, bz.kernel_size);
	set_contents(c, &bz, NULL, &p, initrd_size);
}

void arch_capture_unload(struct capture_state *c)
{
	c->nhashed = 0;
	c->free_start = hv.capture_base;
	c->free_end = tail;
}

/* The capture kernel's e820 with what was lent at the crash (lend.c): into its boot_params. */
static void lent_e820(const struct memmap *m)
{
	struct boot_params *bp = phys_to_virt(tail + TAIL_BP);
	const struct phys_range *runs;

	if (!lend_runs(&runs))
		return;
	bp->e820_entries = (u8)m->nr;
	memcpy(bp->e820_table, m->e, m->nr * sizeof(struct e820_entry));
}

/*
 * capture_lend= lent nothing: the capture kernel runs in the region alone,
 * sized for what lending would add, so on one CPU (each costs it memory).
 * nr_cpus=1 at the end of its command line (Linux takes the last); the
 * stash puts the armed line back at a restart. False: no room to say it.
 */
static bool capture_one_cpu(void)
{
	static const char one[] = " nr_cpus=1";
	char *cmd = phys_to_virt(tail + TAIL_CMDLINE);
	size_t n = strlen(cmd);

	if (n + sizeof(one) - 1 > tail_cmdline_max) {
		pr_warn("crash: the capture kernel's command line has no room for nr_cpus=1: it may start every parked vCPU in the region alone");
		return false;
	}
	memcpy(cmd + n, one, sizeof(one));
	pr_warn("crash: nothing lent: the capture kernel runs on one CPU in the region alone (nr_cpus=1 added to its command line)");
	return true;
}

int arch_capture_handover(struct percpu *cpu)
{
	static struct memmap e820;
	const struct vmcore_place at = {
		.elf_pa = tail + TAIL_ELF,
		.elf_max = TAIL_ELF_MAX,
		.backup_pa = tail + TAIL_BACKUP,
		.low_end = LOW_MEM_END,
		/* Only where a crash may lend: the crash path builds nothing it does not need. */
		.e820 = hv.opt.capture_lend && !capture_e820(boot_bi, &e820) ? &e820 : NULL,
	};
	const struct phys_range *runs;
	struct x86_cpu_state s;
	bool one_cpu;
	long len;

	vendor->save_state(cpu, &s);
	len = vmcore_build(cpu, &s, &at);
	if (len < 0)
		return (int)len;
	lent_e820(&e820);
	one_cpu = hv.opt.capture_lend && !lend_runs(&runs) && capture_one_cpu();
	apic_quiesce(boot_madt.ioapic, boot_madt.nr_ioapics, "the capture kernel");
	/* The run loop makes the entry (VCPU_RESET), not this deep in the exit handler. */
	cpu->arch.reset = capture_entry;
	cpu->arch.reset_gpm = &capture_gpm;
	pr_info("crash: cpu%u enters the capture kernel at 0x%llx%s; it may start %u parked vCPU(s)",
		cpu->cpu_id, (unsigned long long)capture_entry.rip,
		capture_entry.long_mode ? " (its vmlinux, 64-bit entry)" : "",
		one_cpu ? 0 : smp_capture_cpus_open());
	return 0;
}

void arch_capture_dump(struct percpu *cpu)
{
	vcpu_dump(cpu);
}

u64 capture_tail(void)
{
	return tail;
}
