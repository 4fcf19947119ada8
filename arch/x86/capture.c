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
#include <asm/elf.h>
#include <asm/guest.h>
#include <asm/guest_mem.h>
#include <asm/guest_walk.h>
#include <asm/iommu.h>
#include <asm/layout.h>
#include <asm/linux.h>
#include <asm/processor.h>
#include <asm/time.h>
#include <asm/vcpu.h>
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/elfcore.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/vmcoreinfo.h>

#define TAIL_SIZE    (1 * MiB)
#define TAIL_BP	     0x00000
#define TAIL_CMDLINE 0x01000
#define TAIL_GDT     0x02000
#define TAIL_ELF     0x03000
#define TAIL_ELF_MAX (0x20000 - TAIL_ELF)
#define TAIL_BACKUP  0x20000
#define TAIL_PGT     0xc0000
#define TAIL_PGT_MAX 16 /* pages: PML4, PDPT and a PD per GiB of the region */
#define LOW_MEM_END  0xa0000 /* 640 KiB: what a capture kernel may use below 1 MiB */
#define MIN_RUN_MEM  (32 * MiB)

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

/* The crashed kernel's page tables are in the guest's RAM. */
static int read_guest(const void *space, u64 pa, void *buf, unsigned int n)
{
	return gpm_read(space, pa, buf, n);
}

/* Kernel addresses through the crashed vCPU's tables (CR3 without PCID and the PTI user bit). */
static void crashed_paging(const struct x86_cpu_state *s, struct guest_paging *gp)
{
	*gp = (struct guest_paging){ s->cr0,	  s->cr3 & ~0x1fffull, s->cr4, s->efer,
				     read_guest, &guest_gpm };
}

#define START_KERNEL_MAP 0xffffffff80000000ull /* __START_KERNEL_map */
#define CR4_LA57	 (1ull << 12)

/*
 * The guest's direct map (page_offset_base, randomised in 1 GiB steps with
 * KASLR). VMCOREINFO's mem_section lies in it: its address less its physical
 * one, if that translates physical 0 back. Otherwise the lowest kernel-half
 * address at a 1 GiB boundary that translates to physical 0. 0 if none.
 */
static u64 direct_map_base(const struct x86_cpu_state *s, const char *vi, u32 vi_len)
{
	struct guest_paging gp;
	u64 va, pa, zero;

	if (!(s->efer & EFER_LMA) || (s->cr4 & CR4_LA57))
		return 0;
	crashed_paging(s, &gp);
	if (vi && !vmcoreinfo_hex(vi, vi_len, "SYMBOL(mem_section)", &va) &&
	    !guest_translate(&gp, va, &pa) && IS_ALIGNED(va - pa, GiB) &&
	    !guest_translate(&gp, va - pa, &zero) && zero == 0)
		return va - pa;
	for (u64 i = 256; i < 512; i++)
		for (u64 j = 0; j < 512; j++) {
			va = 0xffff000000000000ull | i << 39 | j << 30;
			if (!guest_translate(&gp, va, &pa) && pa == 0)
				return va;
		}
	return 0;
}

/*
 * The kernel-text mapping, as the kernel's own core header has it
 * ([_text, _end) at __START_KERNEL_map + phys_base): from VMCOREINFO's _stext,
 * which is _text on x86-64, through the crashed kernel's own tables, up to
 * the last 2 MiB of the image it still maps linearly (cleanup_highmap()
 * keeps [_text, _brk_end rounded up to 2 MiB]). Debuggers read the kernel's
 * page tables and variables through it.
 */
static void kernel_text(const struct x86_cpu_state *s, const char *vi, u32 vi_len,
			struct elfcore_input *in)
{
	u64 stext, pa, p, end = 0, limit = START_KERNEL_MAP + 1 * GiB;
	struct guest_paging gp;
	s64 v;

