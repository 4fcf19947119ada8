// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hv's neighbours for host builds (stub.h): what the vCPU core, the
 * hypercalls and the capture code call outside themselves, recording and
 * answering from `stub`. Linked by tests/unit/test_policy.c and
 * tests/fuzz/fuzz_hypercall.c; each adds only what its own sources lack.
 */
#include "stub.h"
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/guest.h>
#include <asm/guest_mem.h>
#include <asm/io.h>
#include <asm/iommu.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/vcpu.h>
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/mm.h>
#include <parachute/abi.h>
#include <stdlib.h>
#include <string.h>

struct stub_state stub;
struct madt_info boot_madt;
u64 guest_rsdp;

void stub_reset(void)
{
	typeof(stub.noreturn) noreturn = stub.noreturn;
	typeof(stub.host_write) host_write = stub.host_write;

	memset(&stub, 0, sizeof(stub));
	stub.noreturn = noreturn;
	stub.host_write = host_write;
}

static void record_order(int step)
{
	stub.order = stub.order % 100000 * 10 + step;
}

void arch_reboot(void)
{
	stub.reboots++;
	stub.noreturn(1, "arch_reboot()");
}

void hv_halt(void)
{
	stub.halts++;
	stub.noreturn(2, "hv_halt()");
}

u64 arch_timestamp(void)
{
	return stub.tsc;
}

u64 arch_timestamp_us(void)
{
	u64 khz = hv.tsc_khz;

	return khz ? stub.tsc / khz * 1000 + stub.tsc % khz * 1000 / khz : stub.tsc;
}

