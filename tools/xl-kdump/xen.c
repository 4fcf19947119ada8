// SPDX-License-Identifier: GPL-2.0-only
/* Xen handles, guest memory and xl-kdump's xenstore state (xlk.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <hv/sha256.h>

#include "xlk.h"

#define BATCH 256 /* pages per foreign mapping */

static void say(FILE *f, const char *fmt, va_list ap)
{
	fputs("xl-kdump: ", f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

void err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(stderr, fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(stdout, fmt, ap);
	va_end(ap);
}

int xlk_open(struct xlk *x)
{
	memset(x, 0, sizeof(*x));
	x->xch = xc_interface_open(NULL, NULL, 0);
	x->fmem = xenforeignmemory_open(NULL, 0);
	x->dmod = xendevicemodel_open(NULL, 0);
	x->xs = xs_open(0);
	if (!x->xch || !x->fmem || !x->dmod || !x->xs) {
		err("cannot open %s: %s (run in dom0 as root, with xenfs, privcmd and xenstored)",
		    !x->xch  ? "the hypervisor interface" :
		    !x->fmem ? "foreign memory" :
		    !x->dmod ? "the device model interface" :
			       "xenstore",
		    strerror(errno));
		xlk_close(x);
		return -1;
	}
	return 0;
}

void xlk_close(struct xlk *x)
{
	if (x->xs)
		xs_close(x->xs);
	if (x->dmod)
		xendevicemodel_close(x->dmod);
	if (x->fmem)
		xenforeignmemory_close(x->fmem);
	if (x->xch)
		xc_interface_close(x->xch);
	memset(x, 0, sizeof(*x));
}

int xlk_dominfo(struct xlk *x, uint32_t d, xc_dominfo_t *di)
{
	if (xc_domain_getinfo(x->xch, d, 1, di) != 1 || di->domid != d) {
		err("domain %u does not exist", d);
		return -1;
	}
	return 0;
}

void xlk_uuid(const xc_dominfo_t *di, char out[40])
{
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", di->handle[i]);
}

int xlk_domid(struct xlk *x, const char *name)
{
	unsigned int n;
	char **doms, *end;
	long id = strtol(name, &end, 10);
	int found = -1;

	if (*name && !*end && id >= 0 && id < DOMID_FIRST_RESERVED)
		return (int)id;
	doms = xs_directory(x->xs, XBT_NULL, "/local/domain", &n);
	for (unsigned int i = 0; doms && i < n && found < 0; i++) {
		char path[64], *v;

		snprintf(path, sizeof(path), "/local/domain/%s/name", doms[i]);
		v = xs_read(x->xs, XBT_NULL, path, NULL);
		if (v && !strcmp(v, name))
			found = atoi(doms[i]);
		free(v);
	}
	free(doms);
	if (found < 0)
		err("no domain named '%s'", name);
	return found;
}

/* Map n pages from gpa (page-aligned) or fail with a message. */
static void *map(struct xlk *x, uint32_t d, uint64_t gpa, unsigned int n, int prot)
{
	xen_pfn_t pfns[BATCH] = { 0 };
	int errs[BATCH];
	void *p;

	for (unsigned int i = 0; i < n; i++)
		pfns[i] = (gpa >> 12) + i;
	p = xenforeignmemory_map(x->fmem, d, prot, n, pfns, errs);
	if (!p) {
		err("cannot map guest pages 0x%" PRIx64 "+%u of domain %u: %s", gpa, n, d,
		    strerror(errno));
		return NULL;
	}
	for (unsigned int i = 0; i < n; i++)
		if (errs[i]) {
			err("guest page 0x%" PRIx64 " of domain %u is not mapped (%s)",
			    (uint64_t)(gpa + i * XLK_PAGE), d, strerror(-errs[i]));
			xenforeignmemory_unmap(x->fmem, p, n);
			return NULL;
		}
	return p;
}

/* Walk [gpa, + len) in mapped chunks: fn(chunk, offset into it, bytes, arg). */
static int walk(struct xlk *x, uint32_t d, uint64_t gpa, uint64_t len, int prot,
		void (*fn)(uint8_t *p, uint64_t done, uint64_t n, void *arg), void *arg)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t a = gpa + done, page = a & ~(XLK_PAGE - 1), off = a - page;
		uint64_t n = BATCH * XLK_PAGE - off;
		unsigned int pages;
		uint8_t *p;

		if (n > len - done)
			n = len - done;
		pages = (unsigned int)((off + n + XLK_PAGE - 1) / XLK_PAGE);
		p = map(x, d, page, pages, prot);
		if (!p)
			return -1;
		fn(p + off, done, n, arg);
		xenforeignmemory_unmap(x->fmem, p, pages);
		done += n;
	}
	return 0;
}

