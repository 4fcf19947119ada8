/* SPDX-License-Identifier: GPL-2.0-only */
/* ELF-64 file layouts (System V gABI): the core header the hv writes, the vmlinux it loads. */
#ifndef HV_ELF_H
#define HV_ELF_H

#include <hv/types.h>

#define EI_NIDENT  16
#define EI_CLASS   4
#define EI_DATA	   5
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC	   2
#define ET_CORE	   4
#define EV_CURRENT 1
#define PT_LOAD	   1
#define PT_NOTE	   4
#define PF_X	   1
#define PF_W	   2
#define PF_R	   4
#define SHT_NOBITS 8
#define SHF_ALLOC  2

struct elf64_ehdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

struct elf64_shdr {
	u32 sh_name, sh_type;
	u64 sh_flags, sh_addr, sh_offset, sh_size;
	u32 sh_link, sh_info;
	u64 sh_addralign, sh_entsize;
};

struct elf64_nhdr {
	u32 n_namesz, n_descsz, n_type;
};

BUILD_BUG_ON(sizeof(struct elf64_ehdr) != 64);
BUILD_BUG_ON(sizeof(struct elf64_phdr) != 56);
BUILD_BUG_ON(sizeof(struct elf64_shdr) != 64);
BUILD_BUG_ON(sizeof(struct elf64_nhdr) != 12);

#endif /* HV_ELF_H */
