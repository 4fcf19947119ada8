// SPDX-License-Identifier: GPL-2.0-only
/*
 * The crash path: from a crashed (or triggered) armed domain, paused by
 * QEMU, to its capture kernel running. Every vCPU's registers through the
 * gdbstub; the ELF core header built with the hv's builder into the staged
 * file; the file plugged in as a pc-dimm at the address load chose; vCPU 0
 * sent to the purgatory, the others to its halt loop; the guest let go.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../xl-kdump/core.h"
#include "host.h"
#include "virt-kdump.h"

#define EFER_LMA (1ull << 10)
#define CR4_PAE	 0x20ull
#define RFLAGS_1 0x2ull /* the reserved bit; IF clear */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct walk_ctx {
	struct vk *v;
	const struct vk_state *s;
};

/* The crashed guest's page tables are its to write: reads of its RAM only, never of MMIO. */
static int read_phys(const void *ctx, u64 pa, void *buf, unsigned int n)
{
	const struct walk_ctx *w = ctx;

	for (unsigned int i = 0; i < w->s->nram; i++)
		if (pa >= w->s->ram[i].start && n <= w->s->ram[i].size &&
		    pa - w->s->ram[i].start <= w->s->ram[i].size - n)
			return vk_read_phys(w->v, pa, buf, n) ? -EFAULT : 0;
	return -EFAULT;
}

struct fits_ctx {
	const struct guest_paging *gp;
};

static int fits(const uint8_t *page, void *ctx)
{
	const struct fits_ctx *f = ctx;
	uint32_t off, len = xlk_vmcoreinfo_note(page, &off);

	return len && (!f->gp || guest_vmcoreinfo_fits(f->gp, (const char *)page + off, len));
}

/* The crashed kernel's note: where load found it if it is still that kernel's, else a scan. */
static char *find_vmcoreinfo(struct vk *v, const struct vk_state *s, const struct guest_paging *gp,
			     uint32_t *len)
{
	uint8_t *page = malloc(XLK_PAGE);
	struct fits_ctx f = { gp };
	uint64_t at = s->vmcoreinfo;
	uint32_t off;

	if (!page)
		return NULL;
	if (at && (vk_read_phys(v, at, page, XLK_PAGE) || !fits(page, &f))) {
		info("domain %s: the VMCOREINFO note load found at 0x%" PRIx64
		     " is not the crashed kernel's; scanning",
		     v->name, at);
		at = 0;
	}
	if (!at)
		at = vk_scan_vmcoreinfo(v, s, fits, &f);
	if (at && !vk_read_phys(v, at, page, XLK_PAGE) &&
	    (*len = xlk_vmcoreinfo_note(page, &off))) {
		memmove(page, page + off, *len);
		info("domain %s: VMCOREINFO at 0x%" PRIx64, v->name, at);
		return (char *)page;
	}
	free(page);
	return NULL;
}

static int core_header(struct vk *v, int fd, const struct vk_state *s, const struct vk_regs *r,
		       unsigned int n)
{
	struct elfcore_cpu cpus[VK_CPUS_MAX];
	struct walk_ctx w = { v, s };
	struct guest_paging gp = { .read_phys = read_phys, .ctx = &w };
	struct kd_crash c = { &s->l, s->ram, s->nram, cpus, n, NULL, NULL, 0 };
	struct elfcore_input in;
	uint8_t *hdr = malloc(XLK_ELFHDR_SIZE);
	long len;

	for (unsigned int i = 0; i < n; i++) {
		cpus[i].pid = 0;
		vk_elf_regs(&r[i], cpus[i].regs);
		if (!c.gp && (r[i].efer & EFER_LMA)) {
			gp.cr0 = r[i].cr0, gp.cr3 = r[i].cr3 & ~0xfffull;
			gp.cr4 = r[i].cr4, gp.efer = r[i].efer;
			c.gp = &gp;
		}
	}
	c.vi = find_vmcoreinfo(v, s, c.gp, &c.vi_len);
	if (!c.vi)
		err("domain %s: no VMCOREINFO note in its RAM; makedumpfile will need -x vmlinux",
		    v->name);
	len = hdr ? kd_core_header(&c, hdr, XLK_ELFHDR_SIZE, &in) : -ENOMEM;
	if (len < 0 || vk_pwrite(fd, hdr, XLK_ELFHDR_SIZE, s->l.elfhdr - s->l.info)) {
		err("domain %s: cannot write the ELF core header (%ld)", v->name, len);
		free(hdr), free((char *)c.vi);
		return -1;
	}
	info("domain %s: core header: %u vCPU notes, %u RAM ranges, VMCOREINFO %u bytes, "
	     "direct map 0x%" PRIx64 ", text 0x%" PRIx64 "+0x%" PRIx64,
	     v->name, n, in.nram, c.vi_len, (uint64_t)in.page_offset, (uint64_t)in.text_vaddr,
	     (uint64_t)in.text_size);
	free(hdr), free((char *)c.vi);
	return 0;
}

/* The staged file as guest memory at the address load planned. */
static int plug(struct vk *v, const struct vk_state *s, const char *path)
{
	if (vk_qmp_ok(v, "object-add",
		      "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":"
		      "\"memory-backend-file\",\"id\":\"virt-kdump-mem\",\"mem-path\":\"%s\","
		      "\"size\":%" PRIu64 ",\"share\":true}}",
		      path, s->dimm_size))
		return -1;
	return vk_qmp_ok(
		v, "device_add",
		"{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"pc-dimm\","
		"\"id\":\"virt-kdump-dimm\",\"memdev\":\"virt-kdump-mem\",\"addr\":%" PRIu64 "}}",
		s->l.info);
}

