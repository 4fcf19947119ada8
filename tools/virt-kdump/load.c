// SPDX-License-Identifier: GPL-2.0-only
/*
 * virt-kdump load: check the domain, plan where the staged area goes in its
 * device-memory space, write the staged file and the purgatory after it, and
 * find the guest's VMCOREINFO note while it runs. Nothing is added to the
 * running guest: the file becomes its memory only at the crash (capture.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include <hv/sha256.h>

#include "../xl-kdump/core.h"
#include "../xl-kdump/image.h"
#include "host.h"
#include "virt-kdump.h"

#define LOW_RAM	   0xa0000ull /* below the legacy VGA hole */
#define BIOS_AREA  0xe0000ull /* where the RSDP is (ACPI 6.5, 5.2.5.1) */
#define SCAN_CHUNK (16ull << 20)

/* The domain's definition must let virt-kdump take the crash; *nslots: its memory slots. */
static int check_xml(struct vk *v, unsigned int *nslots)
{
	char *xml = virDomainGetXMLDesc(v->dom, 0);
	const char *slots = NULL;
	int rc = -1;

	if (!xml) {
		err("domain %s: cannot read its definition", v->name);
		return -1;
	}
	if (!strstr(xml, "<domain type='kvm'") && !strstr(xml, "<domain type='qemu'"))
		err("domain %s: not a QEMU/KVM domain", v->name);
	else if (!strstr(xml, "arch='x86_64'"))
		err("domain %s: not an x86_64 guest", v->name);
	else if (!strstr(xml, "<on_crash>preserve</on_crash>"))
		err("domain %s: needs <on_crash>preserve</on_crash>, so that QEMU leaves the crashed "
		    "guest paused for the capture (what on_crash would do goes to --then)",
		    v->name);
	else if (!(slots = strstr(xml, "<maxMemory slots='")) || atoi(slots + 18) < 1)
		err("domain %s: needs <maxMemory slots='N' ...> with a free slot and room for the "
		    "staged area: it becomes a memory device at the crash",
		    v->name);
	else
		rc = 0;
	if (!rc)
		*nslots = (unsigned int)atoi(slots + 18);
	if (!rc && !strstr(xml, "<panic"))
		info("domain %s: no <panic> device: a guest panic will not reach the host; "
		     "only 'virt-kdump trigger' starts a capture",
		     v->name);
	free(xml);
	return rc;
}

/* The end of the highest memory device already plugged (0 if none), and how many there are. */
static int plugged_end(struct vk *v, uint64_t *end, unsigned int *count)
{
	char *out = vk_qmp(v, "{\"execute\":\"query-memory-devices\"}");
	struct json_object *j = out ? json_tokener_parse(out) : NULL, *r, *d, *x;

	*end = 0, *count = 0;
	if (!j || !json_object_object_get_ex(j, "return", &r)) {
		err("domain %s: query-memory-devices failed", v->name);
		json_object_put(j), free(out);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(r); i++) {
		uint64_t a = 0, s = 0;

		d = json_object_object_get_ex(json_object_array_get_idx(r, i), "data", &d) ? d :
											     NULL;
		if (d && json_object_object_get_ex(d, "addr", &x))
			a = (uint64_t)json_object_get_int64(x);
		if (d && json_object_object_get_ex(d, "size", &x))
			s = (uint64_t)json_object_get_int64(x);
		if (a + s > *end)
			*end = a + s;
		++*count;
	}
	json_object_put(j), free(out);
	return 0;
}

