// SPDX-License-Identifier: GPL-2.0-only
/*
 * The policy core against stubbed arch hooks (Xen tools/tests style): the
 * real hv/capture.c (one trigger decision, election, digest check, failure
 * policy), hv/hypercall.c (CPL and range checks) and arch/x86/vcpu.c (NMI
 * classification, port decoding, hidden-write step, APIC store emulation),
 * driven through the fake vendor backend of tests/stub/stub.c, which records
 * what it is asked to do.
 */
#include "harness.h"
#include "stub.h"
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpuid.h>
#include <asm/gate.h>
#include <asm/guest_mem.h>
#include <asm/insn.h>
#include <asm/iommu.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/vcpu.h>
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/elfcore.h>
#include <hv/history.h>
#include <hv/hv.h>
#include <hv/hypercall.h>
#include <hv/restart.h>
#include <hv/watchdog.h>
#include <parachute/abi.h>
#include <stdlib.h>

/*
 * What this file's own stubs record (the capture's arch half, the seal),
 * reset before every test; the rest of the hv is tests/stub/stub.c.
 */
static struct {
	int handovers, dumps;
	u8 mem[64]; /* guest memory for fetches: [stub.mem_base, stub.mem_base + sizeof mem) */
	int checks, check_ret, switches, unloads, quiet_checks;
	int restarts, restart_ret;
	const struct boot_module *restart_km, *restart_im;
	bool seal_lifted;
	u64 seal_fetch_gpa, seal_base, seal_size;
} st;

static jmp_buf noreturn_jmp;
static bool noreturn_armed; /* inside NORETURN(): noreturn_jmp is live */

/* A reboot or halt the test did not expect fails it instead of jumping to a stale buffer. */
static void __attribute__((noreturn)) noreturn_jump(int r, const char *what)
{
	if (!noreturn_armed) {
		fail_msg("%s outside NORETURN()", what);
		abort(); /* fail_msg() does not return */
	}
	noreturn_armed = false;
	longjmp(noreturn_jmp, r);
}

/* Runs stmt, which must end in arch_reboot() or hv_halt(): 1 or 2, which one. */
#define NORETURN(stmt)                                 \
	({                                             \
		int _r = setjmp(noreturn_jmp);         \
		if (!_r) {                             \
			noreturn_armed = true;         \
			stmt;                          \
			noreturn_armed = false;        \
			fail_msg("%s returned", #stmt); \
		}                                      \
		_r;                                    \
	})

int arch_capture_stage(const struct boot_info *bi, struct capture_state *c)
{
	/* Page aligned like a staged kernel: test_digest_mismatch flips a byte by page offset. */
	static u8 region[0x2000] __attribute__((aligned(PAGE_SIZE)));

	(void)bi;
	memset(region, 0x5a, sizeof(region));
	c->nhashed = 1;
	c->hashed[0] = (struct phys_range){ (u64)(uintptr_t)region,
					    (u64)(uintptr_t)region + sizeof(region), "kernel" };
	return 0;
}

/* The region's free part a load is staged in, and where a switch puts the kernel. */
static u8 free_part[8 * PAGE_SIZE], live[8 * PAGE_SIZE];

void arch_capture_init(const struct boot_info *bi, struct capture_state *c)
{
	(void)bi;
	c->free_start = (u64)(uintptr_t)free_part;
	c->free_end = c->free_start + sizeof(free_part);
}

int arch_capture_check(const struct capture_load *l, struct capture_meta *meta, bool quiet)
{
	st.checks++;
	st.quiet_checks += quiet;
	/* Only what the generic code must have ensured: every byte staged in order. */
	assert_int_equal(l->filled[PARACHUTE_LOAD_KERNEL], l->size[PARACHUTE_LOAD_KERNEL]);
	snprintf_hv(meta->version, sizeof(meta->version), "test %.8s", (const char *)free_part);
	return st.check_ret;
}

void arch_capture_switch(const struct capture_load *l, struct capture_state *c)
{
	assert_true(c->switch_lock.locked);
	st.switches++;
	memcpy(live, (const void *)(uintptr_t)l->addr[0], l->size[PARACHUTE_LOAD_KERNEL]);
	c->nhashed = 1;
	c->hashed[0] = (struct phys_range){ (u64)(uintptr_t)live,
					    (u64)(uintptr_t)live + l->size[PARACHUTE_LOAD_KERNEL],
					    "kernel" };
}

void arch_capture_unload(struct capture_state *c)
{
	st.unloads++;
	c->nhashed = 0;
}

int arch_capture_handover(struct percpu *cpu)
{
	(void)cpu;
	st.handovers++;
	return 0;
}

u64 arch_capture_stash_need(const struct boot_info *b)
{
	(void)b;
	return 0x2000; /* arch_capture_stage()'s region */
}

int arch_capture_restart(struct percpu *cpu, const struct boot_module *km,
			 const struct boot_module *im)
{
	(void)cpu;
	st.restarts++;
	st.restart_km = km;
	st.restart_im = im;
	return st.restart_ret;
}

void arch_capture_dump(struct percpu *cpu)
{
	(void)cpu;
	st.dumps++;
}

/* seal.c is not linked here: a sealed kexec region at [0x400000, 0x500000) (setup()). */
enum vcpu_action seal_fetch(struct percpu *cpu, u64 gpa)
{
	(void)cpu;
	st.seal_lifted = true;
	stub.sealed_end = stub.sealed_start;
	st.seal_fetch_gpa = gpa;
	return VCPU_RESUME;
}

s64 arch_seal_kexec(struct percpu *cpu, u64 base, u64 size, u64 flags)
{
	(void)flags;
	(void)cpu;
	st.seal_base = base;
	st.seal_size = size;
	return 0;
}

/* ---- Fixtures. ---- */

static struct boot_info bi;
static struct percpu *cpu0, *cpu1;

static int setup(void **state)
{
	(void)state;
	memset(&st, 0, sizeof(st));
	stub_reset();
	stub.noreturn = noreturn_jump;
	stub.apic_base = 0xfee00900;
	stub.heap_used = 8 * KiB;
	stub.mem = st.mem;
	stub.mem_size = sizeof(st.mem);
	stub.wp_start = 0x200000; /* a write-protected RAM range */
	stub.wp_end = 0x202000;
	stub.sealed_start = 0x400000;
	stub.sealed_end = 0x500000;
	stub.mmio_base = 0x10000000000ull; /* MMIO above the start-up map, mapped on demand */
	stub.mmio_size = 4 * GiB;
	memset(percpu_area, 0, sizeof(percpu_area));
	memset(&hv, 0, sizeof(hv));
	options_defaults(&hv.opt);
	watchdog_stop(); /* what an earlier test's capture left */
	capture = (struct capture_state){ .owner = -1 };
	capture_load_reset();
	cpu0 = &percpu_area[0];
	cpu1 = &percpu_area[1];
	cpu1->cpu_id = 1;
	cpu0->arch.gpm = &guest_gpm;
	cpu1->arch.gpm = &guest_gpm;
	stub.lint1_nmi = true;
	/* The guest sees a CPU with SYSCALL, NX, long mode, PAE, PGE, XSAVE (x87, SSE, AVX). */
	gate_cpu = (struct gate_cpu){ .l1_ecx = CPUID_1_ECX_XSAVE,
				      .l1_edx = (1u << 6) | (1u << 13) | (1u << 24) | (1u << 25),
				      .e1_edx = (1u << 11) | (1u << 20) | (1u << 29),
				      .xcr0_supported = 0x7,
				      .phys_bits = 40 };
	memset(&bi, 0, sizeof(bi));
	bi.nr_modules = 1;
	bi.mods[0] = (struct boot_module){ 0x1000000, 0x100000, ROLE_CAPTURE, "" };
	bi.by_role[ROLE_CAPTURE] = &bi.mods[0];
	log_reset();
	return 0;
}

static void arm(void)
{
	capture_stage(&bi);
	assert_true(capture.armed);
}

/* ---- The trigger decision and the election. ---- */

static void test_first_trigger_captures(void **state)
{
	(void)state;
	arm();
	assert_int_equal(crash_trigger(cpu0, CRASH_PVPANIC), VCPU_RESET);
	assert_int_equal(capture.owner, 0);
	/*
	 * The evidence is frozen (DMA) before the other vCPUs are parked, then
	 * what devices attempted is polled into the log, and the vCPU handed over.
	 */
	assert_int_equal(stub.order, 123);
	assert_int_equal(st.handovers, 1);
	assert_int_equal(stub.reboots + stub.halts, 0);
}

static void test_second_trigger_parks(void **state)
{
	(void)state;
	arm();
	assert_int_equal(crash_trigger(cpu0, CRASH_NMI), VCPU_RESET);
	log_reset();
	assert_int_equal(crash_trigger(cpu1, CRASH_TRIPLE_FAULT), VCPU_PARK);
	assert_logged("cpu1: crash trigger (triple fault) while cpu0 captures");
	assert_int_equal(capture.later_triggers, 1);
	assert_int_equal(st.handovers, 1); /* not re-entered */
	assert_int_equal(capture.owner, 0);
}

static void test_capture_kernel_crash_fails(void **state)
{
	(void)state;
	arm();
	assert_int_equal(crash_trigger(cpu0, CRASH_HYPERCALL), VCPU_RESET);
	/* The capture kernel on the same CPU panics: no second hand-over, the policy. */
	assert_int_equal(NORETURN(crash_trigger(cpu0, CRASH_PVPANIC)), 1);
	assert_int_equal(stub.reboots, 1);
	assert_int_equal(st.handovers, 1);
	assert_int_equal(st.dumps, 1);
	assert_logged("rebooting the machine");
}

static void test_source_policies(void **state)
{
	(void)state;
	arm();
	hv.opt.triple_fault = TRIGGER_REPORT;
	assert_int_equal(crash_trigger(cpu0, CRASH_TRIPLE_FAULT), VCPU_FATAL);
	hv.opt.nmi = TRIGGER_GUEST;
	assert_int_equal(crash_trigger(cpu0, CRASH_NMI), VCPU_RESUME);
	hv.opt.crash_hypercall = TRIGGER_REFUSE;
	assert_int_equal(crash_trigger(cpu0, CRASH_HYPERCALL), VCPU_RESUME);
	hv.opt.pvpanic = TRIGGER_REFUSE;
	assert_false(crash_source_enabled(CRASH_PVPANIC));
	assert_int_equal(crash_trigger(cpu0, CRASH_PVPANIC), VCPU_RESUME);
	/* None of them started a capture. */
	assert_int_equal(capture.owner, -1);
	assert_int_equal(stub.dma_capture + stub.parked_others + st.handovers, 0);
	options_defaults(&hv.opt);
	assert_true(crash_source_enabled(CRASH_PVPANIC));
}

static void test_disarmed(void **state)
{
	(void)state;
	/* A guest asking for a capture that cannot happen is told so and goes on. */
	assert_int_equal(crash_trigger(cpu0, CRASH_HYPERCALL), VCPU_RESUME);
	assert_int_equal(capture.owner, -1);
	/* Any other trigger: capture_failure applies (reboot by default, halt by choice). */
	assert_int_equal(NORETURN(crash_trigger(cpu0, CRASH_TRIPLE_FAULT)), 1);
	assert_int_equal(st.handovers, 0);
	capture.owner = -1; /* as after a capture_failed() that returned */
	capture.switch_lock.locked = 0;
	hv.opt.capture_failure = FAILURE_HALT;
	assert_int_equal(NORETURN(crash_trigger(cpu0, CRASH_NMI)), 2);
	assert_int_equal(stub.halts, 1);
}

static void test_digest_mismatch(void **state)
{
	u8 *kernel;

	(void)state;
	/* capture_check=full: any changed byte. */
	hv.opt.capture_check = CAPTURE_CHECK_FULL;
	arm();
	((u8 *)(uintptr_t)capture.hashed[0].start)[100] ^= 1;
	assert_int_equal(NORETURN(crash_trigger(cpu0, CRASH_PVPANIC)), 1);
	assert_int_equal(st.handovers, 0);
	assert_false(log_holding()); /* a failed capture writes out everything at once */
	assert_int_equal(stub.dma_capture, 1); /* the evidence was frozen all the same */
	/* auto with DMA confined (this fake's IOMMU): sampled, a page overwritten is caught... */
	setup(NULL);
	arm();
	kernel = (u8 *)(uintptr_t)capture.hashed[0].start;
	memset(kernel + PAGE_SIZE, 0, PAGE_SIZE);
	assert_int_equal(NORETURN(crash_trigger(cpu0, CRASH_PVPANIC)), 1);
	assert_int_equal(st.handovers, 0);
	/* ...one flipped bit outside the lines it reads is not: the capture goes ahead. */
	setup(NULL);
	arm();
	kernel[PAGE_SIZE + (capture_sample_line((u64)(uintptr_t)kernel + PAGE_SIZE) + 64) %
				   PAGE_SIZE] ^= 1;
	assert_int_equal(crash_trigger(cpu0, CRASH_PVPANIC), VCPU_RESET);
	assert_logged("the region's sampled check");
	assert_true(log_holding()); /* its lines wait for the capture kernel's first exit */
	/* capture_test=corrupt damages the region after hashing it, with the same end. */
	setup(NULL);
	hv.opt.capture_test = CAPTURE_TEST_CORRUPT;
	arm();
	hv.opt.capture_failure = FAILURE_HALT;
	assert_int_equal(NORETURN(crash_trigger(cpu0, CRASH_NMI)), 2);
	assert_int_equal(st.handovers, 0);
}

/* ---- Hypercalls: CPL, numbers, ranges. ---- */

static u8 *guest_ram; /* two pages of "guest RAM", the second one hidden */

static void guest_ram_map(void)
{
	u64 base;

	guest_ram = aligned_alloc(PAGE_SIZE, 2 * PAGE_SIZE);
	assert_non_null(guest_ram);
	memset(guest_ram, 0xee, 2 * PAGE_SIZE);
	base = (u64)(uintptr_t)guest_ram;
	hv.guest_map.nr = 0;
	assert_int_equal(memmap_add(&hv.guest_map, base, 2 * PAGE_SIZE, E820_RAM), 0);
	assert_int_equal(hv_hide(base + PAGE_SIZE, base + 2 * PAGE_SIZE, "test hidden"), 0);
}

static enum vcpu_action call(unsigned int cpl, u64 nr, u64 a0, u64 a1, s64 *ret)
{
	struct hypercall_args a = { nr, a0, a1, 0, 0x7777 };
	enum vcpu_action act = hypercall(cpu0, cpl, &a);

	*ret = a.ret;
	return act;
}

static void test_hypercall_cpl(void **state)
{
	s64 ret;

	(void)state;
	arm();
	for (unsigned int cpl = 1; cpl <= 3; cpl++) {
		assert_int_equal(call(cpl, PARACHUTE_HC_CRASH, 0, 0, &ret), VCPU_SKIP);
		assert_int_equal(ret, -PARACHUTE_EPERM);
	}
	assert_logged("hypercall 3 from CPL 3 refused");
	/* Refused before anything is looked at: no poll, no election. */
	assert_int_equal(stub.dma_polls, 0);
	assert_int_equal(capture.owner, -1);
	assert_int_equal(call(0, PARACHUTE_HC_VERSION, 0, 0, &ret), VCPU_SKIP);
	assert_int_equal(ret, PARACHUTE_ABI_VERSION);
	assert_int_equal(call(0, 99, 0, 0, &ret), VCPU_SKIP);
	assert_int_equal(ret, -PARACHUTE_ENOSYS);
}

static void test_hypercall_status_ranges(void **state)
{
	u64 base;
	s64 ret;
	struct parachute_status s;

	(void)state;
	guest_ram_map();
	base = (u64)(uintptr_t)guest_ram;
	assert_int_equal(call(0, PARACHUTE_HC_STATUS, base, 7, &ret), VCPU_SKIP);
	assert_int_equal(ret, -PARACHUTE_EINVAL); /* shorter than abi_version + struct_size */
	/* Crossing into the next page, in hidden memory, outside RAM, wrapping around. */
	assert_int_equal(call(0, PARACHUTE_HC_STATUS, base + PAGE_SIZE - 8, 16, &ret), VCPU_SKIP);
	assert_int_equal(ret, -PARACHUTE_EFAULT);
	call(0, PARACHUTE_HC_STATUS, base + PAGE_SIZE, 16, &ret);
	assert_int_equal(ret, -PARACHUTE_EFAULT);
	call(0, PARACHUTE_HC_STATUS, base - PAGE_SIZE, 16, &ret);
	assert_int_equal(ret, -PARACHUTE_EFAULT);
	call(0, PARACHUTE_HC_STATUS, ~0ull - 4, 16, &ret);
	assert_int_equal(ret, -PARACHUTE_EFAULT);
	assert_int_equal(guest_ram[PAGE_SIZE], 0xee); /* nothing written to the hidden page */
	/* A short buffer gets what fits; a large one the whole structure. */
	assert_int_equal(call(0, PARACHUTE_HC_STATUS, base, 8, &ret), VCPU_SKIP);
	assert_int_equal(ret, 8);
	assert_int_equal(guest_ram[8], 0xee);
	call(0, PARACHUTE_HC_STATUS, base, PAGE_SIZE, &ret);
	assert_int_equal(ret, sizeof(s));
	memcpy(&s, guest_ram, sizeof(s));
	assert_int_equal(s.abi_version, PARACHUTE_ABI_VERSION);
	assert_int_equal(s.struct_size, sizeof(s));
	assert_int_equal(s.flags, PARACHUTE_STATUS_DMA_ISOLATION); /* not armed here */
	assert_int_equal(s.heap_used, 8 * KiB); /* heap_used() as the stub reports it */
	/*
	 * RAM the vCPU itself may not write (its sealed kexec region, crashed
	 * RAM for a capture kernel): no call writes there for it either.
	 */
	memset(guest_ram, 0xee, PAGE_SIZE);
	stub.wp_page = base;
	for (u64 nr = PARACHUTE_HC_STATUS; nr <= PARACHUTE_HC_DMA_FAULTS; nr++) {
		if (nr != PARACHUTE_HC_STATUS && nr != PARACHUTE_HC_CAPTURE_INFO &&
		    nr != PARACHUTE_HC_DMA_FAULTS)
			continue;
		call(0, nr, base + 64, 512, &ret);
		assert_int_equal(ret, -PARACHUTE_EFAULT);
	}
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(guest_ram[i], 0xee);
	stub.wp_page = 0;
	free(guest_ram);
}

static void test_hypercall_crash(void **state)
{
	s64 ret;

	(void)state;
	assert_int_equal(call(0, PARACHUTE_HC_CRASH, 7, 0, &ret), VCPU_SKIP);
	assert_int_equal(ret, -PARACHUTE_ENODEV);
	assert_logged("CRASH hypercall (reason 7) refused: capture disarmed");
	arm();
	hv.opt.crash_hypercall = TRIGGER_REFUSE;
	call(0, PARACHUTE_HC_CRASH, 7, 0, &ret);
	assert_int_equal(ret, -PARACHUTE_EPERM);
	assert_logged("refused: crash_hypercall=refuse");
	hv.opt.crash_hypercall = TRIGGER_CAPTURE;
	/* Taken: RAX is not written, the vCPU enters the capture kernel. */
	cpu0->arch.regs.rax = PARACHUTE_HC_CRASH;
	assert_int_equal(vcpu_handle_hypercall(cpu0), VCPU_RESET);
	assert_int_equal(cpu0->arch.regs.rax, PARACHUTE_HC_CRASH);
	/* Served calls return through RAX and complete the instruction. */
	cpu0->arch.regs.rax = PARACHUTE_HC_VERSION;
	assert_int_equal(vcpu_handle_hypercall(cpu0), VCPU_SKIP);
	assert_int_equal(cpu0->arch.regs.rax, PARACHUTE_ABI_VERSION);
	stub.cpl = 3;
	cpu0->arch.regs.rax = PARACHUTE_HC_VERSION;
	vcpu_handle_hypercall(cpu0);
	assert_int_equal((s64)cpu0->arch.regs.rax, -PARACHUTE_EPERM);
}

static s64 call_on(struct percpu *cpu, unsigned int cpl, u64 nr, u64 a0, u64 a1, u64 a2)
{
	struct hypercall_args a = { nr, a0, a1, a2, 0x7777 };

	assert_int_equal(hypercall(cpu, cpl, &a), VCPU_SKIP);
	return a.ret;
}

static s64 call3(unsigned int cpl, u64 nr, u64 a0, u64 a1, u64 a2)
{
	return call_on(cpu0, cpl, nr, a0, a1, a2);
}

/* A load of a two-page "kernel" and a command line from guest page base. */
static s64 load(u64 base, const char *kernel, const char *cmdline, u64 flags)
{
	u64 n = strlen(cmdline) + 1;
	s64 ret = call3(0, PARACHUTE_HC_LOAD_BEGIN, PAGE_SIZE + 100, 0, n);

	if (ret)
		return ret;
	memset(guest_ram, 0, PAGE_SIZE);
	strcpy((char *)guest_ram, kernel);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, PARACHUTE_LOAD_KERNEL, 0, base), PAGE_SIZE);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, PARACHUTE_LOAD_KERNEL, PAGE_SIZE, base), 100);
	strcpy((char *)guest_ram, cmdline);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, PARACHUTE_LOAD_CMDLINE, 0, base), (s64)n);
	return call3(0, PARACHUTE_HC_LOAD_COMMIT, flags, 0, 0);
}

