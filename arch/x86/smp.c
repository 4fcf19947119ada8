// SPDX-License-Identifier: GPL-2.0-only
/*
 * Application processors: the hv starts every AP itself (INIT, SIPI, SIPI to
 * all but self) before the guest runs, enables virtualisation on it and holds
 * it in the park guest, so the guest can never start a CPU natively.
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/gate.h>
#include <asm/guest_mem.h>
#include <asm/layout.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <asm/traps.h>
#include <asm/vcpu.h>
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/spinlock.h>
#include <parachute/abi.h>

#define ICR_INIT	 0x00000500
#define ICR_STARTUP	 0x00000600
#define ICR_ASSERT	 0x00004000
#define ICR_ALL_BUT_SELF 0x000c0000

extern const u8 ap_trampoline[], ap_trampoline_end[];
extern volatile u32 ap_next_id; /* head.S: ids handed out to APs, from 1 */
u8 cpu_stacks[HV_MAX_CPUS][HV_STACK_SIZE] __aligned(4096);

BUILD_BUG_ON(HV_MAX_CPUS != MAX_CPUS);

struct percpu *this_cpu(void)
{
	u64 sp = (u64)(uintptr_t)__builtin_frame_address(0);

	return &percpu_area[(sp - (u64)(uintptr_t)cpu_stacks) / HV_STACK_SIZE];
}

void ap_start(unsigned int id);
void ap_start(unsigned int id)
{
	struct percpu *cpu = &percpu_area[id];
	struct cpuid_regs c;

	hv_mm_activate();
	idt_load(); /* host NMIs are taken here when the hv consumes a kick */
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
	vcpu_cpu_loop(cpu, NULL, NULL);
}

void smp_start_aps(const struct madt_info *madt)
{
	bool listed = madt->cpus;
	unsigned int seen = 0, want = listed ? MIN(madt->enabled, MAX_CPUS) : 0;

	memcpy((void *)AP_TRAMPOLINE_ADDR, ap_trampoline,
	       (size_t)(ap_trampoline_end - ap_trampoline));
	/* SDM vol. 3A, 8.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI. */
	apic_send_ipi(0, ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_INIT);
	udelay(10000);
	for (int i = 0; i < 2; i++) {
		apic_send_ipi(0, ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP |
					 (AP_TRAMPOLINE_ADDR >> 12));
		udelay(200);
	}
	/*
	 * Until every CPU the MADT lists as enabled has reported; without a MADT,
	 * until no new AP has for 50 ms. At most 1 s either way.
	 */
	for (unsigned int waited = 0; waited < 1000000; waited += 1000) {
		if (want && nr_cpus_online >= want)
			break;
		if (!want && waited % 50000 == 0) {
			if (nr_cpus_online == seen && waited >= 100000)
				break;
			seen = nr_cpus_online;
		}
		udelay(1000);
	}
	for (unsigned int i = 1; i < nr_cpus_online && i < MAX_CPUS; i++) {
		struct percpu *t = &percpu_area[i];

		/* In the park guest it never writes its state again: take it over. */
		for (unsigned int ms = 0; t->state == CPU_HOST && ms < 100; ms++)
			udelay(1000);
		if (listed && t->state == CPU_PARKED && !madt_has_cpu(madt, t->apic_id)) {
			t->arch.mbox.park = 1; /* never started: the guest's MADT lacks it */
			t->state = CPU_HALTED;
			pr_warn("cpu%u (APIC %u): not a usable processor in the MADT; halted", i,
				t->apic_id);
			continue;
		}
		pr_info("cpu%u (APIC %u): %s", i, t->apic_id,
			t->state == CPU_PARKED ? "held in the park guest" : "halted");
	}
	pr_info("%u CPUs: cpu0 runs the guest, %u held by the hv", nr_cpus_online,
		nr_cpus_online - 1);
	if (listed && nr_cpus_online < madt->enabled)
		pr_warn("the MADT lists %u enabled processors; %u came up", madt->enabled,
			nr_cpus_online);
	if (ap_next_id > MAX_CPUS)
		pr_warn("%u more CPUs are halted: this build supports %u", ap_next_id - MAX_CPUS,
			MAX_CPUS);
}

