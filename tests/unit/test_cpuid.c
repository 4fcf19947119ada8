// SPDX-License-Identifier: GPL-2.0-only
/* What the guest sees of CPUID. */
#include "harness.h"
#include <asm/cpuid.h>
#include <parachute/abi.h>

static void test_signature_leaf(void **state)
{
	struct cpuid_regs r = { 0x11, 0x22, 0x33, 0x44 };
	char sig[13];

	(void)state;
	cpuid_policy(0x40000000, 0, 0, &r);
	assert_int_equal(r.eax, 0x40000001);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	assert_string_equal(sig, "ParachuteHV");
	assert_int_equal(sig[11], 0);
	r = (struct cpuid_regs){ 1, 2, 3, 4 };
	cpuid_policy(0x40000001, 0, 0, &r);
	assert_int_equal(r.eax, PARACHUTE_ABI_VERSION);
}

static void test_hypervisor_bit_and_hidden_virt(void **state)
{
	struct cpuid_regs r = { 0, 0, CPUID_1_ECX_VMX | 1, 0 };

	(void)state;
	cpuid_policy(1, 0, 0, &r);
	assert_true(r.ecx & CPUID_1_ECX_HYPERVISOR);
	assert_false(r.ecx & CPUID_1_ECX_VMX);
	assert_true(r.ecx & 1);
	r = (struct cpuid_regs){ 0, 0, 0xffffffff, 0xffffffff };
	cpuid_policy(0x80000001, 0, 0, &r);
	assert_int_equal(r.ecx, 0xffffffff & ~CPUID_80000001_ECX_SVM);
	assert_int_equal(r.edx, 0xffffffff);
	r = (struct cpuid_regs){ 1, 0x40, 0, 0x1ff };
	cpuid_policy(0x8000000a, 0, 0, &r);
	assert_true(!r.eax && !r.ebx && !r.ecx && !r.edx);
}

static void test_other_hypervisor_leaves_empty(void **state)
{
	struct cpuid_regs r = { 9, 9, 9, 9 };

	(void)state;
	cpuid_policy(0x40000100, 0, 0, &r); /* where Linux looks for KVM next */
	assert_true(!r.eax && !r.ebx && !r.ecx && !r.edx);
	r = (struct cpuid_regs){ 7, 8, 9, 10 };
	cpuid_policy(0x7, 0, 0, &r); /* untouched */
	assert_int_equal(r.edx, 10);
}

/* OSXSAVE and OSPKE follow the guest's CR4, whatever the hv's own CR4 made the CPU say. */
static void test_cr4_mirrored_bits(void **state)
{
	struct cpuid_regs r = { 0, 0, CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE, 0 };

	(void)state;
	cpuid_policy(1, 0, 0, &r);
	assert_false(r.ecx & CPUID_1_ECX_OSXSAVE);
	assert_true(r.ecx & CPUID_1_ECX_XSAVE);
	r = (struct cpuid_regs){ 0, 0, CPUID_1_ECX_XSAVE, 0 };
	cpuid_policy(1, 0, X86_CR4_OSXSAVE, &r);
	assert_true(r.ecx & CPUID_1_ECX_OSXSAVE);
	r = (struct cpuid_regs){ 0, 0, 0, 0 };
	cpuid_policy(7, 0, X86_CR4_PKE, &r);
	assert_int_equal(r.ecx, CPUID_7_ECX_OSPKE);
	r = (struct cpuid_regs){ 0, 0, CPUID_7_ECX_OSPKE | 1, 0 };
	cpuid_policy(7, 0, 0, &r);
	assert_int_equal(r.ecx, 1);
	r = (struct cpuid_regs){ 0, 0, 0, 0 };
	cpuid_policy(7, 1, X86_CR4_PKE, &r); /* only subleaf 0 has OSPKE */
	assert_int_equal(r.ecx, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_leaf),
		cmocka_unit_test(test_hypervisor_bit_and_hidden_virt),
		cmocka_unit_test(test_cr4_mirrored_bits),
		cmocka_unit_test(test_other_hypervisor_leaves_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
