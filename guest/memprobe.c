// SPDX-License-Identifier: GPL-2.0-only
/*
 * memprobe ADDR...: map one page of physical memory at each ADDR through
 * /dev/mem, check that it reads as all-ones, write a pattern into it, and
 * read it back. Under parachute, hv memory must read all-ones and keep
 * reading all-ones after the write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int count_not_ones(const volatile uint8_t *p)
{
	int n = 0;

	for (int i = 0; i < 4096; i++)
		n += p[i] != 0xff;
	return n;
}

static int probe(int fd, unsigned long long pa)
{
	volatile uint64_t *q;
	volatile uint8_t *p;
	int before, after;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)pa);
	if (p == MAP_FAILED) {
		printf("memprobe: 0x%llx: mmap failed: %s\n", pa, strerror(errno));
		return 1;
	}
	before = count_not_ones(p);
	q = (volatile uint64_t *)p;
	q[0] = 0x5a5a5a5a5a5a5a5aull;
	q[1] = 0x0123456789abcdefull;
	q[511] = 0xfeedfacecafebeefull;
	after = count_not_ones(p);
	printf("memprobe: 0x%llx: read %s; write %s\n", pa, before ? "NOT all-ones" : "all-ones",
	       after ? "LANDED" : "dropped");
	munmap((void *)p, 4096);
	return before || after;
}

int main(int argc, char **argv)
{
	int fd = open("/dev/mem", O_RDWR | O_SYNC), bad = 0;

	if (fd < 0) {
		perror("memprobe: /dev/mem");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		bad |= probe(fd, strtoull(argv[i], NULL, 0) & ~0xfffull);
	return bad;
}