/*
 * The guest's start-up protocol, virtualised: vCPU n runs on physical CPU n
 * with the same APIC ID, so an INIT or SIPI the guest addresses to an APIC ID
 * goes to that CPU's mailbox, and an NMI makes it look (asm/percpu.h).
 */
#define ICR_NMI	    0x00000400
#define ICR_LEVEL   0x00008000
#define ICR_LOGICAL 0x00000800

static void kick(struct percpu *t)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* mailbox first, then the NMI */
	apic_send_ipi(t->apic_id, ICR_NMI | ICR_ASSERT);
}

/* Does an IPI (ICR low word lo, destination dest) from 'from' reach t? */
static bool ipi_reaches(const struct percpu *from, const struct percpu *t, u32 lo, u32 dest)
{
	switch ((lo >> 18) & 3) { /* SDM vol. 3A, 11.6.1: destination shorthand */
	case 1:
		return t == from;
	case 2:
		return true;
	case 3:
		return t != from;
	}
	if (lo & ICR_LOGICAL) /* flat logical model: dest is a bitmap of LDR bits */
		return (dest & (t->arch.ldr >> 24)) != 0;
	return t->apic_id == dest;
}

static bool is_vcpu(const struct percpu *t)
{
	return t->state == CPU_GUEST || t->state == CPU_PARKED;
}

static u64 dropped_lines; /* INIT and SIPIs to the capturing vCPU: heard, rate-limited */

/*
 * The capture kernel's CPUs (docs/smp.md, "The capture kernel's CPUs"): from
 * the hand-over until a restart stops them, the capture kernel may start
 * the vCPUs the hv parked for the capture, and only it. capture_cpus_lock
 * orders a start against the stop: a vCPU starts in the capture space only
 * while start-ups are open.
 */
static spinlock_t capture_cpus_lock;
static volatile bool capture_cpus_open;

bool arch_in_capture_kernel(const struct percpu *t)
{
	return t->state == CPU_GUEST && t->arch.gpm == &capture_gpm;
}

/* A vCPU the capture kernel may INIT: parked (for the crash, or never started), or its own. */
static bool capture_may_start(const struct percpu *t)
{
	return (t->state == CPU_PARKED && (t->arch.mbox.park || t->arch.mbox.capture)) ||
	       arch_in_capture_kernel(t);
}

/* Whether t takes a start-up IPI from 'from' at all; what is refused is said. */
static bool startup_target(const struct percpu *from, const struct percpu *t, bool by_capture,
			   bool init)
{
	/* The capture kernel's vCPU is started by nobody: dropped, and said. */
	if (capture_owned_by(t)) {
		pr_warn_limited(&dropped_lines, "cpu%u: %s to the capturing cpu%u dropped",
				from->cpu_id, init ? "INIT" : "start-up IPI", t->cpu_id);
		return false;
	}
	if (!by_capture)
		return is_vcpu(t) && !t->arch.mbox.park;
	if (capture_may_start(t))
		return true;
	if (t->state == CPU_GUEST || t->state == CPU_PARKED)
		pr_warn_limited(&dropped_lines, "cpu%u: the capture kernel's %s to cpu%u dropped: that vCPU did not park at the crash, it stays out of the capture",
				from->cpu_id, init ? "INIT" : "start-up IPI", t->cpu_id);
	return false;
}