/* Armed, with guest RAM for the data pages; the digest armed, and that RAM's address. */
static u64 load_setup(u8 digest[SHA256_DIGEST_SIZE])
{
	arm();
	guest_ram_map();
	memcpy(digest, capture.digest, SHA256_DIGEST_SIZE);
	hv.capture_size = 128 * MiB;
	return (u64)(uintptr_t)guest_ram;
}

static void test_load_refusals(void **state)
{
	u8 digest[SHA256_DIGEST_SIZE];
	u64 base;

	(void)state;
	base = load_setup(digest);
	for (u64 nr = PARACHUTE_HC_LOAD_BEGIN; nr <= PARACHUTE_HC_UNLOAD; nr++)
		assert_int_equal(call3(3, nr, 1, 1, 1), -PARACHUTE_EPERM);
	/* Sizes: no kernel, no command line, one too long, more than the region. */
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_BEGIN, 0, 0, 8), -PARACHUTE_EINVAL);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_BEGIN, 4096, 0, 0), -PARACHUTE_EINVAL);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_BEGIN, 4096, 0, PARACHUTE_LOAD_CMDLINE_MAX + 1),
			 -PARACHUTE_EINVAL);
	cpu0->refused = 0; /* the lines below are looked at: none rate-limited */
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_BEGIN, sizeof(free_part), 1, 8),
			 -PARACHUTE_ENOSPC);
	assert_logged("the capture region has 32 KiB free beside the armed kernel");
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_BEGIN, ~0ull, ~0ull, 8), -PARACHUTE_EINVAL);
	/* Data without a load, out of order, beyond the part, from outside guest RAM. */
	cpu0->refused = 0; /* the lines below are looked at: none rate-limited */
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, 0, 0, base), -PARACHUTE_EINVAL);
	assert_logged("no load is open");
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_BEGIN, PAGE_SIZE + 1, 0, 8), 0);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, 0, PAGE_SIZE, base), -PARACHUTE_EINVAL);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, 3, 0, base), -PARACHUTE_EINVAL);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, 0, 0, base + 8), -PARACHUTE_EFAULT);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, 0, 0, base + PAGE_SIZE),
			 -PARACHUTE_EFAULT); /* the hidden page */
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, 0, 0, base - PAGE_SIZE), -PARACHUTE_EFAULT);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, 0, 0, base), PAGE_SIZE);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, 0, PAGE_SIZE, base), 1);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_DATA, 0, PAGE_SIZE + 1, base), -PARACHUTE_EINVAL);
	/* Commit of an incomplete load (no command line yet), then without a load. */
	cpu0->refused = 0; /* the lines below are looked at: none rate-limited */
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_COMMIT, 0, 0, 0), -PARACHUTE_EINVAL);
	assert_logged("the command line has 0 of 8 bytes");
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_COMMIT, 0, 0, 0), -PARACHUTE_EINVAL);
	assert_logged("no load is open");
	/* A command line that is not one string of the size announced. */
	cpu0->refused = 0; /* the lines below are looked at: none rate-limited */
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_BEGIN, 16, 0, 8), 0);
	call3(0, PARACHUTE_HC_LOAD_DATA, 0, 0, base);
	memcpy(guest_ram, "ab\0cdefg", 8);
	call3(0, PARACHUTE_HC_LOAD_DATA, PARACHUTE_LOAD_CMDLINE, 0, base);
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_COMMIT, 0, 0, 0), -PARACHUTE_EINVAL);
	assert_logged("not one NUL-terminated string");
	/* Unknown commit flags; the architecture's checks refuse (not a bzImage). */
	assert_int_equal(load(base, "K", "x", 2), -PARACHUTE_EINVAL);
	st.check_ret = -PARACHUTE_ENOEXEC;
	cpu0->refused = 0;
	assert_int_equal(load(base, "K", "x", 0), -PARACHUTE_ENOEXEC);
	assert_int_equal(st.quiet_checks, 0); /* the first refusals name their reason */
	/* A guest committing bad kernels in a loop: the parsers' lines go quiet, rate-limited. */
	for (unsigned int i = 0; i < 100; i++)
		assert_int_equal(load(base, "K", "x", 0), -PARACHUTE_ENOEXEC);
	assert_int_equal(cpu0->refused, 101);
	assert_true(st.quiet_checks >= 100 - 8 - 4 && st.quiet_checks < 100);
	/* reload=lock, and a capture running: refused before anything is looked at. */
	cpu0->refused = 0; /* the lines below are looked at: none rate-limited */
	hv.opt.reload = RELOAD_LOCK;
	for (u64 nr = PARACHUTE_HC_LOAD_BEGIN; nr <= PARACHUTE_HC_UNLOAD; nr++)
		if (nr != PARACHUTE_HC_LOAD_DATA)
			assert_int_equal(call3(0, nr, 4096, 0, 8), -PARACHUTE_EACCES);
	assert_logged("reload=lock");
	hv.opt.reload = RELOAD_ALLOW;
	capture.owner = 1;
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_BEGIN, 4096, 0, 8), -PARACHUTE_EBUSY);
	assert_int_equal(call3(0, PARACHUTE_HC_UNLOAD, 0, 0, 0), -PARACHUTE_EBUSY);
	capture.owner = -1; /* as after a capture_failed() that returned */
	capture.switch_lock.locked = 0;
	/* Through all of it the armed kernel stayed as it was. */
	assert_int_equal(st.switches + st.unloads, 0);
	assert_true(capture.armed);
	assert_memory_equal(digest, capture.digest, sizeof(digest));
	assert_int_equal(capture.meta.generation, 0);
	free(guest_ram);
}

