// SPDX-License-Identifier: GPL-2.0-only
/*
 * Application processors: the hv starts every AP itself (INIT, SIPI, SIPI to
 * all but self) before the guest runs, enables virtualisation on it and holds
 * it in the park guest, so the guest can never start a CPU natively.
 */
#include <asm/layout.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <asm/vcpu.h>
#include <hv/arch.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/printk.h>

#define APIC_MMIO_ICR_LO 0x300
#define APIC_MMIO_ICR_HI 0x310
#define MSR_X2APIC_ICR	 0x830
#define ICR_INIT	 0x00000500
#define ICR_STARTUP	 0x00000600
#define ICR_ASSERT	 0x00004000
#define ICR_ALL_BUT_SELF 0x000c0000
#define ICR_BUSY	 0x00001000

extern const u8 ap_trampoline[], ap_trampoline_end[];
extern volatile u32 ap_next_id; /* head.S: ids handed out to APs, from 1 */
u8 cpu_stacks[HV_MAX_CPUS][HV_STACK_SIZE] __aligned(4096);

BUILD_BUG_ON(HV_MAX_CPUS != MAX_CPUS);

struct percpu *this_cpu(void)
{
	u64 sp = (u64)(uintptr_t)__builtin_frame_address(0);

	return &percpu_area[(sp - (u64)(uintptr_t)cpu_stacks) / HV_STACK_SIZE];
}

static void send_ipi(u32 icr)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	if (base & APIC_BASE_X2APIC) {
		wrmsr(MSR_X2APIC_ICR, icr);
		return;
	}
	base &= ~0xfffull;
	mmio_write32(base + APIC_MMIO_ICR_HI, 0);
	mmio_write32(base + APIC_MMIO_ICR_LO, icr);
	for (unsigned int i = 0; i < 100000 && (mmio_read32(base + APIC_MMIO_ICR_LO) & ICR_BUSY);
	     i++)
		cpu_relax();
}

void ap_start(unsigned int id);
void ap_start(unsigned int id)
{
	struct percpu *cpu = &percpu_area[id];
	struct cpuid_regs c;

	hv_mm_activate();
	cpu->cpu_id = id;
	cpuid_count(1, 0, &c);
	cpu->apic_id = c.ebx >> 24;
	cpu->state = CPU_HOST;
	if (vendor->cpu_init(cpu)) {
		pr_err("cpu%u (APIC %u): cannot enable %s; CPU halted", id, cpu->apic_id,
		       vendor->name);
		cpu->state = CPU_HALTED;
		__atomic_add_fetch(&nr_cpus_online, 1, __ATOMIC_SEQ_CST);
		arch_cpu_halt();
	}
	__atomic_add_fetch(&nr_cpus_online, 1, __ATOMIC_SEQ_CST);
	vendor->park(cpu);
}

void smp_start_aps(void)
{
	unsigned int seen = 0;

	memcpy((void *)AP_TRAMPOLINE_ADDR, ap_trampoline,
	       (size_t)(ap_trampoline_end - ap_trampoline));
	/* SDM vol. 3A, 8.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI. */
	send_ipi(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_INIT);
	udelay(10000);
	for (int i = 0; i < 2; i++) {
		send_ipi(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP | (AP_TRAMPOLINE_ADDR >> 12));
		udelay(200);
	}
	/* Wait until no new AP has reported for 50 ms (at most 1 s). */
	for (unsigned int waited = 0; waited < 1000; waited += 50) {
		udelay(50000);
		if (nr_cpus_online == seen && waited >= 100)
			break;
		seen = nr_cpus_online;
	}
	for (unsigned int i = 1; i < nr_cpus_online && i < MAX_CPUS; i++)
		pr_info("cpu%u (APIC %u): %s", i, percpu_area[i].apic_id,
			percpu_area[i].state == CPU_PARKED ? "held in the park guest" : "halted");
	pr_info("%u CPUs: cpu0 runs the guest, %u held by the hv", nr_cpus_online,
		nr_cpus_online - 1);
	if (ap_next_id > MAX_CPUS)
		pr_warn("%u more CPUs are halted: this build supports %u", ap_next_id - MAX_CPUS,
			MAX_CPUS);
}
