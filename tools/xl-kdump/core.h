/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ELF core header a host tool builds at a guest's crash, shared by
 * xl-kdump and virt-kdump (tools/virt-kdump/): the hv's builder
 * (hv/elfcore.c) fed with the staged layout, the guest's RAM, its vCPUs'
 * registers and what the crashed kernel's own page tables and VMCOREINFO say.
 */
#ifndef XLK_CORE_H
#define XLK_CORE_H

#include <stddef.h>
#include <stdint.h>

#include <asm/guest_walk.h>
#include <hv/elfcore.h>

#include "layout.h"

struct kd_crash {
	const struct xlk_layout *l;
	const struct xlk_range *ram; /* the guest's RAM, by address */
	unsigned int nram;
	const struct elfcore_cpu *cpus;
	unsigned int ncpus;
	/* A vCPU's paging in long mode (its reader set), or NULL: no kernel maps. */
	const struct guest_paging *gp;
	const char *vi; /* the VMCOREINFO note's text, or NULL */
	uint32_t vi_len;
};

/**
 * kd_core_header() - build the header for c into hdr (size bytes; it goes at
 * c->l->elfhdr). Returns its length or a negative errno. *in (may be NULL)
 * gets what was found: RAM ranges, direct-map base, text segment.
 */
long kd_core_header(const struct kd_crash *c, void *hdr, size_t size, struct elfcore_input *in);

/** xlk_read_file() - a regular file's bytes (*size), to free; NULL with a message naming what. */
void *xlk_read_file(const char *path, size_t *size, const char *what);

/* Each tool's message on stderr, with its name first. */
void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* XLK_CORE_H */