/* A guest repeating a refused call (or a watchdog start) cannot flood the console. */
static void test_guest_lines_rate_limited(void **state)
{
	(void)state;
	arm();
	log_reset();
	for (int i = 0; i < 100000; i++)
		assert_int_equal(call3(0, PARACHUTE_HC_LOAD_BEGIN, 0, 0, 0), -PARACHUTE_EINVAL);
	/* The first 8, then at every power of two: 8 + 13 (16 ... 65536). */
	assert_int_equal(log_count, 21);
	log_reset();
	for (int i = 0; i < 1000; i++) {
		call3(0, PARACHUTE_HC_WATCHDOG, 2000, 0, 0);
		call3(0, PARACHUTE_HC_WATCHDOG, 0, 0, 0);
	}
	assert_int_equal(log_count, 8 + 7); /* of 2000 lines: the first 8, 16 ... 1024 */
	call3(0, PARACHUTE_HC_WATCHDOG, 0, 0, 0);
}

static void test_load_switch(void **state)
{
	struct parachute_capture_info ci;
	u8 digest[SHA256_DIGEST_SIZE];
	u64 base;

	(void)state;
	base = load_setup(digest);
	/* CHECK_ONLY runs the checks and changes nothing. */
	assert_int_equal(load(base, "B", "console=ttyS0", PARACHUTE_LOAD_CHECK_ONLY), 0);
	assert_int_equal(st.checks, 1);
	assert_int_equal(st.switches, 0);
	assert_memory_equal(digest, capture.digest, sizeof(digest));
	/* ... and closes the load: nothing is left to commit. */
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_COMMIT, PARACHUTE_LOAD_CHECK_ONLY, 0, 0),
			 -PARACHUTE_EINVAL);
	/* A load: switched under the lock, rehashed, described. */
	assert_int_equal(load(base, "B", "console=ttyS0 B", 0), 0);
	assert_int_equal(st.switches, 1);
	assert_false(capture.switch_lock.locked);
	assert_memory_not_equal(digest, capture.digest, sizeof(digest));
	assert_logged("cpu0: capture kernel command line \"console=ttyS0 B\"");
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_INFO, base, PAGE_SIZE, 0), sizeof(ci));
	memcpy(&ci, guest_ram, sizeof(ci));
	assert_int_equal(ci.struct_size, sizeof(ci));
	assert_int_equal(ci.flags, PARACHUTE_CAPTURE_ARMED);
	assert_int_equal(ci.generation, 1);
	assert_int_equal(ci.kernel_size, PAGE_SIZE + 100);
	assert_string_equal(ci.cmdline, "console=ttyS0 B");
	assert_string_equal(ci.kernel_version, "test B");
	assert_memory_equal(ci.sha256, capture.digest, sizeof(ci.sha256));
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_INFO, base + PAGE_SIZE - 8, 16, 0),
			 -PARACHUTE_EFAULT);
	/* The crash check passes on what was loaded, and catches a change to it. */
	hv.opt.capture_check = CAPTURE_CHECK_FULL;
	live[10] ^= 1;
	hv.opt.capture_failure = FAILURE_HALT;
	assert_int_equal(NORETURN(crash_trigger(cpu0, CRASH_NMI)), 2);
	assert_logged("the staged capture kernel was modified");
	live[10] ^= 1;
	capture.owner = -1; /* as after a capture_failed() that returned */
	capture.switch_lock.locked = 0;
	assert_int_equal(crash_trigger(cpu0, CRASH_NMI), VCPU_RESET);
	assert_int_equal(st.handovers, 1);
	/* Loads are refused once a capture runs. */
	assert_int_equal(load(base, "C", "x", 0), -PARACHUTE_EBUSY);
	free(guest_ram);
}

static void test_hypercall_dma_faults(void **state)
{
	struct parachute_dma_faults df;
	u64 base;

	(void)state;
	guest_ram_map();
	base = (u64)(uintptr_t)guest_ram;
	/* A header's worth at least, in guest RAM, within a page. */
	assert_int_equal(call3(0, PARACHUTE_HC_DMA_FAULTS, base, 15, 0), -PARACHUTE_EINVAL);
	assert_int_equal(call3(0, PARACHUTE_HC_DMA_FAULTS, base + PAGE_SIZE - 8, 64, 0),
			 -PARACHUTE_EFAULT);
	assert_int_equal(call3(0, PARACHUTE_HC_DMA_FAULTS, base + PAGE_SIZE, 64, 0), -PARACHUTE_EFAULT);
	/* None yet: the header alone. */
	assert_int_equal(call3(0, PARACHUTE_HC_DMA_FAULTS, base, PAGE_SIZE, 0), 16);
	memcpy(&df, guest_ram, 16);
	assert_int_equal(df.struct_size, 16);
	assert_int_equal(df.nr, 0);
	assert_int_equal(df.total, 0);
	/* 100 so far: the ring's 64 in a big buffer, the 2 newest in a 64-byte one. */
	stub.dma_total = 100;
	assert_int_equal(call3(0, PARACHUTE_HC_DMA_FAULTS, base, PAGE_SIZE, 0), sizeof(df));
	memcpy(&df, guest_ram, sizeof(df));
	assert_int_equal(df.nr, PARACHUTE_DMA_FAULTS_MAX);
	assert_int_equal(df.total, 100);
	assert_int_equal(df.f[63].addr, 99 * PAGE_SIZE);
	memset(guest_ram, 0xee, PAGE_SIZE);
	assert_int_equal(call3(0, PARACHUTE_HC_DMA_FAULTS, base, 64, 0), 16 + 2 * 24);
	memcpy(&df, guest_ram, 64);
	assert_int_equal(df.nr, 2);
	assert_int_equal(df.f[0].addr, 98 * PAGE_SIZE);
	assert_int_equal(df.f[1].addr, 99 * PAGE_SIZE);
	assert_int_equal(guest_ram[64], 0xee); /* nothing past what was asked */
	/* At a crash they go to the capture log. */
	arm();
	assert_int_equal(crash_trigger(cpu0, CRASH_NMI), VCPU_RESET);
	assert_logged_since_reset("crash: 100 DMA(s) blocked since the hv started; the last 8:");
	/* tests/stub/stub.c: fault k from 00:03.(k % 8), a write if odd, domain bit 1, target k % 4. */
	assert_logged_since_reset("device 00:03.1 write at 0x61000, guest domain, the capture region");
	assert_logged_since_reset("device 00:03.2 read at 0x62000, capture domain, hv memory");
	assert_logged_since_reset("device 00:03.3 write at 0x63000, capture domain, hv memory");
	free(guest_ram);
}

/* HISTORY: each capture's trigger, vCPU and outcome, as the guest reads them. */
static void test_hypercall_history(void **state)
{
	static struct parachute_history h;
	u8 *region = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	u64 base, rgn = (u64)(uintptr_t)region, before;
	const struct parachute_capture_record *r = &h.r[0];
	s64 n;

	(void)state;
	assert_non_null(region);
	guest_ram_map();
	base = (u64)(uintptr_t)guest_ram;
	/* A header's worth at least, in guest RAM, within a page; CPL 0 only. */
	assert_int_equal(call3(0, PARACHUTE_HC_HISTORY, base, 15, 0), -PARACHUTE_EINVAL);
	assert_int_equal(call3(0, PARACHUTE_HC_HISTORY, base + PAGE_SIZE - 8, 64, 0),
			 -PARACHUTE_EFAULT);
	assert_int_equal(call3(0, PARACHUTE_HC_HISTORY, base + PAGE_SIZE, 64, 0), -PARACHUTE_EFAULT);
	assert_int_equal(call3(3, PARACHUTE_HC_HISTORY, base, PAGE_SIZE, 0), -PARACHUTE_EPERM);
	/* The header and the newest record only, in a buffer that holds one. */
	memset(guest_ram, 0xee, PAGE_SIZE);
	assert_in_range(call3(0, PARACHUTE_HC_HISTORY, base, 16 + sizeof(*r), 0), 16,
			16 + sizeof(*r));
	memcpy(&h, guest_ram, 16);
	before = h.total;
	hv.capture_base = rgn;
	hv.capture_size = PAGE_SIZE;
	hv.tsc_khz = 1000;
	stub.tsc = 5000;
	arm();
	assert_int_equal(crash_trigger(cpu0, CRASH_NMI), VCPU_RESET);
	assert_int_equal(call3(0, PARACHUTE_HC_HISTORY, base, 16 + sizeof(*r), 0), 16 + sizeof(*r));
	memcpy(&h, guest_ram, 16 + sizeof(*r));
	assert_int_equal(h.total, before + 1);
	assert_int_equal(h.nr, 1);
	assert_string_equal(r->trigger, "operator NMI");
	assert_int_equal(r->cpu, 0);
	assert_int_equal(r->outcome, PARACHUTE_OUTCOME_HANDED_OVER);
	assert_int_equal(r->trigger_tsc, 5000 - hv.start_tsc);
	assert_int_equal(guest_ram[16 + sizeof(*r)], 0xee); /* nothing past what was asked */
	/* The check-in, then the report: its text, made printable. */
	stub.tsc += 2000 * 1000;
	memcpy(region, "Linux 6.1", 9);
	assert_int_equal(capture_report(cpu0, PARACHUTE_REPORT_STARTED, rgn, 9), 0);
	n = call3(0, PARACHUTE_HC_HISTORY, base, PAGE_SIZE, 0);
	memcpy(&h, guest_ram, sizeof(h));
	assert_int_equal(n, 16 + h.nr * sizeof(*r));
	r = &h.r[h.nr - 1];
	assert_int_equal(r->outcome, PARACHUTE_OUTCOME_STARTED);
	assert_int_equal(r->outcome_ms, 2000);
	assert_string_equal(r->message, "Linux 6.1");
	memcpy(region, "dump\x01saved", 10);
	assert_int_equal(capture_report(cpu0, PARACHUTE_REPORT_DONE, rgn, 10), 0);
	assert_int_equal(capture_report(cpu0, PARACHUTE_REPORT_STARTED, rgn, 9), 0);
	call3(0, PARACHUTE_HC_HISTORY, base, PAGE_SIZE, 0);
	memcpy(&h, guest_ram, sizeof(h));
	assert_int_equal(h.r[h.nr - 1].outcome, PARACHUTE_OUTCOME_DONE); /* not back to STARTED */
	assert_string_equal(h.r[h.nr - 1].message, "dump?saved");
	/* A failure the capture kernel reports: recorded before capture_failure= acts. */
	hv.opt.capture_failure = FAILURE_HALT;
	memcpy(region, "disk full", 9);
	assert_int_equal(NORETURN(capture_report(cpu0, PARACHUTE_REPORT_FAILED, rgn, 9)), 2);
	call3(0, PARACHUTE_HC_HISTORY, base, PAGE_SIZE, 0);
	memcpy(&h, guest_ram, sizeof(h));
	assert_int_equal(h.r[h.nr - 1].outcome, PARACHUTE_OUTCOME_FAILED);
	assert_string_equal(h.r[h.nr - 1].message, "the capture kernel reports: disk full");
	free(region);
	free(guest_ram);
}

