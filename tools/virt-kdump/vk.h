/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virt-kdump: kdump for KVM/QEMU guests, armed from the host through libvirt
 * (docs/kvm.md). The staged area (tools/xl-kdump/layout.h) lives in a host
 * file that becomes guest memory only at the crash, as a pc-dimm at the
 * address load chose; after it, the purgatory: code that vCPU 0 runs there to
 * back up and put the capture kernel in place and to enter it at its PVH
 * entry, a halt loop for the other vCPUs, and the page tables they run on.
 */
#ifndef VK_H
#define VK_H

#include <stddef.h>
#include <stdint.h>

#include "../xl-kdump/layout.h"

#define VK_RAM_MAX  8
#define VK_CPUS_MAX 64
/* The purgatory area after the staged area: its page, then its page tables. */
#define VK_PURG_SIZE	(2ull << 20)
#define VK_PURG_TABLES	XLK_PAGE
#define VK_PURG_NTABLES 32
/* Below 4 GiB, in the low memory the capture kernel takes (backed up first). */
#define VK_PURG_LOW   0x8000ull
#define VK_COPIES_MAX 8

/* The purgatory's parameters, at the start of its page (purgatory.S). */
struct vk_purg_params {
	uint64_t entry;	     /* the capture kernel's PVH entry */
	uint64_t start_info; /* ebx at the entry */
	uint64_t low;	     /* where the 32-bit tail runs */
	uint64_t hpet;	     /* the HPET's registers, to disable it; 0 if none */
	uint64_t ioapic;     /* the I/O APIC's, to mask its entries; 0 if none */
	uint64_t ncopy;
	struct {
		uint64_t dst, src, len; /* src ~0: zero dst */
	} copy[VK_COPIES_MAX];
};

extern const uint8_t vk_purgatory_start[], vk_purgatory_entry[], vk_purgatory_park[],
	vk_purgatory_end[];

/* What load records (DIR/NAME.state) and capture reads back. */
struct vk_state {
	char state[16]; /* armed, capturing, handed-over, captured, failed */
	char name[64], uuid[40];
	struct xlk_layout l;
	struct xlk_range ram[VK_RAM_MAX];
	unsigned int nram;
	uint64_t below_4g;   /* end of the RAM under 4 GiB */
	uint64_t dimm_size;  /* the staged file: [l.info, + dimm_size) */
	uint64_t vmcoreinfo; /* where load found the note, 0 = scan at the crash */
	uint64_t hpet, ioapic; /* their MMIO addresses in QEMU's memory tree, 0 if none */
	char sha256[65];
	char kernel[256], initrd[256], append[1024], then[16];
	uint64_t mem, dump_area;
};

/* plan.c: pure computation, unit-tested (tests/unit/test_virt_kdump.c). */

/**
 * vk_parse_mtree() - from QEMU's `info mtree` text: the guest's RAM ranges
 * (the ram-below-4g and ram-above-4g aliases, by address) and the
 * device-memory container pc-dimms go in. Returns the number of RAM ranges,
 * -ENOENT if there is no RAM, -E2BIG if more than max.
 */
int vk_parse_mtree(const char *text, struct xlk_range *ram, unsigned int max,
		   struct xlk_range *devmem);

/** vk_mtree_device() - where `info mtree` puts the device region name (e.g. "hpet"), or 0. */
uint64_t vk_mtree_device(const char *text, const char *name);

/**
 * vk_identity_tables() - 4-level page tables at table_pa (page images in
 * buf, up to VK_PURG_NTABLES pages) mapping [0, 4 GiB) and [start, end)
 * 1:1 with 2 MiB pages, supervisor, writable. Returns the CR3 value or 0 if
 * they need more pages.
 */
uint64_t vk_identity_tables(uint8_t *buf, uint64_t table_pa, uint64_t start, uint64_t end);

/**
 * vk_purg_params() - the copies vCPU 0 makes before the entry, in order: the
 * crashed guest's low memory and [kbase, run_end) into the backup, the
 * kernel, its bss zeroed, the start info page, the initrd, the dump area's
 * header zeroed.
 */
void vk_purg_params(struct vk_purg_params *p, const struct vk_state *s);

/* Linux's __KERNEL_CS and __KERNEL_DS (arch/x86/include/asm/segment.h, 64-bit). */
#define VK_KERNEL_CS 0x10
#define VK_KERNEL_DS 0x18

/* QEMU's gdbstub registers for x86-64 (gdb-xml/i386-64bit.xml): the numbers P takes. */
enum vk_gdb_reg {
	VK_GDB_RIP = 16,
	VK_GDB_EFLAGS = 17,
	VK_GDB_CS = 18,
	VK_GDB_SS = 19,
	VK_GDB_FS_BASE = 24,
	VK_GDB_GS_BASE = 25,
	VK_GDB_K_GS_BASE = 26,
	VK_GDB_CR0 = 27,
	VK_GDB_CR3 = 29,
	VK_GDB_CR4 = 30,
	VK_GDB_EFER = 32,
};

struct vk_regs {
	uint64_t gpr[16]; /* rax rbx rcx rdx rsi rdi rbp rsp r8..r15 */
	uint64_t rip, rflags;
	uint32_t seg[6]; /* cs ss ds es fs gs */
	uint64_t fs_base, gs_base, k_gs_base, cr0, cr2, cr3, cr4, cr8, efer;
};

/** vk_parse_gdb_regs() - a `g` reply (hex) into r. Returns 0 or -EINVAL if short or bad. */
int vk_parse_gdb_regs(const char *hex, struct vk_regs *r);

/** vk_elf_regs() - r in NT_PRSTATUS order (user_regs_struct). */
void vk_elf_regs(const struct vk_regs *r, uint64_t out[ELF_NGREG]);

/** vk_state_format() / vk_state_parse() - the state file's text (key value lines). */
int vk_state_format(const struct vk_state *s, char *buf, size_t size);
int vk_state_parse(const char *text, struct vk_state *s);

#endif /* VK_H */
