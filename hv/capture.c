// SPDX-License-Identifier: GPL-2.0-only
/* Crash capture, the generic part: staging, hashing, election, policy. */
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/elfcore.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

struct capture_state capture = { .owner = -1 };

static void digest_region(u8 out[SHA256_DIGEST_SIZE])
{
	struct sha256 s;

	sha256_init(&s);
	for (unsigned int i = 0; i < capture.nhashed; i++)
		sha256_update(&s, phys_to_virt(capture.hashed[i].start),
			      capture.hashed[i].end - capture.hashed[i].start);
	sha256_final(&s, out);
}

static void hex8(const u8 *d, char *out)
{
	snprintf_hv(out, 17, "%02x%02x%02x%02x%02x%02x%02x%02x", d[0], d[1], d[2], d[3], d[4], d[5],
		    d[6], d[7]);
}

void capture_stage(const struct boot_info *bi)
{
	char h[17];

	if (!bi->by_role[ROLE_CAPTURE]) {
		pr_info("no capture module: capture disarmed");
		return;
	}
	if (arch_capture_stage(bi, &capture)) {
		pr_err("capture disarmed: the guest boots, but a crash will not be captured");
		return;
	}
	digest_region(capture.digest);
	hex8(capture.digest, h);
	pr_info("capture armed: SHA-256 of the staged region %s...", h);
	capture.armed = true;
	if (hv.opt.capture_test == CAPTURE_TEST_CORRUPT) {
		/* capture_test=corrupt: damage the staged kernel after hashing it. */
		((volatile u8 *)phys_to_virt(capture.hashed[0].start))[0x1000] ^= 0x5a;
		pr_warn("capture_test=corrupt: one byte of the staged capture kernel flipped");
	}
}

static void __noreturn capture_failed(struct percpu *cpu, const char *why)
{
	pr_err("capture failed: %s", why);
	arch_capture_dump(cpu);
	if (hv.opt.capture_failure == FAILURE_REBOOT) {
		pr_err("rebooting the machine (capture_failure=reboot)");
		arch_reboot();
	}
	hv_halt();
}

static const char *const source_name[] = {
	[CRASH_PVPANIC] = "pvpanic (the guest kernel panicked)",
	[CRASH_TRIPLE_FAULT] = "triple fault",
	[CRASH_NMI] = "operator NMI",
	[CRASH_HYPERCALL] = "guest CRASH hypercall",
};

/* The option that says what src does: capture, or the one alternative it allows. */
static enum trigger_action source_policy(enum crash_source src)
{
	switch (src) {
	case CRASH_PVPANIC:
		return hv.opt.pvpanic;
	case CRASH_TRIPLE_FAULT:
		return hv.opt.triple_fault;
	case CRASH_NMI:
		return hv.opt.nmi;
	case CRASH_HYPERCALL:
		return hv.opt.crash_hypercall;
	}
	return TRIGGER_REFUSE;
}

bool crash_source_enabled(enum crash_source src)
{
	return source_policy(src) == TRIGGER_CAPTURE;
}

enum vcpu_action crash_trigger(struct percpu *cpu, enum crash_source src)
{
	int none = -1;
	u8 now[SHA256_DIGEST_SIZE];
	char want[17], got[17];
	u64 t0 = arch_timestamp_us();

	switch (source_policy(src)) {
	case TRIGGER_CAPTURE:
		break;
	case TRIGGER_REPORT:
		return VCPU_FATAL;
	default:
		return VCPU_RESUME;
	}
	/* A guest that asks for a capture which cannot happen is told so; it goes on. */
	if (src == CRASH_HYPERCALL && !capture.armed)
		return VCPU_RESUME;
	/* Xen's one_cpu_only(): a second trigger while capturing is recorded, not re-entered. */
	if (!__atomic_compare_exchange_n(&capture.owner, &none, (int)cpu->cpu_id, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		capture.later_triggers++;
		if (capture.owner == (int)cpu->cpu_id)
			capture_failed(cpu, "the capture kernel itself crashed");
		pr_warn("cpu%u: crash trigger (%s) while cpu%d captures: recorded, vCPU parked",
			cpu->cpu_id, source_name[src], capture.owner);
		return VCPU_PARK;
	}
	/* First freeze the evidence: DMA the crashed guest armed must not land. */
	arch_dma_capture_mode();
	pr_err("crash: %s on cpu%u (APIC %u)", source_name[src], cpu->cpu_id, cpu->apic_id);
	arch_park_other_cpus(cpu);
	if (!capture.armed)
		capture_failed(cpu, "capture is disarmed");
	digest_region(now);
	if (memcmp(now, capture.digest, sizeof(now))) {
		hex8(capture.digest, want);
		hex8(now, got);
		pr_err("capture region corrupted: SHA-256 %s... at boot, %s... now", want, got);
		capture_failed(cpu, "the staged capture kernel was modified");
	}
	if (arch_capture_handover(cpu))
		capture_failed(cpu, "the hand-over could not be prepared");
	pr_info("crash: hand-over took %llu us after the trigger",
		(unsigned long long)(arch_timestamp_us() - t0));
	return VCPU_RESET;
}

int find_vmcoreinfo(const struct memmap *map, u64 *desc_pa, u32 *desc_len)
{
	for (unsigned int i = 0; i < map->nr; i++) {
		const struct e820_entry *e = &map->e[i];
		u64 end = e->addr + e->size;

		if (e->type != E820_RAM)
			continue;
		for (u64 pa = ALIGN_UP(e->addr, PAGE_SIZE); pa + PAGE_SIZE <= end;
		     pa += PAGE_SIZE) {
			const u8 *p = phys_to_virt(pa);
			struct elf64_nhdr h;

			memcpy(&h, p, sizeof(h));
			/* name "VMCOREINFO\0" pads to 12 bytes: the text starts at 24. */
			if (h.n_namesz != 11 || h.n_type != NT_VMCOREINFO || h.n_descsz < 10 ||
			    h.n_descsz > PAGE_SIZE - 24 || memcmp(p + 12, "VMCOREINFO", 11) ||
			    memcmp(p + 24, "OSRELEASE=", 10))
				continue;
			*desc_pa = pa + 24;
			*desc_len = h.n_descsz;
			return 0;
		}
	}
	return -ENOENT;
}
