/* SPDX-License-Identifier: GPL-2.0-only */
/* AMD SVM: the VMCB (APM vol. 2, appendix B) and exit codes (appendix C). */
#ifndef ASM_SVM_H
#define ASM_SVM_H

#include <hv/types.h>

/* Intercept vector 3 (VMCB offset 0x0c), APM vol. 2, table B-1. */
#define SVM_INTERCEPT_INTR     (1u << 0)
#define SVM_INTERCEPT_NMI      (1u << 1)
#define SVM_INTERCEPT_SMI      (1u << 2)
#define SVM_INTERCEPT_INIT     (1u << 3)
#define SVM_INTERCEPT_CPUID    (1u << 18)
#define SVM_INTERCEPT_IRET     (1u << 20)
#define SVM_INTERCEPT_PAUSE    (1u << 23)
#define SVM_INTERCEPT_HLT      (1u << 24)
#define SVM_INTERCEPT_INVLPGA  (1u << 26)
#define SVM_INTERCEPT_IOIO     (1u << 27)
#define SVM_INTERCEPT_MSR      (1u << 28)
#define SVM_INTERCEPT_SHUTDOWN (1u << 31)
/* Intercept vector 4 (VMCB offset 0x10). */
#define SVM_INTERCEPT_VMRUN   (1u << 0)
#define SVM_INTERCEPT_VMMCALL (1u << 1)
#define SVM_INTERCEPT_VMLOAD  (1u << 2)
#define SVM_INTERCEPT_VMSAVE  (1u << 3)
#define SVM_INTERCEPT_STGI    (1u << 4)
#define SVM_INTERCEPT_CLGI    (1u << 5)
#define SVM_INTERCEPT_SKINIT  (1u << 6)

/* Exit codes, APM vol. 2, appendix C. */
#define SVM_EXIT_EXCP_BASE 0x040
#define SVM_EXIT_INTR	   0x060
#define SVM_EXIT_NMI	   0x061
#define SVM_EXIT_SMI	   0x062
#define SVM_EXIT_INIT	   0x063
#define SVM_EXIT_CPUID	   0x072
#define SVM_EXIT_IRET	   0x074
#define SVM_EXIT_PAUSE	   0x077
#define SVM_EXIT_HLT	   0x078
#define SVM_EXIT_INVLPGA   0x07a
#define SVM_EXIT_IOIO	   0x07b
#define SVM_EXIT_MSR	   0x07c
#define SVM_EXIT_SHUTDOWN  0x07f
#define SVM_EXIT_VMRUN	   0x080
#define SVM_EXIT_VMMCALL   0x081
#define SVM_EXIT_VMLOAD	   0x082
#define SVM_EXIT_VMSAVE	   0x083
#define SVM_EXIT_STGI	   0x084
#define SVM_EXIT_CLGI	   0x085
#define SVM_EXIT_SKINIT	   0x086
#define SVM_EXIT_NPF	   0x400
#define SVM_EXIT_INVALID   (~0ull)

/* EVENTINJ, APM vol. 2, 15.20. */
#define SVM_EVTINJ_VALID     (1u << 31)
#define SVM_EVTINJ_TYPE_EXC  (3u << 8)
#define SVM_EVTINJ_TYPE_NMI  (2u << 8)
#define SVM_EVTINJ_ERR_VALID (1u << 11)
#define SVM_EVTINJ_TYPE(ev)  (((ev) >> 8) & 7) /* 0 interrupt, 2 NMI, 3 exception, 4 software int */

/* VMCB int_ctl (APM vol. 2, 15.21.1): a virtual interrupt for the guest. */
#define SVM_INT_CTL_V_IRQ	  (1ull << 8)
#define SVM_INT_CTL_V_PRIO_SHIFT  16
#define SVM_INT_CTL_V_IGN_TPR	  (1ull << 20)
#define SVM_INT_CTL_V_VECTOR_SHIFT 32

#define SVM_TLB_FLUSH_ALL_ASID 1
/* IOIO EXITINFO1, APM vol. 2, 15.10.2 */
#define SVM_IOIO_IN	    (1ull << 0)
#define SVM_IOIO_STR	    (1ull << 2)
#define SVM_IOIO_REP	    (1ull << 3)
#define SVM_IOIO_SIZE(info) ((unsigned int)((info) >> 4) & 7) /* SZ8, SZ16, SZ32: 1, 2, 4 */
#define SVM_NPF_WRITE	    (1ull << 1)
#define SVM_NPF_FETCH	    (1ull << 4) /* APM vol. 2, 15.25.6: an instruction fetch */

/* CPUID Fn8000_000A EDX. */
#define SVM_FEATURE_NPT	  (1u << 0)
#define SVM_FEATURE_NRIPS (1u << 3)
#define VM_CR_SVMDIS	  (1ull << 4)
#define VM_CR_LOCK	  (1ull << 3)
#define VM_CR_R_INIT	  (1ull << 1) /* INIT becomes #SX (APM vol. 2, 15.30.1) */

