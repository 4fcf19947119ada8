/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where xl-kdump puts things in the guest's physical address space, and the
 * boot information the capture kernel starts with. Everything here is pure
 * computation, unit-tested on its own.
 *
 * From start (2 MiB aligned, above the guest's RAM), populated at load and
 * typed ram_ro so the guest cannot write it:
 *   info     one page: hvm_start_info, its module list, memmap and command line,
 *            copied at the crash to boot_info, the page after the capture
 *            kernel's link range: 6.1's PVH entry reads it through the early
 *            page tables, which map only the first 1 GiB
 *   acpi     a copy of the guest's ACPI tables as they were at load
 *   kernel   the capture kernel's load image (its PT_LOAD bytes)
 *   initrd   the capture initramfs, copied at the crash to initrd_run, after
 *            boot_info: 6.1 takes only the low 32 bits of a PVH module's
 *            address, and the staged area may lie above 4 GiB
 *   elfhdr   the ELF core header, written at the crash
 *   backup   the crashed guest's RAM the capture kernel takes: low memory
 *            (the real-mode trampoline must be under 1 MiB), its link range,
 *            the info page and the initrd copy
 *   dump     an optional area the capture kernel hands the vmcore back in
 *   work     the capture kernel's free RAM, made writable at the crash
 */
#ifndef XLK_LAYOUT_H
#define XLK_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include <hv/elfcore.h>

#define XLK_PAGE	    4096ull
#define XLK_INFO_MODLIST    64 /* offsets in the info page */
#define XLK_INFO_MEMMAP	    128
#define XLK_INFO_MEMMAP_MAX 60
#define XLK_INFO_CMDLINE    1664
#define XLK_CMDLINE_MAX	    (XLK_PAGE - XLK_INFO_CMDLINE - 1)
#define XLK_ELFHDR_SIZE	    (64 * 1024)
#define XLK_LOW_MAX	    0xa0000ull /* the legacy hole starts at 640 KiB */
#define XLK_DUMP_MAGIC	    "XLKDUMP1"
/*
 * Where staging starts by default. Linux (drivers/xen/unpopulated-alloc.c)
 * maps grant frames and foreign pages in "Xen scratch" space it takes first
 * fit from the iomem space after its RAM; the guest does not see the staged
 * pages in its e820, so they start well above that, under the ACPI tables.
 */
#define XLK_DEFAULT_START 0xc0000000ull
/*
 * For a guest whose RAM ends above that: from the next 1 GiB boundary after
 * its RAM, plus 1 GiB left for that scratch space (--base chooses otherwise).
 */
#define XLK_SCRATCH_GAP (1ull << 30)
/* The highest guest-physical address staging may reach above 4 GiB. */
#define XLK_HIGH_LIMIT (1ull << 40)
/* Staged area types (E820 numbering). */
#define XLK_E820_RAM	  1
#define XLK_E820_RESERVED 2

struct xlk_range {
	uint64_t start, size;
};

struct xlk_layout {
	uint64_t ram_top; /* end of the guest's highest RAM below the staged area */
	uint64_t info;
	uint64_t acpi, acpi_size; /* copy at acpi of the guest's [acpi_src, + acpi_size) */
	uint64_t acpi_src, rsdp;
	uint64_t kernel, kernel_size; /* the staged load image (file bytes) */
	uint64_t kbase, kspan;	      /* where it runs: its link address and extent */
	uint64_t boot_info;	      /* where the info page goes at the crash (kbase + kspan) */
	uint32_t entry;
	uint64_t initrd, initrd_size;
	uint64_t initrd_run;	      /* where the initrd goes at the crash (boot_info + 1 page) */
	uint64_t run_end;	      /* end of what the crash puts from kbase: kernel, info, initrd */
	uint64_t elfhdr;
	uint64_t low_size;	      /* guest RAM [0, low_size) the capture kernel also uses */
	uint64_t backup, backup_size; /* [0, low_size), then [kbase, run_end) */
	uint64_t work, work_size;
	uint64_t dump, dump_size;
	uint64_t end; /* end of the staged area */
};

/**
 * xlk_plan() - place the areas from start (at least ram_top) for a kernel of kernel_size
 * file bytes linked at kbase spanning kspan, an initrd, work and dump sizes
 * and acpi_size bytes of ACPI copy. Returns 0, -ERANGE if it does not fit
 * below limit (the lowest guest-physical address in use above start), or
 * -EINVAL if the kernel's link range, the info page and the initrd after it
 * are not inside the guest's RAM below 4 GiB. low is how much RAM from 0 the
 * guest has below 640 KiB (0 if none).
 */
int xlk_plan(struct xlk_layout *l, uint64_t ram_top, uint64_t start, uint64_t limit, uint64_t low,
	     uint64_t kbase, uint64_t kspan, uint64_t kernel_size, uint64_t initrd_size,
	     uint64_t work_size, uint64_t dump_size, uint64_t acpi_size);

/**
 * xlk_default_start() - where staging starts for a guest whose RAM ends at
 * ram_top, clear of its scratch space: XLK_DEFAULT_START if the RAM ends
 * below it, else XLK_SCRATCH_GAP past the RAM's next 1 GiB boundary.
 */
uint64_t xlk_default_start(uint64_t ram_top);

/** xlk_staged_bytes() - pages xl-kdump adds to the domain, in bytes. */
uint64_t xlk_staged_bytes(const struct xlk_layout *l);

/**
 * xlk_build_info() - the info page (XLK_PAGE bytes at page) for the capture
 * kernel: hvm_start_info version 1 with the initrd (at initrd_run) as module
 * 0, the command line, and the capture kernel's memory map, sorted (its RAM:
 * low memory, the kernel's link range, the initrd copy and the work area;
 * everything else it must read reserved). Returns 0 or
 * -E2BIG if the command line does not fit.
 */
int xlk_build_info(void *page, const struct xlk_layout *l, const char *cmdline);

/**
 * xlk_cmdline() - the capture kernel's command line: the user's arguments,
 * then elfcorehdr=, nr_cpus=1 and, with a dump area, xl_kdump.dump=ADDR,SIZE.
 * Returns the length, or -E2BIG.
 */
int xlk_cmdline(char *buf, size_t size, const struct xlk_layout *l, const char *append);

struct hvm_hw_cpu;
/** xlk_cpu_regs() - a vCPU's registers in NT_PRSTATUS order (asm/elf.h). */
void xlk_cpu_regs(const struct hvm_hw_cpu *c, uint64_t regs[ELF_NGREG]);

/**
 * xlk_ram_ranges() - the ELF core header's RAM ranges for the guest RAM in
 * ram[] (n ranges), with the capture kernel's link range read from the backup.
 * Writes at most max ranges to out and returns how many, or -E2BIG.
 */
int xlk_ram_ranges(const struct xlk_layout *l, const struct xlk_range *ram, unsigned int n,
		   struct elfcore_range *out, unsigned int max);

/**
 * xlk_find_rsdp() - the offset of a valid ACPI RSDP ("RSD PTR ", checksum) in
 * buf (len bytes) at 16-byte alignment, or -1.
 */
long xlk_find_rsdp(const uint8_t *buf, size_t len);

/**
 * xlk_vmcoreinfo_note() - if page (XLK_PAGE bytes) starts with the Linux
 * VMCOREINFO ELF note, its descriptor's length (and *desc its offset), else 0.
 */
uint32_t xlk_vmcoreinfo_note(const uint8_t *page, uint32_t *desc);

#endif /* XLK_LAYOUT_H */