	crashed_paging(s, &gp);
	if (!vi || vmcoreinfo_hex(vi, vi_len, "SYMBOL(_stext)", &stext) ||
	    stext < START_KERNEL_MAP || !IS_ALIGNED(stext, 2 * MiB) ||
	    guest_translate(&gp, stext, &pa))
		return;
	if (!vmcoreinfo_number(vi, vi_len, "NUMBER(phys_base)", &v) &&
	    stext - START_KERNEL_MAP + (u64)v != pa)
		pr_warn("crash: _stext maps to 0x%llx, not where VMCOREINFO's phys_base puts it",
			(unsigned long long)pa);
	if (!vmcoreinfo_number(vi, vi_len, "NUMBER(KERNEL_IMAGE_SIZE)", &v) && v > 0 &&
	    (u64)v < limit - START_KERNEL_MAP)
		limit = START_KERNEL_MAP + (u64)v;
	for (u64 va = stext; va < limit; va += 2 * MiB)
		if (!guest_translate(&gp, va, &p) && p == pa + (va - stext))
			end = va + 2 * MiB;
	while (end > stext && !memmap_is_ram(&hv.guest_map, pa, end - stext))
		end -= 2 * MiB;
	/* A limit at or below _stext (the crashed guest wrote VMCOREINFO): no text segment. */
	if (end <= stext)
		return;
	in->text_vaddr = stext;
	in->text_paddr = pa;
	in->text_size = end - stext;
}

/*
 * Whether a VMCOREINFO note describes the crashed kernel and not one that ran
 * before it (a note left in RAM by a kernel the guest kexec'd from): its
 * _stext maps, through the crashed vCPU's tables, to where its phys_base
 * puts it. With KASLR each boot moves _stext. A note without either line, or
 * a vCPU not in 4-level long mode, cannot be told apart and is accepted.
 */
static bool vmcoreinfo_fits_crashed(u64 desc_pa, u32 desc_len, const void *ctx)
{
	const struct x86_cpu_state *s = ctx;
	const char *vi = phys_to_virt(desc_pa);
	struct guest_paging gp;
	u64 stext, pa;
	s64 base;

	if (!(s->efer & EFER_LMA) || (s->cr4 & CR4_LA57) ||
	    vmcoreinfo_hex(vi, desc_len, "SYMBOL(_stext)", &stext) ||
	    vmcoreinfo_number(vi, desc_len, "NUMBER(phys_base)", &base) || stext < START_KERNEL_MAP)
		return true;
	crashed_paging(s, &gp);
	return !guest_translate(&gp, stext, &pa) && pa == stext - START_KERNEL_MAP + (u64)base;
}

/*
 * n bytes of the crashed kernel's per-CPU variable at offset off on the vCPU
 * whose state is s: its per-CPU base is its GS base in kernel mode and
 * KERNEL_GS_BASE in user mode, whichever lies in the kernel half.
 */
static int percpu_read(const struct x86_cpu_state *s, u64 off, void *buf, unsigned int n)
{
	u64 base = (s->gs_base >> 63)	     ? s->gs_base :
		   (s->kernel_gs_base >> 63) ? s->kernel_gs_base :
					       0;
	struct guest_paging gp;

	crashed_paging(s, &gp);
	return base ? guest_read_linear(&gp, base + off, buf, n) : -EFAULT;
}

/*
 * pr_pid as the kernel's crash_save_cpu() writes it, current->pid, at the
 * offsets the guest module gave. 0 when the guest gave none or a read fails.
 */
static s32 running_pid(const struct x86_cpu_state *s)
{
	struct guest_paging gp;
	u64 task;
	s32 pid;

	crashed_paging(s, &gp);
	if (!capture.kinfo.valid ||
	    percpu_read(s, capture.kinfo.current_task, &task, sizeof(task)) ||
	    guest_read_linear(&gp, task + capture.kinfo.task_pid_offset, &pid, sizeof(pid)))
		return 0;
	return pid;
}

/* The kernel's number for the vCPU (its per-CPU cpu_number), or -1 if unknown. */
static s32 kernel_cpu(const struct x86_cpu_state *s)
{
	s32 n;

	if (!capture.kinfo.cpu_number ||
	    percpu_read(s, capture.kinfo.cpu_number, &n, sizeof(n)) || n < 0)
		return -1;
	return n;
}

/*
 * crashing_cpu as the kernel's own crash path sets it
 * (native_machine_crash_shutdown()): debuggers take the crashed thread from
 * the NT_PRSTATUS note of that CPU (drgn's crashed_thread()). The one word
 * of the crashed kernel the hv writes, and only where the guest said it is.
 */
