// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rest of the hv for fuzz_hypercall.c (stub_arch.h): what test_policy.c
 * stubs, without cmocka. The no-return paths (reboot, halt) longjmp back to
 * the target; guest memory is hv.guest_map less the hidden ranges, as
 * arch/x86/guest_mem.c has it; DMA faults, the APIC, other CPUs and the
 * ports only answer.
 */
#include "stub_arch.h"
#include "fuzz.h"
#include "oracle.h"
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/guest.h>
#include <asm/guest_mem.h>
#include <asm/iommu.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/vcpu.h>
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/mm.h>
#include <parachute/abi.h>

struct fuzz_arch fz;
struct madt_info boot_madt;
u64 guest_rsdp;

void arch_reboot(void)
{
	fz.reboots++;
	longjmp(*fz.noreturn, 1);
}

void hv_halt(void)
{
	fz.halts++;
	longjmp(*fz.noreturn, 2);
}

u64 arch_timestamp(void)
{
	return fz.tsc;
}

u64 arch_timestamp_us(void)
{
	return fz.tsc / 1000;
}

u64 heap_used(void)
{
	return 0;
}

unsigned int arch_vendor(void)
{
	return PARACHUTE_VENDOR_SVM;
}

const char *arch_exit_name(u64 reason)
{
	(void)reason;
	return "exit";
}

bool arch_dma_isolated(void)
{
	return true;
}

void arch_dma_poll(void)
{
}

void arch_dma_capture_mode(void)
{
}

/* fz.dma_total faults so far, the newest max of them as the ring holds them. */
unsigned int arch_dma_faults(struct parachute_dma_fault *out, unsigned int max, u64 *total)
{
	unsigned int n = (unsigned int)MIN(MIN(fz.dma_total, (u64)PARACHUTE_DMA_FAULTS_MAX), max);

	*total = fz.dma_total;
	for (unsigned int i = 0; i < n; i++)
		out[i] = (struct parachute_dma_fault){ .tsc = 1000 * i,
						       .addr = (fz.dma_total - n + i) * PAGE_SIZE,
						       .source = (u16)(0x18 + i),
						       .write = i & 1,
						       .domain = (i >> 1) & 1,
						       .iommu = PARACHUTE_DMA_VTD,
						       .target = (u8)(i % 4) };
	return n;
}

/* The other vCPUs park and save their state (the target filled crash_state). */
void arch_park_other_cpus(struct percpu *self)
{
	for (unsigned int i = 0; i < nr_cpus_online; i++)
		if (&percpu_area[i] != self && percpu_area[i].state == CPU_GUEST)
			percpu_area[i].arch.crash_saved = true;
}

void iommu_poll_lazy(void)
{
}

int iommu_seal(u64 start, u64 end, enum iommu_seal how)
{
	(void)start, (void)end, (void)how;
	return 0;
}

int iommu_guest_mode(void)
{
	return 0;
}

int guest_prepare_restart(const struct boot_module *km, const struct boot_module *im,
			  struct x86_entry *e)
{
	(void)km, (void)im;
	*e = (struct x86_entry){ .rip = 0x1000000 };
	return 0;
}

int apic_trap_set(bool on)
{
	(void)on;
	return 0;
}

bool apic_lint1_takes_nmi(void)
{
	return fz.lint1_nmi;
}

u32 apic_ldr(void)
{
	return 0;
}

bool apic_is_trapped(u64 gpa)
{
	return (gpa & ~0xfffull) == 0xfee00000;
}

u32 apic_mmio_read(u64 gpa)
{
	(void)gpa;
	return 0x1234;
}

void smp_apic_mmio_write(struct percpu *cpu, u64 gpa, u32 val)
{
	(void)cpu, (void)gpa, (void)val;
}

void smp_x2apic_icr_write(struct percpu *cpu, u64 val)
{
	(void)cpu, (void)val;
}

void apic_quiesce(const u64 *ioapic, unsigned int n, const char *next)
{
	(void)ioapic, (void)n, (void)next;
}

int apic_trap_init(struct gpm *gpm)
{
	(void)gpm;
	return 0;
}

bool smp_start_up_coming(struct percpu *cpu, const char *why)
{
	(void)cpu, (void)why;
	return false;
}

void smp_vcpu_started(void)
{
}

int smp_flush_guest(struct percpu *cpu)
{
	(void)cpu;
	return 0;
}

u8 inb(u16 port)
{
	return (u8)(port * 7);
}

void outb(u16 port, u8 v)
{
	(void)port, (void)v;
}

u64 rdmsr(u32 msr)
{
	return msr == MSR_APIC_BASE ? fz.apic_base : 0;
}

/* The host instructions a guest's value reaches: only values a processor takes (oracle.h). */
void wrmsr(u32 msr, u64 v)
{
	fuzz_check(oracle_wrmsr(msr, v, fz.apic_base));
	fz.host_writes++;
	if (msr == MSR_APIC_BASE)
		fz.apic_base = v;
}

void xsetbv(u32 index, u64 v)
{
	fuzz_check(oracle_xsetbv(index, v));
	fz.host_writes++;
	fz.xcr0 = v;
}

/* Guest spaces as arch/x86/guest_mem.c decides them, without nested tables. */
struct gpm guest_gpm, capture_gpm, park_gpm;

int gpm_build(struct gpm *g, enum gpm_mode mode, const struct pt_format *fmt, unsigned int max_leaf)
{
	(void)fmt, (void)max_leaf;
	g->mode = mode;
	return 0;
}

