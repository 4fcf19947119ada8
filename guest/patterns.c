// SPDX-License-Identifier: GPL-2.0-only
/*
 * patterns SEED [PAGES]: fill PAGES (default 16) locked pages with a pattern
 * derived from SEED, print each page's physical address (from
 * /proc/self/pagemap; needs root) and pattern, then wait for the crash. The
 * tests look for exactly these bytes at these addresses in the vmcore.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long long seed = argc > 1 ? strtoull(argv[1], NULL, 16) : 0x5eed;
	int pages = argc > 2 ? atoi(argv[2]) : 16, fd = open("/proc/self/pagemap", O_RDONLY);
	long psz = sysconf(_SC_PAGESIZE);
	uint8_t *buf = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);

	if (fd < 0 || buf == MAP_FAILED) {
		perror("patterns");
		return 1;
	}
	for (int i = 0; i < pages; i++) {
		uint64_t *q = (uint64_t *)(buf + i * psz), entry,
			 value = seed * 0x9e3779b97f4a7c15ull + i;

		for (long k = 0; k < psz / 8; k++)
			q[k] = value;
		if (pread(fd, &entry, 8, ((uintptr_t)q / psz) * 8) != 8 ||
		    !(entry & (1ull << 63))) {
			printf("patterns: page %d: no physical address\n", i);
			return 1;
		}
		printf("patterns: page 0x%llx value 0x%016llx\n",
		       (unsigned long long)((entry & ((1ull << 55) - 1)) * psz),
		       (unsigned long long)value);
	}
	fflush(stdout);
	for (;;)
		pause();
}