static void guest_startup_ipi(struct percpu *from, u32 lo, u32 dest)
{
	bool init = ((lo >> 8) & 7) == 5;
	bool by_capture = from->arch.gpm == &capture_gpm;
	/*
	 * During a capture only the capture kernel starts CPUs: a vCPU of the
	 * crashed guest that never parked starts none.
	 */
	bool refused = capture_running() && (!by_capture || !capture_cpus_open);

	/* INIT level de-assert (SDM vol. 3A, 11.6.1) does nothing on modern CPUs. */
	if (init && !(lo & ICR_ASSERT) && (lo & ICR_LEVEL))
		return;
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		struct percpu *t = &percpu_area[i];

		if (t == from || !ipi_reaches(from, t, lo, dest))
			continue;
		if (refused && !capture_owned_by(t)) {
			if (is_vcpu(t))
				pr_warn_limited(&dropped_lines, "cpu%u: %s to cpu%u during a capture dropped (%s)",
						from->cpu_id, init ? "INIT" : "start-up IPI", t->cpu_id,
						by_capture ? "the capture kernel's CPUs are stopped"
							   : "sent by the crashed guest");
			continue;
		}
		if (!startup_target(from, t, by_capture, init))
			continue;
		if (init) {
			t->arch.mbox.sipi = 0;
			t->arch.mbox.capture = by_capture;
			t->arch.mbox.init = 1;
			if (t->state == CPU_GUEST)
				kick(t);
		} else if (t->arch.mbox.init && !t->arch.mbox.sipi) {
			t->arch.mbox.sipi = 0x100 | (lo & 0xff);
			kick(t);
		}
	}
}

unsigned int smp_capture_cpus_open(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < MAX_CPUS; i++)
		if (!capture_owned_by(&percpu_area[i]) && capture_may_start(&percpu_area[i]))
			n++;
	capture_cpus_open = true;
	return n;
}

bool smp_capture_cpu_begin(struct percpu *cpu)
{
	bool ok;

	spin_lock(&capture_cpus_lock);
	ok = capture_cpus_open && capture_running();
	if (ok) {
		cpu->arch.mbox.park = 0;
		cpu->arch.gpm = &capture_gpm;
		cpu->state = CPU_GUEST;
	}
	spin_unlock(&capture_cpus_lock);
	return ok;
}

unsigned int arch_capture_cpus_stop(struct percpu *self)
{
	u64 t0 = rdtsc(), limit = hv.tsc_khz * 1000; /* 1 s */
	unsigned int late = 0;

	spin_lock(&capture_cpus_lock);
	capture_cpus_open = false;
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		struct percpu *t = &percpu_area[i];

		if (t != self && arch_in_capture_kernel(t)) {
			t->arch.mbox.park = 1;
			kick(t);
		}
	}
	spin_unlock(&capture_cpus_lock);
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		const struct percpu *t = &percpu_area[i];

		while (t != self && arch_in_capture_kernel(t) && rdtsc() - t0 < limit)
			cpu_relax();
		if (t != self && arch_in_capture_kernel(t)) {
			pr_err("cpu%u: runs the capture kernel and did not stop within 1 s", t->cpu_id);
			late++;
		}
	}
	return late;
}

/* A guest NMI IPI, counted on its targets so that their NMI exit re-injects it. */
static void note_guest_nmi(struct percpu *from, u32 lo, u32 dest)
{
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		struct percpu *t = &percpu_area[i];

		if (t->state == CPU_GUEST && ipi_reaches(from, t, lo, dest))
			__atomic_add_fetch(&t->arch.guest_nmis, 1, __ATOMIC_SEQ_CST);
	}
}

/*
 * The policy for an ICR write (SDM vol. 3A, 11.6.1): INIT and start-up IPIs go
 * to the target vCPUs' mailboxes, never to the hardware; an NMI IPI is noted
 * on its targets so their NMI exit re-injects it. Returns true when the write
 * should reach the real APIC.
 */
static bool icr_policy(struct percpu *cpu, u32 lo, u32 dest)
{
	switch (ICR_MODE(lo)) {
	case ICR_MODE_INIT:
	case ICR_MODE_STARTUP:
		guest_startup_ipi(cpu, lo, dest);
		return false;
	case ICR_MODE_NMI:
		note_guest_nmi(cpu, lo, dest);
		return true;
	default:
		return true;
	}
}

