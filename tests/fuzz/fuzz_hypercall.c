// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile guest: hypercalls (hv/hypercall.c) with any registers and CPL,
 * over guest memory it controls, and what they reach: run-time loads of a
 * capture kernel and the x86 checks of it (hv/capture.c, arch/x86/capture.c,
 * arch/x86/linux.c), the watchdog (hv/watchdog.c), the kexec seal
 * (arch/x86/seal.c), and the crash path over the guest's page tables and
 * VMCOREINFO (arch_capture_handover(), hv/elfcore.c); besides them the
 * exits a guest causes at will (ports, nested page faults with the xAPIC
 * store decoder, WRMSR, CPUID, NMIs) through arch/x86/vcpu.c. The rest of
 * the hv is tests/stub/stub.c, which tests/unit/test_policy.c shares.
 *
 * Guest RAM is 16 pages at GUEST_BASE, page HIDDEN_PAGE of it hidden (as a
 * range the hv keeps inside a RAM entry); it and the pages around RAM are
 * poisoned, so any access of the hv's there is an ASan report. The capture
 * region is 4 MiB at CAPTURE_BASE.
 *
 * Input: a header, then up to MAX_OPS operations.
 * Header: flags (bit 0 capture armed at boot with a small bzImage, 1
 * reload=lock, 2 crash_hypercall=refuse, 3 watchdog=off, 4
 * capture_failure=halt, 5 no TSC frequency, 6 nmi=guest, 7 pvpanic=off),
 * flags2 (bits 0-1 other vCPUs (0-2), 2 a VGA text screen, 3 a GOP one, 4
 * a 2 MiB capture region, 5 triple_fault=report, 6 LINT1 takes NMIs),
 * a mode byte (bit 0 CR0.PG, 1 CR4.PAE, 2 EFER.LMA, 3 CR4.LA57, 4
 * CR4.PSE, 5 CS.L, 6 CS.D), CR3, GS base, KERNEL_GS_BASE and RIP as args,
 * a 16-bit length and that many bytes of guest RAM from its start.
 * An arg is a kind byte and a value: 0-3 a u8, u16, u32 or u64; 4 guest RAM
 * plus a u16; 5 a page from two below guest RAM to two above (u8); 6 2^64 - 1
 * less a u8; 7 the kernel map (0xffffffff80000000) plus a u32.
 * Operations (first byte op):
 *   0x00-0x7f  hypercall op & 15 from CPL 0 (on vCPU 1 if op & 0x10), args a0-a2
 *   0x80-0x9f  hypercall from CPL 1-3: number and args
 *   0xa0-0xbf  hypercall of any number (an arg), args a0-a2
 *   0xc0-0xcf  the guest writes its RAM: u16 offset, u8 length, the bytes
 *   0xd0       time passes (u32 ms); a watchdog due then triggers
 *   0xd1       a crash trigger of source u8 % 5 (pvpanic, triple fault, NMI, ...)
 *   0xd2       port I/O: u16 port (0x505, 0x70, 0x71, 0x61 by its low bits
 *              when bit 15 is set), flags (in, size, plain), RAX an arg
 *   0xd3       nested page fault at an arg (the xAPIC page if u8 & 1),
 *              write / fetch / in event from a u8
 *   0xd4       #DB (the end of a step over a dropped write)
 *   0xd5       WRMSR: u32 msr (with bit 31: the APIC base, the x2APIC ICR or
 *              EFER by its low byte % 3), an arg
 *   0xd6       CPUID: u32 leaf and subleaf
 *   0xd7       u16 DMA faults recorded so far
 *   0xd8       RIP becomes an arg
 *   0xd9       an NMI arrives (vcpu_handle_nmi())
 *   0xda       IRET (the end of a watched NMI's handler)
 *   0xdb       a triple fault
 *   0xdc       INIT in guest mode
 *   0xdd       MOV to CR: u8 (% 5: CR0, CR3, CR4, CLTS-like CR0 & ~TS, CR8), an arg
 *   0xde       XSETBV: u8 XCR (0 if even), an arg as the value
 *   0xdf       the APIC base the host has becomes an arg (a guest that went x2APIC)
 * A hand-over (VCPU_RESET) is checked and then run on: the capturing vCPU is
 * the capture kernel, every other vCPU parked, and the operations go on in
 * it (its hypercalls, INITs and NMIs, which must neither leave nor park it,
 * a RESTART, after which the guest runs again and may crash again). Before
 * and after each operation the vCPU's state must pass VM entry's checks
 * (tests/fuzz/oracle.c) if it passed them before, and every host WRMSR and
 * XSETBV of a guest's value must be one a processor takes (host_write()).
 * Header flags2 bit 7: restart=on, with a guest kernel kept to restart.
 */
#include "fuzz.h"
#include "oracle.h"
#include "stub.h"
#include <asm/apic.h>
#include <asm/cpuid.h>
#include <asm/gate.h>
#include <asm/guest_mem.h>
#include <asm/linux.h>
#include <asm/processor.h>
#include <asm/vcpu.h>
#include <hv/capture.h>
#include <hv/elfcore.h>
#include <hv/hv.h>
#include <hv/mm.h>
#include <hv/restart.h>
#include <hv/watchdog.h>
#include <parachute/abi.h>
#include <setjmp.h>

#define GUEST_BASE   0x30000000ull
#define GUEST_PAGES  16
#define GUEST_SIZE   (GUEST_PAGES * PAGE_SIZE)
#define HIDDEN_PAGE  5
#define HIDDEN	     (GUEST_BASE + HIDDEN_PAGE * PAGE_SIZE)
#define CAPTURE_BASE 0x40000000ull
#define CAPTURE_SIZE (4 * MiB)
#define MAX_OPS	     64
/* arch/x86/capture.c's tail: the last MiB, the ELF core header at +0x3000. */
#define TAIL_SIZE (1 * MiB)
#define TAIL_ELF  0x3000
/* restart=on: the stash the hv keeps the guest's kernel and the capture kernel in. */
#define STASH_BASE 0x48000000ull
#define STASH_SIZE (2 * MiB)

static u8 *ram, *region, *stash_mem, boot_kernel[4096];
static struct boot_info bi;
static jmp_buf out;

/* arch_reboot() and hv_halt() end the input's run. */
static void __attribute__((noreturn)) noreturn(int which, const char *what)
{
	(void)what;
	longjmp(out, which);
}

/* The host instructions a guest's value reaches: only values a processor takes (oracle.h). */
static void host_write(u32 index, u64 val, bool xcr)
{
	fuzz_check(xcr ? oracle_xsetbv(index, val) : oracle_wrmsr(index, val, stub.apic_base));
}

/* A bzImage the loader gave as the capture kernel: header, 1 KiB of setup, 3 KiB of code. */
static void make_boot_kernel(void)
{
	struct setup_header *h = (void *)(boot_kernel + SETUP_HEADER_OFFSET);

	h->setup_sects = 1;
	h->syssize = (sizeof(boot_kernel) - 1024) / 16;
	h->boot_flag = LINUX_BOOT_FLAG;
	h->header = LINUX_HDRS_MAGIC;
	h->version = 0x020f;
	h->kernel_version = 0x300 - 0x200;
	h->loadflags = LINUX_LOADED_HIGH;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 2 * MiB;
	h->relocatable_kernel = 1;
	h->cmdline_size = 2047;
	h->init_size = 1 * MiB;
	boot_kernel[0x201] = 0x6a;
	strcpy((char *)boot_kernel + 0x300, "6.1.0-boot (fuzz)");
	memset(boot_kernel + 1024, 0xc3, sizeof(boot_kernel) - 1024);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	ram = (u8 *)fuzz_map_fixed(GUEST_BASE - 2 * PAGE_SIZE, GUEST_SIZE + 4 * PAGE_SIZE) +
	      2 * PAGE_SIZE;
	fuzz_unpoison(ram, HIDDEN_PAGE * PAGE_SIZE);
	fuzz_unpoison(ram + (HIDDEN_PAGE + 1) * PAGE_SIZE,
		      (GUEST_PAGES - HIDDEN_PAGE - 1) * PAGE_SIZE);
	region = fuzz_map_fixed(CAPTURE_BASE, CAPTURE_SIZE);
	fuzz_unpoison(region, CAPTURE_SIZE);
	stash_mem = fuzz_map_fixed(STASH_BASE, STASH_SIZE);
	fuzz_unpoison(stash_mem, STASH_SIZE);
	make_boot_kernel();
	stub.noreturn = noreturn;
	stub.host_write = host_write;
	return 0;
}

static u64 arg(struct fuzz_in *in)
{
	u8 kind = fuzz_u8(in);

	switch (kind & 7) {
	case 0:
		return fuzz_u8(in);
	case 1:
		return fuzz_u16(in);
	case 2:
		return fuzz_u32(in);
	case 3:
		return fuzz_u64(in);
	case 4:
		return GUEST_BASE + fuzz_u16(in);
	case 5:
		return GUEST_BASE + ((s64)(fuzz_u8(in) % (GUEST_PAGES + 4)) - 2) * PAGE_SIZE;
	case 6:
		return ~0ull - fuzz_u8(in);
	default:
		return 0xffffffff80000000ull + fuzz_u32(in);
	}
}

/* The guest writes its RAM (never the hidden page: it cannot reach it). */
static void guest_write(u32 off, const u8 *p, size_t n)
{
	for (size_t i = 0; i < n && off + i < GUEST_SIZE; i++)
		if ((off + i) / PAGE_SIZE != HIDDEN_PAGE)
			ram[off + i] = p[i];
}

static void setup(struct fuzz_in *in)
{
	u8 flags = fuzz_u8(in), flags2 = fuzz_u8(in), mode = fuzz_u8(in);
	unsigned int extra = MIN(flags2 & 3, 2);
	const u8 *p;
	size_t n;

	memset(percpu_area, 0, sizeof(percpu_area));
	memset(&hv, 0, sizeof(hv));
	stub_reset();
	for (unsigned int p = 0; p < ARRAY_SIZE(stub.port_in); p++)
		stub.port_in[p] = (u8)(p * 7); /* what the ports answer */
	memset(&bi, 0, sizeof(bi));
	capture = (struct capture_state){ .owner = -1 };
	capture_load_reset();
	fuzz_reset_statics();
	stub.lint1_nmi = flags2 & 0x40;

	options_defaults(&hv.opt);
	hv.opt.reload = flags & 2 ? RELOAD_LOCK : RELOAD_ALLOW;
	hv.opt.crash_hypercall = flags & 4 ? TRIGGER_REFUSE : TRIGGER_CAPTURE;
	hv.opt.watchdog = flags & 8 ? TRIGGER_REFUSE : TRIGGER_CAPTURE;
	hv.opt.capture_failure = flags & 16 ? FAILURE_HALT : FAILURE_REBOOT;
	hv.opt.nmi = flags & 64 ? TRIGGER_GUEST : TRIGGER_CAPTURE;
	hv.opt.pvpanic = flags & 128 ? TRIGGER_REFUSE : TRIGGER_CAPTURE;
	hv.opt.triple_fault = flags2 & 32 ? TRIGGER_REPORT : TRIGGER_CAPTURE;
	hv.opt.restart = flags2 & 128 ? RESTART_ON : RESTART_OFF;
	if (hv.opt.restart == RESTART_ON) {
		hv.restart_base = STASH_BASE;
		hv.restart_size = STASH_SIZE;
	}
	/* The processor the guest sees (oracle.h says the same). */
	gate_cpu = (struct gate_cpu){ .l1_ecx = CPUID_1_ECX_XSAVE | (1u << 21),
				      .l1_edx = (1u << 3) | (1u << 6) | (1u << 13) | (1u << 24) |
						(1u << 25),
				      .e1_edx = (1u << 11) | (1u << 20) | (1u << 29),
				      .xcr0_supported = 0x7,
				      .phys_bits = ORACLE_PHYS_BITS };
	stub.apic_base = 0xfee00900;
	hv.tsc_khz = flags & 32 ? 0 : 2000000;
	hv.capture_base = CAPTURE_BASE;
	hv.capture_size = flags2 & 16 ? 2 * MiB : CAPTURE_SIZE;
	memmap_add(&hv.guest_map, GUEST_BASE, GUEST_SIZE, E820_RAM);
	memmap_add(&hv.guest_map, GUEST_BASE + GUEST_SIZE, 64 * KiB, E820_RESERVED);
	hv_hide(HIDDEN, HIDDEN + PAGE_SIZE, "hidden page");
	hv_hide(CAPTURE_BASE, CAPTURE_BASE + hv.capture_size, "capture region");

	stub.vcpu.cr0 = X86_CR0_PE | (mode & 1 ? X86_CR0_PG : 0);
	stub.vcpu.cr4 = (mode & 2 ? X86_CR4_PAE : 0) | (mode & 8 ? 1u << 12 : 0) |
		       (mode & 16 ? 1u << 4 : 0);
	stub.vcpu.efer = mode & 4 ? EFER_LMA | EFER_LME : 0;
	stub.cs_l = mode & 32;
	stub.cs_db = mode & 64;
	stub.vcpu.cr3 = arg(in);
	stub.vcpu.gs_base = arg(in);
	stub.vcpu.kernel_gs_base = arg(in);
	stub.vcpu.rip = arg(in);
	stub.vcpu.rsp = stub.vcpu.rip - 0x1000;

	nr_cpus_online = 1 + extra;
	for (unsigned int i = 0; i <= extra; i++) {
		struct percpu *c = &percpu_area[i];

		c->cpu_id = i;
		c->apic_id = 2 * (extra - i); /* APIC IDs in another order than the hv's */
		c->state = CPU_GUEST;
		c->arch.gpm = &guest_gpm;
		c->arch.crash_state = stub.vcpu;
		c->arch.crash_state.gs_base += i * 0x8000;
		c->arch.crash_state.rip += i;
	}
	guest_gpm.mode = GPM_GUEST;

	memset(ram, 0, HIDDEN_PAGE * PAGE_SIZE);
	memset(ram + (HIDDEN_PAGE + 1) * PAGE_SIZE, 0, (GUEST_PAGES - HIDDEN_PAGE - 1) * PAGE_SIZE);
	p = fuzz_take(in, fuzz_u16(in), &n);
	guest_write(0, p, n);

	/* Boot: the firmware's map, its screen, the capture module staged or none. */
	memmap_add(&bi.mem, 0, 0x9fc00, E820_RAM); /* not guest RAM here: nothing reads it */
	memmap_add(&bi.mem, 0xf0000, 0x10000, E820_RESERVED);
	memmap_add(&bi.mem, GUEST_BASE, GUEST_SIZE, E820_RAM);
	memmap_add(&bi.mem, 0xfec00000, 0x1000, E820_RESERVED);
	if (flags2 & 4)
		bi.fw.fb = (struct boot_fb){
			.addr = 0xb8000, .width = 80, .height = 25, .pitch = 160, .text = true
		};
	else if (flags2 & 8)
		bi.fw.fb = (struct boot_fb){ .addr = 0x80000000,
					     .width = 1024,
					     .height = 768,
					     .pitch = 4096,
					     .bpp = 32,
					     .efi = true };
	/* The guest kernel's module: only the restart stash reads it (the same bytes). */
	bi.mods[0] = (struct boot_module){ virt_to_phys(boot_kernel), sizeof(boot_kernel), ROLE_GUEST,
					   "console=ttyS0 root=/dev/vda" };
	bi.by_role[ROLE_GUEST] = &bi.mods[0];
	bi.nr_modules = 1;
	if (flags & 1) {
		bi.mods[1] = (struct boot_module){ virt_to_phys(boot_kernel), sizeof(boot_kernel),
						   ROLE_CAPTURE, "console=ttyS0" };
		bi.by_role[ROLE_CAPTURE] = &bi.mods[1];
		bi.nr_modules = 2;
	}
	memset(region + hv.capture_size - TAIL_SIZE, 0, TAIL_SIZE);
	capture_stage(&bi);
}

/*
 * The armed contents hash to the digest armed with them: nothing wrote there.
 * Until a crash: from the hand-over the hv itself edits the capture kernel's
 * boot data (the lent memory in its e820, nr_cpus=1 when nothing was lent)
 * and the capture kernel runs in its region; a restart puts the armed
 * contents back (and checks them, hv/restart.c), and this check resumes.
 */
static void check_armed(void)
{
	u8 d[SHA256_DIGEST_SIZE];
	struct sha256 s;

	if (!capture.armed || capture_running())
		return;
	sha256_init(&s);
	for (unsigned int i = 0; i < capture.nhashed; i++)
		sha256_update(&s, phys_to_virt(capture.hashed[i].start),
			      capture.hashed[i].end - capture.hashed[i].start);
	sha256_final(&s, d);
	fuzz_check(!memcmp(d, capture.digest, sizeof(d)));
}

/* What no guest request may change: the armed ranges, the free part's bounds. */
static void check_capture(void)
{
	const struct capture_load *l = capture_load_state();
	u64 end = CAPTURE_BASE + hv.capture_size;

	fuzz_check(capture.owner == -1);
	fuzz_check(capture.free_start <= capture.free_end && capture.free_start >= CAPTURE_BASE &&
		   capture.free_end <= end);
	for (unsigned int i = 0; capture.armed && i < capture.nhashed; i++) {
		const struct phys_range *r = &capture.hashed[i];

		fuzz_check(r->start <= r->end && r->start >= CAPTURE_BASE && r->end <= end);
		fuzz_check(!ranges_overlap(r->start, r->end - r->start, capture.free_start,
					   capture.free_end - capture.free_start));
	}
	if (l->open) {
		for (unsigned int i = 0; i < LOAD_PARTS; i++)
			fuzz_check(l->filled[i] <= l->size[i]);
		fuzz_check(l->size[PARACHUTE_LOAD_CMDLINE] <= PARACHUTE_LOAD_CMDLINE_MAX);
		fuzz_check(l->addr[0] >= capture.free_start &&
			   l->addr[0] + ALIGN_UP(l->size[0], PAGE_SIZE) <= l->addr[1] &&
			   l->addr[1] + ALIGN_UP(l->size[1], PAGE_SIZE) <= capture.free_end);
	}
}

/*
 * The hand-over's ELF core header: a note per vCPU, and only guest RAM to read
 * (tests/fuzz/regressions/hypercall/kernel-text-size-wraps: a kernel-text
 * PT_LOAD of 0 - _stext bytes once came through here).
 */
static void check_handover(const struct percpu *cpu)
{
	u64 tail = CAPTURE_BASE + hv.capture_size - TAIL_SIZE;
	const u8 *elf = phys_to_virt(tail + TAIL_ELF);
	const struct elf64_ehdr *e = (const void *)elf;
	unsigned int parked = 0;

	fuzz_check(capture.owner == (int)cpu->cpu_id);
	for (unsigned int i = 0; i < nr_cpus_online; i++)
		parked += &percpu_area[i] != cpu && percpu_area[i].arch.crash_saved;
	fuzz_check(!memcmp(e->e_ident, "\177ELF", 4) && e->e_phnum >= 1);
	for (unsigned int i = 0; i < e->e_phnum; i++) {
		struct elf64_phdr ph;

		memcpy(&ph, elf + e->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_NOTE) {
			u64 off = ph.p_offset - (tail + TAIL_ELF), n = 0;

			for (u64 at = off; at < off + ph.p_filesz;) {
				struct elf64_nhdr nh;

				memcpy(&nh, elf + at, sizeof(nh));
				n += nh.n_type == NT_PRSTATUS;
				at += sizeof(nh) + ALIGN_UP(nh.n_namesz, 4) +
				      ALIGN_UP(nh.n_descsz, 4);
			}
			fuzz_check(n == 1 + parked);
			continue;
		}
		fuzz_check(ph.p_type == PT_LOAD && ph.p_memsz);
		fuzz_check(memmap_is_ram(&hv.guest_map, ph.p_paddr, ph.p_memsz));
	}
}

static enum vcpu_action call(struct percpu *cpu, unsigned int cpl, u64 nr, struct fuzz_in *in)
{
	struct guest_regs *r = &cpu->arch.regs;

	r->rax = nr;
	r->rbx = arg(in);
	r->rcx = arg(in);
	r->rdx = arg(in);
	stub.cpl = cpl;
	return vcpu_handle_hypercall(cpu);
}

/* One operation of the guest's on cpu (the vCPU the operation's byte names, or the one that runs). */
static enum vcpu_action op(struct fuzz_in *in, struct percpu *cpu)
{
	static const u16 ports[] = { 0x505, 0x70, 0x71, 0x61 };
	u8 o = fuzz_u8(in), b;
	const u8 *p;
	size_t n;
	u16 port;
	u32 msr;

	if (o < 0x80)
		return call(cpu, 0, o & 15, in);
	if (o < 0xa0)
		return call(cpu, 1 + o % 3, arg(in), in);
	if (o < 0xc0)
		return call(cpu, 0, arg(in), in);
	if (o < 0xd0) {
		u32 off = fuzz_u16(in) % GUEST_SIZE;

		p = fuzz_take(in, fuzz_u8(in), &n);
		guest_write(off, p, n);
		return VCPU_RESUME;
	}
	switch (o) {
	case 0xd0:
		stub.tsc += (u64)fuzz_u32(in) * (hv.tsc_khz ? hv.tsc_khz : 1000000);
		return watchdog_due() ? crash_trigger(cpu, CRASH_WATCHDOG) : VCPU_RESUME;
	case 0xd1:
		return crash_trigger(cpu, fuzz_u8(in) % 5);
	case 0xd2:
		port = fuzz_u16(in);
		b = fuzz_u8(in);
		if (port & 0x8000)
			port = ports[port & 3];
		cpu->arch.regs.rax = arg(in);
		return vcpu_handle_io(cpu, port, b & 1, 1u << ((b >> 1) % 3), b & 8);
	case 0xd3:
		b = fuzz_u8(in);
		return vcpu_handle_npf(cpu, b & 1 ? 0xfee00000 + (arg(in) & 0xffc) : arg(in), b & 2,
				       b & 4, b & 8);
	case 0xd4:
		return vcpu_handle_db(cpu);
	case 0xd5: {
		static const u32 msrs[] = { MSR_APIC_BASE, MSR_X2APIC_ICR, MSR_EFER };

		msr = fuzz_u32(in);
		if (msr & 0x80000000u)
			msr = msrs[(msr & 0xff) % 3];
		return vcpu_handle_wrmsr(cpu, msr, arg(in));
	}
	case 0xd6:
		cpu->arch.regs.rax = fuzz_u32(in);
		cpu->arch.regs.rcx = fuzz_u32(in);
		return vcpu_handle_cpuid(cpu);
	case 0xd7:
		stub.dma_total = fuzz_u16(in);
		return VCPU_RESUME;
	case 0xd8:
		stub.vcpu.rip = arg(in);
		return VCPU_RESUME;
	case 0xd9:
		return vcpu_handle_nmi(cpu);
	case 0xda:
		return vcpu_handle_iret(cpu);
	case 0xdb:
		return vcpu_handle_triple_fault(cpu);
	case 0xdc:
		return vcpu_handle_init(cpu);
	case 0xdd: {
		static const u8 crs[] = { 0, 3, 4, 0xff, 8 };

		b = crs[fuzz_u8(in) % 5];
		if (b == 0xff) /* CLTS, as VMX reports it */
			return vcpu_handle_cr_write(cpu, 0, stub.vcpu.cr0 & ~X86_CR0_TS);
		return vcpu_handle_cr_write(cpu, b, arg(in));
	}
	case 0xde:
		b = fuzz_u8(in);
		cpu->arch.regs.rcx = b & 1 ? b : 0;
		cpu->arch.regs.rax = arg(in);
		cpu->arch.regs.rdx = cpu->arch.regs.rax >> 32;
		return vcpu_handle_xsetbv(cpu);
	case 0xdf:
		stub.apic_base = arg(in);
		return VCPU_RESUME;
	}
	return VCPU_RESUME;
}

/*
 * The run loop's VCPU_RESET: cpu enters what the hand-over (or a restart)
 * prepared, in the space it prepared; the others are parked by the capture,
 * or wait for the guest's start-up IPIs after a restart.
 */
static void enter_reset(struct percpu *cpu)
{
	const struct x86_entry *e = &cpu->arch.reset;

	memset(&cpu->arch.regs, 0, sizeof(cpu->arch.regs));
	cpu->arch.regs.rsi = e->rsi;
	cpu->arch.gpm = cpu->arch.reset_gpm;
	stub.vcpu = (struct x86_cpu_state){ .rip = e->rip, .rflags = X86_RFLAGS_FIXED };
	stub.vcpu.cr0 = e->real_mode ? X86_CR0_ET : X86_CR0_PE | X86_CR0_ET;
	if (e->long_mode) {
		stub.vcpu.cr0 |= X86_CR0_PG;
		stub.vcpu.cr4 = X86_CR4_PAE;
		stub.vcpu.cr3 = e->cr3;
		stub.vcpu.efer = EFER_LME | EFER_LMA;
	}
	stub.cs_l = e->long_mode;
	stub.cs_db = !e->real_mode && !e->long_mode;
	stub.cpl = 0;
	for (unsigned int i = 0; i < nr_cpus_online; i++)
		if (&percpu_area[i] != cpu)
			percpu_area[i].state = CPU_PARKED;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct percpu *cpu, *owner = NULL;
	enum vcpu_action act;
	bool entry_ok;

	setup(&in);
	if (setjmp(out)) {
		/* capture_failed(): rebooted or halted, by policy; never for a guest's write. */
		if (!owner)
			check_armed();
		return 0;
	}
	check_capture();
	for (unsigned int i = 0; i < MAX_OPS && in.n; i++) {
		/* In a capture, or after a restart, only the vCPU that ran on runs. */
		cpu = owner ? owner : &percpu_area[(in.p[0] & 0x10) && nr_cpus_online > 1];
		/*
		 * Hashing is slow: only before the calls that may change the armed
		 * contents (commit, unload), at the end, and after a failed capture.
		 */
		if (!capture_running() &&
		    ((in.p[0] < 0x80 && ((in.p[0] & 15) == PARACHUTE_HC_LOAD_COMMIT ||
					 (in.p[0] & 15) == PARACHUTE_HC_UNLOAD)) ||
		     (in.p[0] >= 0xa0 && in.p[0] < 0xc0)))
			check_armed();
		entry_ok = oracle_entry(&stub.vcpu, stub.cs_l, stub.cs_db);
		act = op(&in, cpu);
		if (act == VCPU_RESET) {
			if (capture_owned_by(cpu)) {
				check_handover(cpu);
			} else { /* a restart: the guest again, capture re-armed */
				fuzz_check(!capture_running() && capture.armed);
				check_armed();
			}
			enter_reset(cpu);
			owner = cpu;
			continue;
		}
		/* The capturing vCPU is nobody's to stop: no INIT, NMI or request parks it. */
		if (capture_owned_by(cpu))
			fuzz_check(act != VCPU_LEAVE && act != VCPU_PARK);
		if (act != VCPU_RESUME && act != VCPU_SKIP)
			return 0; /* parked, or stopped for good */
		/* The hv never turns a state VM entry takes into one it refuses. */
		if (entry_ok)
			fuzz_check(oracle_entry(&stub.vcpu, stub.cs_l, stub.cs_db));
		if (!capture_running())
			check_capture();
	}
	if (!capture_running())
		check_armed();
	return 0;
}