static void test_watchdog(void **state)
{
	struct parachute_status s;
	u32 gen = watchdog_gen();

	(void)state;
	arm();
	guest_ram_map();
	hv.tsc_khz = 1000; /* 1000 ticks per ms */
	stub.tsc = 0;
	/* Timeouts out of range; watchdog=off. */
	assert_int_equal(call3(0, PARACHUTE_HC_WATCHDOG, 999, 0, 0), -PARACHUTE_EINVAL);
	assert_int_equal(call3(0, PARACHUTE_HC_WATCHDOG, 3600001, 0, 0), -PARACHUTE_EINVAL);
	hv.opt.watchdog = TRIGGER_REFUSE;
	assert_int_equal(call3(0, PARACHUTE_HC_WATCHDOG, 2000, 0, 0), -PARACHUTE_EPERM);
	hv.opt.watchdog = TRIGGER_CAPTURE;
	assert_int_equal(watchdog_mode(), WATCHDOG_OFF);
	assert_int_equal(watchdog_gen(), gen);
	/* Started: the vCPUs are told (a new generation); due only past the deadline. */
	assert_int_equal(call3(0, PARACHUTE_HC_WATCHDOG, 2000, 0, 0), 0);
	assert_logged("cpu0: watchdog started: the guest has 2000 ms between pets");
	assert_int_equal(watchdog_mode(), WATCHDOG_GUEST);
	assert_int_not_equal(watchdog_gen(), gen);
	gen = watchdog_gen();
	stub.tsc = 2000 * 1000;
	assert_false(watchdog_due());
	stub.tsc++;
	assert_true(watchdog_due());
	/* A pet moves the deadline, and is no news to the vCPUs. */
	assert_int_equal(call3(0, PARACHUTE_HC_WATCHDOG, 2000, 0, 0), 0);
	assert_false(watchdog_due());
	assert_int_equal(watchdog_gen(), gen);
	stub.tsc += 500 * 1000;
	call3(0, PARACHUTE_HC_STATUS, (u64)(uintptr_t)guest_ram, sizeof(s), 0);
	memcpy(&s, guest_ram, sizeof(s));
	assert_int_equal(s.watchdog_ms, 2000);
	assert_int_equal(s.watchdog_left_ms, 1500);
	/* Expired: the trigger of its own; the capture stops the watchdog. */
	stub.tsc += 1501 * 1000;
	assert_true(watchdog_due());
	assert_int_equal(crash_trigger(cpu0, CRASH_WATCHDOG), VCPU_RESET);
	assert_logged_since_reset("crash: watchdog (the guest stopped petting it) on cpu0");
	/* The guest's deadline is gone; the capture kernel's boot has its own. */
	assert_int_equal(watchdog_mode(), WATCHDOG_CAPTURE);
	assert_false(watchdog_due());
	assert_int_not_equal(watchdog_gen(), gen);
	assert_int_equal(call3(0, PARACHUTE_HC_WATCHDOG, 2000, 0, 0), -PARACHUTE_EBUSY);
	free(guest_ram);
}

/* The capture kernel's boot is bounded; it checks in, reports, or fails. */
static void test_capture_timeout_and_report(void **state)
{
	u8 *region = aligned_alloc(PAGE_SIZE, 2 * PAGE_SIZE);
	u64 base = (u64)(uintptr_t)region;

	(void)state;
	assert_non_null(region);
	hv.capture_base = base;
	hv.capture_size = PAGE_SIZE;
	hv.tsc_khz = 1000;
	stub.tsc = 0;
	arm();
	/* Outside a capture: refused, whatever the arguments. */
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_REPORT, PARACHUTE_REPORT_STARTED, 0, 0),
			 -PARACHUTE_EPERM);
	assert_logged("cpu0: CAPTURE_REPORT outside a capture kernel refused");
	assert_int_equal(crash_trigger(cpu0, CRASH_PVPANIC), VCPU_RESET);
	assert_int_equal(watchdog_mode(), WATCHDOG_CAPTURE);
	/* Only the capturing vCPU; stages and ranges checked. */
	assert_int_equal(call_on(cpu1, 0, PARACHUTE_HC_CAPTURE_REPORT, PARACHUTE_REPORT_STARTED, 0,
				 0),
			 -PARACHUTE_EPERM);
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_REPORT, 0, 0, 0), -PARACHUTE_EINVAL);
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_REPORT, 4, 0, 0), -PARACHUTE_EINVAL);
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_REPORT, PARACHUTE_REPORT_DONE, base,
			       PARACHUTE_REPORT_MAX + 1),
			 -PARACHUTE_E2BIG);
	/* Outside the region, across its end, wrapping: the hv reads none of it. */
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_REPORT, PARACHUTE_REPORT_DONE,
			       base + PAGE_SIZE, 8),
			 -PARACHUTE_EFAULT);
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_REPORT, PARACHUTE_REPORT_DONE,
			       base + PAGE_SIZE - 4, 8),
			 -PARACHUTE_EFAULT);
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_REPORT, PARACHUTE_REPORT_DONE, base - 4, 8),
			 -PARACHUTE_EFAULT);
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_REPORT, PARACHUTE_REPORT_DONE, ~0ull - 2, 8),
			 -PARACHUTE_EFAULT);
	/* Not yet due; the check-in stops the bound. */
	stub.tsc = 300 * 1000 * 1000;
	assert_false(watchdog_due());
	memcpy(region, "up\x01", 3);
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_REPORT, PARACHUTE_REPORT_STARTED, base, 3),
			 0);
	assert_logged("capture: the capture kernel checked in 300000 ms after the hand-over: up?");
	assert_int_equal(watchdog_mode(), WATCHDOG_OFF);
	stub.tsc += 10000 * 1000;
	assert_false(watchdog_due());
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_REPORT, PARACHUTE_REPORT_DONE, 0, 0), 0);
	assert_logged("capture: the capture kernel saved the dump, 310000 ms after the hand-over");
	/* The counters are not printed during a capture (a vCPU held for seconds misses its park). */
	assert_int_equal(call3(0, PARACHUTE_HC_DUMP_STATS, 0, 0, 0), -PARACHUTE_EBUSY);
	/* FAILED while another capture CPU restarts: that one ends the capture. */
	strcpy((char *)region, "dump target UUID=x not found after 30 s");
	capture.ending = 1;
	assert_int_equal(call3(0, PARACHUTE_HC_CAPTURE_REPORT, PARACHUTE_REPORT_FAILED, base,
			       strlen((char *)region)),
			 -PARACHUTE_EBUSY);
	capture.ending = 0;
	/* FAILED: its reason, then capture_failure=. */
	hv.opt.capture_failure = FAILURE_HALT;
	assert_int_equal(NORETURN(call3(0, PARACHUTE_HC_CAPTURE_REPORT, PARACHUTE_REPORT_FAILED,
					base, strlen((char *)region))),
			 2);
	assert_logged_since_reset(
		"capture failed: the capture kernel reports: dump target UUID=x not found after 30 s");
	free(region);
}

/* RESTART: only the capture kernel, only with restart=on, and what was kept comes back. */
static void test_restart(void **state)
{
	static u8 guest_kernel[3000], guest_initrd[5000];
	u8 *stash;
	u64 size;
	s64 ret;

	(void)state;
	memset(guest_kernel, 0x11, sizeof(guest_kernel));
	memset(guest_initrd, 0x22, sizeof(guest_initrd));
	bi.nr_modules = 3;
	bi.mods[1] = (struct boot_module){ (u64)(uintptr_t)guest_kernel, sizeof(guest_kernel),
					   ROLE_GUEST, "root=/dev/vda ro" };
	bi.mods[2] = (struct boot_module){ (u64)(uintptr_t)guest_initrd, sizeof(guest_initrd),
					   ROLE_GUEST_INITRD, "" };
	bi.by_role[ROLE_GUEST] = &bi.mods[1];
	bi.by_role[ROLE_GUEST_INITRD] = &bi.mods[2];
	/* restart=off: nothing kept, and a restart is refused. */
	assert_int_equal(restart_stash_size(&bi), 0);
	arm();
	assert_int_equal(crash_trigger(cpu0, CRASH_PVPANIC), VCPU_RESET);
	assert_int_equal(call(0, PARACHUTE_HC_RESTART, 0, 0, &ret), VCPU_SKIP);
	assert_int_equal(ret, -PARACHUTE_EACCES);
	assert_logged("restart refused: the hv keeps nothing to restart from (restart=off)");

	/* restart=on: the stash holds the guest's modules and the staged kernel. */
	setup(state);
	memset(guest_kernel, 0x11, sizeof(guest_kernel));
	bi.nr_modules = 3;
	bi.mods[1] = (struct boot_module){ (u64)(uintptr_t)guest_kernel, sizeof(guest_kernel),
					   ROLE_GUEST, "root=/dev/vda ro" };
	bi.mods[2] = (struct boot_module){ (u64)(uintptr_t)guest_initrd, sizeof(guest_initrd),
					   ROLE_GUEST_INITRD, "" };
	bi.by_role[ROLE_GUEST] = &bi.mods[1];
	bi.by_role[ROLE_GUEST_INITRD] = &bi.mods[2];
	hv.opt.restart = RESTART_ON;
	size = restart_stash_size(&bi);
	/* kernel 4 KiB + initrd 8 KiB + capture 8 KiB, in 2 MiB */
	assert_int_equal(size, 2 * MiB);
	stash = aligned_alloc(PAGE_SIZE, size);
	hv.restart_base = (u64)(uintptr_t)stash;
	hv.restart_size = size;
	arm();
	assert_memory_equal(stash, guest_kernel, sizeof(guest_kernel));
	assert_memory_equal(stash + PAGE_SIZE, guest_initrd, sizeof(guest_initrd));
	/* Only the capturing vCPU, only during a capture. */
	assert_int_equal(call(0, PARACHUTE_HC_RESTART, 0, 0, &ret), VCPU_SKIP);
	assert_int_equal(ret, -PARACHUTE_EPERM);
	assert_int_equal(call(3, PARACHUTE_HC_RESTART, 0, 0, &ret), VCPU_SKIP);
	assert_int_equal(ret, -PARACHUTE_EPERM);
	/* A load the guest left open at the crash (its staged part is where the capture kernel runs). */
	hv.capture_size = 128 * MiB;
	assert_int_equal(call3(0, PARACHUTE_HC_LOAD_BEGIN, 16, 0, 8), 0);
	assert_true(capture_load_state()->open);
	assert_int_equal(crash_trigger(cpu0, CRASH_PVPANIC), VCPU_RESET);
	assert_int_equal(call_on(cpu1, 0, PARACHUTE_HC_RESTART, 0, 0, 0), -PARACHUTE_EPERM);
	/* Another capture CPU ends the capture already: this RESTART waits its turn (refused). */
	capture.ending = 1;
	assert_int_equal(call(0, PARACHUTE_HC_RESTART, 0, 0, &ret), VCPU_SKIP);
	assert_int_equal(ret, -PARACHUTE_EBUSY);
	assert_logged("RESTART refused: another CPU of the capture kernel restarts or fails the capture");
	capture.ending = 0;
	/* The capture kernel ran in its region; the restart puts it back and re-arms. */
	memset((void *)(uintptr_t)capture.hashed[0].start, 0,
	       capture.hashed[0].end - capture.hashed[0].start);
	memset(guest_kernel, 0, sizeof(guest_kernel)); /* the crashed guest's RAM */
	capture.probe.done = true; /* the crashed kernel's note */
	capture.probe.found = 0x1234000;
	assert_int_equal(call(0, PARACHUTE_HC_RESTART, 0, 0, &ret), VCPU_RESET);
	assert_int_equal(st.restarts, 1);
	assert_false(capture.probe.done); /* the new kernel's is probed anew */
	assert_int_equal(capture.probe.found, 0);
	assert_int_equal(((u8 *)(uintptr_t)capture.hashed[0].start)[0x1fff], 0x5a);
	assert_int_equal(st.restart_km->start, hv.restart_base);
	assert_int_equal(st.restart_km->size, sizeof(guest_kernel));
	assert_int_equal(((u8 *)(uintptr_t)st.restart_km->start)[0], 0x11);
	assert_string_equal(st.restart_km->args, "root=/dev/vda ro");
	assert_int_equal(st.restart_im->size, sizeof(guest_initrd));
	assert_int_equal(capture.owner, -1);
	assert_int_equal(capture.ending, 0);
	assert_false(capture_load_state()->open); /* the open load dropped */
	assert_logged_since_reset("a capture kernel load left open at the crash is dropped");
	assert_true(capture.armed);
	assert_false(capture.switch_lock.locked);
	assert_logged("restart 1: the guest kernel boots again on cpu0, capture re-armed");
	/* The capture history says so, and keeps it for the guest booted again. */
	{
		struct parachute_capture_record r;
		u64 all;

		assert_int_equal(history_read(&r, 1, &all), 1);
		assert_int_equal(r.restarted, 1);
		assert_string_equal(r.trigger, "pvpanic (the guest kernel panicked)");
	}
	/* Captured again, and a second restart. */
	assert_int_equal(crash_trigger(cpu0, CRASH_PVPANIC), VCPU_RESET);
	assert_int_equal(call(0, PARACHUTE_HC_RESTART, 0, 0, &ret), VCPU_RESET);
	assert_int_equal(capture.restarts, 2);
	/* A restart that fails once memory was touched resets the machine. */
	assert_int_equal(crash_trigger(cpu0, CRASH_PVPANIC), VCPU_RESET);
	st.restart_ret = -ENOMEM;
	assert_int_equal(NORETURN(call(0, PARACHUTE_HC_RESTART, 0, 0, &ret)), 1);
	assert_logged("restart failed (-12): the guest cannot be booted again; resetting the machine");
	free(stash);
}