static void do_read(uint8_t *p, uint64_t done, uint64_t n, void *arg)
{
	memcpy((uint8_t *)arg + done, p, n);
}

static void do_write(uint8_t *p, uint64_t done, uint64_t n, void *arg)
{
	memcpy(p, (const uint8_t *)arg + done, n);
}

static void do_zero(uint8_t *p, uint64_t done, uint64_t n, void *arg)
{
	(void)done, (void)arg;
	memset(p, 0, n);
}

static void do_hash(uint8_t *p, uint64_t done, uint64_t n, void *arg)
{
	(void)done;
	sha256_update(arg, p, n);
}

int gmem_find_page(struct xlk *x, uint32_t d, uint64_t start, uint64_t len,
		   int (*match)(const uint8_t *page), uint64_t *found)
{
	for (uint64_t a = start; a < start + len; a += BATCH * XLK_PAGE) {
		unsigned int pages = (start + len - a) / XLK_PAGE < BATCH ?
					     (unsigned int)((start + len - a) / XLK_PAGE) :
					     BATCH;
		uint8_t *p = map(x, d, a, pages, PROT_READ);

		if (!p)
			return -1;
		for (unsigned int i = 0; i < pages; i++)
			if (match(p + i * XLK_PAGE)) {
				*found = a + i * XLK_PAGE;
				xenforeignmemory_unmap(x->fmem, p, pages);
				return 0;
			}
		xenforeignmemory_unmap(x->fmem, p, pages);
	}
	return -ENOENT;
}

int gmem_read(struct xlk *x, uint32_t d, uint64_t gpa, void *buf, uint64_t len)
{
	return walk(x, d, gpa, len, PROT_READ, do_read, buf);
}

int gmem_write(struct xlk *x, uint32_t d, uint64_t gpa, const void *buf, uint64_t len)
{
	return walk(x, d, gpa, len, PROT_READ | PROT_WRITE, do_write, (void *)buf);
}

int gmem_zero(struct xlk *x, uint32_t d, uint64_t gpa, uint64_t len)
{
	return walk(x, d, gpa, len, PROT_READ | PROT_WRITE, do_zero, NULL);
}

int gmem_copy(struct xlk *x, uint32_t d, uint64_t dst, uint64_t src, uint64_t len)
{
	uint8_t *buf = malloc(BATCH * XLK_PAGE);
	int rc = 0;

	if (!buf)
		return -1;
	for (uint64_t done = 0; done < len && !rc; done += BATCH * XLK_PAGE) {
		uint64_t n = len - done < BATCH * XLK_PAGE ? len - done : BATCH * XLK_PAGE;

		rc = gmem_read(x, d, src + done, buf, n) || gmem_write(x, d, dst + done, buf, n);
	}
	free(buf);
	return rc ? -1 : 0;
}

int gmem_sha256(struct xlk *x, uint32_t d, uint64_t gpa, uint64_t len, char out[65])
{
	struct sha256 c;
	u8 digest[32];

	sha256_init(&c);
	if (walk(x, d, gpa, len, PROT_READ, do_hash, &c))
		return -1;
	sha256_final(&c, digest);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
	return 0;
}