u64 heap_used(void)
{
	return stub.heap_used;
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

/* ---- DMA and the IOMMU. ---- */

bool arch_dma_isolated(void)
{
	return true;
}

void arch_dma_poll(void)
{
	stub.dma_polls++;
	record_order(3);
}

void arch_dma_capture_mode(void)
{
	stub.dma_capture++;
	record_order(1);
}

/*
 * stub.dma_total faults so far, the newest max of them as the ring holds
 * them: fault k (counted from the first) at address k pages, from device
 * 00:03.(k % 8), a write when k is odd, into each domain and target in turn.
 */
unsigned int arch_dma_faults(struct parachute_dma_fault *out, unsigned int max, u64 *total)
{
	unsigned int n = (unsigned int)MIN(MIN(stub.dma_total, (u64)PARACHUTE_DMA_FAULTS_MAX), max);

	*total = stub.dma_total;
	for (unsigned int i = 0; i < n; i++) {
		u64 k = stub.dma_total - n + i;

		out[i] = (struct parachute_dma_fault){ .tsc = 1000 * k,
						       .addr = k * PAGE_SIZE,
						       .source = (u16)(0x18 + k % 8),
						       .write = k & 1,
						       .domain = (k >> 1) & 1,
						       .iommu = PARACHUTE_DMA_VTD,
						       .target = (u8)(k % 4) };
	}
	return n;
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

/* ---- Other CPUs, the APIC, a restart's entry. ---- */

/* The other vCPUs park and save their state (the caller filled crash_state). */
void arch_park_other_cpus(struct percpu *self)
{
	for (unsigned int i = 0; i < nr_cpus_online; i++)
		if (&percpu_area[i] != self && percpu_area[i].state == CPU_GUEST)
			percpu_area[i].arch.crash_saved = true;
	stub.parked_others++;
	record_order(2);
}

int guest_prepare_restart(const struct boot_module *km, const struct boot_module *im,
			  struct x86_entry *e)
{
	(void)km, (void)im;
	*e = (struct x86_entry){ .rip = 0x1000000 };
	return 0;
}

int apic_trap_init(struct gpm *gpm)
{
	(void)gpm;
	return 0;
}

int apic_trap_set(bool on)
{
	(void)on;
	return 0;
}

bool apic_lint1_takes_nmi(void)
{
	return stub.lint1_nmi;
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

void apic_quiesce(const u64 *ioapic, unsigned int n, const char *next)
{
	(void)ioapic, (void)n, (void)next;
}

void smp_apic_mmio_write(struct percpu *cpu, u64 gpa, u32 val)
{
	(void)cpu;
	stub.apic_written_gpa = gpa;
	stub.apic_written_val = val;
}

void smp_x2apic_icr_write(struct percpu *cpu, u64 val)
{
	(void)cpu, (void)val;
	stub.icr_writes++;
}

bool smp_start_up_coming(struct percpu *cpu, const char *why)
{
	(void)cpu, (void)why;
	stub.start_up_coming++;
	return stub.start_up_parks;
}

void smp_vcpu_started(void)
{
}

unsigned int smp_capture_cpus_open(void)
{
	return 0;
}

bool smp_capture_cpu_begin(struct percpu *cpu)
{
	(void)cpu;
	return false;
}

unsigned int apic_quiesce_local(void)
{
	return 0;
}

void arch_stop_other_cpus(void)
{
}

bool arch_in_capture_kernel(const struct percpu *cpu)
{
	return cpu->arch.gpm == &capture_gpm;
}

bool arch_capture_lent(u64 gpa, u64 len)
{
	(void)gpa, (void)len;
	return false;
}

int gpm_capture_lend(u64 start, u64 end)
{
	(void)start, (void)end;
	return -EINVAL;
}

int gpm_capture_unlend(void)
{
	return 0;
}

bool gpm_capture_lent(u64 pa, u64 len)
{
	(void)pa, (void)len;
	return false;
}

int iommu_capture_lend(u64 start, u64 end, bool lend)
{
	(void)start, (void)end, (void)lend;
	return 0;
}

unsigned int arch_capture_cpus_stop(struct percpu *self)
{
	(void)self;
	return 0;
}

int smp_flush_guest(struct percpu *cpu)
{
	(void)cpu;
	return 0;
}

/* ---- The instructions tests/stub/asm/io.h declares. ---- */

u8 inb(u16 port)
{
	return stub.port_in[port];
}

void outb(u16 port, u8 v)
{
	if (stub.outs < (int)ARRAY_SIZE(stub.out_port)) {
		stub.out_port[stub.outs] = port;
		stub.out_val[stub.outs] = v;
	}
	stub.outs++;
}

u64 rdmsr(u32 msr)
{
	return msr == MSR_APIC_BASE ? stub.apic_base : 0;
}

void wrmsr(u32 msr, u64 v)
{
	if (stub.host_write)
		stub.host_write(msr, v, false);
	stub.host_writes++;
	if (msr == MSR_APIC_BASE)
		stub.apic_base = v;
}

void xsetbv(u32 index, u64 v)
{
	if (stub.host_write)
		stub.host_write(index, v, true);
	stub.host_writes++;
	stub.xsetbvs++;
	stub.xcr0 = v;
}

/* ---- Guest spaces as arch/x86/guest_mem.c decides them, without nested tables. ---- */

struct gpm guest_gpm, capture_gpm, park_gpm;

static bool in_range(u64 a, u64 start, u64 end)
{
	return a >= start && a < end;
}

static bool in_capture_region(u64 gpa)
{
	return in_range(gpa, hv.capture_base, hv.capture_base + hv.capture_size);
}

int gpm_build(struct gpm *g, enum gpm_mode mode, const struct pt_format *fmt, unsigned int max_leaf)
{
	(void)fmt, (void)max_leaf;
	g->mode = mode;
	return 0;
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
	if (stub.mem) {
		if (pa < stub.mem_base || pa + n > stub.mem_base + stub.mem_size)
			return -EFAULT;
		memcpy(buf, stub.mem + (pa - stub.mem_base), n);
		return 0;
	}
	if (!gpm_is_ram(g, pa, n))
		return -EFAULT;
	memcpy(buf, phys_to_virt(pa), n);
	return 0;
}

bool gpm_sealed(u64 gpa)
{
	return in_range(gpa, stub.sealed_start, stub.sealed_end);
}

int gpm_seal(u64 start, u64 end)
{
	stub.sealed_start = start;
	stub.sealed_end = end;
	return 0;
}

bool gpm_write_protected(const struct gpm *g, u64 gpa)
{
	if (g->mode == GPM_PARK)
		return false;
	if (in_range(gpa, stub.wp_start, stub.wp_end) ||
	    (stub.wp_page && (gpa & ~(u64)(PAGE_SIZE - 1)) == stub.wp_page))
		return true;
	if (gpa >= gpm_limit()) /* not mapped at all */
		return false;
	if (hv_is_hidden(gpa, 1))
		return !(g->mode == GPM_CAPTURE && in_capture_region(gpa));
	return g->mode == GPM_GUEST && gpm_sealed(gpa);
}

int gpm_redirect(struct gpm *g, u64 gpa, bool scratch)
{
	(void)g, (void)gpa;
	stub.redirects++;
	stub.scratch_mapped += scratch ? 1 : -1;
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
	(void)g;
	if (!in_range(gpa, stub.mmio_base, stub.mmio_base + stub.mmio_size))
		return -EFAULT;
	stub.mmio_maps++;
	return 0;
}

/* ---- The fake vendor backend: the running vCPU's state is stub.vcpu. ---- */

static u64 *fake_reg(enum vcpu_reg reg)
{
	switch (reg) {
	case VCPU_RIP:
		return &stub.vcpu.rip;
	case VCPU_RSP:
		return &stub.vcpu.rsp;
	case VCPU_RFLAGS:
		return &stub.vcpu.rflags;
	case VCPU_CR0:
		return &stub.vcpu.cr0;
	case VCPU_CR2:
		return &stub.vcpu.cr2;
	case VCPU_CR3:
		return &stub.vcpu.cr3;
	case VCPU_CR4:
		return &stub.vcpu.cr4;
	case VCPU_EFER:
		return &stub.vcpu.efer;
	case VCPU_CS_BASE:
		return &stub.cs_base;
	default:
		return NULL;
	}
}

static u64 fake_get(struct percpu *cpu, enum vcpu_reg reg)
{
	u64 *p = fake_reg(reg);

	(void)cpu;
	switch (reg) {
	case VCPU_CS:
		return stub.vcpu.cs;
	case VCPU_CS_L:
		return stub.cs_l;
	case VCPU_CS_DB:
		return stub.cs_db;
	case VCPU_CPL:
		return stub.cpl;
	default:
		return p ? *p : 0;
	}
}

/* What a backend lets the core write: not CR2, not the code segment, not the CPL. */
static void fake_set(struct percpu *cpu, enum vcpu_reg reg, u64 val)
{
	u64 *p = fake_reg(reg);

	(void)cpu;
	if (p && reg != VCPU_CR2 && reg != VCPU_CS_BASE)
		*p = val;
}

static void fake_load_pdptes(struct percpu *cpu, const u64 pdpte[4])
{
	(void)cpu;
	memcpy(stub.pdpte, pdpte, sizeof(stub.pdpte));
	stub.pdpte_loads++;
}

static void fake_inject(struct percpu *cpu, unsigned int vector, bool has_err, u32 err)
{
	(void)cpu, (void)err;
	stub.injected++;
	stub.inject_vector = (int)vector;
	stub.inject_has_err = has_err;
}

/* Like SVM: the NMI goes in at once, a watched one is watched from then on. */
static void fake_inject_nmi(struct percpu *cpu, bool watch)
{
	stub.nmis_injected++;
	if (watch)
		vcpu_nmi_watch(cpu);
}

static void fake_watch_nmi(struct percpu *cpu, bool on)
{
	(void)cpu;
	stub.watching = on;
}

static bool fake_nmi_blocked(struct percpu *cpu)
{
	return cpu->arch.nmi_watch;
}

static void fake_flush(struct percpu *cpu)
{
	(void)cpu;
	stub.flushes++;
}

static void fake_step_begin(struct percpu *cpu)
{
	(void)cpu;
	stub.steps_begun++;
	stub.vcpu.rflags |= X86_RFLAGS_TF;
}

static void fake_step_end(struct percpu *cpu, bool guest_tf)
{
	(void)cpu;
	stub.steps_ended++;
	stub.step_guest_tf = guest_tf;
	if (!guest_tf)
		stub.vcpu.rflags &= ~X86_RFLAGS_TF;
}

static void fake_save_state(struct percpu *cpu, struct x86_cpu_state *s)
{
	*s = stub.vcpu;
	s->gpr = cpu->arch.regs;
}

static void fake_dump_exit(struct percpu *cpu)
{
	(void)cpu;
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
	.load_pdptes = fake_load_pdptes,
	.inject = fake_inject,
	.inject_nmi = fake_inject_nmi,
	.watch_nmi = fake_watch_nmi,
	.nmi_blocked = fake_nmi_blocked,
	.flush = fake_flush,
	.step_begin = fake_step_begin,
	.step_end = fake_step_end,
	.exit_name = arch_exit_name,
	.save_state = fake_save_state,
	.dump_exit = fake_dump_exit,
	.watchdog = fake_watchdog,
};

const struct vcpu_vendor *vendor = &fake_vendor;