/* No check-in within capture_timeout=: a failed capture, not a second one. */
static void test_capture_timeout_expires(void **state)
{
	(void)state;
	hv.tsc_khz = 1000;
	stub.tsc = 0;
	hv.opt.capture_timeout = 20;
	arm();
	assert_int_equal(crash_trigger(cpu0, CRASH_NMI), VCPU_RESET);
	stub.tsc = 20 * 1000 * 1000;
	assert_false(watchdog_due());
	stub.tsc++;
	assert_true(watchdog_due());
	assert_int_equal(NORETURN(watchdog_expired(cpu0)), 1);
	assert_logged_since_reset("capture failed: the capture kernel did not reach its capture "
				  "initramfs within 20 s (capture_timeout=)");
	assert_int_equal(st.handovers, 1);
	/* capture_timeout=0: no bound at all. */
	setup(NULL);
	hv.opt.capture_timeout = 0;
	arm();
	assert_int_equal(crash_trigger(cpu0, CRASH_NMI), VCPU_RESET);
	assert_int_equal(watchdog_mode(), WATCHDOG_OFF);
}

/* No guest module in the capture initramfs: its first user-mode exit ends the bound. */
static void test_capture_timeout_user_mode(void **state)
{
	(void)state;
	hv.tsc_khz = 1000;
	stub.tsc = 0;
	hv.opt.capture_timeout = 20;
	arm();
	nr_cpus_online = 2;
	assert_int_equal(crash_trigger(cpu0, CRASH_PVPANIC), VCPU_RESET);
	assert_int_equal(watchdog_mode(), WATCHDOG_CAPTURE);
	/* User mode on a vCPU that is not the capture kernel's (it did not park): no. */
	stub.cpl = 3;
	cpu1->arch.regs.rax = 0;
	assert_int_equal(vcpu_handle_cpuid(cpu1), VCPU_SKIP);
	assert_int_equal(watchdog_mode(), WATCHDOG_CAPTURE);
	/* The capture kernel's own CPUIDs in kernel mode: no. */
	stub.cpl = 0;
	cpu0->arch.regs.rax = 0;
	assert_int_equal(vcpu_handle_cpuid(cpu0), VCPU_SKIP);
	assert_int_equal(watchdog_mode(), WATCHDOG_CAPTURE);
	/* Its initramfs's first program: the bound ends, once. */
	stub.tsc = 2000 * 1000;
	stub.cpl = 3;
	cpu0->arch.regs.rax = 0;
	assert_int_equal(vcpu_handle_cpuid(cpu0), VCPU_SKIP);
	assert_logged("capture: the capture kernel reached user mode on cpu0 2000 ms after the "
		      "hand-over: its initramfs runs, capture_timeout= no longer applies");
	assert_int_equal(watchdog_mode(), WATCHDOG_OFF);
	assert_true(capture.user_mode);
	assert_false(capture.checked_in);
	stub.tsc = 60 * 1000 * 1000;
	assert_false(watchdog_due());
	stub.cpl = 0;
	nr_cpus_online = 0;
}

static void test_watchdog_stop(void **state)
{
	(void)state;
	hv.tsc_khz = 1000;
	assert_int_equal(call3(0, PARACHUTE_HC_WATCHDOG, 5000, 0, 0), 0);
	assert_int_equal(call3(0, PARACHUTE_HC_WATCHDOG, 0, 0, 0), 0);
	assert_logged("cpu0: watchdog stopped by the guest");
	assert_int_equal(watchdog_mode(), WATCHDOG_OFF);
	stub.tsc += 10000 * 1000;
	assert_false(watchdog_due());
	/* watchdog=off: the source never captures, whatever the deadline. */
	hv.opt.watchdog = TRIGGER_REFUSE;
	assert_int_equal(crash_trigger(cpu0, CRASH_WATCHDOG), VCPU_RESUME);
}

static void test_unload(void **state)
{
	s64 ret;

	(void)state;
	arm();
	assert_int_equal(call3(0, PARACHUTE_HC_UNLOAD, 0, 0, 0), 0);
	assert_int_equal(st.unloads, 1);
	assert_false(capture.armed);
	assert_logged("capture disarmed");
	call(0, PARACHUTE_HC_CRASH, 0, 0, &ret);
	assert_int_equal(ret, -PARACHUTE_ENODEV);
}

/* A Linux VMCOREINFO note at the start of page p. */
static void put_vmcoreinfo(u8 *p)
{
	static const char text[] = "OSRELEASE=6.1.0-57-amd64\nPAGESIZE=4096\n";
	struct elf64_nhdr h = { 11, sizeof(text) - 1, NT_VMCOREINFO };

	memcpy(p, &h, sizeof(h));
	memcpy(p + 12, "VMCOREINFO", 11);
	memcpy(p + 24, text, sizeof(text) - 1);
}

static void test_guest_info_vmcoreinfo(void **state)
{
	struct parachute_guest_info gi = { sizeof(gi), 0x5c8, 0x1fbc0, 0x1fb9c, 0, 0 };
	u8 *ram = aligned_alloc(PAGE_SIZE, 2 * PAGE_SIZE);
	u64 base = (u64)(uintptr_t)ram, text;
	enum vmcoreinfo_way way;
	u32 len;
	s64 ret;

	(void)state;
	assert_non_null(ram);
	memset(ram, 0, 2 * PAGE_SIZE);
	hv.guest_map.nr = 0;
	assert_int_equal(memmap_add(&hv.guest_map, base, 2 * PAGE_SIZE, E820_RAM), 0);
	/* Where there is no note, or not at a page start, or outside RAM: refused. */
	for (u64 at = base + PAGE_SIZE; at; at = at == base + PAGE_SIZE ? base + PAGE_SIZE + 8 :
					       at == base + PAGE_SIZE + 8 ? base + 2 * PAGE_SIZE : 0) {
		gi.vmcoreinfo_note = at;
		memcpy(ram, &gi, sizeof(gi));
		call(0, PARACHUTE_HC_GUEST_INFO, base, sizeof(gi), &ret);
		assert_int_equal(ret, -PARACHUTE_EINVAL);
		assert_logged("no VMCOREINFO note at");
	}
	/* Registered: found there at a crash, without a scan. */
	put_vmcoreinfo(ram + PAGE_SIZE);
	gi.vmcoreinfo_note = base + PAGE_SIZE;
	memcpy(ram, &gi, sizeof(gi));
	call(0, PARACHUTE_HC_GUEST_INFO, base, sizeof(gi), &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, NULL, NULL, &text, &len, &way), 0);
	assert_int_equal(way, VMCOREINFO_REGISTERED);
	assert_int_equal(text, base + PAGE_SIZE + 24);
	assert_int_equal(len, 39);
	/* Gone from there by the crash: the scan finds the one that is left. */
	ram[PAGE_SIZE + 12] = 'X';
	put_vmcoreinfo(ram);
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, NULL, NULL, &text, &len, &way), 0);
	assert_int_equal(way, VMCOREINFO_SCANNED);
	assert_int_equal(text, base + 24);
	ram[12] = 'X';
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, NULL, NULL, &text, &len, &way), -ENOENT);
	free(ram);
}

/* A stock guest's note is looked for above 4 GiB first, where its kernel allocates it. */
static void test_vmcoreinfo_scan_order(void **state)
{
	u8 *low = alloc_low(PAGE_SIZE), *high = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	u64 text;
	enum vmcoreinfo_way way;
	u32 len;

	(void)state;
	assert_non_null(high);
	assert_true((uintptr_t)low + PAGE_SIZE <= 4 * GiB && (uintptr_t)high >= 4 * GiB);
	memset(high, 0, PAGE_SIZE);
	hv.guest_map.nr = 0;
	assert_int_equal(memmap_add(&hv.guest_map, (u64)(uintptr_t)low, PAGE_SIZE, E820_RAM), 0);
	assert_int_equal(memmap_add(&hv.guest_map, (u64)(uintptr_t)high, PAGE_SIZE, E820_RAM), 0);
	put_vmcoreinfo(low);
	put_vmcoreinfo(high);
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, NULL, NULL, &text, &len, &way), 0);
	assert_int_equal(way, VMCOREINFO_SCANNED);
	assert_int_equal(text, (u64)(uintptr_t)high + 24);
	/* Not there: below 4 GiB next. */
	high[12] = 'X';
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, NULL, NULL, &text, &len, &way), 0);
	assert_int_equal(text, (u64)(uintptr_t)low + 24);
	/* n_namesz 11 alone is not a note. */
	low[12] = 'X';
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, NULL, NULL, &text, &len, &way), -ENOENT);
	free(high);
}

/* A check standing for the crashed kernel's: this note's text is stale. */
static bool not_at(u64 desc_pa, u32 desc_len, const void *ctx)
{
	(void)desc_len;
	return desc_pa != *(const u64 *)ctx;
}

/* A check that only the note at *ctx passes; counts its calls. */
static unsigned int only_calls;
static bool only_at(u64 desc_pa, u32 desc_len, const void *ctx)
{
	(void)desc_len;
	only_calls++;
	return desc_pa == *(const u64 *)ctx;
}

/*
 * A hostile guest plants a note on every page, none of them the crashed
 * kernel's: the scan at the crash checks a bounded number and gives up,
 * named, instead of walking page tables for every page of guest RAM.
 */
static void test_vmcoreinfo_scan_planted_notes(void **state)
{
	enum { PAGES = VMCOREINFO_SCAN_MAX_REJECTED + 8 };
	u8 *ram = aligned_alloc(PAGE_SIZE, PAGES * PAGE_SIZE);
	u64 base = (u64)(uintptr_t)ram, text, real;
	enum vmcoreinfo_way way;
	u32 len;

	(void)state;
	assert_non_null(ram);
	memset(ram, 0, PAGES * PAGE_SIZE);
	hv.guest_map.nr = 0;
	assert_int_equal(memmap_add(&hv.guest_map, base, PAGES * PAGE_SIZE, E820_RAM), 0);
	for (unsigned int i = 0; i < PAGES; i++)
		put_vmcoreinfo(ram + i * PAGE_SIZE);
	/* The real one after the bound: not reached. */
	real = base + (PAGES - 1) * PAGE_SIZE + 24;
	only_calls = 0;
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, only_at, &real, &text, &len, &way), -ENOENT);
	assert_int_equal(only_calls, VMCOREINFO_SCAN_MAX_REJECTED);
	assert_logged("the scan for VMCOREINFO stopped at");
	assert_logged("64 notes in guest RAM that are not the crashed kernel's");
	/* Within the bound (a stale note or a few): found. */
	real = base + 3 * PAGE_SIZE + 24;
	only_calls = 0;
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, only_at, &real, &text, &len, &way), 0);
	assert_int_equal(text, real);
	assert_int_equal(only_calls, 4);
	free(ram);
}

/*
 * A stock guest's note is found once, from its first user-mode CPUID on, a
 * bounded number of pages per exit, and a crash reads that page; a note that
 * is gone or stale by then is scanned for.
 */
