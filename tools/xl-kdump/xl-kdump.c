// SPDX-License-Identifier: GPL-2.0-only
/*
 * xl-kdump: kdump for Xen PVH and HVM guests, armed from dom0 (xl-kdump.8,
 * docs/xen.md). The capture kernel is staged above the guest's RAM in pages
 * the guest cannot write; when the guest crashes (on_crash="preserve") it is
 * started in the guest's own memory and saves the vmcore.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "xlk.h"

#include <xen/hvm/params.h>

#include "args.h"
#include "image.h"

extern char **environ;

#define ACPI_BASE 0xfc000000ull /* libxl's PVH/HVM ACPI tables; also the top of the RAM scan */
#define ACPI_MAX  (2ull << 20)

/* The guest must be able to run the capture kernel: HVM or PVH, alive. */
static int check_domain(struct xlk *x, int d, xc_dominfo_t *di)
{
	if (d < 0 || xlk_dominfo(x, (uint32_t)d, di))
		return -1;
	if (d == 0) {
		err("domain 0 cannot be armed (use kdump inside dom0)");
		return -1;
	}
	if (!di->hvm) {
		err("domain %d is a PV guest: xl-kdump needs type=\"pvh\" or \"hvm\"", d);
		return -1;
	}
	if (di->dying || di->shutdown) {
		err("domain %d is %s", d, di->dying ? "dying" : "shut down");
		return -1;
	}
	return 0;
}

static int populate(struct xlk *x, uint32_t d, uint64_t start, uint64_t size)
{
	xen_pfn_t pfns[512];

	for (uint64_t a = start; a < start + size; a += sizeof(pfns) / sizeof(pfns[0]) * XLK_PAGE) {
		unsigned long n = 0;

		for (; n < 512 && a + n * XLK_PAGE < start + size; n++)
			pfns[n] = (a >> 12) + n;
		if (xc_domain_populate_physmap_exact(x->xch, d, n, 0, 0, pfns))
			return -1;
	}
	return 0;
}

static void depopulate(struct xlk *x, uint32_t d, uint64_t start, uint64_t size)
{
	xen_pfn_t pfns[512];

	for (uint64_t a = start; a < start + size; a += 512 * XLK_PAGE) {
		unsigned long n = 0;

		for (; n < 512 && a + n * XLK_PAGE < start + size; n++)
			pfns[n] = (a >> 12) + n;
		xc_domain_decrease_reservation_exact(x->xch, d, n, 0, pfns);
	}
}

/* The guest's RAM below the ACPI area, and its ACPI tables. */
static int probe_guest(struct xlk *x, uint32_t d, const xc_dominfo_t *di, struct xlk_state *s,
		       struct xlk_range *acpi)
{
	uint64_t top = ((uint64_t)di->max_memkb << 10) + (16ull << 20);
	int n;

	if (top > ACPI_BASE)
		top = ACPI_BASE;
	n = gmem_probe(x, d, 0, top, s->ram, XLK_RAM_MAX);
	if (n <= 0) {
		err("domain %u: cannot find its RAM (%s)", d, n ? "too many holes" : "none mapped");
		return -1;
	}
	s->nram = (unsigned int)n;
	if (gmem_probe(x, d, ACPI_BASE, ACPI_BASE + ACPI_MAX, acpi, 1) != 1)
		memset(acpi, 0, sizeof(*acpi));
	return 0;
}

static int stage(struct xlk *x, uint32_t d, struct xlk_state *s, const struct kimage *k,
		 const void *initrd, const char *cmdline)
{
	const struct xlk_layout *l = &s->l;
	uint8_t *page = calloc(1, XLK_PAGE), *acpi = NULL;
	int rc = -1;

	if (!page || xlk_build_info(page, l, cmdline) || gmem_write(x, d, l->info, page, XLK_PAGE))
		goto out;
	if (l->acpi_size) {
		acpi = malloc(l->acpi_size);
		if (!acpi || gmem_read(x, d, l->acpi_src, acpi, l->acpi_size) ||
		    gmem_write(x, d, l->acpi, acpi, l->acpi_size))
			goto out;
	}
	if (gmem_write(x, d, l->kernel, k->load, k->load_size) ||
	    (l->initrd_size && gmem_write(x, d, l->initrd, initrd, l->initrd_size)) ||
	    gmem_zero(x, d, l->elfhdr, XLK_ELFHDR_SIZE) ||
	    (l->dump_size && gmem_zero(x, d, l->dump, XLK_PAGE)))
		goto out;
	/* ram_ro: the guest's writes are discarded; dom0's mappings still write. */
	if (xendevicemodel_set_mem_type(x->dmod, d, HVMMEM_ram_ro, l->info / XLK_PAGE,
					(uint32_t)((l->end - l->info) / XLK_PAGE))) {
		err("domain %u: cannot make the staged pages read-only: %s", d, strerror(errno));
		goto out;
	}
	rc = gmem_sha256(x, d, l->info, l->elfhdr - l->info, s->sha256);
out:
	free(page);
	free(acpi);
	return rc;
}

