// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest APIC writes. The guest owns one vCPU; an INIT or SIPI it sends could
 * only ever reach a CPU the hv holds. On AMD hardware the park guest holds
 * INIT with GIF clear, but QEMU's TCG resets a CPU on INIT in host mode
 * whatever GIF says, so the IPIs are stopped where they are sent.
 */
#include <asm/apic.h>
#include <asm/processor.h>
#include <hv/printk.h>

#define APIC_ICR_LO	 0x300
#define APIC_ICR_HI	 0x310
#define ICR_MODE(lo)	 (((lo) >> 8) & 7)
#define ICR_MODE_INIT	 5
#define ICR_MODE_STARTUP 6
#define LOG_DROPPED	 4

static u64 apic_page;
static u64 dropped;

int apic_trap_init(struct pt_root *gpm)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	int ret;

	apic_page = base & 0x000ffffffffff000ull;
	ret = pt_map(gpm, apic_page, apic_page, PAGE_SIZE, PT_READ);
	if (!ret)
		pr_info("local APIC at 0x%llx (%s mode): guest writes trapped, INIT/SIPI never leave the guest",
			(unsigned long long)apic_page,
			(base & APIC_BASE_X2APIC) ? "x2APIC" : "xAPIC");
	return ret;
}

bool apic_is_trapped(u64 gpa)
{
	return apic_page && (gpa & ~0xfffull) == apic_page;
}

bool apic_icr_allowed(u32 icr_lo)
{
	return ICR_MODE(icr_lo) != ICR_MODE_INIT && ICR_MODE(icr_lo) != ICR_MODE_STARTUP;
}

static void report_drop(struct percpu *cpu, u32 lo, u32 hi)
{
	if (++dropped <= LOG_DROPPED)
		pr_warn("cpu%u: guest %s IPI dropped (ICR 0x%08x:%08x): the guest has one vCPU",
			cpu->cpu_id, ICR_MODE(lo) == ICR_MODE_INIT ? "INIT" : "start-up", hi, lo);
}

u32 apic_mmio_read(u64 gpa)
{
	return mmio_read32(gpa & ~3ull);
}

void apic_mmio_write(struct percpu *cpu, u64 gpa, u32 val)
{
	if ((gpa & 0xffc) == APIC_ICR_LO && !apic_icr_allowed(val)) {
		report_drop(cpu, val, mmio_read32(apic_page + APIC_ICR_HI));
		return;
	}
	mmio_write32(gpa & ~3ull, val);
}

void apic_x2apic_icr_write(struct percpu *cpu, u64 val)
{
	if (!apic_icr_allowed((u32)val)) {
		report_drop(cpu, (u32)val, (u32)(val >> 32));
		return;
	}
	wrmsr(MSR_X2APIC_ICR, val);
}