static bool in_capture_region(u64 gpa)
{
	return gpa >= hv.capture_base && gpa < hv.capture_base + hv.capture_size;
}

bool gpm_is_ram(const struct gpm *g, u64 pa, u64 n)
{
	if (g->mode == GPM_PARK)
		return false;
	if (g->mode == GPM_CAPTURE && in_capture_region(pa) && in_capture_region(pa + n - 1))
		return true;
	return memmap_is_ram(&hv.guest_map, pa, n) && !hv_is_hidden(pa, n);
}

int gpm_read(const struct gpm *g, u64 pa, void *buf, unsigned int n)
{
	if (!gpm_is_ram(g, pa, n))
		return -EFAULT;
	memcpy(buf, phys_to_virt(pa), n);
	return 0;
}

bool gpm_sealed(u64 gpa)
{
	return gpa >= fz.sealed_start && gpa < fz.sealed_end;
}

int gpm_seal(u64 start, u64 end)
{
	fz.sealed_start = start;
	fz.sealed_end = end;
	return 0;
}

bool gpm_write_protected(const struct gpm *g, u64 gpa)
{
	return g->mode != GPM_PARK && gpa < gpm_limit() &&
	       ((hv_is_hidden(gpa, 1) && !(g->mode == GPM_CAPTURE && in_capture_region(gpa))) ||
		(g->mode == GPM_GUEST && gpm_sealed(gpa)));
}

int gpm_redirect(struct gpm *g, u64 gpa, bool scratch)
{
	(void)g, (void)gpa, (void)scratch;
	return 0;
}

unsigned int gpm_reclaim(struct gpm *g)
{
	(void)g;
	return 0;
}

u64 gpm_limit(void)
{
	return 512 * GiB;
}

int gpm_map_mmio(struct gpm *g, u64 gpa)
{
	(void)g, (void)gpa;
	return -EFAULT;
}

/* ---- The fake backend: the running vCPU's state is fz.state. ---- */

static u64 fake_get(struct percpu *cpu, enum vcpu_reg reg)
{
	(void)cpu;
	switch (reg) {
	case VCPU_RIP:
		return fz.state.rip;
	case VCPU_RSP:
		return fz.state.rsp;
	case VCPU_RFLAGS:
		return fz.state.rflags;
	case VCPU_CR0:
		return fz.state.cr0;
	case VCPU_CR2:
		return fz.state.cr2;
	case VCPU_CR3:
		return fz.state.cr3;
	case VCPU_CR4:
		return fz.state.cr4;
	case VCPU_EFER:
		return fz.state.efer;
	case VCPU_CS:
		return fz.state.cs;
	case VCPU_CS_BASE:
		return fz.cs_base;
	case VCPU_CS_L:
		return fz.cs_l;
	case VCPU_CS_DB:
		return fz.cs_db;
	case VCPU_CPL:
		return fz.cpl;
	}
	return 0;
}

static void fake_set(struct percpu *cpu, enum vcpu_reg reg, u64 val)
{
	(void)cpu;
	switch (reg) {
	case VCPU_RIP:
		fz.state.rip = val;
		break;
	case VCPU_RSP:
		fz.state.rsp = val;
		break;
	case VCPU_RFLAGS:
		fz.state.rflags = val;
		break;
	case VCPU_CR0:
		fz.state.cr0 = val;
		break;
	case VCPU_CR3:
		fz.state.cr3 = val;
		break;
	case VCPU_CR4:
		fz.state.cr4 = val;
		break;
	case VCPU_EFER:
		fz.state.efer = val;
		break;
	default:
		break;
	}
}

static void fake_inject(struct percpu *cpu, unsigned int vector, bool has_err, u32 err)
{
	(void)cpu, (void)vector, (void)has_err, (void)err;
}

static void fake_inject_nmi(struct percpu *cpu, bool watch)
{
	if (watch)
		vcpu_nmi_watch(cpu);
}

static void fake_watch_nmi(struct percpu *cpu, bool on)
{
	(void)cpu, (void)on;
}

static bool fake_nmi_blocked(struct percpu *cpu)
{
	return cpu->arch.nmi_watch;
}

static void fake_cpu(struct percpu *cpu)
{
	(void)cpu;
}

static void fake_step_begin(struct percpu *cpu)
{
	(void)cpu;
	fz.state.rflags |= X86_RFLAGS_TF;
}

static void fake_step_end(struct percpu *cpu, bool guest_tf)
{
	(void)cpu;
	if (!guest_tf)
		fz.state.rflags &= ~X86_RFLAGS_TF;
}

static void fake_save_state(struct percpu *cpu, struct x86_cpu_state *s)
{
	*s = fz.state;
	s->gpr = cpu->arch.regs;
}

static void fake_watchdog(struct percpu *cpu, enum watchdog_mode mode)
{
	(void)cpu, (void)mode;
}

static const struct vcpu_vendor fake_vendor = {
	.name = "fake",
	.id = PARACHUTE_VENDOR_SVM,
	.get = fake_get,
	.set = fake_set,
	.inject = fake_inject,
	.inject_nmi = fake_inject_nmi,
	.watch_nmi = fake_watch_nmi,
	.nmi_blocked = fake_nmi_blocked,
	.flush = fake_cpu,
	.step_begin = fake_step_begin,
	.step_end = fake_step_end,
	.exit_name = arch_exit_name,
	.save_state = fake_save_state,
	.dump_exit = fake_cpu,
	.watchdog = fake_watchdog,
};

const struct vcpu_vendor *vendor = &fake_vendor;