void smp_apic_mmio_write(struct percpu *cpu, u64 gpa, u32 val)
{
	u32 off = gpa & 0xffc;

	if (off == APIC_LDR)
		cpu->arch.ldr = val;
	/* The ICR's high word is in the same page: the destination the hardware would use. */
	if (off == APIC_ICR_LO &&
	    !icr_policy(cpu, val, mmio_read32((gpa & ~0xfffull) + APIC_ICR_HI) >> 24))
		return;
	mmio_write32(gpa & ~3ull, val);
}

void smp_x2apic_icr_write(struct percpu *cpu, u64 val)
{
	/* vcpu_handle_wrmsr() passed val through the gate: it cannot fail here. */
	if (icr_policy(cpu, (u32)val, (u32)(val >> 32)))
		gate_write_x2apic_icr(val);
}

/*
 * The xAPIC page trap under apic_trap=boot (apic.c): lifted once every vCPU
 * runs the guest and none waits for a SIPI, armed again by the CMOS
 * warm-reset write that comes before an INIT (Linux's do_boot_cpu() writes
 * it for every CPU it starts, as the MP spec's start-up algorithm says).
 */
static spinlock_t trap_lock;
static u64 trap_lines; /* the lines below: a guest starting CPUs in a loop is heard rate-limited */

void smp_vcpu_started(void)
{
	unsigned int n = 0;

	/* Where an INIT cannot be contained, no guest INIT may reach a CPU: never lifted. */
	if (hv.opt.apic_trap != APIC_TRAP_BOOT || !apic_trap_armed() || !vcpu_inits_contained)
		return;
	spin_lock(&trap_lock);
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		const struct percpu *t = &percpu_area[i];

		if (!is_vcpu(t))
			continue;
		if (t->state != CPU_GUEST || t->arch.mbox.init || t->arch.mbox.sipi ||
		    t->arch.mbox.park)
			goto out;
		n++;
	}
	if (apic_trap_armed() && !apic_trap_set(false) && log_ratelimit(&trap_lines))
		pr_info("all %u vCPUs run the guest: xAPIC writes no longer trapped (apic_trap=boot)",
			n);
out:
	spin_unlock(&trap_lock);
}

/*
 * Every other vCPU running the guest flushes its nested TLB (mailbox, then
 * NMI); wait up to 1 s for each to take the guest space's current
 * generation. Returns how many did not in time, or -1 if a capture began
 * meanwhile (cpu is asked to park).
 */
static int flush_others(struct percpu *cpu)
{
	u64 t0 = rdtsc(), limit = hv.tsc_khz * 1000; /* 1 s */
	u32 gen = guest_gpm.gen;
	int late = 0;

	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		struct percpu *t = &percpu_area[i];

		if (t != cpu && t->state == CPU_GUEST) {
			t->arch.mbox.flush = 1;
			kick(t);
		}
	}
	/* Each acknowledges by taking the new generation, just before an entry that flushes. */
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		struct percpu *t = &percpu_area[i];

		while (t != cpu && t->state == CPU_GUEST && t->arch.gpm_gen != gen &&
		       rdtsc() - t0 < limit) {
			if (cpu->arch.mbox.park) /* a capture began: this vCPU parks */
				return -1;
			cpu_relax();
		}
		if (t != cpu && t->state == CPU_GUEST && t->arch.gpm_gen != gen)
			late++;
	}
	return late;
}

int smp_flush_guest(struct percpu *cpu)
{
	static u64 late_lines;
	int late = flush_others(cpu);

	/* They flush at their next entry; until their next exit they may use the old mappings. */
	if (late > 0)
		pr_warn_limited(&late_lines, "cpu%u: %d vCPU(s) did not flush their nested TLB within 1 s of a change to the guest's space",
				cpu->cpu_id, late);
	return late;
}

