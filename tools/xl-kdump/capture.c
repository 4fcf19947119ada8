// SPDX-License-Identifier: GPL-2.0-only
/*
 * The crash path: from a crashed, armed domain (on_crash="preserve") to its
 * capture kernel running at the PVH entry, and the vmcore it hands back.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "xlk.h"

#include <xen/hvm/params.h>
#include <xen/hvm/save.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>


#define MAX_VCPUS	 64
#define X86_CR0_PE	 0x1
#define X86_CR0_ET	 0x10

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct walk_ctx {
	struct xlk *x;
	uint32_t d;
};

static int read_phys(const void *ctx, u64 pa, void *buf, unsigned int n)
{
	const struct walk_ctx *w = ctx;

	return gmem_read(w->x, w->d, pa, buf, n) ? -EFAULT : 0;
}

static int is_vmcoreinfo(const uint8_t *page)
{
	uint32_t off;

	return xlk_vmcoreinfo_note(page, &off) != 0;
}

/* The crashed kernel's VMCOREINFO note: at the hint, else the first page that starts with it. */
static char *find_vmcoreinfo(struct xlk *x, uint32_t d, const struct xlk_state *s, uint32_t *len)
{
	uint8_t *page = malloc(XLK_PAGE);
	uint64_t at = s->vmcoreinfo & ~(XLK_PAGE - 1);
	uint32_t off;

	if (!page)
		return NULL;
	/* alloc_pages_exact() in crash_save_vmcoreinfo_init(): the note starts a page. */
	for (unsigned int i = 0; !at && i < s->nram; i++)
		gmem_find_page(x, d, s->ram[i].start, s->ram[i].size, is_vmcoreinfo, &at);
	if (at && !gmem_read(x, d, at, page, XLK_PAGE) &&
	    (*len = xlk_vmcoreinfo_note(page, &off))) {
		memmove(page, page + off, *len);
		return (char *)page;
	}
	free(page);
	return NULL;
}

static int build_core_header(struct xlk *x, uint32_t d, const struct xlk_state *s,
			     const struct hvm_hw_cpu *cpu, unsigned int ncpus)
{
	struct elfcore_cpu cpus[MAX_VCPUS];
	struct walk_ctx w = { x, d };
	struct guest_paging gp = { .read_phys = read_phys, .ctx = &w };
	struct kd_crash c = { &s->l, s->ram, s->nram, cpus, ncpus, NULL, NULL, 0 };
	struct elfcore_input in;
	uint8_t *hdr;
	long len;

	c.vi = find_vmcoreinfo(x, d, s, &c.vi_len);
	if (!c.vi)
		err("domain %u: no VMCOREINFO note in its RAM; makedumpfile will need -x vmlinux",
		    d);
	for (unsigned int i = 0; i < ncpus; i++) {
		cpus[i].pid = 0;
		xlk_cpu_regs(&cpu[i], cpus[i].regs);
	}
	/* Paging from a vCPU with its full HVM state (EFER.LMA); a vCPU that is down has none. */
	for (unsigned int i = 0; i < ncpus && !c.gp; i++)
		if (cpu[i].msr_efer & (1u << 10)) {
			gp.cr0 = cpu[i].cr0, gp.cr3 = cpu[i].cr3 & ~0xfffull;
			gp.cr4 = cpu[i].cr4, gp.efer = cpu[i].msr_efer;
			c.gp = &gp;
		}
	hdr = malloc(XLK_ELFHDR_SIZE);
	len = hdr ? kd_core_header(&c, hdr, XLK_ELFHDR_SIZE, &in) : -ENOMEM;
	if (len < 0 || gmem_write(x, d, s->l.elfhdr, hdr, XLK_ELFHDR_SIZE)) {
		err("domain %u: cannot write the ELF core header (%ld)", d, len);
		free(hdr), free((char *)c.vi);
		return -1;
	}
	info("domain %u: core header: %u vCPU notes, %u RAM ranges, VMCOREINFO %u bytes, "
	     "direct map 0x%" PRIx64 ", text 0x%" PRIx64 "+0x%" PRIx64,
	     d, ncpus, in.nram, c.vi_len, (uint64_t)in.page_offset, (uint64_t)in.text_vaddr,
	     (uint64_t)in.text_size);
	free(hdr), free((char *)c.vi);
	return 0;
}

