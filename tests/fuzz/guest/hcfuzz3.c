// SPDX-License-Identifier: GPL-2.0-only
/*
 * hcfuzz3: the guest-side hypercall fuzzer's CPL 3 half. For SECONDS it
 * executes VMMCALL (AMD) or VMCALL (Intel) from user mode with random call
 * numbers and arguments; the hv must refuse every one with -PARACHUTE_EPERM
 * and change no register but RAX. Prints one line and exits 0 when all
 * were refused, 1 otherwise.
 * Usage: hcfuzz3 [SECONDS [SEED]]
 */
#include <cpuid.h>
#include <inttypes.h>
#include <parachute/abi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	unsigned int eax, ebx, ecx, edx, seconds = argc > 1 ? (unsigned int)atoi(argv[1]) : 10;
	uint64_t calls = 0, bad = 0;
	time_t end;
	bool intel;

	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t)time(NULL) * 2654435761u | 1;
	__cpuid(0, eax, ebx, ecx, edx);
	intel = ebx == 0x756e6547; /* "Genu" */
	__cpuid(PARACHUTE_CPUID_LEAF, eax, ebx, ecx, edx);
	if (ebx != PARACHUTE_CPUID_EBX) {
		fprintf(stderr, "hcfuzz3: not running on ParachuteHV\n");
		return 2;
	}
	printf("hcfuzz3: seed %" PRIu64 ", %u s from CPL 3\n", rng, seconds);
	fflush(stdout);
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		for (int i = 0; i < 256; i++, calls++) {
			uint64_t nr = next() % 20 < 16 ? next() % 16 : next();
			uint64_t a0 = next(), a1 = next() >> (next() % 64), a2 = next() % 4096;
			uint64_t rax = nr, rbx = a0, rcx = a1, rdx = a2;

			if (intel)
				asm volatile("vmcall" : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx)::"memory");
			else
				asm volatile("vmmcall" : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx)::"memory");
			if ((int64_t)rax != -PARACHUTE_EPERM || rbx != a0 || rcx != a1 || rdx != a2) {
				if (bad++ < 5)
					printf("hcfuzz3: call %" PRIu64 " from CPL 3 returned %" PRId64
					       " (rbx %s)\n",
					       nr, (int64_t)rax, rbx == a0 ? "kept" : "CHANGED");
			}
		}
	}
	printf("hcfuzz3: %" PRIu64 " calls from CPL 3 in %u s, %" PRIu64 " not refused\n", calls,
	       seconds, bad);
	return bad ? 1 : 0;
}