bool smp_start_up_coming(struct percpu *cpu, const char *why)
{
	int late;

	if (apic_trap_armed() || cpu->arch.gpm != &guest_gpm)
		return false;
	spin_lock(&trap_lock);
	if (apic_trap_armed() || apic_trap_set(true)) {
		spin_unlock(&trap_lock);
		return false;
	}
	late = flush_others(cpu);
	spin_unlock(&trap_lock);
	if (late < 0)
		return true;
	if (late && log_ratelimit(&trap_lines))
		pr_warn("cpu%u: %u vCPU(s) did not flush within 1 s; their APIC writes may pass untrapped",
			cpu->cpu_id, late);
	pr_info_limited(&trap_lines, "cpu%u: %s (a CPU start-up follows): xAPIC writes trapped again",
			cpu->cpu_id, why);
	return false;
}

/* Ask every other vCPU to park (mailbox, then NMI); returns how many run guest code. */
static unsigned int request_park(const struct percpu *self)
{
	unsigned int asked = 0;

	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		struct percpu *t = &percpu_area[i];

		if (t == self || !is_vcpu(t))
			continue;
		t->arch.mbox.park = 1;
		if (t->state == CPU_GUEST) {
			asked++;
			kick(t);
		}
	}
	return asked;
}

void arch_stop_other_cpus(void)
{
	request_park(this_cpu());
}

/* The other vCPUs that have saved their state and parked. */
static unsigned int count_parked(const struct percpu *self)
{
	unsigned int parked = 0;

	for (unsigned int i = 0; i < MAX_CPUS; i++)
		if (&percpu_area[i] != self && percpu_area[i].arch.crash_saved)
			parked++;
	return parked;
}

/*
 * A vCPU that keeps NMIs blocked (inside its own NMI handler, never at
 * IRET) does not take the park NMI on SVM. An INIT is not blocked by that:
 * where the CPU holds INITs (VM_CR.R_INIT), the hv sends one, which exits
 * (vcpu_handle_init() parks the vCPU during a capture) and is then dropped
 * as #SX. VMX needs none: with virtual NMIs the hv's NMI always exits.
 */
static bool park_with_init(const struct percpu *self)
{
	bool sent = false;

	if (vendor->id != PARACHUTE_VENDOR_SVM || !vcpu_inits_contained)
		return false;
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		const struct percpu *t = &percpu_area[i];

		if (t != self && t->state == CPU_GUEST && !t->arch.crash_saved) {
			pr_warn("crash: cpu%u did not answer the park NMI (NMIs blocked?): parked with an INIT",
				t->cpu_id);
			apic_send_ipi(t->apic_id, ICR_INIT | ICR_ASSERT);
			sent = true;
		}
	}
	return sent;
}

void arch_park_other_cpus(struct percpu *self)
{
	u64 t0 = rdtsc(), limit = hv.tsc_khz * 1000; /* 1 s, then 100 ms more after INITs */
	unsigned int asked = request_park(self), parked = 0;
	bool tried_init = false;

	for (;;) {
		parked = count_parked(self);
		if (parked >= asked)
			break;
		if (rdtsc() - t0 > limit) {
			if (tried_init || !park_with_init(self))
				break;
			tried_init = true;
			limit += limit / 10;
		}
		cpu_relax();
	}
	pr_info("crash: %u other vCPU(s) parked in %llu us%s", parked,
		(unsigned long long)((rdtsc() - t0) * 1000 / (hv.tsc_khz ? hv.tsc_khz : 1)),
		parked < asked ? "; the others did not answer the NMI within 1 s" : "");
	for (unsigned int i = 0; parked < asked && i < MAX_CPUS; i++) {
		const struct percpu *t = &percpu_area[i];

		if (t != self && t->state == CPU_GUEST && !t->arch.crash_saved)
			pr_warn("crash: cpu%u did not park: its vCPU stays out of the vmcore's notes and of the capture kernel's CPUs",
				t->cpu_id);
	}
}
