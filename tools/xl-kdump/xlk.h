/* SPDX-License-Identifier: GPL-2.0-only */
/* xl-kdump's handles on Xen and the helpers its commands share (xen.c). */
#ifndef XLK_H
#define XLK_H

#include <stdint.h>
#include <stdio.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenforeignmemory.h>
#include <xenstore.h>

#include "layout.h"

struct xlk {
	xc_interface *xch;
	xenforeignmemory_handle *fmem;
	xendevicemodel_handle *dmod;
	struct xs_handle *xs;
};

#define XLK_RAM_MAX 8

/* What load records in xenstore and the crash path reads back. */
struct xlk_state {
	char state[16]; /* armed, capturing, captured, failed */
	char uuid[40];
	struct xlk_layout l;
	struct xlk_range ram[XLK_RAM_MAX];
	unsigned int nram;
	uint64_t maxmem_kb;  /* the domain's max_memkb before load */
	uint64_t vmcoreinfo; /* hint from load, 0 = scan */
	char sha256[65];     /* of the staged info .. elfhdr bytes */
	char kernel[256], initrd[256];
	char append[1504];   /* load's --append, for a re-arm after --then restart */
	char then[16];	     /* preserve, destroy, restart */
	char config[256];    /* the xl config --then restart creates the domain from */
};

/* One line on stderr (err) or stdout (info), "xl-kdump: " first. */
void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int xlk_open(struct xlk *x);
void xlk_close(struct xlk *x);
/** xlk_domid() - a domain by name or number: its id, or -1 with a message. */
int xlk_domid(struct xlk *x, const char *name);
int xlk_dominfo(struct xlk *x, uint32_t d, xc_dominfo_t *di);
void xlk_uuid(const xc_dominfo_t *di, char out[40]);

/* Guest memory through foreign mappings; -1 with a message on failure. */
int gmem_read(struct xlk *x, uint32_t d, uint64_t gpa, void *buf, uint64_t len);
int gmem_write(struct xlk *x, uint32_t d, uint64_t gpa, const void *buf, uint64_t len);
int gmem_copy(struct xlk *x, uint32_t d, uint64_t dst, uint64_t src, uint64_t len);
int gmem_zero(struct xlk *x, uint32_t d, uint64_t gpa, uint64_t len);
/** gmem_find_page() - the first page in [start, + len) for which match() is true. */
int gmem_find_page(struct xlk *x, uint32_t d, uint64_t start, uint64_t len,
		   int (*match)(const uint8_t *page), uint64_t *found);
/** gmem_sha256() - SHA-256 of [gpa, + len) as 64 hex digits. */
int gmem_sha256(struct xlk *x, uint32_t d, uint64_t gpa, uint64_t len, char out[65]);
/** gmem_probe() - populated runs of pfns in [start, end): up to max ranges. */
int gmem_probe(struct xlk *x, uint32_t d, uint64_t start, uint64_t end, struct xlk_range *r,
	       unsigned int max);

/* State in xenstore, /local/domain/0/xl-kdump/DOMID/ (dom0 only). */
int state_save(struct xlk *x, uint32_t d, const struct xlk_state *s);
int state_load(struct xlk *x, uint32_t d, struct xlk_state *s);
int state_set(struct xlk *x, uint32_t d, const char *state);
void state_remove(struct xlk *x, uint32_t d);

int capture(struct xlk *x, uint32_t d, struct xlk_state *s);
int fetch(struct xlk *x, uint32_t d, struct xlk_state *s, const char *path);

#endif /* XLK_H */
