// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vmcore's description, built at the hand-over (docs/capture.md): one
 * NT_PRSTATUS per vCPU in the crashed kernel's CPU order, the VMCOREINFO
 * note this kernel wrote, its direct map and text read through its own page
 * tables, and a PT_LOAD per guest RAM range, in one ELF core header that
 * the capture kernel finds with elfcorehdr=. Everything it reads of the
 * guest is the crashed guest's, and is checked as such.
 */
#include <asm/elf.h>
#include <asm/guest_mem.h>
#include <asm/guest_walk.h>
#include <asm/lend.h>
#include <asm/processor.h>
#include <asm/vcpu.h>
#include <asm/vmcore.h>
#include <hv/capture.h>
#include <hv/elfcore.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/vmcoreinfo.h>

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

#define START_KERNEL_MAP GUEST_START_KERNEL_MAP
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

/* Whether a VMCOREINFO note describes the crashed kernel (guest_vmcoreinfo_fits()). */
static bool vmcoreinfo_fits_crashed(u64 desc_pa, u32 desc_len, const void *ctx)
{
	struct guest_paging gp;

	crashed_paging(ctx, &gp);
	return guest_vmcoreinfo_fits(&gp, phys_to_virt(desc_pa), desc_len);
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

/* [a, b) of guest RAM into r[n..max), less what was lent to the capture kernel. */
static unsigned int add_ram(struct elfcore_range *r, unsigned int n, unsigned int max, u64 a,
			    u64 b)
{
	const struct phys_range *lent;
	unsigned int nl = lend_runs(&lent);

	for (unsigned int i = 0; i < nl && a < b; i++) {
		if (lent[i].end <= a || lent[i].start >= b)
			continue;
		if (lent[i].start > a && n < max)
			r[n++] = (struct elfcore_range){ a, lent[i].start - a, a };
		a = MIN(lent[i].end, b);
	}
	if (a < b && n < max)
		r[n++] = (struct elfcore_range){ a, b - a, a };
	return n;
}

/*
 * Back up guest RAM below at->low_end; list every guest RAM range for
 * PT_LOAD, but what was lent to the capture kernel: the dump level drops
 * those pages, and the capture kernel overwrites them.
 */
static unsigned int ram_ranges(const struct vmcore_place *at, struct elfcore_range *r,
			       unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < hv.guest_map.nr && n < max; i++) {
		const struct e820_entry *e = &hv.guest_map.e[i];
		u64 a = e->addr, b = e->addr + e->size;

		if (e->type != E820_RAM)
			continue;
		if (a < at->low_end) {
			u64 lb = MIN(b, at->low_end);

			memcpy(phys_to_virt(at->backup_pa + a), phys_to_virt(a), lb - a);
			r[n++] = (struct elfcore_range){ a, lb - a, at->backup_pa + a };
			a = lb;
		}
		n = add_ram(r, n, max, a, b);
	}
	return n;
}

/* Why no vCPU may be lent memory: one did not park and could still write it. */
static const char *unparked(const struct percpu *cpu)
{
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		const struct percpu *t = &percpu_area[i];

		if (t != cpu && t->state == CPU_GUEST && !t->arch.crash_saved)
			return "a vCPU did not park and could still write it";
	}
	return NULL;
}

/*
 * capture_lend=: the crashed kernel's free blocks the dump level drops,
 * found and given to the capture kernel (lend.c) before the PT_LOADs are
 * listed without them. A failure lends nothing and says why.
 */
static void lend(const struct percpu *cpu, const struct x86_cpu_state *paging,
		 const struct elfcore_input *in, struct memmap *e820)
{
	const struct phys_range *runs;
	struct lend_report rep = { 0 };
	const char *why = unparked(cpu);
	unsigned int n;

	if (!hv.opt.capture_lend || !e820)
		return;
	if (!why)
		why = lend_find(paging, in->vmcoreinfo, in->vmcoreinfo_len, &rep);
	if (!why && lend_apply(e820)) {
		lend_return();
		why = "the capture kernel's memory map or tables could not take it";
	}
	if (why) {
		pr_warn("crash: nothing lent to the capture kernel (capture_lend=%lluM): %s; it runs in the capture region alone",
			(unsigned long long)(hv.opt.capture_lend >> 20), why);
		return;
	}
	pr_info("crash: lent %llu MiB of %llu to the capture kernel in %u run(s): %llu MiB of the crashed kernel's free blocks, %llu MiB of 2 MiB chunks of pages dump_level=%u drops, found in %llu us%s",
		(unsigned long long)(rep.bytes >> 20),
		(unsigned long long)(hv.opt.capture_lend >> 20), rep.runs,
		(unsigned long long)((rep.bytes - rep.cache) >> 20),
		(unsigned long long)(rep.cache >> 20), hv.opt.dump_level, (unsigned long long)rep.us,
		rep.cut ? " (search cut by its time or run limit)" : "");
	n = lend_runs(&runs);
	for (unsigned int i = 0; i < n && i < 8; i++)
		pr_info("crash: lent 0x%llx-0x%llx (%llu MiB)", (unsigned long long)runs[i].start,
			(unsigned long long)runs[i].end - 1,
			(unsigned long long)((runs[i].end - runs[i].start) >> 20));
	if (n > 8)
		pr_info("crash: lent %u more run(s)", n - 8);
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

/*
 * The vCPUs that saved their state (the crashing one and those that parked)
 * in the kernel's CPU order: its own numbers where the guest module told
 * where they are, else APIC IDs (the hv numbers CPUs as they arrived).
 * Returns how many; *known says whether the kernel's numbers were used.
 */
static unsigned int cpu_order(const struct percpu *cpu, const struct x86_cpu_state *s,
			      const struct percpu **order, s32 *key, bool *known)
{
	unsigned int n = 0;

	*known = true;
	for (unsigned int i = 0; i < MAX_CPUS; i++)
		if (&percpu_area[i] == cpu || percpu_area[i].arch.crash_saved) {
			order[n] = &percpu_area[i];
			key[n] = kernel_cpu(state_of(cpu, s, order[n]));
			*known &= key[n] >= 0;
			n++;
		}
	for (unsigned int i = 0; i < n; i++)
		if (!*known)
			key[i] = (s32)order[i]->apic_id;
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j && key[j - 1] > key[j]; j--) {
			const struct percpu *t = order[j];
			s32 k = key[j];

			order[j] = order[j - 1], key[j] = key[j - 1];
			order[j - 1] = t, key[j - 1] = k;
		}
	return n;
}