/*
 * vCPU 0 into the purgatory's entry, the others into its halt loop, all on
 * its tables, at CPL 0: a vCPU stopped in user mode (trigger) gets the
 * kernel's code and stack segments first, which QEMU loads from the guest's
 * GDT through the guest's own page tables (QEMU takes the CPL from SS).
 */
static int aim(struct vk_gdb *g, const struct vk_state *s)
{
	uint64_t base = s->l.end;

	for (unsigned int i = 0; i < g->nthreads; i++) {
		uint64_t rip = base + (uint64_t)((i ? vk_purgatory_park : vk_purgatory_entry) -
						 vk_purgatory_start);

		if (vk_gdb_set(g, i, VK_GDB_CS, VK_KERNEL_CS, 4) ||
		    vk_gdb_set(g, i, VK_GDB_SS, VK_KERNEL_DS, 4) ||
		    vk_gdb_set(g, i, VK_GDB_CR3, base + VK_PURG_TABLES, 8) ||
		    vk_gdb_set(g, i, VK_GDB_CR4, CR4_PAE, 8) ||
		    vk_gdb_set(g, i, VK_GDB_EFLAGS, RFLAGS_1, 4) ||
		    vk_gdb_set(g, i, VK_GDB_RIP, rip, 8))
			return -1;
	}
	return 0;
}

static int check_domain(struct vk *v, const struct vk_state *s, int triggered)
{
	char uuid[VIR_UUID_STRING_BUFLEN];
	int state, reason;

	if (virDomainGetUUIDString(v->dom, uuid) || strcmp(uuid, s->uuid)) {
		err("domain %s is not the domain that was armed (uuid %s)", v->name, s->uuid);
		return -1;
	}
	if (strcmp(s->state, "armed")) {
		err("domain %s is %s, not armed", v->name, s->state);
		return -1;
	}
	if (virDomainGetState(v->dom, &state, &reason, 0) ||
	    !(state == VIR_DOMAIN_CRASHED || (triggered && state == VIR_DOMAIN_PAUSED))) {
		err("domain %s has not crashed", v->name);
		return -1;
	}
	return 0;
}

static int hand_over(struct vk *v, struct vk_state *s, int fd, struct vk_gdb *g)
{
	struct vk_purg_params p;
	char sum[65], path[512];

	if (vk_staged_sha256(fd, s, sum) || strcmp(sum, s->sha256)) {
		err("domain %s: the staged file changed since load (SHA-256 %s, was %s)", v->name,
		    sum, s->sha256);
		return -1;
	}
	vk_purg_params(&p, s);
	vk_path(v, "img", path, sizeof(path));
	if (vk_pwrite(fd, &p, sizeof(p), s->l.end - s->l.info) || fsync(fd)) {
		err("domain %s: cannot write the purgatory's parameters: %s", v->name,
		    strerror(errno));
		return -1;
	}
	return plug(v, s, path) || aim(g, s);
}

int vk_capture(struct vk *v, int triggered)
{
	struct vk_state s;
	struct vk_regs *r = calloc(VK_CPUS_MAX, sizeof(*r));
	struct vk_gdb g = { .fd = -1 };
	char path[512];
	double t0 = now();
	int fd = -1, state, reason;

	if (!r || vk_state_load(v, &s) || check_domain(v, &s, triggered)) {
		free(r);
		return -1;
	}
	vk_state_set(v, &s, "capturing");
	if (vk_gdb_open(v, &g))
		goto failed;
	for (unsigned int i = 0; i < g.nthreads; i++)
		if (vk_gdb_regs(&g, i, &r[i]))
			goto failed;
	for (unsigned int i = 0; i < g.nthreads; i++)
		info("domain %s %s: vCPU %u at rip 0x%" PRIx64 ", %u vCPUs", v->name,
		     triggered ? "stopped" : "crashed", i, r[i].rip, g.nthreads);
	vk_path(v, "img", path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err("domain %s: the staged file %s: %s", v->name, path, strerror(errno));
		goto failed;
	}
	if (core_header(v, fd, &s, r, g.nthreads) || hand_over(v, &s, fd, &g))
		goto failed;
	vk_state_set(v, &s, "handed-over");
	/* Detaching lets QEMU run the guest again; a guest still paused is resumed. */
	if (vk_gdb_close(v, &g) ||
	    (!virDomainGetState(v->dom, &state, &reason, 0) && state != VIR_DOMAIN_RUNNING &&
	     vk_qmp_ok(v, "cont", "{\"execute\":\"cont\"}"))) {
		err("domain %s: cannot let the capture kernel run", v->name);
		goto failed;
	}
	close(fd);
	free(r);
	info("domain %s: capture kernel started in %.2f s", v->name, now() - t0);
	return 0;
failed:
	if (g.fd >= 0) {
		close(g.fd);
		free(vk_hmp(v, "gdbserver none"));
	}
	if (fd >= 0)
		close(fd);
	free(r);
	vk_state_set(v, &s, "failed");
	err("domain %s: capture failed; the domain stays paused (virsh dump still works)", v->name);
	return -1;
}
