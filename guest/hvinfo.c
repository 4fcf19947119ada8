// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvinfo: what a guest program sees of the hypervisor under it. Prints the
 * CPUID hypervisor signature and feature bits, and tries a hypercall from
 * CPL 3, which parachute must refuse (-PARACHUTE_EPERM) and never serve.
 */
#include <cpuid.h>
#include <parachute/abi.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf ill_jmp;

static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(ill_jmp, 1);
}

static int intel; /* VMCALL on Intel, VMMCALL on AMD (include/parachute/abi.h) */

static long hypercall(unsigned long nr)
{
	unsigned long ret = nr;

	if (intel)
		asm volatile("vmcall" : "+a"(ret) : : "memory");
	else
		asm volatile("vmmcall" : "+a"(ret) : : "memory");
	return (long)ret;
}

int main(int argc, char **argv)
{
	unsigned int a, b, c, d;
	char sig[13];
	long ret;

	if (argc > 1 && strcmp(argv[1], "crash")) {
		fprintf(stderr,
			"usage: hvinfo [crash]\n"
			"  Print the CPUID view of the hypervisor and try a hypercall from CPL 3.\n"
			"  crash: try PARACHUTE_HC_CRASH from CPL 3 instead (must be refused).\n");
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	__cpuid(0, a, b, c, d);
	intel = b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e; /* "GenuineIntel" */
	__cpuid(PARACHUTE_CPUID_LEAF, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	printf("hvinfo: cpuid 0x40000000 max=0x%08x signature=\"%s\"\n", a, sig);
	if (!strcmp(sig, "ParachuteHV") && a >= PARACHUTE_CPUID_VERSION_LEAF) {
		__cpuid(PARACHUTE_CPUID_VERSION_LEAF, a, b, c, d);
		printf("hvinfo: abi version %u.%u\n", a >> 16, a & 0xffff);
	}
	__cpuid(1, a, b, c, d);
	printf("hvinfo: hypervisor bit %s\n", (c & (1u << 31)) ? "set" : "clear");
	printf("hvinfo: vmx visible %s\n", (c & (1u << 5)) ? "yes" : "no");
	__cpuid(0x80000001, a, b, c, d);
	printf("hvinfo: svm visible %s\n", (c & (1u << 2)) ? "yes" : "no");

	signal(SIGILL, on_sigill);
	if (argc > 1) {
		/* The CRASH hypercall from CPL 3: must be refused, the guest goes on. */
		if (sigsetjmp(ill_jmp, 1)) {
			printf("hvinfo: CRASH from CPL 3: #UD\n");
			return 1;
		}
		ret = hypercall(PARACHUTE_HC_CRASH);
		printf("hvinfo: CRASH from CPL 3: %ld (%s)\n", ret,
		       ret == -PARACHUTE_EPERM ? "refused" : "NOT REFUSED");
		return 0;
	}
	if (sigsetjmp(ill_jmp, 1)) {
		printf("hvinfo: hypercall from CPL 3: #UD (no hypervisor intercepts %s)\n",
		       intel ? "VMCALL" : "VMMCALL");
		return 0;
	}
	ret = hypercall(PARACHUTE_HC_VERSION);
	printf("hvinfo: hypercall from CPL 3: %ld (%s)\n", ret,
	       ret == -PARACHUTE_EPERM ? "refused" : "SERVED - a CPL check is missing");
	return 0;
}
