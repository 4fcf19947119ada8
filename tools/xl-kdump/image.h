/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The capture kernel image: a bzImage (checked by the hv's own bzimage_parse(),
 * its XZ payload unpacked) or an ELF vmlinux, reduced to what a PVH boot
 * needs: the PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY) and one flat load
 * image of its PT_LOAD segments at their physical addresses.
 */
#ifndef XLK_IMAGE_H
#define XLK_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* xen/include/public/elfnote.h */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

struct kimage {
	uint8_t *load;	    /* flat image of the PT_LOAD file bytes, from base */
	uint64_t load_size; /* bytes in load (the file part; the rest is bss) */
	uint64_t base;	    /* lowest physical address of a PT_LOAD */
	uint64_t span;	    /* memory the segments occupy from base, bss included */
	uint32_t entry;	    /* PVH entry (physical, 32-bit protected mode) */
	int from_bzimage;
};

/**
 * kimage_parse() - check and unpack a kernel image of size bytes. what names
 * it in messages. On failure returns a negative errno and leaves a message
 * in err (errlen bytes).
 */
int kimage_parse(const void *data, size_t size, struct kimage *k, char *err, size_t errlen);

/**
 * elf_pvh_entry() - the XEN_ELFNOTE_PHYS32_ENTRY of an ELF64 image, for the
 * unit tests and kimage_parse(). Returns 0, -ENOEXEC if malformed, -ENOENT
 * if the image has no such note.
 */
int elf_pvh_entry(const void *elf, size_t size, uint32_t *entry);

void kimage_free(struct kimage *k);

#endif /* XLK_IMAGE_H */