/* The guest's RAM and where its memory devices may go, from QEMU's memory tree. */
static int guest_memory(struct vk *v, struct vk_state *s, struct xlk_range *devmem)
{
	char *tree = vk_hmp(v, "info mtree");
	int n = tree ? vk_parse_mtree(tree, s->ram, VK_RAM_MAX, devmem) : -ENOENT;

	/* What the purgatory quiets, as Linux's own crash shutdown does before kexec. */
	s->hpet = tree ? vk_mtree_device(tree, "hpet") : 0;
	s->ioapic = tree ? vk_mtree_device(tree, "ioapic") : 0;
	if (tree && !s->ioapic) /* KVM's in-kernel irqchip */
		s->ioapic = vk_mtree_device(tree, "kvm-ioapic");
	free(tree);
	if (n < 0) {
		err("domain %s: no guest RAM in QEMU's memory tree", v->name);
		return -1;
	}
	s->nram = (unsigned int)n;
	if (s->ram[0].start || s->ram[0].size < LOW_RAM) {
		err("domain %s: its RAM does not start at 0", v->name);
		return -1;
	}
	s->below_4g = s->ram[0].start + s->ram[0].size;
	if (!devmem->size) {
		err("domain %s: QEMU has no device-memory region: give it <maxMemory slots='N'>",
		    v->name);
		return -1;
	}
	return 0;
}

static int plan(struct vk *v, struct vk_state *s, const struct xlk_args *a, const struct kimage *k,
		uint64_t initrd_size, unsigned int nslots)
{
	struct xlk_range devmem;
	uint64_t start, used, limit;
	unsigned int plugged;
	int rc;

	if (guest_memory(v, s, &devmem) || plugged_end(v, &used, &plugged))
		return -1;
	if (plugged >= nslots) {
		err("domain %s: all %u memory slots are taken: raise <maxMemory slots=...>", v->name,
		    nslots);
		return -1;
	}
	start = devmem.start > used ? devmem.start : used;
	limit = devmem.start + devmem.size - VK_PURG_SIZE;
	if (a->base) {
		if (a->base < start || a->base >= limit) {
			err("domain %s: --base 0x%" PRIx64 " is not free device memory "
			    "[0x%" PRIx64 ", 0x%" PRIx64 ")",
			    v->name, a->base, start, limit);
			return -1;
		}
		start = a->base;
	}
	rc = xlk_plan(&s->l, s->below_4g, start, limit, LOW_RAM, k->base, k->span, k->load_size,
		      initrd_size, a->mem, a->dump_area, 0);
	if (rc == -EINVAL)
		err("domain %s: the capture kernel's link range 0x%" PRIx64 "+0x%" PRIx64
		    " and its initrd do not fit its RAM under 4 GiB (0x%" PRIx64 ")",
		    v->name, k->base, k->span, s->below_4g);
	else if (rc)
		err("domain %s: %" PRIu64 " MiB of staging do not fit the free device memory "
		    "(0x%" PRIx64 "-0x%" PRIx64 "): raise <maxMemory> or lower --mem",
		    v->name, (uint64_t)(s->l.end - s->l.info + VK_PURG_SIZE) >> 20, start, limit);
	if (rc)
		return -1;
	s->l.entry = k->entry;
	s->dimm_size = s->l.end - s->l.info + VK_PURG_SIZE;
	return 0;
}

/* The RSDP, for the capture kernel's start info (0 lets it search itself). */
static void find_rsdp(struct vk *v, struct vk_state *s)
{
	uint8_t *bios = malloc(MiB - BIOS_AREA);
	long off;

	if (bios && !vk_read_phys(v, BIOS_AREA, bios, MiB - BIOS_AREA) &&
	    (off = xlk_find_rsdp(bios, MiB - BIOS_AREA)) >= 0)
		s->l.rsdp = BIOS_AREA + (uint64_t)off;
	free(bios);
}

int vk_pwrite(int fd, const void *buf, uint64_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n <= 0)
			return -1;
		p += n, off += (uint64_t)n, len -= (uint64_t)n;
	}
	return 0;
}