static int cmd_load(struct xlk *x, const struct xlk_args *a)
{
	int d = xlk_domid(x, a->domain), rc = XLK_ERROR;
	struct xlk_state s = { 0 }, old;
	struct xlk_range acpi;
	xc_dominfo_t di;
	struct kimage k = { 0 };
	void *kfile = NULL, *initrd = NULL;
	size_t ksize = 0, isize = 0;
	char msg[256], cmdline[XLK_PAGE];
	uint64_t extra_kb, top, start;

	if (check_domain(x, d, &di))
		return XLK_ERROR;
	if (!state_load(x, (uint32_t)d, &old)) {
		err("domain %d is already armed (%s); unload it first", d, old.state);
		return XLK_ERROR;
	}
	if (a->config && access(a->config, R_OK)) {
		err("--config %s: %s", a->config, strerror(errno));
		return XLK_ERROR;
	}
	kfile = xlk_read_file(a->kernel, &ksize, "kernel");
	if (!kfile || (a->initrd && !(initrd = xlk_read_file(a->initrd, &isize, "initrd"))))
		goto out;
	if (kimage_parse(kfile, ksize, &k, msg, sizeof(msg))) {
		err("kernel %s: %s", a->kernel, msg);
		goto out;
	}
	if (probe_guest(x, (uint32_t)d, &di, &s, &acpi))
		goto out;
	s.maxmem_kb = di.max_memkb;
	top = s.ram[s.nram - 1].start + s.ram[s.nram - 1].size;
	/* Or where --base says. Under 4 GiB it must end below the ACPI tables. */
	start = xlk_default_start(top);
	if (a->base) {
		if (a->base < top) {
			err("domain %d: --base 0x%" PRIx64 " is inside the guest's RAM, which "
			    "ends at 0x%" PRIx64,
			    d, a->base, top);
			goto out;
		}
		start = a->base;
	}
	rc = xlk_plan(&s.l, top, start, start < ACPI_BASE ? ACPI_BASE : XLK_HIGH_LIMIT,
		      s.ram[0].start == 0 ? s.ram[0].size : 0, k.base, k.span, k.load_size, isize,
		      a->mem, a->dump_area, acpi.size);
	if (rc) {
		if (rc == -EINVAL)
			err("domain %d: the capture kernel runs at 0x%" PRIx64 "+0x%" PRIx64
			    " with its start info and initrd after it, outside the guest's "
			    "RAM below 4 GiB",
			    d, k.base, k.span);
		else
			err("domain %d: the capture kernel (0x%" PRIx64 "+0x%" PRIx64 ") and its "
			    "memory do not fit between 0x%" PRIx64 " and the ACPI area at 0x%llx; "
			    "--base above 4 GiB places them there",
			    d, k.base, k.span, start, ACPI_BASE);
		rc = XLK_ERROR;
		goto out;
	}
	rc = XLK_ERROR;
	s.l.entry = k.entry;
	s.l.acpi_src = acpi.start;
	if (acpi.size) {
		uint8_t *buf = malloc(acpi.size);
		long off = buf && !gmem_read(x, (uint32_t)d, acpi.start, buf, acpi.size) ?
				   xlk_find_rsdp(buf, acpi.size) :
				   -1;

		s.l.rsdp = off >= 0 ? acpi.start + (uint64_t)off : 0;
		free(buf);
	}
	if (xlk_cmdline(cmdline, sizeof(cmdline), &s.l, a->append) < 0) {
		err("the capture kernel's command line is too long");
		goto out;
	}
	extra_kb = xlk_staged_bytes(&s.l) >> 10;
	if (xc_domain_setmaxmem(x->xch, (uint32_t)d, s.maxmem_kb + extra_kb) ||
	    populate(x, (uint32_t)d, s.l.info, s.l.end - s.l.info)) {
		err("domain %d: not enough host memory for the capture kernel: it needs %" PRIu64
		    " MiB (%s)",
		    d, extra_kb >> 10, strerror(errno));
		depopulate(x, (uint32_t)d, s.l.info, s.l.end - s.l.info);
		xc_domain_setmaxmem(x->xch, (uint32_t)d, s.maxmem_kb);
		goto out;
	}
	if (stage(x, (uint32_t)d, &s, &k, initrd, cmdline)) {
		err("domain %d: staging the capture kernel failed; nothing is armed", d);
		depopulate(x, (uint32_t)d, s.l.info, s.l.end - s.l.info);
		xc_domain_setmaxmem(x->xch, (uint32_t)d, s.maxmem_kb);
		goto out;
	}
	/* HVM triple faults report SHUTDOWN_reboot by default; make them crashes. */
	xc_hvm_param_set(x->xch, (uint32_t)d, HVM_PARAM_TRIPLE_FAULT_REASON, SHUTDOWN_crash);
	xlk_uuid(&di, s.uuid);
	snprintf(s.kernel, sizeof(s.kernel), "%s", a->kernel);
	snprintf(s.initrd, sizeof(s.initrd), "%s", a->initrd ? a->initrd : "");
	snprintf(s.append, sizeof(s.append), "%s", a->append ? a->append : "");
	snprintf(s.then, sizeof(s.then), "%s", xlk_then_names[a->then]);
	snprintf(s.config, sizeof(s.config), "%s", a->config ? a->config : "");
	s.vmcoreinfo = a->vmcoreinfo;
	strcpy(s.state, "armed");
	if (state_save(x, (uint32_t)d, &s))
		goto out;
	info("domain %d armed: kernel %s (entry 0x%x, runs at 0x%" PRIx64 "+%" PRIu64
	     " MiB), staged at 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " MiB, read-only to the "
	     "guest)",
	     d, a->kernel, k.entry, s.l.kbase, s.l.kspan >> 20, s.l.info, s.l.end, extra_kb >> 10);
	info("command line: %s", cmdline);
	rc = XLK_OK;
out:
	kimage_free(&k);
	free(kfile);
	free(initrd);
	return rc;
}

