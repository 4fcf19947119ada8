// SPDX-License-Identifier: GPL-2.0-only
/* Capture kernel images for xl-kdump (image.h). */
#include <elf.h>
#include <errno.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <asm/linux.h>

#include "image.h"

/* The hv's bzimage_parse() reports through hv_log (hvglue.c); keep its last line. */
extern char hv_last_error[256];

static int fail(char *err, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return rc;
}

static int elf_header(const uint8_t *p, size_t size, const Elf64_Ehdr **out)
{
	const Elf64_Ehdr *e = (const void *)p;

	if (size < sizeof(*e) || memcmp(e->e_ident, ELFMAG, SELFMAG))
		return -ENOEXEC;
	if (e->e_ident[EI_CLASS] != ELFCLASS64 || e->e_machine != EM_X86_64 ||
	    e->e_phentsize != sizeof(Elf64_Phdr) || e->e_phoff > size ||
	    (uint64_t)e->e_phnum * sizeof(Elf64_Phdr) > size - e->e_phoff)
		return -ENOEXEC;
	*out = e;
	return 0;
}

static int note_entry(const uint8_t *n, uint64_t len, uint32_t *entry)
{
	uint64_t off = 0;

	while (off + sizeof(Elf64_Nhdr) <= len) {
		const Elf64_Nhdr *h = (const void *)(n + off);
		uint64_t name = off + sizeof(*h);
		uint64_t desc = name + ((h->n_namesz + 3ull) & ~3ull);
		uint64_t next = desc + ((h->n_descsz + 3ull) & ~3ull);

		if (next > len)
			return -ENOEXEC;
		if (h->n_namesz == 4 && !memcmp(n + name, "Xen", 4) &&
		    h->n_type == XEN_ELFNOTE_PHYS32_ENTRY && h->n_descsz >= 4) {
			memcpy(entry, n + desc, 4);
			return 0;
		}
		off = next;
	}
	return -ENOENT;
}

int elf_pvh_entry(const void *elf, size_t size, uint32_t *entry)
{
	const uint8_t *p = elf;
	const Elf64_Ehdr *e;
	int rc = elf_header(p, size, &e);

	if (rc)
		return rc;
	for (unsigned int i = 0; i < e->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(p + e->e_phoff + i * sizeof(*ph));

		if (ph->p_type != PT_NOTE)
			continue;
		if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
			return -ENOEXEC;
		rc = note_entry(p + ph->p_offset, ph->p_filesz, entry);
		if (rc != -ENOENT)
			return rc;
	}
	return -ENOENT;
}

/* The PT_LOAD segments as one image from the lowest physical address. */
static int elf_flatten(const uint8_t *p, size_t size, struct kimage *k, char *err, size_t errlen)
{
	const Elf64_Ehdr *e;
	uint64_t lo = UINT64_MAX, file_end = 0, mem_end = 0;

	if (elf_header(p, size, &e))
		return fail(err, errlen, -ENOEXEC, "not an x86-64 ELF image");
	for (unsigned int i = 0; i < e->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(p + e->e_phoff + i * sizeof(*ph));

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset ||
		    ph->p_filesz > ph->p_memsz || ph->p_paddr + ph->p_memsz < ph->p_paddr ||
		    ph->p_paddr + ph->p_memsz > 4ull << 30)
			return fail(
				err, errlen, -ENOEXEC,
				"ELF segment %u (paddr 0x%llx, %llu bytes) lies outside the file "
				"or above 4 GiB",
				i, (unsigned long long)ph->p_paddr,
				(unsigned long long)ph->p_memsz);
		if (ph->p_paddr < lo)
			lo = ph->p_paddr;
		if (ph->p_paddr + ph->p_filesz > file_end)
			file_end = ph->p_paddr + ph->p_filesz;
		if (ph->p_paddr + ph->p_memsz > mem_end)
			mem_end = ph->p_paddr + ph->p_memsz;
	}
	if (lo == UINT64_MAX)
		return fail(err, errlen, -ENOEXEC, "the ELF image has no loadable segment");
	k->base = lo;
	k->span = mem_end - lo;
	k->load_size = file_end > lo ? file_end - lo : 0;
	k->load = calloc(1, k->load_size ? k->load_size : 1);
	if (!k->load)
		return fail(err, errlen, -ENOMEM, "out of memory for a %llu-byte kernel image",
			    (unsigned long long)k->load_size);
	for (unsigned int i = 0; i < e->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(p + e->e_phoff + i * sizeof(*ph));

		if (ph->p_type == PT_LOAD && ph->p_filesz)
			memcpy(k->load + (ph->p_paddr - lo), p + ph->p_offset, ph->p_filesz);
	}
	return 0;
}