/* The VMCOREINFO note the capture kernel's tools get, and how it was found. */
static void choose_vmcoreinfo(const struct x86_cpu_state *paging, struct elfcore_input *in,
			      u64 *pa, enum vmcoreinfo_way *way)
{
	u32 len = 0;

	*pa = 0;
	*way = VMCOREINFO_SCANNED;
	if (find_vmcoreinfo(&hv.guest_map, vmcoreinfo_fits_crashed, paging, pa, &len, way)) {
		pr_warn("no VMCOREINFO note in guest RAM: tools will need the guest's vmlinux");
		return;
	}
	in->vmcoreinfo = phys_to_virt(*pa);
	in->vmcoreinfo_len = len;
	if (capture.kinfo.vmcoreinfo_note && *way != VMCOREINFO_REGISTERED)
		pr_warn("crash: no VMCOREINFO note of this kernel where the guest registered it (0x%llx): %s",
			(unsigned long long)capture.kinfo.vmcoreinfo_note, vmcoreinfo_way_name(*way));
	else if (capture.probe.done && capture.probe.found && *way == VMCOREINFO_SCANNED)
		pr_warn("crash: no VMCOREINFO note of this kernel where the probe saw one (0x%llx): scanned",
			(unsigned long long)capture.probe.found);
}

long vmcore_build(struct percpu *cpu, const struct x86_cpu_state *s, const struct vmcore_place *at)
{
	static struct elfcore_range ram[MEMMAP_MAX];
	static struct elfcore_cpu ec[MAX_CPUS];
	const struct percpu *order[MAX_CPUS];
	s32 key[MAX_CPUS];
	struct elfcore_input in = { 0 };
	const struct x86_cpu_state *paging;
	enum vmcoreinfo_way vi_way;
	u64 vi_pa;
	bool known;
	unsigned int n = cpu_order(cpu, s, order, key, &known);
	long len;

	for (unsigned int i = 0; i < n; i++) {
		const struct x86_cpu_state *st = state_of(cpu, s, order[i]);

		memset(&ec[i], 0, sizeof(ec[i]));
		elf_regs(st, ec[i].regs);
		ec[i].pid = running_pid(st);
		if (order[i] == cpu)
			record_crashing_cpu(s, known ? key[i] : (s32)i);
	}
	in.ncpus = n;
	in.cpus = ec;
	paging = paging_state(cpu, s, order, n);
	choose_vmcoreinfo(paging, &in, &vi_pa, &vi_way);
	in.page_offset = direct_map_base(paging, in.vmcoreinfo, in.vmcoreinfo_len);
	kernel_text(paging, in.vmcoreinfo, in.vmcoreinfo_len, &in);
	lend(cpu, paging, &in, at->e820);
	in.ram = ram;
	in.nram = ram_ranges(at, ram, MEMMAP_MAX);
	len = elfcore_build(phys_to_virt(at->elf_pa), at->elf_max, at->elf_pa, &in);
	if (len < 0) {
		pr_err("ELF core header does not fit in %u bytes", at->elf_max);
		return len;
	}
	pr_info("crash: cpu%u rip %04llx:%016llx rsp %016llx cr3 %016llx", cpu->cpu_id,
		(unsigned long long)s->cs, (unsigned long long)s->rip, (unsigned long long)s->rsp,
		(unsigned long long)s->cr3);
	pr_info("crash: ELF core header 0x%llx+%ld: %u PT_LOAD, %u NT_PRSTATUS, VMCOREINFO %s0x%llx%s%s%s, direct map 0x%llx, kernel text 0x%llx+0x%llx",
		(unsigned long long)at->elf_pa, len, in.nram + (in.text_size ? 1 : 0),
		in.ncpus, in.vmcoreinfo ? "at " : "missing ", (unsigned long long)vi_pa,
		in.vmcoreinfo ? " (" : "", in.vmcoreinfo ? vmcoreinfo_way_name(vi_way) : "",
		in.vmcoreinfo ? ")" : "",
		(unsigned long long)in.page_offset, (unsigned long long)in.text_vaddr,
		(unsigned long long)in.text_size);
	for (unsigned int i = 0; i < n; i++)
		pr_info("crash: NT_PRSTATUS %u: cpu%u (APIC %u) pid %d rip 0x%llx", i,
			order[i]->cpu_id, order[i]->apic_id, ec[i].pid,
			(unsigned long long)ec[i].regs[ELF_RIP]);
	return len;
}