static void record_crashing_cpu(const struct x86_cpu_state *s, s32 cpu)
{
	struct guest_paging gp;
	u64 pa;

	crashed_paging(s, &gp);
	if (!capture.kinfo.crashing_cpu ||
	    guest_translate(&gp, capture.kinfo.crashing_cpu, &pa) ||
	    !gpm_is_ram(&guest_gpm, pa, sizeof(cpu))) {
		if (capture.kinfo.crashing_cpu)
			pr_warn("crash: crashing_cpu at 0x%llx is not in guest RAM; left as it is",
				(unsigned long long)capture.kinfo.crashing_cpu);
		return;
	}
	memcpy(phys_to_virt(pa), &cpu, sizeof(cpu));
	pr_info("crash: crashing_cpu = %d, as the kernel's crash path records it", cpu);
}

static void elf_regs(const struct x86_cpu_state *s, u64 *r)
{
	const struct guest_regs *g = &s->gpr;

	r[ELF_R15] = g->r15, r[ELF_R14] = g->r14, r[ELF_R13] = g->r13, r[ELF_R12] = g->r12;
	r[ELF_RBP] = g->rbp, r[ELF_RBX] = g->rbx, r[ELF_R11] = g->r11, r[ELF_R10] = g->r10;
	r[ELF_R9] = g->r9, r[ELF_R8] = g->r8, r[ELF_RAX] = g->rax, r[ELF_RCX] = g->rcx;
	r[ELF_RDX] = g->rdx, r[ELF_RSI] = g->rsi, r[ELF_RDI] = g->rdi;
	r[ELF_ORIG_RAX] = ~0ull;
	r[ELF_RIP] = s->rip, r[ELF_CS] = s->cs, r[ELF_EFLAGS] = s->rflags;
	r[ELF_RSP] = s->rsp, r[ELF_SS] = s->ss;
	r[ELF_FS_BASE] = s->fs_base, r[ELF_GS_BASE] = s->gs_base;
	r[ELF_DS] = s->ds, r[ELF_ES] = s->es, r[ELF_FS] = s->fs, r[ELF_GS] = s->gs;
}

/* Back up guest RAM below 640 KiB; list every guest RAM range for PT_LOAD. */
static unsigned int ram_ranges(struct elfcore_range *r, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < hv.guest_map.nr && n < max; i++) {
		const struct e820_entry *e = &hv.guest_map.e[i];
		u64 a = e->addr, b = e->addr + e->size;

		if (e->type != E820_RAM)
			continue;
		if (a < LOW_MEM_END) {
			u64 lb = MIN(b, (u64)LOW_MEM_END);

			memcpy(phys_to_virt(tail + TAIL_BACKUP + a), phys_to_virt(a), lb - a);
			r[n++] = (struct elfcore_range){ a, lb - a, tail + TAIL_BACKUP + a };
			a = lb;
		}
		if (a < b && n < max)
			r[n++] = (struct elfcore_range){ a, b - a, a };
	}
	return n;
}

/* The state a vCPU left for the capture: the crashing one's is in hand. */
static const struct x86_cpu_state *state_of(const struct percpu *crashing,
					    const struct x86_cpu_state *s, const struct percpu *c)
{
	return c == crashing ? s : &c->arch.crash_state;
}

/*
 * The vCPU state whose page tables tell the crashed kernel's layout (its
 * direct map, its text, which VMCOREINFO is its own): the crashing vCPU's,
 * unless it is not in long mode (a guest that reset it with INIT, a crash
 * in real-mode code), then the first other vCPU's that is.
 */
static const struct x86_cpu_state *paging_state(const struct percpu *cpu,
						const struct x86_cpu_state *s,
						const struct percpu *const *order, unsigned int n)
{
	for (unsigned int i = 0; !(s->efer & EFER_LMA) && i < n; i++) {
		const struct x86_cpu_state *o = state_of(cpu, s, order[i]);

		if (o->efer & EFER_LMA) {
			pr_warn("crash: cpu%u is not in long mode: the kernel's layout is read through cpu%u's page tables",
				cpu->cpu_id, order[i]->cpu_id);
			return o;
		}
	}
	return s;
}

