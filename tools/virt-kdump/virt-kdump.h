/* SPDX-License-Identifier: GPL-2.0-only */
/* virt-kdump's commands (load.c, capture.c, virt-kdump.c). */
#ifndef VIRT_KDUMP_H
#define VIRT_KDUMP_H

#include <stdint.h>

#include "../xl-kdump/args.h"
#include "host.h"

int vk_load(struct vk *v, const struct xlk_args *a);
/** vk_capture() - capture a crashed domain (triggered: one paused by trigger). */
int vk_capture(struct vk *v, int triggered);

int vk_pwrite(int fd, const void *buf, uint64_t len, uint64_t off);
/** vk_staged_sha256() - of the staged file's fixed bytes (load.c). */
int vk_staged_sha256(int fd, const struct vk_state *s, char out[65]);
/**
 * vk_scan_vmcoreinfo() - the first page of the guest's RAM that starts with
 * the VMCOREINFO note and for which fits() (if given) is true; 0 if none.
 */
uint64_t vk_scan_vmcoreinfo(struct vk *v, const struct vk_state *s,
			    int (*fits)(const uint8_t *page, void *ctx), void *ctx);

#endif /* VIRT_KDUMP_H */
