// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu: drive QEMU's "edu" test device (docs/specs/edu.rst) from userspace,
 * through its BAR in sysfs, to make real device DMA for the isolation tests.
 *
 *   edu roundtrip            DMA a page's pattern into the device and back over
 *                            a different pattern; check it arrived intact
 *   edu write ADDR [LEN]     DMA LEN (default 2048) bytes of 0xdd from the
 *                            device to physical ADDR; report when done
 *   edu arm-crash SEED       fill a page with a pattern, program the device to
 *                            overwrite it (it does so ~100 ms later), then crash
 *                            the kernel at once through sysrq
 *
 * Transfers stay below 4096 bytes: QEMU 7.2's edu aborts on exactly 4096.
 * After each DMA it executes CPUID, a VM exit at which the hv polls its IOMMU.
 */
#include <cpuid.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define EDU_VENDOR	   0x1234
#define EDU_DEVICE	   0x11e8
#define EDU_DMA_SRC	   0x80
#define EDU_DMA_DST	   0x88
#define EDU_DMA_CNT	   0x90
#define EDU_DMA_CMD	   0x98
#define EDU_CMD_RUN	   0x1
#define EDU_CMD_TO_RAM	   0x2 /* direction: device buffer -> RAM */
#define EDU_BUFFER	   0x40000
#define PCI_COMMAND_MASTER 0x4

static volatile uint8_t *bar;
static char dev[300];

static int find_edu(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char p[300];
		unsigned int v = 0, id = 0;
		FILE *f;

		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor", e->d_name);
		if (!(f = fopen(p, "r")))
			continue;
		if (fscanf(f, "%x", &v) != 1)
			v = 0;
		fclose(f);
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device", e->d_name);
		if (!(f = fopen(p, "r")))
			continue;
		if (fscanf(f, "%x", &id) != 1)
			id = 0;
		fclose(f);
		if (v == EDU_VENDOR && id == EDU_DEVICE) {
			snprintf(dev, sizeof(dev), "/sys/bus/pci/devices/%s", e->d_name);
			closedir(d);
			return 0;
		}
	}
	if (d)
		closedir(d);
	fprintf(stderr, "edu: no edu device (1234:11e8) in /sys/bus/pci/devices\n");
	return -1;
}

/* Memory decoding and bus mastering on, then map BAR0. */
static int open_edu(void)
{
	char p[320];
	uint16_t cmd;
	int fd;

	if (find_edu())
		return -1;
	snprintf(p, sizeof(p), "%s/config", dev);
	fd = open(p, O_RDWR);
	if (fd < 0 || pread(fd, &cmd, 2, 4) != 2) {
		perror("edu: config");
		return -1;
	}
	cmd |= PCI_COMMAND_MASTER | 0x2;
	if (pwrite(fd, &cmd, 2, 4) != 2) {
		perror("edu: config write");
		return -1;
	}
	close(fd);
	snprintf(p, sizeof(p), "%s/resource0", dev);
	fd = open(p, O_RDWR | O_SYNC);
	bar = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED) {
		perror("edu: resource0");
		return -1;
	}
	if (*(volatile uint32_t *)bar != 0x010000ed) {
		fprintf(stderr, "edu: identification 0x%x, not 0x010000ed\n",
			*(volatile uint32_t *)bar);
		return -1;
	}
	return 0;
}

static void reg(unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(bar + off) = v;
}

static void start(uint64_t src, uint64_t dst, uint64_t len, uint64_t dir)
{
	reg(EDU_DMA_SRC, src);
	reg(EDU_DMA_DST, dst);
	reg(EDU_DMA_CNT, len);
	reg(EDU_DMA_CMD, EDU_CMD_RUN | dir);
}

/* The device clears RUN when its timer (~100 ms) has done the transfer. */
static int wait_done(void)
{
	unsigned int a, b, c, d;

	for (int i = 0; i < 300; i++) {
		if (!(*(volatile uint64_t *)(bar + EDU_DMA_CMD) & EDU_CMD_RUN)) {
			__cpuid(0x40000000, a, b, c, d);
			return 0;
		}
		usleep(10000);
	}
	fprintf(stderr, "edu: DMA did not complete in 3 s\n");
	return -1;
}