int gmem_probe(struct xlk *x, uint32_t d, uint64_t start, uint64_t end, struct xlk_range *r,
	       unsigned int max)
{
	xen_pfn_t pfns[BATCH];
	int errs[BATCH];
	unsigned int n = 0;
	int open = 0;

	for (uint64_t a = start; a < end; a += BATCH * XLK_PAGE) {
		unsigned int pages = (end - a) / XLK_PAGE < BATCH ? (end - a) / XLK_PAGE : BATCH;
		void *p;

		for (unsigned int i = 0; i < pages; i++)
			pfns[i] = (a >> 12) + i;
		p = xenforeignmemory_map(x->fmem, d, PROT_READ, pages, pfns, errs);
		if (!p)
			for (unsigned int i = 0; i < pages; i++)
				errs[i] = -EINVAL;
		for (unsigned int i = 0; i < pages; i++) {
			if (!errs[i] && !open) {
				if (n == max)
					return -E2BIG;
				r[n].start = a + i * XLK_PAGE;
				r[n++].size = 0;
				open = 1;
			}
			if (!errs[i])
				r[n - 1].size += XLK_PAGE;
			else
				open = 0;
		}
		if (p)
			xenforeignmemory_unmap(x->fmem, p, pages);
	}
	return (int)n;
}

/* ---- xenstore state ---- */

#define ROOT "/local/domain/0/xl-kdump"

static int put(struct xlk *x, xs_transaction_t t, uint32_t d, const char *key, const char *v)
{
	char path[128];

	snprintf(path, sizeof(path), ROOT "/%u/%s", d, key);
	return xs_write(x->xs, t, path, v, strlen(v)) ? 0 : -1;
}

static char *get(struct xlk *x, uint32_t d, const char *key)
{
	char path[128];

	snprintf(path, sizeof(path), ROOT "/%u/%s", d, key);
	return xs_read(x->xs, XBT_NULL, path, NULL);
}

/* The layout's fields, by name, for the store. */
#define LAYOUT_FIELDS(X)                                                                     \
	X(ram_top) X(info) X(acpi) X(acpi_size) X(acpi_src) X(rsdp) X(kernel) X(kernel_size) \
	X(kbase) X(kspan) X(boot_info) X(low_size) X(initrd) X(initrd_size) X(initrd_run)    \
	X(run_end) X(elfhdr) X(backup) X(backup_size) X(work) X(work_size) X(dump)           \
	X(dump_size) X(end)
/* Added since the first release: a domain armed by it has neither. */
#define LAYOUT_OPTIONAL(f) (!strcmp(f, "initrd_run") || !strcmp(f, "run_end"))

