// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest APIC writes. vCPU n runs on CPU n with the same APIC ID, so most IPIs
 * go straight to the hardware. INIT and start-up IPIs never do: a CPU that
 * takes an INIT in host mode would be restarted outside guest mode (on AMD
 * hardware GIF holds INIT, but QEMU's TCG performs it whatever GIF says), so
 * they are routed to the target vCPU, which resets itself: smp.c emulates
 * the guest's stores to the trapped page (smp_apic_mmio_write()); this file
 * is the trap and the hardware APIC.
 *
 * The xAPIC page is write-protected while a guest INIT/SIPI can come: from
 * boot until the guest has started every AP, and again from the guest's
 * CMOS warm-reset write that precedes a CPU start-up (smp.c). In between,
 * under apic_trap=boot, EOI and timer writes cost no exit. The x2APIC ICR
 * MSR stays intercepted throughout; it exits only for IPIs.
 */
#include <asm/apic.h>
#include <asm/processor.h>
#include <hv/printk.h>


static u64 apic_page;
static struct gpm *trap_gpm;
static volatile bool trap_on; /* read unlocked by every vCPU */

static int trap_map(struct gpm *gpm, bool on)
{
	int ret = pt_map(&gpm->pt, apic_page, apic_page, PAGE_SIZE, on ? PT_READ : PT_RWX);

	if (!ret)
		__atomic_add_fetch(&gpm->gen, 1, __ATOMIC_SEQ_CST);
	return ret;
}

int apic_trap_init(struct gpm *gpm)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	int ret;

	apic_page = base & APIC_BASE_ADDR;
	ret = trap_map(gpm, true);
	if (ret || gpm->mode != GPM_GUEST)
		return ret; /* the capture kernel's trap is never lifted */
	trap_gpm = gpm;
	trap_on = true;
	pr_info("local APIC at 0x%llx (%s mode): guest writes trapped, INIT and start-up IPIs go to the hv's vCPUs",
		(unsigned long long)apic_page, (base & APIC_BASE_X2APIC) ? "x2APIC" : "xAPIC");
	return 0;
}

bool apic_trap_armed(void)
{
	return trap_on;
}

int apic_trap_set(bool on)
{
	int ret;

	if (!trap_gpm || trap_on == on)
		return 0;
	ret = trap_map(trap_gpm, on);
	if (!ret)
		trap_on = on;
	return ret;
}

bool apic_is_trapped(u64 gpa)
{
	/* Also once lifted: a vCPU may still fault through its stale TLB entry. */
	return apic_page && (gpa & ~0xfffull) == apic_page;
}

u32 apic_mmio_read(u64 gpa)
{
	return mmio_read32(gpa & ~3ull);
}

#define APIC_TPR       0x080
#define APIC_EOI       0x0b0
#define APIC_SVR       0x0f0
#define APIC_ISR       0x100
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_THERM 0x330
#define APIC_LVT_PERF  0x340
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TMICT     0x380
#define LVT_MASKED     0x10000
#define LVT_EXTINT     0x700
#define LVT_NMI	       0x400

/* xAPIC register offset, or the x2APIC MSR 0x800 + offset / 16 (SDM vol. 3A, 11.12.1). */
static u32 lapic_read(u32 off)
{
	if (rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC)
		return (u32)rdmsr(0x800 + (off >> 4));
	return mmio_read32((rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR) + off);
}

static void lapic_write(u32 off, u32 v)
{
	if (rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC)
		wrmsr(0x800 + (off >> 4), v);
	else
		mmio_write32((rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR) + off, v);
}

void apic_send_ipi(u32 apic_id, u32 icr)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	if (base & APIC_BASE_X2APIC) {
		wrmsr(MSR_X2APIC_ICR, ((u64)apic_id << 32) | icr);
		return;
	}
	base &= APIC_BASE_ADDR;
	mmio_write32(base + APIC_ICR_HI, apic_id << 24);
	mmio_write32(base + APIC_ICR_LO, icr);
	/* Delivery status (bit 12): bounded wait, never hang on a stuck APIC. */
	for (unsigned int i = 0; i < 100000 && (mmio_read32(base + APIC_ICR_LO) & (1u << 12)); i++)
		cpu_relax();
}

void apic_self_nmi(u32 apic_id)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	u32 hi;

	if (base & APIC_BASE_X2APIC) {
		wrmsr(MSR_X2APIC_ICR, ((u64)apic_id << 32) | 0x4400);
		return;
	}
	/* The interrupted code may be between its own ICR_HI and ICR_LO writes. */
	base &= APIC_BASE_ADDR;
	hi = mmio_read32(base + APIC_ICR_HI);
	mmio_write32(base + APIC_ICR_HI, apic_id << 24);
	mmio_write32(base + APIC_ICR_LO, 0x4400); /* NMI, assert, physical */
	mmio_write32(base + APIC_ICR_HI, hi);
}

u32 apic_ldr(void)
{
	return lapic_read(APIC_LDR);
}

bool apic_lint1_takes_nmi(void)
{
	u32 v = lapic_read(APIC_LVT_LINT1);

	return !(v & LVT_MASKED) && ((v >> 8) & 7) == ICR_MODE_NMI;
}

static bool lapic_in_service(void)
{
	for (u32 i = 0; i < 8; i++)
		if (lapic_read(APIC_ISR + i * 0x10))
			return true;
	return false;
}

/* IO-APIC (82093AA): index at +0x00, data at +0x10; entry i at 0x10 + 2i. */
static void ioapic_mask_all(u64 base)
{
	u32 ver, pins;

	mmio_write32(base, 0x01);
	ver = mmio_read32(base + 0x10);
	pins = ((ver >> 16) & 0xff) + 1;
	for (u32 i = 0; i < pins; i++) {
		mmio_write32(base, 0x10 + 2 * i);
		mmio_write32(base + 0x10, LVT_MASKED);
		mmio_write32(base, 0x11 + 2 * i);
		mmio_write32(base + 0x10, 0);
	}
}

unsigned int apic_quiesce_local(void)
{
	unsigned int eois = 0;

	lapic_write(APIC_TMICT, 0);
	lapic_write(APIC_LVT_TIMER, LVT_MASKED);
	lapic_write(APIC_LVT_THERM, LVT_MASKED);
	lapic_write(APIC_LVT_PERF, LVT_MASKED);
	lapic_write(APIC_LVT_ERROR, LVT_MASKED);
	while (lapic_in_service() && eois++ < 256)
		lapic_write(APIC_EOI, 0);
	lapic_write(APIC_TPR, 0);
	lapic_write(APIC_LVT_LINT0, LVT_EXTINT);
	lapic_write(APIC_LVT_LINT1, LVT_NMI);
	return eois;
}

void apic_quiesce(const u64 *ioapic, unsigned int n, const char *next)
{
	unsigned int eois = apic_quiesce_local();

	for (unsigned int i = 0; i < n; i++)
		ioapic_mask_all(ioapic[i]);
	pr_info("interrupts quiesced for %s: local APIC (%u EOIs), %u IO-APIC(s)", next, eois, n);
}
