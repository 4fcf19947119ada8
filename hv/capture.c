// SPDX-License-Identifier: GPL-2.0-only
/* Crash capture, the generic part: staging, hashing, election, policy. */
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/elfcore.h>
#include <hv/history.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/restart.h>
#include <hv/watchdog.h>

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

u64 capture_check_region(void)
{
	u64 h = 0;

	for (unsigned int i = 0; i < capture.nhashed; i++)
		h = check64(h, phys_to_virt(capture.hashed[i].start),
			    capture.hashed[i].end - capture.hashed[i].start);
	return h;
}

static u64 sample_key; /* where in each page the sampled check reads its line */

u64 capture_sample_line(u64 pa)
{
	u64 x = (pa >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ull ^ sample_key;

	return (x >> 29) & (PAGE_SIZE - 64) & ~63ull;
}

u64 capture_sampled_check(void)
{
	u64 h = 0;

	for (unsigned int i = 0; i < capture.nhashed; i++) {
		const struct phys_range *r = &capture.hashed[i];

		if (r->what && !strcmp(r->what, CAPTURE_BOOT_DATA)) {
			h = check64(h, phys_to_virt(r->start), r->end - r->start);
			continue;
		}
		for (u64 page = ALIGN_DOWN(r->start, PAGE_SIZE); page < r->end; page += PAGE_SIZE) {
			u64 a = MAX(page + capture_sample_line(page), r->start);
			u64 b = MIN(page + capture_sample_line(page) + 64, r->end);

			if (a < b && b - a == 64)
				h = check64_line(h, phys_to_virt(a));
			else if (a < b) /* a line cut by the range's start or end */
				h = check64(h, phys_to_virt(a), b - a);
		}
	}
	return check64(h, NULL, 0);
}

/* The crash-time check is sampled only where nothing but the hv can write the region. */
static bool check_sampled(void)
{
	return hv.opt.capture_check == CAPTURE_CHECK_AUTO && arch_dma_isolated();
}

/* When the staged contents are final: the digest to show, the check for the crash. */
static void seal_digest(void)
{
	if (!sample_key)
		sample_key = arch_timestamp() | 1;
	digest_region(capture.digest);
	capture.check = capture_check_region();
	capture.check_sampled = capture_sampled_check();
	restart_keep_capture();
}

static void hex8(const u8 *d, char *out)
{
	snprintf_hv(out, 17, "%02x%02x%02x%02x%02x%02x%02x%02x", d[0], d[1], d[2], d[3], d[4], d[5],
		    d[6], d[7]);
}

void capture_stage(const struct boot_info *bi)
{
	char h[17];

	arch_capture_init(bi, &capture);
	restart_keep_guest(bi);
	if (!bi->by_role[ROLE_CAPTURE]) {
		pr_info("no capture module: capture disarmed");
		return;
	}
	if (arch_capture_stage(bi, &capture)) {
		pr_err("capture disarmed: the guest boots, but a crash will not be captured");
		return;
	}
	seal_digest();
	hex8(capture.digest, h);
	pr_info("capture armed: SHA-256 of the staged region %s...", h);
	capture.meta.loaded_tsc = arch_timestamp() - hv.start_tsc;
	capture.armed = true;
	if (hv.opt.capture_test == CAPTURE_TEST_CORRUPT) {
		/* capture_test=corrupt: a stray page-sized write over the staged kernel, after hashing. */
		volatile u8 *p = phys_to_virt(capture.hashed[0].start);

		for (unsigned int i = 0; i < PAGE_SIZE; i++)
			p[0x1000 + i] ^= 0x5a;
		pr_warn("capture_test=corrupt: a page of the staged capture kernel overwritten");
	}
}

bool capture_end_claim(void)
{
	int no = 0;

	return __atomic_compare_exchange_n(&capture.ending, &no, 1, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

/* Callers where another capture CPU may be ending the capture claim it first. */
static void __noreturn capture_failed(struct percpu *cpu, const char *why)
{
	capture_end_claim();
	history_outcome(PARACHUTE_OUTCOME_FAILED,
			capture.handover_us ? (arch_timestamp_us() - capture.handover_us) / 1000 : 0,
			why);
	log_release(); /* all of it, now: there is no capture kernel to wait for */
	arch_stop_other_cpus(); /* the capture kernel's other CPUs too */
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
	[CRASH_WATCHDOG] = "watchdog (the guest stopped petting it)",
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
	case CRASH_WATCHDOG:
		return hv.opt.watchdog;
	}
	return TRIGGER_REFUSE;
}

bool crash_source_enabled(enum crash_source src)
{
	return source_policy(src) == TRIGGER_CAPTURE;
}

/* The blocked DMAs in the capture log, as PARACHUTE_HC_DMA_FAULTS gives them. */
static void log_dma_faults(void)
{
	static const char *const target[] = { "guest memory", "the capture region", "hv memory" };
	static struct parachute_dma_fault f[8];
	u64 total, khz = hv.tsc_khz ? hv.tsc_khz : 1;
	unsigned int n = arch_dma_faults(f, ARRAY_SIZE(f), &total);

	if (!total)
		return;
	pr_warn("crash: %llu DMA(s) blocked since the hv started; the last %u:",
		(unsigned long long)total, n);
	for (unsigned int i = 0; i < n; i++)
		pr_warn("crash:   at %llu ms: device %02x:%02x.%u %s at 0x%llx, %s domain, %s",
			(unsigned long long)(f[i].tsc / khz), f[i].source >> 8,
			(f[i].source >> 3) & 0x1f, f[i].source & 7, f[i].write ? "write" : "read",
			(unsigned long long)f[i].addr,
			f[i].domain == PARACHUTE_DMA_CAPTURE ? "capture" : "guest",
			target[MIN(f[i].target, (u8)PARACHUTE_DMA_TO_HV)]);
}

/*
 * The crash path, in the order crash_trigger() takes it (docs/code-map.md).
 * 1. Whether src starts a capture at all: its option, and an armed capture
 *    for a guest that asks (it is told no and goes on).
 */
static enum vcpu_action trigger_decision(enum crash_source src)
{
	switch (source_policy(src)) {
	case TRIGGER_CAPTURE:
		break;
	case TRIGGER_REPORT:
		return VCPU_FATAL;
	default:
		return VCPU_RESUME;
	}
	if (src == CRASH_HYPERCALL && !capture.armed)
		return VCPU_RESUME;
	return VCPU_RESET;
}

/*
 * 2. The election (Xen's one_cpu_only()): the first trigger's CPU captures;
 *    a later one is recorded and its vCPU parks, and one on the capturing
 *    vCPU is the capture kernel itself crashing.
 */
static bool elect(struct percpu *cpu, enum crash_source src)
{
	int none = -1;

	if (__atomic_compare_exchange_n(&capture.owner, &none, (int)cpu->cpu_id, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		capture.handover_us = 0; /* not yet */
		history_begin(source_name[src], cpu->cpu_id, arch_timestamp() - hv.start_tsc);
		return true;
	}
	capture.later_triggers++;
	/* Unless another of its CPUs ends the capture already: then this one parks. */
	if (capture_kernel_cpu(cpu) && capture_end_claim())
		capture_failed(cpu, "the capture kernel itself crashed");
	pr_warn("cpu%u: crash trigger (%s) while cpu%d captures: recorded, vCPU parked",
		cpu->cpu_id, source_name[src], capture.owner);
	return false;
}

/*
 * 3. The machine quiesced: the hv's informational lines held in memory
 *    until the capture kernel's first exit (a polled UART must not stand
 *    between the crash and the capture kernel; errors and warnings, the
 *    crash line first, still go out at once), the guest's watchdog off,
 *    devices in the capture DMA domain (DMA the crashed guest armed must not
 *    land), a load in flight finished (the switch lock, never released),
 *    the other vCPUs parked with their state saved.
 */
static void quiesce(struct percpu *cpu, enum crash_source src)
{
	log_hold();
	watchdog_stop();
	arch_dma_capture_mode();
	pr_err("crash: %s on cpu%u (APIC %u)", source_name[src], cpu->cpu_id, cpu->apic_id);
	/* capture_test=slowpark: the window between the election and the park, made wide. */
	for (u64 t_elected = arch_timestamp_us();
	     hv.opt.capture_test == CAPTURE_TEST_SLOW_PARK && hv.tsc_khz &&
	     arch_timestamp_us() - t_elected < 200000;)
		;
	spin_lock(&capture.switch_lock);
	arch_park_other_cpus(cpu);
	arch_dma_poll(); /* what devices attempted until now: in the log and the ring */
	log_dma_faults();
}

/*
 * 4. The capture region checked: armed, and as armed. No guest CPU or
 *    device can write it, so what the fast check must catch is accident,
 *    not forgery (sha256.h); the SHA-256 is taken again only to report a
 *    mismatch. Returns the check's time in us; a failure does not return.
 */
static u64 verify(struct percpu *cpu)
{
	u8 now[SHA256_DIGEST_SIZE];
	char want[17], got[17];
	u64 t0 = arch_timestamp_us();

	if (!capture.armed)
		capture_failed(cpu, "capture is disarmed");
	if (check_sampled() ? capture_sampled_check() != capture.check_sampled
			    : capture_check_region() != capture.check) {
		digest_region(now);
		hex8(capture.digest, want);
		hex8(now, got);
		pr_err("capture region corrupted: SHA-256 %s... at boot, %s... now", want, got);
		capture_failed(cpu, "the staged capture kernel was modified");
	}
	return arch_timestamp_us() - t0;
}

/* 6. The capture kernel's boot bounded (capture_timeout=), its check-in awaited. */
static void arm_bound(void)
{
	capture.handover_us = arch_timestamp_us();
	capture.checked_in = false;
	capture.user_mode = false;
	if (hv.opt.capture_timeout)
		watchdog_capture_start(hv.opt.capture_timeout * 1000ull);
}

enum vcpu_action crash_trigger(struct percpu *cpu, enum crash_source src)
{
	enum vcpu_action act = trigger_decision(src);
	u64 t0 = arch_timestamp_us(), t_check;

	if (act != VCPU_RESET)
		return act;
	if (!elect(cpu, src))
		return VCPU_PARK;
	quiesce(cpu, src);
	t_check = verify(cpu);
	/* 5. The hand-over: the vmcore described, the capture kernel's entry set. */
	if (arch_capture_handover(cpu))
		capture_failed(cpu, "the hand-over could not be prepared");
	pr_info("crash: hand-over took %llu us after the trigger (the region's %scheck %llu us); hv heap used %llu KiB",
		(unsigned long long)(arch_timestamp_us() - t0), check_sampled() ? "sampled " : "",
		(unsigned long long)t_check, (unsigned long long)(heap_used() / KiB));
	arm_bound();
	return VCPU_RESET;
}

enum vcpu_action watchdog_expired(struct percpu *cpu)
{
	static char why[96];

	if (watchdog_mode() != WATCHDOG_CAPTURE)
		return crash_trigger(cpu, CRASH_WATCHDOG);
	watchdog_stop();
	if (!capture_end_claim())
		return VCPU_RESUME; /* a restart or a failure on another CPU is under way */
	snprintf_hv(why, sizeof(why),
		    "the capture kernel did not reach its capture initramfs within %u s "
		    "(capture_timeout=)",
		    hv.opt.capture_timeout);
	capture_failed(cpu, why);
}

void capture_user_mode(const struct percpu *cpu)
{
	u64 ms = (arch_timestamp_us() - capture.handover_us) / 1000;

	/* Once, whichever capture CPU gets here first. */
	if (__atomic_exchange_n(&capture.user_mode, true, __ATOMIC_SEQ_CST) || capture.checked_in)
		return;
	if (watchdog_mode() == WATCHDOG_CAPTURE)
		watchdog_stop();
	history_outcome(PARACHUTE_OUTCOME_STARTED, ms, "in user mode; no check-in from a guest module");
	pr_info("capture: the capture kernel reached user mode on cpu%u %llu ms after the hand-over: its initramfs runs, capture_timeout= no longer applies",
		cpu->cpu_id, (unsigned long long)ms);
}

/* The capture kernel's own memory (the capture region, or RAM lent at the crash), one page at most. */
static bool capture_range_ok(u64 gpa, u64 len)
{
	u64 end = hv.capture_base + hv.capture_size;

	return len && (gpa & ~(PAGE_SIZE - 1)) == ((gpa + len - 1) & ~(PAGE_SIZE - 1)) &&
	       ((gpa >= hv.capture_base && gpa < end && len <= end - gpa) ||
		arch_capture_lent(gpa, len));
}


s64 capture_report(struct percpu *cpu, u64 stage, u64 gpa, u64 len)
{
	static char msg[PARACHUTE_REPORT_MAX + 1], why[PARACHUTE_REPORT_MAX + 48];
	u64 ms;

	if (!capture_kernel_cpu(cpu)) {
		if (log_ratelimit(&cpu->refused))
			pr_warn("cpu%u: CAPTURE_REPORT outside a capture kernel refused", cpu->cpu_id);
		return -PARACHUTE_EPERM;
	}
	if (stage < PARACHUTE_REPORT_STARTED || stage > PARACHUTE_REPORT_FAILED)
		return -PARACHUTE_EINVAL;
	if (len > PARACHUTE_REPORT_MAX)
		return -PARACHUTE_E2BIG;
	if (len && !capture_range_ok(gpa, len))
		return -PARACHUTE_EFAULT;
	/* The text goes to the console: printable ASCII, the rest shown as '?'. */
	for (u64 i = 0; i < len; i++) {
		char c = ((const volatile char *)phys_to_virt(gpa))[i];

		msg[i] = c >= ' ' && c <= '~' ? c : '?';
	}
	msg[len] = 0;
	ms = (arch_timestamp_us() - capture.handover_us) / 1000;
	switch (stage) {
	case PARACHUTE_REPORT_STARTED:
		if (!capture.checked_in) {
			watchdog_stop();
			capture.checked_in = true;
			history_outcome(PARACHUTE_OUTCOME_STARTED, ms, len ? msg : "checked in");
			pr_info("capture: the capture kernel checked in %llu ms after the hand-over%s%s",
				(unsigned long long)ms, len ? ": " : "", msg);
		}
		return 0;
	case PARACHUTE_REPORT_DONE:
		watchdog_stop();
		history_outcome(PARACHUTE_OUTCOME_DONE, ms, len ? msg : "the dump saved (no message)");
		pr_info("capture: the capture kernel saved the dump, %llu ms after the hand-over%s%s",
			(unsigned long long)ms, len ? ": " : "", msg);
		return 0;
	default:
		if (!capture_end_claim())
			return -PARACHUTE_EBUSY; /* another CPU restarts or fails the capture */
		watchdog_stop();
		snprintf_hv(why, sizeof(why), "the capture kernel reports: %s",
			    len ? msg : "(no reason given)");
		capture_failed(cpu, why);
	}
}

int find_vmcoreinfo(const struct memmap *map, vmcoreinfo_ok_fn ok, const void *ctx, u64 *desc_pa,
		    u32 *desc_len, enum vmcoreinfo_way *way)
{
	*way = VMCOREINFO_REGISTERED;
	if (vmcoreinfo_still_at(map, capture.kinfo.vmcoreinfo_note, ok, ctx, desc_pa, desc_len))
		return 0;
	*way = VMCOREINFO_PROBED;
	if (vmcoreinfo_still_at(map, capture.probe.done ? capture.probe.found : 0, ok, ctx, desc_pa,
			  desc_len))
		return 0;
	*way = VMCOREINFO_SCANNED;
	return vmcoreinfo_scan_all(map, ok, ctx, desc_pa, desc_len);
}

void vmcoreinfo_probe(struct percpu *cpu, const struct memmap *map, u64 pages)
{
	struct vmcoreinfo_probe *p = &capture.probe;
	u64 t0 = arch_timestamp_us(), pa;
	bool ended, found;
	u32 len;

	if (p->done || !spin_trylock(&p->lock))
		return;
	if (p->done) {
		spin_unlock(&p->lock);
		return;
	}
	ended = vmcoreinfo_scan(p, map, pages, NULL, NULL, &pa, &len, &found);
	p->us += arch_timestamp_us() - t0;
	p->exits++;
	if (ended) {
		p->found = found ? pa - 24 : 0;
		if (found)
			pr_info("cpu%u: VMCOREINFO: the guest's note found at 0x%llx, from its first user-mode CPUID on: %u exits, %llu us",
				cpu->cpu_id, (unsigned long long)p->found, p->exits,
				(unsigned long long)p->us);
		else
			pr_info("cpu%u: VMCOREINFO: no note in guest RAM, from the guest's first user-mode CPUID on (%u exits, %llu us): a crash scans for it",
				cpu->cpu_id, p->exits, (unsigned long long)p->us);
		__atomic_store_n(&p->done, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&p->lock);
}

/* ---- Run-time loads (PARACHUTE_HC_LOAD_*, docs/hypercalls.md) ---- */

/*
 * Take switch_lock unless a capture begins meanwhile: the capturing CPU takes
 * it for good, and this vCPU must get back to its run loop to be parked.
 */
bool capture_switch_lock(void)
{
	for (;;) {
		if (capture.owner != -1)
			return false;
		if (spin_trylock(&capture.switch_lock)) {
			if (capture.owner == -1)
				return true;
			spin_unlock(&capture.switch_lock);
			return false;
		}
		cpu_relax();
	}
}

void capture_switch_in(const struct capture_load *l, struct capture_meta *meta, char digest[17])
{
	/* Still armed: a trigger meanwhile waits for the lock, and sees the new kernel. */
	arch_capture_switch(l, &capture);
	seal_digest();
	meta->generation = capture.meta.generation + 1;
	meta->kernel_size = l->size[PARACHUTE_LOAD_KERNEL];
	meta->initrd_size = l->size[PARACHUTE_LOAD_INITRD];
	meta->loaded_tsc = arch_timestamp() - hv.start_tsc;
	memcpy(meta->cmdline, l->cmdline, l->size[PARACHUTE_LOAD_CMDLINE]);
	capture.meta = *meta;
	capture.armed = true;
	spin_unlock(&capture.switch_lock);
	hex8(capture.digest, digest);
}

void capture_disarm(void)
{
	capture.armed = false;
	arch_capture_unload(&capture);
	capture.meta = (struct capture_meta){ .generation = capture.meta.generation };
	spin_unlock(&capture.switch_lock);
}

void capture_set_kernel_info(const struct guest_kernel_info *ki)
{
	capture.kinfo = *ki;
}

u32 capture_rearm(void)
{
	memset(&capture.kinfo, 0, sizeof(capture.kinfo)); /* the new kernel registers anew */
	memset(&capture.probe, 0, sizeof(capture.probe)); /* and its note is probed anew */
	capture.later_triggers = 0;
	capture.checked_in = false;
	capture.user_mode = false;
	capture.restarts++;
	capture_load_cancel();
	__atomic_store_n(&capture.ending, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&capture.owner, -1, __ATOMIC_SEQ_CST);
	spin_unlock(&capture.switch_lock); /* taken by the crash, for good until now */
	return capture.restarts;
}

void capture_info(struct parachute_capture_info *ci)
{
	const struct capture_meta *m = &capture.meta;

	memset(ci, 0, sizeof(*ci));
	ci->struct_size = sizeof(*ci);
	ci->flags = (capture.armed ? PARACHUTE_CAPTURE_ARMED : 0) |
		    (hv.opt.reload == RELOAD_LOCK ? PARACHUTE_CAPTURE_RELOAD_LOCK : 0) |
		    (capture_load_state()->open ? PARACHUTE_CAPTURE_LOADING : 0);
	ci->generation = m->generation;
	ci->boot_protocol = m->protocol;
	ci->kernel_size = m->kernel_size;
	ci->initrd_size = m->initrd_size;
	ci->loaded_tsc = m->loaded_tsc;
	ci->region_free = capture.free_end - capture.free_start;
	if (capture.armed)
		memcpy(ci->sha256, capture.digest, sizeof(ci->sha256));
	BUILD_BUG_ON(sizeof(ci->kernel_version) != sizeof(m->version));
	BUILD_BUG_ON(sizeof(ci->cmdline) != sizeof(m->cmdline));
	memcpy(ci->kernel_version, m->version, sizeof(m->version));
	memcpy(ci->cmdline, m->cmdline, sizeof(m->cmdline));
}