int state_save(struct xlk *x, uint32_t d, const struct xlk_state *s)
{
	struct xs_permissions perm = { .id = 0, .perms = XS_PERM_NONE };
	char v[512], path[96];
	xs_transaction_t t;
	int rc = 0, len = 0;

	for (unsigned int i = 0; i < s->nram; i++)
		len += snprintf(v + len, sizeof(v) - len, "%s0x%" PRIx64 ":0x%" PRIx64,
				i ? "," : "", s->ram[i].start, s->ram[i].size);
again:
	t = xs_transaction_start(x->xs);
	snprintf(path, sizeof(path), ROOT "/%u", d);
	rc |= !xs_mkdir(x->xs, t, path) || !xs_set_permissions(x->xs, t, path, &perm, 1);
	rc |= put(x, t, d, "ram", v);
#define PUT(f)                                                  \
	snprintf(v, sizeof(v), "0x%" PRIx64, (uint64_t)s->l.f); \
	rc |= put(x, t, d, "layout/" #f, v);
	LAYOUT_FIELDS(PUT)
#undef PUT
	snprintf(v, sizeof(v), "0x%x", s->l.entry);
	rc |= put(x, t, d, "layout/entry", v);
	snprintf(v, sizeof(v), "%" PRIu64, s->maxmem_kb);
	rc |= put(x, t, d, "maxmem_kb", v);
	snprintf(v, sizeof(v), "0x%" PRIx64, s->vmcoreinfo);
	rc |= put(x, t, d, "vmcoreinfo", v);
	rc |= put(x, t, d, "uuid", s->uuid);
	rc |= put(x, t, d, "sha256", s->sha256);
	rc |= put(x, t, d, "kernel", s->kernel);
	rc |= put(x, t, d, "initrd", s->initrd);
	rc |= put(x, t, d, "append", s->append);
	rc |= put(x, t, d, "then", s->then);
	rc |= put(x, t, d, "config", s->config);
	rc |= put(x, t, d, "state", s->state);
	if (!xs_transaction_end(x->xs, t, rc != 0)) {
		if (errno == EAGAIN && !rc)
			goto again;
		rc = 1;
	}
	if (rc)
		err("cannot record domain %u's state in xenstore (" ROOT ")", d);
	return rc ? -1 : 0;
}

static uint64_t num(struct xlk *x, uint32_t d, const char *key, int *bad)
{
	char *v = get(x, d, key), *end;
	uint64_t n = 0;

	if (!v)
		*bad = 1;
	else
		n = strtoull(v, &end, 0), *bad |= *end != 0;
	free(v);
	return n;
}

static void str(struct xlk *x, uint32_t d, const char *key, char *out, size_t size)
{
	char *v = get(x, d, key);

	snprintf(out, size, "%s", v ? v : "");
	free(v);
}

int state_load(struct xlk *x, uint32_t d, struct xlk_state *s)
{
	char *ram, *p;
	int bad = 0;

	memset(s, 0, sizeof(*s));
	str(x, d, "state", s->state, sizeof(s->state));
	if (!s->state[0])
		return -ENOENT;
#define GET(f)                                                 \
	{                                                      \
		int missing = 0;                               \
                                                               \
		s->l.f = num(x, d, "layout/" #f, &missing);    \
		bad |= missing && !LAYOUT_OPTIONAL(#f);        \
	}
	LAYOUT_FIELDS(GET)
#undef GET
	/* Armed by the first release: the initrd runs where it was staged, nothing follows boot_info. */
	if (!s->l.run_end)
		s->l.run_end = s->l.boot_info + XLK_PAGE;
	s->l.entry = (uint32_t)num(x, d, "layout/entry", &bad);
	s->maxmem_kb = num(x, d, "maxmem_kb", &bad);
	s->vmcoreinfo = num(x, d, "vmcoreinfo", &bad);
	str(x, d, "uuid", s->uuid, sizeof(s->uuid));
	str(x, d, "sha256", s->sha256, sizeof(s->sha256));
	str(x, d, "kernel", s->kernel, sizeof(s->kernel));
	str(x, d, "initrd", s->initrd, sizeof(s->initrd));
	str(x, d, "append", s->append, sizeof(s->append));
	str(x, d, "then", s->then, sizeof(s->then));
	str(x, d, "config", s->config, sizeof(s->config));
	ram = get(x, d, "ram");
	for (p = ram; p && *p && s->nram < XLK_RAM_MAX; s->nram++) {
		s->ram[s->nram].start = strtoull(p, &p, 0);
		if (*p++ != ':')
			bad = 1;
		s->ram[s->nram].size = strtoull(p, &p, 0);
		if (*p == ',')
			p++;
	}
	free(ram);
	if (bad || !s->nram) {
		err("domain %u's state in xenstore (" ROOT "/%u) is incomplete", d, d);
		return -EINVAL;
	}
	return 0;
}

int state_set(struct xlk *x, uint32_t d, const char *state)
{
	return put(x, XBT_NULL, d, "state", state) ? -1 : 0;
}

void state_remove(struct xlk *x, uint32_t d)
{
	char path[64];

	snprintf(path, sizeof(path), ROOT "/%u", d);
	xs_rm(x->xs, XBT_NULL, path);
}
