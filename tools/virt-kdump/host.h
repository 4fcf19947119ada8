/* SPDX-License-Identifier: GPL-2.0-only */
/* virt-kdump's handles on libvirt, QEMU's monitor and gdbstub (host.c, gdb.c). */
#ifndef VK_HOST_H
#define VK_HOST_H

#include <stdint.h>

#include <libvirt/libvirt.h>

#include "vk.h"

struct vk {
	virConnectPtr conn;
	virDomainPtr dom;
	const char *dir; /* state directory */
	char name[64];
};

/* One line on stderr (err) or stdout (info), "virt-kdump: " first. */
void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int vk_connect(struct vk *v, const char *uri);
/** vk_plain_name() - whether a domain name can name its files: no '/', '\\', '"' or control
 * characters. */
int vk_plain_name(const char *n);
/** vk_domain() - look the domain up by name, UUID or id; -1 with a message. */
int vk_domain(struct vk *v, const char *name);
void vk_close(struct vk *v);

/** vk_qmp() - a QMP command (JSON) for the domain's QEMU; its reply, to free, or NULL. */
char *vk_qmp(struct vk *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** vk_hmp() - a human monitor command's output, to free, or NULL. */
char *vk_hmp(struct vk *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** vk_qmp_ok() - run a QMP command; 0, or -1 with QEMU's error in the message. */
int vk_qmp_ok(struct vk *v, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** vk_read_phys() - guest-physical memory, through QEMU's pmemsave into the state directory. */
int vk_read_phys(struct vk *v, uint64_t gpa, void *buf, uint64_t len);

/**
 * vk_path() - a file of this domain's: DIR/NAME.state (virt-kdump's own), or
 * DIR/NAME.d/suffix, the directory QEMU opens and creates files in (img, the
 * staged file; gdb, the gdbstub's socket; peek, what pmemsave writes).
 */
void vk_path(const struct vk *v, const char *suffix, char *out, size_t size);
/** vk_qemu_dir() - DIR/NAME.d, made if need be and given to the user the domain's QEMU runs as. */
int vk_qemu_dir(struct vk *v);
/** vk_remove_files() - DIR/NAME.d and what is in it. */
void vk_remove_files(struct vk *v);

int vk_state_load(struct vk *v, struct vk_state *s);
int vk_state_save(struct vk *v, const struct vk_state *s);
int vk_state_set(struct vk *v, struct vk_state *s, const char *state);

/* gdb.c: QEMU's gdbstub on a unix socket in the state directory. */
struct vk_gdb {
	int fd;
	unsigned int nthreads;
	unsigned int tid[VK_CPUS_MAX];
};

int vk_gdb_open(struct vk *v, struct vk_gdb *g);
int vk_gdb_regs(struct vk_gdb *g, unsigned int i, struct vk_regs *r);
int vk_gdb_set(struct vk_gdb *g, unsigned int i, enum vk_gdb_reg reg, uint64_t val,
	       unsigned int bytes);
/** vk_gdb_close() - detach (QEMU lets the guest run again) and stop the stub. */
int vk_gdb_close(struct vk *v, struct vk_gdb *g);

#endif /* VK_HOST_H */