struct vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
};

struct vmcb_control {
	u32 intercept_cr;	  /* 0x000 */
	u32 intercept_dr;	  /* 0x004 */
	u32 intercept_exceptions; /* 0x008 */
	u32 intercept_misc1;	  /* 0x00c */
	u32 intercept_misc2;	  /* 0x010 */
	u32 intercept_misc3;	  /* 0x014 */
	u8 _r1[0x03c - 0x018];
	u16 pause_filter_thresh; /* 0x03c */
	u16 pause_filter_count;	 /* 0x03e */
	u64 iopm_base_pa;	 /* 0x040 */
	u64 msrpm_base_pa;	 /* 0x048 */
	u64 tsc_offset;		 /* 0x050 */
	u32 asid;		 /* 0x058 */
	u8 tlb_control;		 /* 0x05c */
	u8 _r2[3];
	u64 int_ctl;	   /* 0x060 */
	u64 int_state;	   /* 0x068: bit 0 = interrupt shadow */
	u64 exit_code;	   /* 0x070 */
	u64 exit_info1;	   /* 0x078 */
	u64 exit_info2;	   /* 0x080 */
	u64 exit_int_info; /* 0x088 */
	u64 np_enable;	   /* 0x090 */
	u8 _r3[0x0a8 - 0x098];
	u64 event_inj; /* 0x0a8 */
	u64 n_cr3;     /* 0x0b0 */
	u64 virt_ext;  /* 0x0b8 */
	u32 clean;     /* 0x0c0 */
	u32 _r4;
	u64 next_rip; /* 0x0c8 */
	u8 insn_len;  /* 0x0d0 */
	u8 insn_bytes[15];
	u8 _r5[0x400 - 0x0e0];
};

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs; /* 0x400 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 */
	u8 _r1[0x4cb - 0x4a0];
	u8 cpl; /* 0x4cb */
	u32 _r2;
	u64 efer; /* 0x4d0 */
	u8 _r3[0x548 - 0x4d8];
	u64 cr4;    /* 0x548 */
	u64 cr3;    /* 0x550 */
	u64 cr0;    /* 0x558 */
	u64 dr7;    /* 0x560 */
	u64 dr6;    /* 0x568 */
	u64 rflags; /* 0x570 */
	u64 rip;    /* 0x578 */
	u8 _r4[0x5d8 - 0x580];
	u64 rsp; /* 0x5d8 */
	u8 _r5[0x5f8 - 0x5e0];
	u64 rax;				     /* 0x5f8 */
	u64 star, lstar, cstar, sfmask;		     /* 0x600 */
	u64 kernel_gs_base;			     /* 0x620 */
	u64 sysenter_cs, sysenter_esp, sysenter_eip; /* 0x628 */
	u64 cr2;				     /* 0x640 */
	u8 _r6[0x668 - 0x648];
	u64 g_pat; /* 0x668 */
	u8 _r7[0x1000 - 0x670];
};

/* Natural alignment everywhere; the asserts below pin every offset used. */
struct vmcb {
	struct vmcb_control ctl;
	struct vmcb_save save;
};

#define VMCB_OFF(f) __builtin_offsetof(struct vmcb, f)
BUILD_BUG_ON(sizeof(struct vmcb) != 4096);
BUILD_BUG_ON(VMCB_OFF(ctl.iopm_base_pa) != 0x040);
BUILD_BUG_ON(VMCB_OFF(ctl.asid) != 0x058);
BUILD_BUG_ON(VMCB_OFF(ctl.exit_code) != 0x070);
BUILD_BUG_ON(VMCB_OFF(ctl.np_enable) != 0x090);
BUILD_BUG_ON(VMCB_OFF(ctl.event_inj) != 0x0a8);
BUILD_BUG_ON(VMCB_OFF(ctl.n_cr3) != 0x0b0);
BUILD_BUG_ON(VMCB_OFF(ctl.next_rip) != 0x0c8);
BUILD_BUG_ON(VMCB_OFF(save.es) != 0x400);
BUILD_BUG_ON(VMCB_OFF(save.gdtr) != 0x460);
BUILD_BUG_ON(VMCB_OFF(save.tr) != 0x490);
BUILD_BUG_ON(VMCB_OFF(save.cpl) != 0x4cb);
BUILD_BUG_ON(VMCB_OFF(save.efer) != 0x4d0);
BUILD_BUG_ON(VMCB_OFF(save.cr4) != 0x548);
BUILD_BUG_ON(VMCB_OFF(save.rflags) != 0x570);
BUILD_BUG_ON(VMCB_OFF(save.rsp) != 0x5d8);
BUILD_BUG_ON(VMCB_OFF(save.rax) != 0x5f8);
BUILD_BUG_ON(VMCB_OFF(save.cr2) != 0x640);
BUILD_BUG_ON(VMCB_OFF(save.g_pat) != 0x668);

#endif /* ASM_SVM_H */