/* Registers of the capture kernel's entry (xen/arch/x86/hvm: the PVH boot ABI,
 * docs/misc/pvh.pandoc). */
static void pvh_entry_cpu(struct hvm_hw_cpu *c, const struct xlk_state *s)
{
	uint64_t tsc = c->tsc;

	memset(c, 0, sizeof(*c));
	c->tsc = tsc;
	c->rip = s->l.entry;
	c->rbx = s->l.boot_info;
	c->rflags = 0x2;
	c->cr0 = X86_CR0_PE | X86_CR0_ET;
	c->cs_limit = c->ds_limit = c->es_limit = c->ss_limit = c->fs_limit = c->gs_limit = ~0u;
	c->cs_arbytes = 0xc9b; /* 32-bit code, present, execute/read, accessed, 4K granular */
	c->ds_arbytes = c->es_arbytes = c->ss_arbytes = c->fs_arbytes = c->gs_arbytes = 0xc93;
	c->tr_limit = 0x67;
	c->tr_arbytes = 0x8b; /* busy 32-bit TSS */
	c->dr6 = 0xffff0ff0;
	c->dr7 = 0x400;
	/* FXSAVE image: FCW 0x37f at byte 0, MXCSR 0x1f80 at byte 24. */
	c->fpu_regs[0] = 0x7f, c->fpu_regs[1] = 0x03;
	c->fpu_regs[24] = 0x80, c->fpu_regs[25] = 0x1f;
	c->flags = XEN_X86_FPU_INITIALISED;
}

/* The local APIC as after reset (SDM vol. 3A, 10.4.7.1), xAPIC mode, BSP. */
static void lapic_reset(struct hvm_hw_lapic *l, struct hvm_hw_lapic_regs *r)
{
	uint32_t *reg = (uint32_t *)r->data;
	uint32_t version = reg[0x30 / 4];

	l->apic_base_msr = 0xfee00000 | (1u << 11) | (1u << 8); /* enabled, BSP */
	l->disabled = 0;
	l->tdt_msr = 0;
	memset(r, 0, sizeof(*r));
	reg[0x30 / 4] = version;
	reg[0xe0 / 4] = 0xffffffff; /* DFR: flat model */
	reg[0xf0 / 4] = 0xff;	    /* SVR: spurious vector 0xff, software-disabled */
	for (unsigned int o = 0x320; o <= 0x370; o += 0x10)
		reg[o / 4] = 1u << 16; /* LVT entries masked */
	reg[0x2f0 / 4] = 1u << 16;     /* LVT CMCI */
}

static uint8_t *put_record(uint8_t *p, uint16_t code, uint16_t inst, const void *d, uint32_t n)
{
	struct hvm_save_descriptor h = { code, inst, n };

	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), d, n);
	return p + sizeof(h) + n;
}

/* One hvm_load blob: HEADER, vCPU 0's CPU, LAPIC and LAPIC_REGS, END. It takes every vCPU down
 * first. */
static int set_entry_context(struct xlk *x, uint32_t d, const struct xlk_state *s,
			     struct hvm_hw_cpu *c0)
{
	uint8_t blob[sizeof(struct hvm_save_descriptor) * 5 + sizeof(struct hvm_save_header) +
		     sizeof(struct hvm_hw_cpu) + sizeof(struct hvm_hw_lapic) +
		     sizeof(struct hvm_hw_lapic_regs)];
	struct hvm_save_header hdr;
	struct hvm_hw_lapic lapic;
	struct hvm_hw_lapic_regs *regs = malloc(sizeof(*regs));
	int size = xc_domain_hvm_getcontext(x->xch, d, NULL, 0);
	uint8_t *full = size > 0 ? malloc(size) : NULL, *p = blob;
	struct hvm_save_descriptor *h = (void *)full;
	int rc = -1;