static int cmd_unload(struct xlk *x, const struct xlk_args *a)
{
	int d = xlk_domid(x, a->domain);
	struct xlk_state s;
	xc_dominfo_t di;

	if (d < 0)
		return XLK_ERROR;
	if (state_load(x, (uint32_t)d, &s))
		return XLK_NOT_ARMED;
	if (!strcmp(s.state, "capturing")) {
		err("domain %d is being captured; unload after the capture", d);
		return XLK_ERROR;
	}
	if (!xlk_dominfo(x, (uint32_t)d, &di)) {
		depopulate(x, (uint32_t)d, s.l.info, s.l.end - s.l.info);
		xc_domain_setmaxmem(x->xch, (uint32_t)d, s.maxmem_kb);
	}
	state_remove(x, (uint32_t)d);
	info("domain %d unloaded", d);
	return XLK_OK;
}

static int show(struct xlk *x, uint32_t d)
{
	struct xlk_state s;
	char sum[65] = "";
	xc_dominfo_t di;

	if (state_load(x, d, &s)) {
		printf("domain %u: not armed\n", d);
		return XLK_NOT_ARMED;
	}
	printf("domain %u: %s\n", d, s.state);
	printf("  kernel: %s (entry 0x%x, runs at 0x%" PRIx64 ", %" PRIu64 " MiB)\n", s.kernel,
	       s.l.entry, s.l.kbase, s.l.kspan >> 20);
	printf("  initrd: %s (%" PRIu64 " bytes)\n", s.initrd[0] ? s.initrd : "none",
	       s.l.initrd_size);
	printf("  then: %s%s%s\n", s.then[0] ? s.then : "preserve", s.config[0] ? " from " : "",
	       s.config);
	printf("  staged: 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " MiB): capture RAM %" PRIu64
	       " MiB, backup %" PRIu64 " MiB, dump area %" PRIu64 " MiB\n",
	       s.l.info, s.l.end, xlk_staged_bytes(&s.l) >> 20, s.l.work_size >> 20,
	       s.l.backup_size >> 20, s.l.dump_size >> 20);
	if (xlk_dominfo(x, d, &di)) {
		printf("  the domain is gone\n");
		return XLK_NOT_ARMED;
	}
	if (!strcmp(s.state, "armed")) {
		if (gmem_sha256(x, d, s.l.info, s.l.elfhdr - s.l.info, sum))
			return XLK_ERROR;
		printf("  protection: read-only to the guest (ram_ro); SHA-256 %s\n",
		       strcmp(sum, s.sha256) ? "CHANGED since load" : "as loaded");
		if (strcmp(sum, s.sha256))
			return XLK_ERROR;
	}
	return strcmp(s.state, "armed") ? XLK_NOT_ARMED : XLK_OK;
}