static uint64_t phys_of(void *p)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;
	long psz = sysconf(_SC_PAGESIZE);

	if (fd < 0 || pread(fd, &e, 8, ((uintptr_t)p / psz) * 8) != 8 || !(e & (1ull << 63))) {
		fprintf(stderr, "edu: no physical address (pagemap needs root)\n");
		exit(1);
	}
	close(fd);
	return (e & ((1ull << 55) - 1)) * psz;
}

static uint8_t *locked_pages(int n)
{
	uint8_t *p = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED) {
		perror("edu: mmap");
		exit(1);
	}
	return p;
}

static int roundtrip(void)
{
	uint8_t *page = locked_pages(1), want[2048];
	uint64_t pa = phys_of(page);

	for (int i = 0; i < 2048; i++)
		want[i] = page[i] = (uint8_t)(i * 7 + 3);
	start(pa, EDU_BUFFER, 2048, 0); /* RAM -> device */
	if (wait_done())
		return 1;
	memset(page, 0x11, 4096);
	start(EDU_BUFFER, pa, 2048, EDU_CMD_TO_RAM);
	if (wait_done())
		return 1;
	if (memcmp(page, want, 2048) || page[2048] != 0x11) {
		printf("edu: roundtrip via 0x%llx FAILED: page reads %02x %02x %02x ...\n",
		       (unsigned long long)pa, page[0], page[1], page[2]);
		return 1;
	}
	printf("edu: roundtrip via 0x%llx ok, 2048 bytes intact\n", (unsigned long long)pa);
	return 0;
}

/* Load the device's buffer with 0xdd from a scratch page. */
static int fill_buffer(void)
{
	uint8_t *src = locked_pages(1);

	memset(src, 0xdd, 4096);
	start(phys_of(src), EDU_BUFFER, 2048, 0);
	return wait_done();
}

static int write_to(uint64_t addr, uint64_t len)
{
	if (fill_buffer())
		return 1;
	start(EDU_BUFFER, addr, len, EDU_CMD_TO_RAM);
	if (wait_done())
		return 1;
	printf("edu: DMA of %llu bytes to 0x%llx done\n", (unsigned long long)len,
	       (unsigned long long)addr);
	return 0;
}

static int arm_crash(uint64_t seed)
{
	uint64_t *page = (uint64_t *)locked_pages(1), value = seed * 0x9e3779b97f4a7c15ull + 99;
	uint64_t pa = phys_of(page);
	int fd;

	if (fill_buffer())
		return 1;
	for (int i = 0; i < 512; i++)
		page[i] = value;
	start(EDU_BUFFER, pa, 2048, EDU_CMD_TO_RAM);
	/* No pipe can be trusted to pass this on before the panic: EDU_PREFIX tags it. */
	printf("%sedu: armed DMA to page 0x%llx value 0x%016llx; crashing\n",
	       getenv("EDU_PREFIX") ? getenv("EDU_PREFIX") : "", (unsigned long long)pa,
	       (unsigned long long)value);
	fflush(stdout);
	fd = open("/proc/sysrq-trigger", O_WRONLY);
	if (fd < 0 || write(fd, "c", 1) != 1)
		perror("edu: sysrq-trigger");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: edu roundtrip | write ADDR [LEN] | arm-crash SEED\n");
		return argc < 2 ? 2 : 0;
	}
	if (open_edu())
		return 1;
	if (!strcmp(argv[1], "roundtrip"))
		return roundtrip();
	if (!strcmp(argv[1], "write") && argc >= 3) {
		uint64_t len = argc > 3 ? strtoull(argv[3], NULL, 0) : 2048;

		if (!len || len >= 4096) {
			fprintf(stderr, "edu: length %llu: 1 to 4095 bytes\n",
				(unsigned long long)len);
			return 2;
		}
		return write_to(strtoull(argv[2], NULL, 0), len);
	}
	if (!strcmp(argv[1], "arm-crash") && argc >= 3)
		return arm_crash(strtoull(argv[2], NULL, 16));
	fprintf(stderr, "edu: unknown command \"%s\"\n", argv[1]);
	return 2;
}