/* The purgatory's code and page tables at the end of the staged file. */
static int write_purgatory(int fd, const struct vk_state *s)
{
	const struct xlk_layout *l = &s->l;
	uint8_t *tables = calloc(VK_PURG_NTABLES, XLK_PAGE);
	uint64_t at = l->end - l->info;
	int rc = -1;

	if (tables &&
	    vk_identity_tables(tables, l->end + VK_PURG_TABLES, l->info, l->info + s->dimm_size) &&
	    !vk_pwrite(fd, vk_purgatory_start, (uint64_t)(vk_purgatory_end - vk_purgatory_start),
		       at) &&
	    !vk_pwrite(fd, tables, VK_PURG_NTABLES * XLK_PAGE, at + VK_PURG_TABLES))
		rc = 0;
	free(tables);
	return rc;
}

int vk_staged_sha256(int fd, const struct vk_state *s, char out[65])
{
	/* The staged bytes before the core header, and the purgatory but its parameters. */
	const uint64_t ranges[2][2] = {
		{ 0, s->l.elfhdr - s->l.info },
		{ s->l.end - s->l.info + sizeof(struct vk_purg_params), s->dimm_size },
	};
	uint8_t *buf = malloc(MiB), digest[SHA256_DIGEST_SIZE];
	struct sha256 c;

	if (!buf)
		return -1;
	sha256_init(&c);
	for (int i = 0; i < 2; i++)
		for (uint64_t p = ranges[i][0]; p < ranges[i][1];) {
			uint64_t n = ranges[i][1] - p < MiB ? ranges[i][1] - p : MiB;

			if (pread(fd, buf, n, (off_t)p) != (ssize_t)n) {
				free(buf);
				return -1;
			}
			sha256_update(&c, buf, n);
			p += n;
		}
	free(buf);
	sha256_final(&c, digest);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
	return 0;
}

static const char *dirname_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');

	snprintf(out, size, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	return out;
}