static void test_vmcoreinfo_probe(void **state)
{
	u8 *ram = aligned_alloc(PAGE_SIZE, 3 * PAGE_SIZE);
	u64 base = (u64)(uintptr_t)ram, text, stale;
	struct guest_regs *r = &cpu0->arch.regs;
	enum vmcoreinfo_way way;
	u32 len;

	(void)state;
	assert_non_null(ram);
	memset(ram, 0, 3 * PAGE_SIZE);
	hv.guest_map.nr = 0;
	assert_int_equal(memmap_add(&hv.guest_map, base, 3 * PAGE_SIZE, E820_RAM), 0);
	put_vmcoreinfo(ram + 2 * PAGE_SIZE);
	capture.armed = true;
	/* The kernel's own CPUIDs (CPL 0) do not probe; the first from user mode does, once. */
	stub.cpl = 0;
	r->rax = 0;
	assert_int_equal(vcpu_handle_cpuid(cpu0), VCPU_SKIP);
	assert_int_equal(capture.probe.exits, 0);
	stub.cpl = 3;
	r->rax = 0;
	assert_int_equal(vcpu_handle_cpuid(cpu0), VCPU_SKIP);
	assert_true(capture.probe.done);
	assert_int_equal(capture.probe.exits, 1);
	assert_int_equal(capture.probe.found, base + 2 * PAGE_SIZE);
	assert_logged("VMCOREINFO: the guest's note found at");
	put_vmcoreinfo(ram + PAGE_SIZE);
	r->rax = 0;
	vcpu_handle_cpuid(cpu0);
	assert_int_equal(capture.probe.exits, 1);
	assert_int_equal(capture.probe.found, base + 2 * PAGE_SIZE);
	/* At the crash: the probed page, no scan (the scan would find page 1 first). */
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, NULL, NULL, &text, &len, &way), 0);
	assert_int_equal(way, VMCOREINFO_PROBED);
	assert_int_equal(text, base + 2 * PAGE_SIZE + 24);
	/* The probed note is not the crashed kernel's (a kexec since): scanned. */
	stale = base + 2 * PAGE_SIZE + 24;
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, not_at, &stale, &text, &len, &way), 0);
	assert_int_equal(way, VMCOREINFO_SCANNED);
	assert_int_equal(text, base + PAGE_SIZE + 24);
	/* The scan passes over notes the check rejects too. */
	stale = base + PAGE_SIZE + 24;
	ram[2 * PAGE_SIZE + 12] = 'X';
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, not_at, &stale, &text, &len, &way), -ENOENT);
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, NULL, NULL, &text, &len, &way), 0);
	assert_int_equal(way, VMCOREINFO_SCANNED);
	assert_int_equal(text, base + PAGE_SIZE + 24);
	/* One page per call: it resumes where it stopped, and finds page 1 at the second. */
	memset(&capture.probe, 0, sizeof(capture.probe));
	vmcoreinfo_probe(cpu0, &hv.guest_map, 1);
	assert_false(capture.probe.done);
	assert_int_equal(find_vmcoreinfo(&hv.guest_map, NULL, NULL, &text, &len, &way), 0);
	assert_int_equal(way, VMCOREINFO_SCANNED); /* a crash meanwhile scans */
	vmcoreinfo_probe(cpu0, &hv.guest_map, 1);
	assert_true(capture.probe.done);
	assert_int_equal(capture.probe.exits, 2);
	assert_int_equal(capture.probe.found, base + PAGE_SIZE);
	/* No note anywhere: the probe says so after the last page, and a crash scans. */
	memset(&capture.probe, 0, sizeof(capture.probe));
	ram[PAGE_SIZE + 12] = 'X';
	for (int i = 0; i < 2; i++) {
		vmcoreinfo_probe(cpu0, &hv.guest_map, 1);
		assert_false(capture.probe.done);
	}
	vmcoreinfo_probe(cpu0, &hv.guest_map, 1); /* the last page: both passes end */
	assert_true(capture.probe.done);
	assert_int_equal(capture.probe.exits, 3);
	assert_int_equal(capture.probe.found, 0);
	assert_logged("VMCOREINFO: no note in guest RAM");
	/* Disarmed, or inside the capture kernel: no probe. */
	memset(&capture.probe, 0, sizeof(capture.probe));
	capture.owner = 0;
	vcpu_handle_cpuid(cpu0);
	assert_int_equal(capture.probe.exits, 0);
	capture.owner = -1;
	capture.armed = false;
	vcpu_handle_cpuid(cpu0);
	assert_int_equal(capture.probe.exits, 0);
	free(ram);
}

static void test_hypercall_guest_info(void **state)
{
	struct parachute_guest_info gi = { sizeof(gi), 0x5c8, 0x1fbc0, 0x1fb9c, 0xffffffff82a05d40, 0 };
	u64 base;
	s64 ret;

	(void)state;
	guest_ram_map();
	base = (u64)(uintptr_t)guest_ram;
	memcpy(guest_ram, &gi, sizeof(gi));
	call(0, PARACHUTE_HC_GUEST_INFO, base, 8, &ret);
	assert_int_equal(ret, -PARACHUTE_EINVAL);
	call(0, PARACHUTE_HC_GUEST_INFO, base + PAGE_SIZE, sizeof(gi), &ret); /* hidden */
	assert_int_equal(ret, -PARACHUTE_EFAULT);
	assert_false(capture.kinfo.valid);
	call(0, PARACHUTE_HC_GUEST_INFO, base, sizeof(gi), &ret);
	assert_int_equal(ret, 0);
	assert_true(capture.kinfo.valid);
	assert_int_equal(capture.kinfo.task_pid_offset, 0x5c8);
	assert_int_equal(capture.kinfo.current_task, 0x1fbc0);
	assert_int_equal(capture.kinfo.cpu_number, 0x1fb9c);
	assert_int_equal(capture.kinfo.crashing_cpu, 0xffffffff82a05d40);
	/* An ABI 1.1 guest of the first kind: 16 bytes, the rest unknown. */
	call(0, PARACHUTE_HC_GUEST_INFO, base, 16, &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(capture.kinfo.cpu_number, 0);
	assert_int_equal(capture.kinfo.crashing_cpu, 0);
	/* Offsets that would send the crash path far away are refused; the old ones stay. */
	gi.current_task = 1ull << 40;
	memcpy(guest_ram, &gi, sizeof(gi));
	call(0, PARACHUTE_HC_GUEST_INFO, base, sizeof(gi), &ret);
	assert_int_equal(ret, -PARACHUTE_EINVAL);
	assert_int_equal(capture.kinfo.current_task, 0x1fbc0);
	gi.current_task = 0x1fbc0;
	gi.task_pid_offset = 1u << 20;
	memcpy(guest_ram, &gi, sizeof(gi));
	call(0, PARACHUTE_HC_GUEST_INFO, base, sizeof(gi), &ret);
	assert_int_equal(ret, -PARACHUTE_EINVAL);
	assert_int_equal(capture.kinfo.task_pid_offset, 0x5c8);
	/* crashing_cpu must be a kernel address: the hv writes there at a capture. */
	gi.task_pid_offset = 0x5c8;
	gi.crashing_cpu = 0x1000;
	memcpy(guest_ram, &gi, sizeof(gi));
	call(0, PARACHUTE_HC_GUEST_INFO, base, sizeof(gi), &ret);
	assert_int_equal(ret, -PARACHUTE_EINVAL);
	free(guest_ram);
}

/* ---- NMI classification. ---- */

static void test_nmi_mailbox(void **state)
{
	(void)state;
	cpu0->arch.mbox.flush = 1;
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_RESUME);
	assert_int_equal(cpu0->arch.mbox.flush, 0);
	/* A kick and a guest's NMI IPI that came as one NMI (NMIs do not queue): both served. */
	cpu0->arch.mbox.flush = 1;
	cpu0->arch.guest_nmis = 1;
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_RESUME);
	assert_int_equal(cpu0->arch.mbox.flush, 0);
	assert_int_equal(cpu0->arch.guest_nmis, 0);
	assert_int_equal(stub.nmis_injected, 1);
	stub.nmis_injected = 0;
	cpu0->arch.mbox.init = 1;
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_LEAVE);
	cpu0->arch.mbox.park = 1; /* a capture's kick wins over everything */
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_PARK);
	assert_int_equal(stub.nmis_injected, 0);
	assert_int_equal(capture.owner, -1);
}

static void test_nmi_guest_or_operator(void **state)
{
	u64 *rax = &cpu0->arch.regs.rax;

	(void)state;
	arm();
	hv.tsc_khz = 1000000; /* 1 GHz: 1 ms is 1000000 ticks */
	/* One the APIC trap saw the guest send: the guest's, counted down, not watched. */
	cpu0->arch.guest_nmis = 2;
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_RESUME);
	assert_int_equal(cpu0->arch.guest_nmis, 1);
	assert_int_equal(stub.nmis_injected, 1);
	assert_false(cpu0->arch.nmi_watch);
	/* LINT1 masked: no platform NMI can arrive here, so it is the guest's (perf, IPIs). */
	cpu0->arch.guest_nmis = 0;
	stub.lint1_nmi = false;
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_RESUME);
	assert_int_equal(stub.nmis_injected, 2);
	assert_false(cpu0->arch.nmi_watch);
	/* nmi=guest: any NMI is delivered, never watched. */
	stub.lint1_nmi = true;
	hv.opt.nmi = TRIGGER_GUEST;
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_RESUME);
	assert_int_equal(stub.nmis_injected, 3);
	assert_false(cpu0->arch.nmi_watch);
	/* Otherwise the guest gets it first, watched: the reason port is intercepted. */
	hv.opt.nmi = TRIGGER_CAPTURE;
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_RESUME);
	assert_int_equal(stub.nmis_injected, 4);
	assert_true(cpu0->arch.nmi_watch);
	assert_true(stub.watching);
	assert_int_equal(capture.owner, -1);
	/* A guest handler took it: the IRET ends the watch, nothing is captured. */
	assert_int_equal(vcpu_handle_iret(cpu0), VCPU_RESUME);
	assert_false(cpu0->arch.nmi_watch);
	assert_false(stub.watching);
	stub.port_in[NMI_REASON_PORT] = 0x20;
	*rax = 0;
	assert_int_equal(vcpu_handle_io(cpu0, NMI_REASON_PORT, true, 1, true), VCPU_SKIP);
	assert_int_equal(*rax, 0x20); /* performed on the hardware */
	assert_int_equal(capture.owner, -1);
	/* None took it: the guest reads the reason port inside the watched NMI. The operator's. */
	vcpu_handle_nmi(cpu0);
	assert_true(cpu0->arch.nmi_watch);
	*rax = 0x0c;
	assert_int_equal(vcpu_handle_io(cpu0, NMI_REASON_PORT, false, 1, true), VCPU_SKIP);
	assert_int_equal(capture.owner, -1); /* a write is no reading */
	assert_int_equal(vcpu_handle_io(cpu0, NMI_REASON_PORT, true, 1, true), VCPU_RESET);
	assert_int_equal(capture.owner, 0);
	assert_logged("hand-over took");
}

static void test_nmi_guest_cannot_take(void **state)
{
	(void)state;
	arm();
	hv.tsc_khz = 1000000;
	stub.lint1_nmi = true;
	stub.tsc = 5000000000ull;
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_RESUME);
	/* Another within the bound (the guest is slow): delivered, watched, no capture. */
	stub.tsc += 500 * 1000000ull;
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_RESUME);
	assert_int_equal(capture.owner, -1);
	/* The guest has kept the first for over a second: it cannot take NMIs. */
	stub.tsc += 600 * 1000000ull;
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_RESET);
	assert_int_equal(capture.owner, 0);
}

/* ---- Port decoding. ---- */

static void test_io_bitmap(void **state)
{
	u8 bm[0x2000] = { 0 };

	(void)state;
	assert_true(vcpu_io_bitmap(bm, false));
	assert_true(bm[PVPANIC_PORT / 8] & (1u << (PVPANIC_PORT % 8)));
	assert_true(bm[CMOS_INDEX_PORT / 8] & (1u << (CMOS_INDEX_PORT % 8)));
	assert_true(bm[CMOS_DATA_PORT / 8] & (1u << (CMOS_DATA_PORT % 8)));
	/* The NMI reason port only in the bitmap for a watched NMI. */
	assert_false(bm[NMI_REASON_PORT / 8] & (1u << (NMI_REASON_PORT % 8)));
	memset(bm, 0, sizeof(bm));
	assert_true(vcpu_io_bitmap(bm, true));
	assert_true(bm[NMI_REASON_PORT / 8] & (1u << (NMI_REASON_PORT % 8)));
	memset(bm, 0, sizeof(bm));
	hv.opt.pvpanic = TRIGGER_REFUSE;
	hv.opt.apic_trap = APIC_TRAP_ALWAYS;
	assert_false(vcpu_io_bitmap(bm, false));
	for (unsigned int i = 0; i < sizeof(bm); i++)
		assert_int_equal(bm[i], 0);
}