int arch_capture_handover(struct percpu *cpu)
{
	static struct elfcore_range ram[MEMMAP_MAX];
	static struct elfcore_cpu ec[MAX_CPUS];
	const struct percpu *order[MAX_CPUS];
	s32 key[MAX_CPUS];
	bool known = true;
	struct elfcore_input in = { 0 };
	unsigned int n = 0;
	struct x86_cpu_state s;
	const struct x86_cpu_state *paging;
	u64 vi_pa = 0;
	u32 vi_len = 0;
	enum vmcoreinfo_way vi_way = VMCOREINFO_SCANNED;
	long len;

	/*
	 * One NT_PRSTATUS per vCPU in the kernel's CPU order: its own numbers
	 * where the guest module told where they are, else APIC IDs (the hv
	 * numbers CPUs as they arrived). The other vCPUs saved their state
	 * when they parked.
	 */
	vendor->save_state(cpu, &s);
	for (unsigned int i = 0; i < MAX_CPUS; i++)
		if (&percpu_area[i] == cpu || percpu_area[i].arch.crash_saved) {
			order[n] = &percpu_area[i];
			key[n] = kernel_cpu(state_of(cpu, &s, order[n]));
			known &= key[n] >= 0;
			n++;
		}
	for (unsigned int i = 0; i < n; i++)
		if (!known)
			key[i] = (s32)order[i]->apic_id;
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j && key[j - 1] > key[j]; j--) {
			const struct percpu *t = order[j];
			s32 k = key[j];

			order[j] = order[j - 1], key[j] = key[j - 1];
			order[j - 1] = t, key[j - 1] = k;
		}
	for (unsigned int i = 0; i < n; i++) {
		const struct x86_cpu_state *st = state_of(cpu, &s, order[i]);

		memset(&ec[i], 0, sizeof(ec[i]));
		elf_regs(st, ec[i].regs);
		ec[i].pid = running_pid(st);
		if (order[i] == cpu)
			record_crashing_cpu(&s, known ? key[i] : (s32)i);
	}
	in.ncpus = n;
	in.cpus = ec;
	paging = paging_state(cpu, &s, order, n);
	if (find_vmcoreinfo(&hv.guest_map, vmcoreinfo_fits_crashed, paging, &vi_pa, &vi_len,
			    &vi_way) == 0) {
		in.vmcoreinfo = phys_to_virt(vi_pa);
		in.vmcoreinfo_len = vi_len;
		if (capture.kinfo.vmcoreinfo_note && vi_way != VMCOREINFO_REGISTERED)
			pr_warn("crash: no VMCOREINFO note of this kernel where the guest registered it (0x%llx): %s",
				(unsigned long long)capture.kinfo.vmcoreinfo_note,
				vmcoreinfo_way_name(vi_way));
		else if (capture.probe.done && capture.probe.found && vi_way == VMCOREINFO_SCANNED)
			pr_warn("crash: no VMCOREINFO note of this kernel where the probe saw one (0x%llx): scanned",
				(unsigned long long)capture.probe.found);
	} else {
		pr_warn("no VMCOREINFO note in guest RAM: tools will need the guest's vmlinux");
	}
	in.page_offset = direct_map_base(paging, in.vmcoreinfo, in.vmcoreinfo_len);
	kernel_text(paging, in.vmcoreinfo, in.vmcoreinfo_len, &in);
	in.ram = ram;
	in.nram = ram_ranges(ram, MEMMAP_MAX);
	len = elfcore_build(phys_to_virt(tail + TAIL_ELF), TAIL_ELF_MAX, tail + TAIL_ELF, &in);
	if (len < 0) {
		pr_err("ELF core header does not fit in %u bytes", TAIL_ELF_MAX);
		return (int)len;
	}
	pr_info("crash: cpu%u rip %04llx:%016llx rsp %016llx cr3 %016llx", cpu->cpu_id,
		(unsigned long long)s.cs, (unsigned long long)s.rip, (unsigned long long)s.rsp,
		(unsigned long long)s.cr3);
	pr_info("crash: ELF core header 0x%llx+%ld: %u PT_LOAD, %u NT_PRSTATUS, VMCOREINFO %s0x%llx%s%s%s, direct map 0x%llx, kernel text 0x%llx+0x%llx",
		(unsigned long long)(tail + TAIL_ELF), len, in.nram + (in.text_size ? 1 : 0),
		in.ncpus, in.vmcoreinfo ? "at " : "missing ", (unsigned long long)vi_pa,
		in.vmcoreinfo ? " (" : "", in.vmcoreinfo ? vmcoreinfo_way_name(vi_way) : "",
		in.vmcoreinfo ? ")" : "",
		(unsigned long long)in.page_offset, (unsigned long long)in.text_vaddr,
		(unsigned long long)in.text_size);
	for (unsigned int i = 0; i < n; i++)
		pr_info("crash: NT_PRSTATUS %u: cpu%u (APIC %u) pid %d rip 0x%llx", i,
			order[i]->cpu_id, order[i]->apic_id, ec[i].pid,
			(unsigned long long)ec[i].regs[ELF_RIP]);

	apic_quiesce(boot_madt.ioapic, boot_madt.nr_ioapics, "the capture kernel");
	/* The run loop makes the entry (VCPU_RESET), not this deep in the exit handler. */
	cpu->arch.reset = capture_entry;
	cpu->arch.reset_gpm = &capture_gpm;
	pr_info("crash: cpu%u enters the capture kernel at 0x%llx%s", cpu->cpu_id,
		(unsigned long long)capture_entry.rip,
		capture_entry.long_mode ? " (its vmlinux, 64-bit entry)" : "");
	return 0;
}