/* The bzImage's payload, XZ with its uncompressed size in the last 4 bytes (mkpiggy.c). */
static int unxz(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen, char *err,
		size_t errlen)
{
	lzma_stream s = LZMA_STREAM_INIT;
	uint32_t size;
	lzma_ret r;

	if (len < 6 + 4 || memcmp(in,
				  "\xfd"
				  "7zXZ",
				  6))
		return fail(err, errlen, -ENOEXEC,
			    "the bzImage's payload is not XZ (only XZ-compressed kernels, as "
			    "Debian builds them, or an ELF vmlinux are supported)");
	memcpy(&size, in + len - 4, 4);
	if (size < sizeof(Elf64_Ehdr) || size > 512u << 20)
		return fail(err, errlen, -ENOEXEC, "the payload claims %u bytes unpacked", size);
	*out = malloc(size);
	if (!*out)
		return fail(err, errlen, -ENOMEM, "out of memory unpacking the kernel");
	if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK) {
		free(*out);
		return fail(err, errlen, -ENOMEM, "liblzma: cannot start a decoder");
	}
	s.next_in = in;
	s.avail_in = len - 4;
	s.next_out = *out;
	s.avail_out = size;
	r = lzma_code(&s, LZMA_FINISH);
	*outlen = size - s.avail_out;
	lzma_end(&s);
	if (r != LZMA_STREAM_END) {
		free(*out);
		return fail(err, errlen, -ENOEXEC,
			    "the XZ payload is corrupt (liblzma error %d "
			    "after %zu bytes)",
			    (int)r, *outlen);
	}
	return 0;
}

int kimage_parse(const void *data, size_t size, struct kimage *k, char *err, size_t errlen)
{
	const uint8_t *p = data;
	uint8_t *elf = NULL;
	size_t elf_len = size;
	struct bzimage bz;
	int rc;

	memset(k, 0, sizeof(*k));
	if (size >= SELFMAG && !memcmp(p, ELFMAG, SELFMAG)) {
		elf = (uint8_t *)p;
	} else {
		const struct setup_header *h;
		uint64_t off;

		hv_last_error[0] = 0;
		if (bzimage_parse(data, size, &bz, "kernel"))
			return fail(err, errlen, -ENOEXEC, "%s", hv_last_error);
		h = bz.hdr;
		off = bz.setup_size + h->payload_offset;
		if (!h->payload_length || off > size || h->payload_length > size - off)
			return fail(err, errlen, -ENOEXEC,
				    "bzImage payload (offset %u, %u bytes) lies outside the file",
				    h->payload_offset, h->payload_length);
		rc = unxz(p + off, h->payload_length, &elf, &elf_len, err, errlen);
		if (rc)
			return rc;
		k->from_bzimage = 1;
	}
	rc = elf_pvh_entry(elf, elf_len, &k->entry);
	if (rc == -ENOENT)
		fail(err, errlen, rc,
		     "the kernel has no PVH entry (XEN_ELFNOTE_PHYS32_ENTRY): "
		     "it needs CONFIG_PVH");
	else if (rc)
		fail(err, errlen, rc, "the kernel's ELF image is malformed");
	else
		rc = elf_flatten(elf, elf_len, k, err, errlen);
	if (!rc && (k->entry < k->base || k->entry >= k->base + k->span))
		rc = fail(err, errlen, -ENOEXEC,
			  "the PVH entry 0x%x lies outside the kernel "
			  "(0x%llx + %llu)",
			  k->entry, (unsigned long long)k->base, (unsigned long long)k->span);
	if (elf != p)
		free(elf);
	if (rc)
		kimage_free(k);
	return rc;
}

void kimage_free(struct kimage *k)
{
	free(k->load);
	k->load = NULL;
}