static void test_cmos(void **state)
{
	u64 *rax = &cpu0->arch.regs.rax;

	(void)state;
	/* Index 0x0f, then a non-zero shutdown code: a CPU start-up is coming. */
	*rax = 0x8f; /* bit 7, the NMI mask of old chipsets, is not part of the index */
	assert_int_equal(vcpu_handle_io(cpu0, CMOS_INDEX_PORT, false, 1, true), VCPU_SKIP);
	*rax = 0x0a;
	assert_int_equal(vcpu_handle_io(cpu0, CMOS_DATA_PORT, false, 1, true), VCPU_SKIP);
	assert_int_equal(stub.start_up_coming, 1);
	assert_int_equal(stub.outs, 2);
	assert_int_equal(stub.out_port[1], CMOS_DATA_PORT);
	assert_int_equal(stub.out_val[1], 0x0a);
	/* Writing 0 back, or another index, is no start-up. */
	*rax = 0;
	vcpu_handle_io(cpu0, CMOS_DATA_PORT, false, 1, true);
	*rax = 0x0e;
	vcpu_handle_io(cpu0, CMOS_INDEX_PORT, false, 1, true);
	*rax = 0x0a;
	vcpu_handle_io(cpu0, CMOS_DATA_PORT, false, 1, true);
	assert_int_equal(stub.start_up_coming, 1);
	/* A 16-bit OUT to 0x70 writes both ports: index 0x0f, then the code. */
	*rax = 0x0a0f;
	vcpu_handle_io(cpu0, CMOS_INDEX_PORT, false, 2, true);
	assert_int_equal(stub.start_up_coming, 2);
	/* Reads come from the hardware, into the right byte of RAX. */
	stub.port_in[CMOS_DATA_PORT] = 0x42;
	*rax = 0xffffffffffffffffull;
	assert_int_equal(vcpu_handle_io(cpu0, CMOS_DATA_PORT, true, 1, true), VCPU_SKIP);
	assert_int_equal(*rax, 0xffffffffffffff42ull);
	/* String I/O is not performed; a capture during the wait parks the vCPU. */
	stub.outs = 0;
	assert_int_equal(vcpu_handle_io(cpu0, CMOS_DATA_PORT, false, 1, false), VCPU_SKIP);
	assert_int_equal(stub.outs, 0);
	stub.start_up_parks = true;
	*rax = 0x0f;
	vcpu_handle_io(cpu0, CMOS_INDEX_PORT, false, 1, true);
	*rax = 0x0a;
	assert_int_equal(vcpu_handle_io(cpu0, CMOS_DATA_PORT, false, 1, true), VCPU_PARK);
}

static void test_pvpanic(void **state)
{
	u64 *rax = &cpu0->arch.regs.rax;

	(void)state;
	arm();
	/* Reading says which events the device supports. */
	*rax = 0;
	assert_int_equal(vcpu_handle_io(cpu0, PVPANIC_PORT, true, 1, true), VCPU_SKIP);
	assert_int_equal(*rax, PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
	/* "crash loaded" alone is logged; string forms are ignored. */
	*rax = PVPANIC_CRASH_LOADED;
	assert_int_equal(vcpu_handle_io(cpu0, PVPANIC_PORT, false, 1, true), VCPU_SKIP);
	assert_logged("starting its own crash kernel");
	*rax = PVPANIC_PANICKED;
	assert_int_equal(vcpu_handle_io(cpu0, PVPANIC_PORT, false, 1, false), VCPU_SKIP);
	assert_int_equal(capture.owner, -1);
	/* "panicked" starts the capture; the OUT is not completed. */
	assert_int_equal(vcpu_handle_io(cpu0, PVPANIC_PORT, false, 1, true), VCPU_RESET);
	assert_logged("hand-over took");
}

/* ---- Writes to hidden pages, and xAPIC stores. ---- */

/* A sealed kexec region: writes are dropped like hidden ones, a fetch lifts the seal. */
static void test_sealed_region_faults(void **state)
{
	(void)state;
	stub.vcpu.rflags = X86_RFLAGS_FIXED;
	/* A stray write: stepped over with the scratch page, logged as the sealed region's. */
	assert_int_equal(vcpu_handle_npf(cpu0, 0x400040, true, false, false), VCPU_RESUME);
	assert_logged("guest write to the sealed kexec region at 0x400040");
	assert_true(cpu0->arch.step.active);
	assert_int_equal(stub.redirects, 1);
	assert_int_equal(vcpu_handle_db(cpu0), VCPU_RESUME);
	assert_false(st.seal_lifted);
	/* A fetch outside it is fatal as ever; the crash path's jump into it lifts it. */
	assert_int_equal(vcpu_handle_npf(cpu0, 0x300000, false, true, false), VCPU_FATAL);
	assert_false(st.seal_lifted);
	assert_int_equal(vcpu_handle_npf(cpu0, 0x4ff000, false, true, false), VCPU_RESUME);
	assert_true(st.seal_lifted);
	assert_int_equal(st.seal_fetch_gpa, 0x4ff000);
	/* The hypercall reaches the architecture with its arguments; CPL 3 does not. */
	assert_int_equal(call3(3, PARACHUTE_HC_SEAL_KEXEC, 0x400000, 0x100000, 0), -PARACHUTE_EPERM);
	assert_int_equal(st.seal_size, 0);
	assert_int_equal(call3(0, PARACHUTE_HC_SEAL_KEXEC, 0x400000, 0x100000, 0), 0);
	assert_int_equal(st.seal_base, 0x400000);
	assert_int_equal(st.seal_size, 0x100000);
}

static void test_hidden_write_step(void **state)
{
	(void)state;
	stub.vcpu.rflags = X86_RFLAGS_FIXED;
	/* A read fault, or a write where nothing is write-protected: fatal. */
	assert_int_equal(vcpu_handle_npf(cpu0, 0x200010, false, false, false), VCPU_FATAL);
	assert_int_equal(vcpu_handle_npf(cpu0, 0x300010, true, false, false), VCPU_FATAL);
	assert_logged("not mapped");
	/* Unless it is MMIO above the start-up map: mapped, flushed, retried. */
	assert_int_equal(vcpu_handle_npf(cpu0, 0x10000000014ull, true, false, false), VCPU_RESUME);
	assert_int_equal(vcpu_handle_npf(cpu0, 0x10000000014ull, false, false, false), VCPU_RESUME);
	assert_int_equal(stub.mmio_maps, 2);
	assert_int_equal(stub.flushes, 2);
	stub.flushes = 0;
	/* A write to the protected page: scratch mapped, one step. */
	assert_int_equal(vcpu_handle_npf(cpu0, 0x200ffc, true, false, false), VCPU_RESUME);
	assert_int_equal(stub.steps_begun, 1);
	assert_int_equal(stub.redirects, 1);
	assert_true(cpu0->arch.step.active);
	/* The same instruction also writes the next page: both are restored after it. */
	assert_int_equal(vcpu_handle_npf(cpu0, 0x201000, true, false, false), VCPU_RESUME);
	assert_int_equal(stub.steps_begun, 1);
	assert_int_equal(cpu0->arch.step.gpa2, 0x201000);
	assert_int_equal(vcpu_handle_db(cpu0), VCPU_RESUME);
	assert_int_equal(stub.steps_ended, 1);
	assert_false(stub.step_guest_tf);
	assert_false(cpu0->arch.step.active);
	assert_int_equal(stub.redirects, 4); /* scratch in twice, the pages back twice */
	assert_int_equal(stub.scratch_mapped, 0);
	/* A step that its #DB never ends (an INIT, a park): the reset maps the pages back. */
	vcpu_handle_npf(cpu0, 0x200ffc, true, false, false);
	vcpu_handle_npf(cpu0, 0x201000, true, false, false);
	assert_int_equal(stub.scratch_mapped, 2);
	vcpu_step_cancel(cpu0);
	assert_int_equal(stub.scratch_mapped, 0);
	assert_false(cpu0->arch.step.active);
	assert_int_equal(cpu0->arch.step.gpa2, 0);
	vcpu_step_cancel(cpu0); /* nothing stepped: nothing to map back */
	assert_int_equal(stub.scratch_mapped, 0);
	/* A #DB that is not the hv's step is the guest's own. */
	assert_int_equal(vcpu_handle_db(cpu0), VCPU_RESUME);
	assert_int_equal(stub.inject_vector, X86_EXC_DB);
	/* A guest that single-steps itself keeps its TF and gets its #DB. */
	stub.vcpu.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_TF;
	vcpu_handle_npf(cpu0, 0x200000, true, false, false);
	vcpu_handle_db(cpu0);
	assert_true(stub.step_guest_tf);
}

static void test_apic_store(void **state)
{
	/* mov %eax, 0x300(%rdx) ; then garbage */
	static const u8 code[] = { 0x89, 0x82, 0x00, 0x03, 0x00, 0x00, 0xcc };

	(void)state;
	stub.mem_base = 0x100000;
	memcpy(st.mem, code, sizeof(code));
	stub.vcpu.rip = 0x100000; /* paging off: the linear address is CS.base + RIP */
	stub.vcpu.cr0 = X86_CR0_PE;
	stub.cs_db = true;
	cpu0->arch.regs.rax = 0x000c4500;
	assert_int_equal(vcpu_handle_npf(cpu0, 0xfee00300, true, false, false), VCPU_RESUME);
	assert_int_equal(stub.apic_written_gpa, 0xfee00300);
	assert_int_equal(stub.apic_written_val, 0x000c4500);
	assert_int_equal(stub.vcpu.rip, 0x100006); /* stepped past the 6-byte store */
	assert_int_equal(stub.injected, 0);
	/* During event delivery there is no instruction to emulate. */
	assert_int_equal(vcpu_handle_npf(cpu0, 0xfee00300, true, false, true), VCPU_FATAL);
	/* An instruction it cannot decode gets #GP, and RIP stays. */
	stub.vcpu.rip = 0x100006;
	assert_int_equal(vcpu_handle_npf(cpu0, 0xfee00300, true, false, false), VCPU_RESUME);
	assert_int_equal(stub.inject_vector, X86_EXC_GP);
	assert_int_equal(stub.vcpu.rip, 0x100006);
	assert_logged("cannot emulate the guest's write to APIC 0xfee00300");
}

static void test_wrmsr_and_refusals(void **state)
{
	(void)state;
	/* In xAPIC mode the x2APIC ICR does not exist: #GP, nothing reaches the APIC. */
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_X2APIC_ICR, 0x4400), VCPU_RESUME);
	assert_int_equal(stub.inject_vector, X86_EXC_GP);
	assert_int_equal(stub.icr_writes, 0);
	stub.apic_base = 0xfee00d00; /* x2APIC mode */
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_X2APIC_ICR, 0x4400), VCPU_SKIP);
	assert_int_equal(stub.icr_writes, 1);
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_X2APIC_ICR, 0x4400 | (1u << 20)), VCPU_RESUME);
	assert_int_equal(stub.icr_writes, 1);
	/* The APIC base may change its enable bits, never move, never set a reserved bit. */
	stub.apic_base = 0xfee00900;
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_APIC_BASE, 0xfee00100), VCPU_SKIP);
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_APIC_BASE, 0xfec00900), VCPU_RESUME);
	assert_logged("guest WRMSR APIC base <- 0xfec00900 (the hv keeps the base at 0xfee00000) refused (#GP)");
	stub.injected = 0;
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_APIC_BASE, 0xfee00901), VCPU_RESUME);
	assert_logged("guest WRMSR APIC base <- 0xfee00901 refused (#GP)");
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_APIC_BASE, 0xfee00d00), VCPU_RESUME);
	assert_int_equal(stub.injected, 2); /* a reserved bit; x2APIC the guest's CPUID lacks */
	/* EFER: LMA is kept, LME does not change under paging, reserved bits are #GP. */
	stub.vcpu.cr0 = X86_CR0_PE | X86_CR0_PG;
	stub.vcpu.efer = EFER_LME | EFER_LMA;
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_EFER, EFER_LME | EFER_SCE | EFER_NXE), VCPU_SKIP);
	assert_int_equal(stub.vcpu.efer, EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE);
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_EFER, EFER_SCE | EFER_NXE), VCPU_RESUME);
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_EFER, stub.vcpu.efer | (7ull << 13)), VCPU_RESUME);
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_EFER, stub.vcpu.efer | EFER_SVME), VCPU_RESUME);
	assert_int_equal(stub.vcpu.efer, EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE);
	assert_int_equal(stub.injected, 5);
	/* Any other MSR that exits is refused. */
	assert_int_equal(vcpu_handle_wrmsr(cpu0, 0x3a, 5), VCPU_RESUME);
	assert_int_equal(stub.injected, 6);
	assert_true(stub.inject_has_err);
	/* In real mode the #GP pushes no error code (a VM entry would refuse one). */
	stub.vcpu.cr0 = X86_CR0_ET;
	stub.vcpu.efer = 0;
	assert_int_equal(vcpu_handle_wrmsr(cpu0, 0x3a, 5), VCPU_RESUME);
	assert_int_equal(stub.injected, 7);
	assert_int_equal(stub.inject_vector, X86_EXC_GP);
	assert_false(stub.inject_has_err);
}