void arch_capture_dump(struct percpu *cpu)
{
	vcpu_dump(cpu);
}

/* What the restart stash keeps of the staged capture kernel: its hashed ranges' bytes. */
u64 arch_capture_stash_need(const struct boot_info *bi)
{
	const struct boot_module *km = bi->by_role[ROLE_CAPTURE];
	const struct boot_module *im = bi->by_role[ROLE_CAPTURE_INITRD];
	const struct boot_module *vm = bi->by_role[ROLE_CAPTURE_VMLINUX];
	u64 need = TAIL_ELF + (im ? ALIGN_UP(im->size, PAGE_SIZE) : 0);
	struct bzimage bz;
	struct vmlinux vl;

	if (!km)
		return 0;
	if (bzimage_parse(phys_to_virt(km->start), km->size, &bz, "capture kernel"))
		return 0; /* refused again, and logged, when staged */
	if (vm && !vmlinux_parse(phys_to_virt(vm->start), vm->size, &vl, "capture vmlinux")) {
		need += TAIL_PGT_MAX * PAGE_SIZE; /* its entry's identity map, at most */
		for (unsigned int i = 0; i < vl.nchecked; i++)
			need += ALIGN_UP(vl.checked[i].end - vl.checked[i].start, PAGE_SIZE);
		return need;
	}
	return need + ALIGN_UP(bz.kernel_size, PAGE_SIZE);
}

int arch_capture_restart(struct percpu *cpu, const struct boot_module *km,
			 const struct boot_module *im)
{
	struct x86_entry e;
	int ret;

	/* Guest RAM below 640 KiB as the crash left it: the capture kernel ran there. */
	for (unsigned int i = 0; i < hv.guest_map.nr; i++) {
		const struct e820_entry *r = &hv.guest_map.e[i];

		if (r->type == E820_RAM && r->addr < LOW_MEM_END)
			memcpy(phys_to_virt(r->addr), phys_to_virt(tail + TAIL_BACKUP + r->addr),
			       MIN(r->addr + r->size, (u64)LOW_MEM_END) - r->addr);
	}
	ret = guest_prepare_restart(km, im, &e);
	if (ret)
		return ret;
	/* As at the hand-over: the capture kernel's interrupt set-up is not the guest's. */
	apic_quiesce(boot_madt.ioapic, boot_madt.nr_ioapics, "the guest kernel");
	seal_reset();
	ret = iommu_guest_mode();
	if (ret)
		return ret;
	/* Every other vCPU waits for the guest's start-up IPI again, as at boot. */
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		struct percpu *t = &percpu_area[i];

		if (t == cpu)
			continue;
		t->arch.crash_saved = false;
		t->arch.mbox.init = 0;
		t->arch.mbox.sipi = 0;
		__atomic_store_n(&t->arch.mbox.park, 0, __ATOMIC_SEQ_CST);
	}
	if (nr_cpus_online > 1 && apic_trap_set(true))
		return -ENOMEM;
	cpu->arch.reset = e;
	cpu->arch.reset_gpm = &guest_gpm;
	return 0;
}