	if (!full || !regs || xc_domain_hvm_getcontext(x->xch, d, full, size) < 0 ||
	    h->typecode != HVM_SAVE_CODE(HEADER) || h->length != sizeof(hdr) ||
	    xc_domain_hvm_getcontext_partial(x->xch, d, HVM_SAVE_CODE(LAPIC), 0, &lapic,
					     sizeof(lapic)) ||
	    xc_domain_hvm_getcontext_partial(x->xch, d, HVM_SAVE_CODE(LAPIC_REGS), 0, regs,
					     sizeof(*regs))) {
		err("domain %u: cannot read its HVM context: %s", d, strerror(errno));
		goto out;
	}
	memcpy(&hdr, full + sizeof(*h), sizeof(hdr));
	pvh_entry_cpu(c0, s);
	lapic_reset(&lapic, regs);
	p = put_record(p, HVM_SAVE_CODE(HEADER), 0, &hdr, sizeof(hdr));
	p = put_record(p, HVM_SAVE_CODE(CPU), 0, c0, sizeof(*c0));
	p = put_record(p, HVM_SAVE_CODE(LAPIC), 0, &lapic, sizeof(lapic));
	p = put_record(p, HVM_SAVE_CODE(LAPIC_REGS), 0, regs, sizeof(*regs));
	p = put_record(p, HVM_SAVE_CODE(END), 0, NULL, 0);
	if (xc_domain_hvm_setcontext(x->xch, d, blob, (uint32_t)(p - blob))) {
		err("domain %u: cannot load the capture kernel's entry state: %s", d,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(full);
	free(regs);
	return rc;
}

/* Fresh xenstore and console channels after the soft reset closed the old ones. */
static int reconnect(struct xlk *x, uint32_t d)
{
	uint64_t store_pfn, cons_pfn;
	int store, cons;
	char path[64], v[16];

	if (xc_hvm_param_get(x->xch, d, HVM_PARAM_STORE_PFN, &store_pfn) ||
	    xc_hvm_param_get(x->xch, d, HVM_PARAM_CONSOLE_PFN, &cons_pfn))
		goto fail;
	store = xc_evtchn_alloc_unbound(x->xch, d, 0);
	cons = xc_evtchn_alloc_unbound(x->xch, d, 0);
	if (store < 0 || cons < 0 || xc_hvm_param_set(x->xch, d, HVM_PARAM_STORE_EVTCHN, store) ||
	    xc_hvm_param_set(x->xch, d, HVM_PARAM_CONSOLE_EVTCHN, cons) ||
	    gmem_zero(x, d,
		      store_pfn * XLK_PAGE + offsetof(struct xenstore_domain_interface, req_cons),
		      4 * sizeof(XENSTORE_RING_IDX)) ||
	    gmem_zero(x, d, cons_pfn * XLK_PAGE + offsetof(struct xencons_interface, in_cons),
		      4 * sizeof(XENCONS_RING_IDX)))
		goto fail;
	/*
	 * Introduced again while xenstored still knows it: it binds the new
	 * channel and keeps the domain's nodes. (A release first would delete
	 * every node the domain owns, its devices' frontend halves among them,
	 * and its vbds could not reconnect.) The capture kernel's xenbus resets
	 * the dead kernel's watches (XS_RESET_WATCHES) and its devices' state.
	 */
	if (!xs_introduce_domain(x->xs, d, store_pfn, store))
		goto fail;
	snprintf(path, sizeof(path), "/local/domain/%u/console/port", d);
	snprintf(v, sizeof(v), "%d", cons);
	xs_write(x->xs, XBT_NULL, path, v, strlen(v)); /* xenconsoled rebinds on this */
	return 0;
fail:
	err("domain %u: cannot give the capture kernel xenstore and a console: %s", d,
	    strerror(errno));
	return -1;
}

/*
 * From here on the crashed kernel's memory below the capture kernel's link
 * range is in the backup; a failure leaves the domain paused and preserved.
 */
static int hand_over(struct xlk *x, uint32_t d, struct xlk_state *s, struct hvm_hw_cpu *c0)
{
	const struct xlk_layout *l = &s->l;
	char sum[65];

	if (gmem_sha256(x, d, l->info, l->elfhdr - l->info, sum) || strcmp(sum, s->sha256)) {
		err("domain %u: the staged capture kernel changed since load (SHA-256 %s, was %s)",
		    d, sum, s->sha256);
		return -1;
	}
	if (gmem_copy(x, d, l->kbase, l->kernel, l->kernel_size) ||
	    gmem_copy(x, d, l->boot_info, l->info, XLK_PAGE) ||
	    (l->initrd_run && gmem_copy(x, d, l->initrd_run, l->initrd, l->initrd_size)) ||
	    gmem_zero(x, d, l->kbase + l->kernel_size, l->kspan - l->kernel_size) ||
	    (l->acpi_size && gmem_copy(x, d, l->acpi_src, l->acpi, l->acpi_size)))
		return -1;
	if (xendevicemodel_set_mem_type(x->dmod, d, HVMMEM_ram_rw, l->work / XLK_PAGE,
					l->work_size / XLK_PAGE) ||
	    (l->dump_size &&
	     xendevicemodel_set_mem_type(x->dmod, d, HVMMEM_ram_rw, l->dump / XLK_PAGE,
					 l->dump_size / XLK_PAGE))) {
		err("domain %u: cannot make the capture kernel's RAM writable: %s", d,
		    strerror(errno));
		return -1;
	}
	if (l->dump_size && gmem_zero(x, d, l->dump, XLK_PAGE))
		return -1;
	/* Soft reset replaces shared_info: one page of headroom (substrate notes). */
	if (xc_domain_setmaxmem(x->xch, d, s->maxmem_kb + xlk_staged_bytes(l) / 1024 + 64) ||
	    xc_domain_soft_reset(x->xch, d)) {
		err("domain %u: soft reset failed: %s", d, strerror(errno));
		return -1;
	}
	if (reconnect(x, d) || set_entry_context(x, d, s, c0))
		return -1;
	return 0;
}

/*
 * A vCPU's registers. Xen's HVM save skips a vCPU that is down (the crashed
 * kernel's panic stopped it); xc_vcpu_getcontext still has what it held then.
 */
static int read_vcpu(struct xlk *x, uint32_t d, unsigned int i, struct hvm_hw_cpu *c)
{
	vcpu_guest_context_any_t ctx;
	const struct cpu_user_regs_x86_64 *r = &ctx.x64.user_regs;

	if (!xc_domain_hvm_getcontext_partial(x->xch, d, HVM_SAVE_CODE(CPU), i, c, sizeof(*c)))
		return 0;
	if (errno != ENODATA || xc_vcpu_getcontext(x->xch, d, i, &ctx)) {
		err("domain %u: cannot read vCPU %u's registers: %s", d, i, strerror(errno));
		return -1;
	}
	memset(c, 0, sizeof(*c));
	c->rax = r->rax, c->rbx = r->rbx, c->rcx = r->rcx, c->rdx = r->rdx;
	c->rsi = r->rsi, c->rdi = r->rdi, c->rbp = r->rbp, c->rsp = r->rsp;
	c->r8 = r->r8, c->r9 = r->r9, c->r10 = r->r10, c->r11 = r->r11;
	c->r12 = r->r12, c->r13 = r->r13, c->r14 = r->r14, c->r15 = r->r15;
	c->rip = r->rip, c->rflags = r->rflags;
	c->cs_sel = r->cs, c->ss_sel = r->ss, c->ds_sel = r->ds, c->es_sel = r->es;
	c->fs_sel = r->fs, c->gs_sel = r->gs;
	c->fs_base = ctx.x64.fs_base;
	c->gs_base = ctx.x64.gs_base_kernel;
	c->cr0 = ctx.x64.ctrlreg[0], c->cr3 = ctx.x64.ctrlreg[3], c->cr4 = ctx.x64.ctrlreg[4];
	info("domain %u: vCPU %u is down; its registers from its last context (rip 0x%" PRIx64 ")",
	     d, i, c->rip);
	return 0;
}

int capture(struct xlk *x, uint32_t d, struct xlk_state *s)
{
	struct hvm_hw_cpu cpu[MAX_VCPUS];
	xc_dominfo_t di;
	unsigned int n;
	double t0 = now();
	char uuid[40];

	if (xlk_dominfo(x, d, &di))
		return -1;
	xlk_uuid(&di, uuid);
	if (strcmp(uuid, s->uuid)) {
		err("domain %u is not the domain that was armed (uuid %s, armed %s)", d, uuid,
		    s->uuid);
		return -1;
	}
	if (!di.crashed) {
		err("domain %u has not crashed", d);
		return -1;
	}
	n = di.max_vcpu_id + 1;
	if (n > MAX_VCPUS)
		n = MAX_VCPUS;
	/* Paused by us too, so that the soft reset's resume does not run it. */
	if (xc_domain_pause(x->xch, d)) {
		err("domain %u: cannot pause it: %s", d, strerror(errno));
		return -1;
	}
	state_set(x, d, "capturing");
	for (unsigned int i = 0; i < n; i++)
		if (read_vcpu(x, d, i, &cpu[i]))
			goto failed;
	for (unsigned int i = 0; i < n; i++)
		info("domain %u crashed: vCPU %u at rip 0x%" PRIx64 ", %u vCPUs", d, i, cpu[i].rip,
		     n);
	if ((s->l.low_size && gmem_copy(x, d, s->l.backup, 0, s->l.low_size)) ||
	    gmem_copy(x, d, s->l.backup + s->l.low_size, s->l.kbase,
		      s->l.backup_size - s->l.low_size)) {
		err("domain %u: cannot back up the RAM under the capture kernel", d);
		goto failed;
	}
	if (build_core_header(x, d, s, cpu, n) || hand_over(x, d, s, &cpu[0]))
		goto failed;
	if (xc_domain_unpause(x->xch, d)) {
		err("domain %u: cannot unpause it: %s", d, strerror(errno));
		goto failed;
	}
	info("domain %u: capture kernel started in %.2f s", d, now() - t0);
	return 0;
failed:
	state_set(x, d, "failed");
	err("domain %u: capture failed; the domain stays paused for xl dump-core", d);
	return -1;
}

int fetch(struct xlk *x, uint32_t d, struct xlk_state *s, const char *path)
{
	uint8_t head[64];
	uint64_t size;
	uint8_t *buf;
	FILE *f;
	int rc = 0;

	if (!s->l.dump_size) {
		err("domain %u was loaded without --dump-area: nothing to fetch", d);
		return -1;
	}
	if (gmem_read(x, d, s->l.dump, head, sizeof(head)))
		return -1;
	if (memcmp(head, XLK_DUMP_MAGIC, 8) || sscanf((char *)head + 8, " %" SCNu64, &size) != 1 ||
	    size > s->l.dump_size - XLK_PAGE) {
		err("domain %u: the capture kernel has not handed back a dump", d);
		return -1;
	}
	buf = malloc(size ? size : 1);
	f = fopen(path, "w");
	if (!buf || !f || gmem_read(x, d, s->l.dump + XLK_PAGE, buf, size) ||
	    fwrite(buf, 1, size, f) != size) {
		err("domain %u: cannot write the dump to %s", d, path);
		rc = -1;
	}
	if (f && fclose(f))
		rc = -1;
	free(buf);
	if (!rc)
		info("domain %u: %" PRIu64 " bytes of dump written to %s", d, size, path);
	return rc;
}