/* MOV to CRn and XSETBV, as VMX reports them: the gate, then the backend. */
static void test_cr_writes_and_xsetbv(void **state)
{
	(void)state;
	/* The 32-bit boot path into long mode: PAE, CR3, EFER.LME, then paging. */
	stub.vcpu.cr0 = X86_CR0_PE | X86_CR0_ET;
	assert_int_equal(vcpu_handle_cr_write(cpu0, 4, X86_CR4_PAE), VCPU_SKIP);
	assert_int_equal(vcpu_handle_cr_write(cpu0, 3, 0x1000), VCPU_SKIP);
	assert_int_equal(vcpu_handle_wrmsr(cpu0, MSR_EFER, EFER_LME), VCPU_SKIP);
	/* Not with a CS whose L bit is set, though legacy mode ignores it (#GP, as KVM). */
	stub.cs_l = true;
	assert_int_equal(vcpu_handle_cr_write(cpu0, 0, 0x80000011), VCPU_RESUME);
	assert_int_equal(stub.vcpu.efer, EFER_LME);
	assert_int_equal(stub.injected, 1);
	stub.injected = 0;
	stub.cs_l = false;
	assert_int_equal(vcpu_handle_cr_write(cpu0, 0, 0x80000011), VCPU_SKIP);
	assert_int_equal(stub.vcpu.efer, EFER_LME | EFER_LMA); /* IA-32e mode came on with paging */
	assert_int_equal(stub.vcpu.cr0, 0x80000011);
	assert_int_equal(stub.pdpte_loads, 0); /* IA-32e paging has no PDPTE registers */
	stub.cs_l = true;
	/* Refused as a processor refuses them; nothing changes. */
	assert_int_equal(vcpu_handle_cr_write(cpu0, 4, X86_CR4_PAE | X86_CR4_VMXE), VCPU_RESUME);
	assert_logged("guest MOV to CR4 <- 0x2020 refused (#GP)");
	assert_int_equal(vcpu_handle_cr_write(cpu0, 4, 0), VCPU_RESUME); /* PAE off in long mode */
	assert_int_equal(vcpu_handle_cr_write(cpu0, 3, 1ull << 40), VCPU_RESUME);
	assert_int_equal(vcpu_handle_cr_write(cpu0, 0, 0x11), VCPU_RESUME); /* from 64-bit code */
	assert_int_equal(vcpu_handle_cr_write(cpu0, 0, 1ull << 32 | 0x80000011), VCPU_RESUME);
	assert_int_equal(vcpu_handle_cr_write(cpu0, 8, 0), VCPU_RESUME);
	assert_int_equal(stub.injected, 6);
	assert_true(stub.inject_has_err); /* #GP(0) in protected mode */
	assert_true(stub.vcpu.cr4 == X86_CR4_PAE && stub.vcpu.cr3 == 0x1000 && stub.vcpu.cr0 == 0x80000011);
	/* Out of long mode from compatibility mode (CS.L = 0): LMA goes. */
	stub.cs_l = false;
	assert_int_equal(vcpu_handle_cr_write(cpu0, 0, 0x11), VCPU_SKIP);
	assert_int_equal(stub.vcpu.efer, EFER_LME);
	/* PAE paging without LME: the PDPTEs at CR3 are checked and loaded. */
	stub.vcpu.efer = 0;
	stub.mem_base = 0x3000;
	memset(st.mem, 0, sizeof(st.mem));
	st.mem[0] = 0x01; /* PDPTE 0 present at 0 */
	assert_int_equal(vcpu_handle_cr_write(cpu0, 3, 0x3000), VCPU_SKIP);
	assert_int_equal(vcpu_handle_cr_write(cpu0, 0, 0x80000011), VCPU_SKIP);
	assert_int_equal(stub.pdpte_loads, 1);
	assert_int_equal(stub.pdpte[0], 1);
	st.mem[8] = 0x03; /* PDPTE 1 present with reserved bit 1 */
	assert_int_equal(vcpu_handle_cr_write(cpu0, 3, 0x3000), VCPU_RESUME);
	assert_int_equal(vcpu_handle_cr_write(cpu0, 3, 0x9000), VCPU_RESUME); /* not readable */
	assert_int_equal(stub.pdpte_loads, 1);
	/* Outside 64-bit mode the operand is 32 bits: a stale upper half is not CR3's. */
	st.mem[8] = 0;
	assert_int_equal(vcpu_handle_cr_write(cpu0, 3, 0xdead00000000ull | 0x3000), VCPU_SKIP);
	assert_int_equal(stub.vcpu.cr3, 0x3000);
	stub.injected = 0;
	/* XSETBV: #UD without CR4.OSXSAVE, #GP above CPL 0 or for a value the rules refuse. */
	assert_int_equal(vcpu_handle_xsetbv(cpu0), VCPU_RESUME);
	assert_int_equal(stub.inject_vector, X86_EXC_UD);
	stub.vcpu.cr4 |= X86_CR4_OSXSAVE;
	cpu0->arch.regs.rcx = 0;
	cpu0->arch.regs.rax = 0x5; /* AVX without SSE */
	assert_int_equal(vcpu_handle_xsetbv(cpu0), VCPU_RESUME);
	assert_int_equal(stub.inject_vector, X86_EXC_GP);
	cpu0->arch.regs.rax = 0x7;
	stub.cpl = 3;
	assert_int_equal(vcpu_handle_xsetbv(cpu0), VCPU_RESUME);
	stub.cpl = 0;
	cpu0->arch.regs.rcx = 1;
	assert_int_equal(vcpu_handle_xsetbv(cpu0), VCPU_RESUME);
	assert_int_equal(stub.xsetbvs, 0);
	cpu0->arch.regs.rcx = 0;
	assert_int_equal(vcpu_handle_xsetbv(cpu0), VCPU_SKIP);
	assert_true(stub.xsetbvs == 1 && stub.xcr0 == 0x7);
}

static void test_triple_fault_and_init(void **state)
{
	(void)state;
	arm();
	hv.opt.triple_fault = TRIGGER_REPORT;
	assert_int_equal(vcpu_handle_triple_fault(cpu0), VCPU_FATAL);
	assert_logged("guest shut down (triple fault)");
	/* INIT in guest mode: the vCPU waits for a SIPI, unless a capture parks it. */
	assert_int_equal(vcpu_handle_init(cpu1), VCPU_LEAVE);
	assert_int_equal(cpu1->arch.mbox.init, 1);
	assert_int_equal(stub.start_up_coming, 1); /* the SIPIs to come are trapped */
	cpu1->arch.mbox.init = 0;
	stub.start_up_parks = true;
	assert_int_equal(vcpu_handle_init(cpu1), VCPU_PARK);
	stub.start_up_parks = false;
	/* An INIT meant for cpu0 was in its mailbox when it was elected. */
	cpu0->arch.mbox.init = 1;
	cpu0->arch.mbox.sipi = 0x110;
	hv.opt.triple_fault = TRIGGER_CAPTURE;
	assert_int_equal(vcpu_handle_triple_fault(cpu0), VCPU_RESET);
	/* The capturing vCPU obeys no INIT: not the signal, not the kick of an old one. */
	assert_int_equal(vcpu_handle_init(cpu0), VCPU_RESUME);
	assert_logged("INIT at the capturing vCPU dropped");
	assert_int_equal(vcpu_handle_nmi(cpu0), VCPU_RESUME);
	assert_true(!cpu0->arch.mbox.init && !cpu0->arch.mbox.sipi);
	assert_logged("cpu0: INIT at the capturing vCPU dropped");
	/* Any other vCPU an INIT reaches during the capture parks, never waits for a SIPI. */
	assert_int_equal(vcpu_handle_init(cpu1), VCPU_PARK);
	assert_int_equal(cpu1->arch.mbox.init, 0);
}

/* The capture kernel's CPUs (docs/smp.md): any of them is the capture kernel. */
static void test_capture_kernel_cpus(void **state)
{
	(void)state;
	arm();
	nr_cpus_online = 2;
	assert_int_equal(crash_trigger(cpu0, CRASH_PVPANIC), VCPU_RESET);
	cpu0->arch.gpm = &capture_gpm; /* entered at the hand-over */
	cpu1->arch.gpm = &capture_gpm; /* started by the capture kernel */
	cpu1->state = CPU_GUEST;
	/* Its report from an AP is taken (the initramfs runs on any CPU). */
	assert_int_equal(capture_report(cpu1, PARACHUTE_REPORT_STARTED, 0, 0), 0);
	assert_true(capture.checked_in);
	/* An INIT at it: it waits for the capture kernel's start-up IPI, marked as such. */
	assert_int_equal(vcpu_handle_init(cpu1), VCPU_LEAVE);
	assert_true(cpu1->arch.mbox.init && cpu1->arch.mbox.capture);
	/* A crash trigger on it is the capture kernel crashing: the failure policy. */
	assert_int_equal(NORETURN(crash_trigger(cpu1, CRASH_TRIPLE_FAULT)), 1);
	assert_int_equal(stub.reboots, 1);
	assert_logged_since_reset("capture failed: the capture kernel itself crashed");
	assert_int_equal(st.handovers, 1);
	nr_cpus_online = 0;
}

/* capture_test=nopark: the last vCPU ignores the park request; the others park. */
static void test_capture_nopark(void **state)
{
	(void)state;
	arm();
	nr_cpus_online = 2;
	hv.opt.capture_test = CAPTURE_TEST_NO_PARK;
	assert_int_equal(crash_trigger(cpu0, CRASH_PVPANIC), VCPU_RESET);
	cpu1->arch.mbox.park = 1;
	assert_int_equal(vcpu_handle_nmi(cpu1), VCPU_RESUME);
	hv.opt.capture_test = CAPTURE_TEST_NONE;
	assert_int_equal(vcpu_handle_nmi(cpu1), VCPU_PARK);
	nr_cpus_online = 0;
}

static void test_gpr_order(void **state)
{
	(void)state;
	for (unsigned int n = 0; n < 16; n++)
		vcpu_set_gpr(cpu0, n, 0x100 + n);
	assert_int_equal(cpu0->arch.regs.rax, 0x100);
	assert_int_equal(cpu0->arch.regs.rcx, 0x101);
	assert_int_equal(cpu0->arch.regs.rdx, 0x102);
	assert_int_equal(cpu0->arch.regs.rbx, 0x103);
	assert_int_equal(stub.vcpu.rsp, 0x104); /* RSP is the backend's */
	assert_int_equal(cpu0->arch.regs.rbp, 0x105);
	assert_int_equal(cpu0->arch.regs.rdi, 0x107);
	assert_int_equal(cpu0->arch.regs.r8, 0x108);
	assert_int_equal(cpu0->arch.regs.r15, 0x10f);
	assert_int_equal(vcpu_gpr(cpu0, 4), 0x104);
	assert_int_equal(vcpu_gpr(cpu0, 6), 0x106);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_first_trigger_captures, setup),
		cmocka_unit_test_setup(test_second_trigger_parks, setup),
		cmocka_unit_test_setup(test_capture_kernel_crash_fails, setup),
		cmocka_unit_test_setup(test_source_policies, setup),
		cmocka_unit_test_setup(test_disarmed, setup),
		cmocka_unit_test_setup(test_digest_mismatch, setup),
		cmocka_unit_test_setup(test_hypercall_cpl, setup),
		cmocka_unit_test_setup(test_hypercall_status_ranges, setup),
		cmocka_unit_test_setup(test_hypercall_crash, setup),
		cmocka_unit_test_setup(test_hypercall_guest_info, setup),
		cmocka_unit_test_setup(test_guest_info_vmcoreinfo, setup),
		cmocka_unit_test_setup(test_vmcoreinfo_scan_order, setup),
		cmocka_unit_test_setup(test_vmcoreinfo_probe, setup),
		cmocka_unit_test_setup(test_load_refusals, setup),
		cmocka_unit_test_setup(test_load_switch, setup),
		cmocka_unit_test_setup(test_guest_lines_rate_limited, setup),
		cmocka_unit_test_setup(test_unload, setup),
		cmocka_unit_test_setup(test_watchdog, setup),
		cmocka_unit_test_setup(test_watchdog_stop, setup),
		cmocka_unit_test_setup(test_capture_timeout_and_report, setup),
		cmocka_unit_test_setup(test_restart, setup),
		cmocka_unit_test_setup(test_capture_timeout_expires, setup),
		cmocka_unit_test_setup(test_capture_timeout_user_mode, setup),
		cmocka_unit_test_setup(test_hypercall_history, setup),
		cmocka_unit_test_setup(test_hypercall_dma_faults, setup),
		cmocka_unit_test_setup(test_nmi_mailbox, setup),
		cmocka_unit_test_setup(test_nmi_guest_or_operator, setup),
		cmocka_unit_test_setup(test_nmi_guest_cannot_take, setup),
		cmocka_unit_test_setup(test_io_bitmap, setup),
		cmocka_unit_test_setup(test_cmos, setup),
		cmocka_unit_test_setup(test_pvpanic, setup),
		cmocka_unit_test_setup(test_hidden_write_step, setup),
		cmocka_unit_test_setup(test_sealed_region_faults, setup),
		cmocka_unit_test_setup(test_vmcoreinfo_scan_planted_notes, setup),
		cmocka_unit_test_setup(test_apic_store, setup),
		cmocka_unit_test_setup(test_wrmsr_and_refusals, setup),
		cmocka_unit_test_setup(test_cr_writes_and_xsetbv, setup),
		cmocka_unit_test_setup(test_triple_fault_and_init, setup),
		cmocka_unit_test_setup(test_capture_kernel_cpus, setup),
		cmocka_unit_test_setup(test_capture_nopark, setup),
		cmocka_unit_test_setup(test_gpr_order, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