static int armed_domains(struct xlk *x, uint32_t *ids, unsigned int max)
{
	unsigned int n, m = 0;
	char **dirs = xs_directory(x->xs, XBT_NULL, "/local/domain/0/xl-kdump", &n);

	for (unsigned int i = 0; dirs && i < n && m < max; i++)
		ids[m++] = (uint32_t)atoi(dirs[i]);
	free(dirs);
	return (int)m;
}

static int cmd_status(struct xlk *x, const struct xlk_args *a)
{
	uint32_t ids[256];
	int n, rc = XLK_OK;

	if (a->domain) {
		int d = xlk_domid(x, a->domain);

		return d < 0 ? XLK_ERROR : show(x, (uint32_t)d);
	}
	n = armed_domains(x, ids, 256);
	if (n == 0)
		printf("no domain is armed\n");
	for (int i = 0; i < n; i++)
		if (show(x, ids[i]) == XLK_ERROR)
			rc = XLK_ERROR;
	return rc;
}

/* xl with argv, waited for: its exit status, or -1 if it could not run. */
static int run_xl(char *const argv[])
{
	pid_t pid;
	int status;

	fflush(NULL);
	if (posix_spawnp(&pid, "xl", NULL, NULL, argv, environ))
		return -1;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * The domain's capture kernel has finished: what load's --then asked for.
 * xl does the destroying and creating (the toolstack owns the domain's
 * devices); a restarted domain is armed again with load's own arguments
 * before it is unpaused, so its next crash is captured too.
 */
static void after_capture(struct xlk *x, uint32_t d, const struct xlk_state *s)
{
	char id[16], path[64], *name;
	struct xlk_args la = { .cmd = CMD_LOAD };
	int nd;

	if (!strcmp(s->then, "destroy") || !strcmp(s->then, "restart")) {
		snprintf(id, sizeof(id), "%u", d);
		snprintf(path, sizeof(path), "/local/domain/%u/name", d);
		name = xs_read(x->xs, XBT_NULL, path, NULL);
		if (run_xl((char *[]){ "xl", "destroy", id, NULL })) {
			err("domain %u: xl destroy failed; the domain stays as it is", d);
			free(name);
			return;
		}
		state_remove(x, d);
		info("domain %u destroyed after its capture (--then %s)", d, s->then);
		if (!strcmp(s->then, "restart")) {
			if (!name || run_xl((char *[]){ "xl", "create", "-p", (char *)s->config,
							 NULL })) {
				err("domain %u: xl create -p %s failed; not restarted", d, s->config);
				free(name);
				return;
			}
			la.domain = name;
			la.kernel = s->kernel;
			la.initrd = s->initrd[0] ? s->initrd : NULL;
			la.append = s->append[0] ? s->append : NULL;
			la.mem = s->l.work_size;
			la.dump_area = s->l.dump_size;
			la.vmcoreinfo = s->vmcoreinfo;
			la.base = s->l.info;
			la.then = THEN_RESTART;
			la.config = s->config;
			if (cmd_load(x, &la) != XLK_OK)
				err("domain %s: restarted, but not armed again", name);
			if (run_xl((char *[]){ "xl", "unpause", name, NULL }))
				err("domain %s: xl unpause failed", name);
			nd = xlk_domid(x, name);
			info("domain %u restarted as domain %d from %s (--then restart)", d, nd,
			     s->config);
		}
		free(name);
		return;
	}
	info("domain %u left shut down (--then preserve); xl destroy it when done", d);
}

/* One look at every armed domain; returns 1 when --once has what it waited for. */
static int watch_step(struct xlk *x, const struct xlk_args *a)
{
	uint32_t ids[256];
	int n = armed_domains(x, ids, 256), done = 0;

	for (int i = 0; i < n; i++) {
		struct xlk_state s;
		xc_dominfo_t di;
		uint32_t d = ids[i];
		char path[512];

		if (state_load(x, d, &s))
			continue;
		if (xc_domain_getinfo(x->xch, d, 1, &di) != 1 || di.domid != d) {
			info("domain %u is gone; forgetting it", d);
			state_remove(x, d);
			continue;
		}
		/* libxc reports a crash as crashed=1, shutdown=0. */
		if (!di.shutdown && !di.crashed)
			continue;
		if (!strcmp(s.state, "armed") && di.crashed) {
			if (capture(x, d, &s) && a->once)
				return -1;
		} else if (!strcmp(s.state, "capturing") && di.crashed) {
			/* The capture kernel crashed, or a watcher died mid-capture. */
			err("domain %u: crashed again while being captured (the capture kernel "
			    "crashed, or the capture was interrupted); the domain stays preserved",
			    d);
			state_set(x, d, "failed");
			done = 1;
		} else if (!strcmp(s.state, "capturing") && di.shutdown &&
			   (di.shutdown_reason == SHUTDOWN_poweroff ||
			    di.shutdown_reason == SHUTDOWN_reboot)) {
			char head[8];

			/* A dump area without the capture kernel's mark: not finished yet. */
			if (s.l.dump_size && (gmem_read(x, d, s.l.dump, head, sizeof(head)) ||
					      memcmp(head, XLK_DUMP_MAGIC, sizeof(head))))
				continue;
			info("domain %u: the capture kernel finished (shutdown reason %u)", d,
			     di.shutdown_reason);
			if (s.l.dump_size && a->dump_dir) {
				snprintf(path, sizeof(path), "%s/domain%u-%ld.vmcore", a->dump_dir,
					 d, (long)time(NULL));
				if (fetch(x, d, &s, path)) {
					state_set(x, d, "failed");
					return 1; /* the dump is still in the area: the domain stays */
				}
			}
			state_set(x, d, "captured");
			after_capture(x, d, &s);
			done = 1;
		}
	}
	return done;
}

static int cmd_watch(struct xlk *x, const struct xlk_args *a)
{
	struct pollfd p = { xs_fileno(x->xs), POLLIN, 0 };

	if (!a->foreground && daemon(0, 0)) {
		err("cannot become a daemon: %s", strerror(errno));
		return XLK_ERROR;
	}
	if (!xs_watch(x->xs, "@releaseDomain", "xl-kdump")) {
		err("cannot watch xenstore's @releaseDomain: %s", strerror(errno));
		return XLK_ERROR;
	}
	info("watching armed domains");
	for (;;) {
		char **ev;
		int r = watch_step(x, a);

		if (r < 0)
			return XLK_ERROR;
		if (r && a->once)
			return XLK_OK;
		/* Domain state changes fire @releaseDomain; poll as well, every second. */
		if (poll(&p, 1, 1000) > 0)
			while ((ev = xs_check_watch(x->xs)))
				free(ev);
	}
}

static int cmd_trigger(struct xlk *x, const struct xlk_args *a)
{
	int d = xlk_domid(x, a->domain);
	struct xlk_state s;

	if (d < 0)
		return XLK_ERROR;
	if (state_load(x, (uint32_t)d, &s) || strcmp(s.state, "armed")) {
		err("domain %d is not armed", d);
		return XLK_NOT_ARMED;
	}
	/* As the guest's own SCHEDOP_shutdown(crash): every vCPU stops where it is. */
	if (xc_domain_shutdown(x->xch, (uint32_t)d, SHUTDOWN_crash)) {
		err("domain %d: cannot crash it: %s", d, strerror(errno));
		return XLK_ERROR;
	}
	info("domain %d: crashed on request", d);
	return XLK_OK;
}

int main(int argc, char **argv)
{
	struct xlk_args a;
	struct xlk x;
	char msg[256];
	int rc, d;

	rc = xlk_parse_args(argc, argv, &a, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "xl-kdump: %s\n%s", msg, xlk_usage);
		return XLK_USAGE;
	}
	if (a.cmd == CMD_HELP) {
		fputs(xlk_usage, stdout);
		return XLK_OK;
	}
	if (xlk_open(&x))
		return XLK_ERROR;
	switch (a.cmd) {
	case CMD_LOAD:
		rc = cmd_load(&x, &a);
		break;
	case CMD_UNLOAD:
		rc = cmd_unload(&x, &a);
		break;
	case CMD_STATUS:
		rc = cmd_status(&x, &a);
		break;
	case CMD_WATCH:
		rc = cmd_watch(&x, &a);
		break;
	case CMD_TRIGGER:
		rc = cmd_trigger(&x, &a);
		break;
	case CMD_CAPTURE:
	case CMD_FETCH: {
		struct xlk_state s;

		d = xlk_domid(&x, a.domain);
		if (d < 0) {
			rc = XLK_ERROR;
			break;
		}
		if (state_load(&x, (uint32_t)d, &s)) {
			err("domain %d is not armed", d);
			rc = XLK_NOT_ARMED;
			break;
		}
		rc = (a.cmd == CMD_CAPTURE ? capture(&x, (uint32_t)d, &s) :
					     fetch(&x, (uint32_t)d, &s, a.output)) ?
			     XLK_ERROR :
			     XLK_OK;
		break;
	}
	default:
		rc = XLK_USAGE;
	}
	xlk_close(&x);
	return rc;
}