static int write_staged(struct vk *v, struct vk_state *s, const struct kimage *k,
			const void *initrd, const char *cmdline)
{
	const struct xlk_layout *l = &s->l;
	uint8_t page[XLK_PAGE];
	char path[512], dir[512];
	struct stat st;
	int fd, rc = -1;

	if (xlk_build_info(page, l, cmdline)) {
		err("the capture kernel's command line is too long");
		return -1;
	}
	vk_path(v, "img", path, sizeof(path));
	if (vk_qemu_dir(v))
		return -1;
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	/* QEMU opens it: its user's, as the directory is (vk_qemu_dir()). */
	if (fd >= 0 && !stat(dirname_of(path, dir, sizeof(dir)), &st) &&
	    !fchown(fd, st.st_uid, st.st_gid) && !ftruncate(fd, (off_t)s->dimm_size) &&
	    !vk_pwrite(fd, page, XLK_PAGE, 0) &&
	    !vk_pwrite(fd, k->load, k->load_size, l->kernel - l->info) &&
	    !vk_pwrite(fd, initrd, l->initrd_size, l->initrd - l->info) &&
	    !write_purgatory(fd, s) && !fsync(fd) && !vk_staged_sha256(fd, s, s->sha256))
		rc = 0;
	if (rc)
		err("cannot write the staged file %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static int is_vmcoreinfo(const uint8_t *page)
{
	uint32_t off;

	return xlk_vmcoreinfo_note(page, &off) != 0;
}

/* The first page of guest RAM that starts with the VMCOREINFO note, 0 if none. */
uint64_t vk_scan_vmcoreinfo(struct vk *v, const struct vk_state *s,
			    int (*fits)(const uint8_t *page, void *ctx), void *ctx)
{
	uint8_t *buf = malloc(SCAN_CHUNK);
	uint64_t found = 0;

	for (unsigned int i = 0; buf && !found && i < s->nram; i++)
		for (uint64_t p = s->ram[i].start; !found && p < s->ram[i].start + s->ram[i].size;
		     p += SCAN_CHUNK) {
			uint64_t n = s->ram[i].start + s->ram[i].size - p;

			n = n < SCAN_CHUNK ? n : SCAN_CHUNK;
			if (vk_read_phys(v, p, buf, n))
				break;
			for (uint64_t o = 0; o + XLK_PAGE <= n; o += XLK_PAGE)
				if (is_vmcoreinfo(buf + o) && (!fits || fits(buf + o, ctx))) {
					found = p + o;
					break;
				}
		}
	free(buf);
	return found;
}

static int cmdline(char *buf, size_t size, const struct vk_state *s)
{
	return xlk_cmdline(buf, size, &s->l, s->append) < 0 ? -1 : 0;
}

/* A domain armed or being captured keeps what it has; after a capture it may be loaded again. */
static int already_loaded(struct vk *v)
{
	struct vk_state s;
	char path[512];

	vk_path(v, "state", path, sizeof(path));
	if (access(path, F_OK) || vk_state_load(v, &s) || !strcmp(s.state, "captured") ||
	    !strcmp(s.state, "failed"))
		return 0;
	err("domain %s is already loaded (%s): unload it first", v->name, s.state);
	return 1;
}

int vk_load(struct vk *v, const struct xlk_args *a)
{
	struct vk_state s = { 0 };
	struct kimage k = { 0 };
	size_t ksize = 0, isize = 0;
	void *kfile = NULL, *initrd = NULL;
	char msg[256], line[XLK_PAGE], uuid[VIR_UUID_STRING_BUFLEN];
	struct timespec t0, t1;
	unsigned int nslots = 0;
	int rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (virDomainIsActive(v->dom) != 1) {
		err("domain %s is not running: start it, then load", v->name);
		return -1;
	}
	if (already_loaded(v))
		return -1;
	if (check_xml(v, &nslots) || virDomainGetUUIDString(v->dom, uuid))
		return -1;
	snprintf(s.name, sizeof(s.name), "%s", v->name);
	snprintf(s.uuid, sizeof(s.uuid), "%s", uuid);
	snprintf(s.then, sizeof(s.then), "%s", xlk_then_names[a->then]);
	if (snprintf(s.kernel, sizeof(s.kernel), "%s", a->kernel) >= (int)sizeof(s.kernel) ||
	    snprintf(s.initrd, sizeof(s.initrd), "%s", a->initrd ? a->initrd : "") >=
		    (int)sizeof(s.initrd) ||
	    snprintf(s.append, sizeof(s.append), "%s", a->append ? a->append : "") >=
		    (int)sizeof(s.append) ||
	    strchr(s.append, '\n')) {
		err("load: a file name or --append is too long or has a newline");
		return -1;
	}
	s.mem = a->mem, s.dump_area = a->dump_area;
	kfile = xlk_read_file(a->kernel, &ksize, "kernel");
	if (!kfile)
		goto out;
	if (kimage_parse(kfile, ksize, &k, msg, sizeof(msg))) {
		err("kernel %s: %s", a->kernel, msg);
		goto out;
	}
	if (a->initrd && !(initrd = xlk_read_file(a->initrd, &isize, "initrd")))
		goto out;
	if (plan(v, &s, a, &k, isize, nslots))
		goto out;
	find_rsdp(v, &s);
	if (cmdline(line, sizeof(line), &s) || write_staged(v, &s, &k, initrd, line))
		goto out;
	/* Where the running kernel's note is; the crash checks it is still that kernel's. */
	s.vmcoreinfo = vk_scan_vmcoreinfo(v, &s, NULL, NULL);
	if (vk_state_set(v, &s, "armed"))
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	info("domain %s armed: capture kernel %s (PVH entry 0x%" PRIx32 "), %" PRIu64
	     " MiB staged for 0x%" PRIx64 "-0x%" PRIx64 ", %" PRIu64 " MiB for the capture "
	     "kernel, VMCOREINFO %s%.0" PRIx64 ", SHA-256 %s, %.2f s",
	     v->name, a->kernel, k.entry, s.dimm_size >> 20, s.l.info, s.l.info + s.dimm_size,
	     s.l.work_size >> 20, s.vmcoreinfo ? "at 0x" : "not found yet", s.vmcoreinfo, s.sha256,
	     (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	rc = 0;
out:
	if (rc)
		vk_remove_files(v);
	free(kfile), free(initrd);
	kimage_free(&k);
	return rc;
}
