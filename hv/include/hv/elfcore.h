/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ELF core header the capture kernel reads through elfcorehdr= and serves
 * as /proc/vmcore, laid out as the kernel's own (kernel/crash_core.c,
 * crash_prepare_elf64_headers()) and kexec-tools' are: one PT_NOTE holding an
 * NT_PRSTATUS per vCPU and the guest's VMCOREINFO note, a PT_LOAD for the
 * kernel-text mapping, and a PT_LOAD per range of the crashed guest's RAM
 * at its direct-map address. p_offset of a PT_LOAD is the physical address
 * where the bytes are now (a backup copy for low memory), p_paddr where they
 * belong.
 */
#ifndef HV_ELFCORE_H
#define HV_ELFCORE_H

#include <asm/elf.h>
#include <hv/types.h>

#include <hv/elf.h>

#define NT_PRSTATUS   1
#define NT_VMCOREINFO 0 /* Linux: n_type of the "VMCOREINFO" note */

/* Linux include/uapi/linux/elfcore.h, 64-bit layout. */
struct elf_prstatus64 {
	s32 si_signo, si_code, si_errno;
	s16 pr_cursig;
	u16 pad0;
	u64 pr_sigpend, pr_sighold;
	s32 pr_pid, pr_ppid, pr_pgrp, pr_sid;
	u64 pr_times[8]; /* utime, stime, cutime, cstime as timevals */
	u64 pr_reg[ELF_NGREG];
	s32 pr_fpvalid;
	u32 pad1;
};

BUILD_BUG_ON(sizeof(struct elf_prstatus64) != 336);
BUILD_BUG_ON(__builtin_offsetof(struct elf_prstatus64, pr_reg) != 112);

struct elfcore_cpu {
	s32 pid; /* 0 when unknown */
	u64 regs[ELF_NGREG];
};

struct elfcore_range {
	u64 paddr; /* where the range belongs in the crashed guest */
	u64 size;
	u64 data_pa; /* where its bytes are now (== paddr unless backed up) */
};

struct elfcore_input {
	const struct elfcore_cpu *cpus;
	unsigned int ncpus;
	const void *vmcoreinfo; /* the note's descriptor (text), NULL if not found */
	u32 vmcoreinfo_len;
	const struct elfcore_range *ram;
	unsigned int nram;
	u64 page_offset; /* guest direct-map base, for p_vaddr; 0 if unknown */
	/* The kernel-text mapping: [text_vaddr, + text_size) at text_paddr; size 0 if unknown. */
	u64 text_vaddr, text_paddr, text_size;
	/* Where the text's bytes are now, if not at text_paddr (xl-kdump's backup); 0: there. */
	u64 text_data_pa;
};

/** elfcore_size() - bytes elfcore_build() needs for in. */
size_t elfcore_size(const struct elfcore_input *in);

/**
 * elfcore_build() - write the core header for in into buf (size bytes), which
 * the capture kernel will find at physical address buf_pa. Returns the bytes
 * written, or -ENOSPC.
 */
long elfcore_build(void *buf, size_t size, u64 buf_pa, const struct elfcore_input *in);

#endif /* HV_ELFCORE_H */
