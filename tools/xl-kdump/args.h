/* SPDX-License-Identifier: GPL-2.0-only */
/* xl-kdump's command line: commands, options, sizes. */
#ifndef XLK_ARGS_H
#define XLK_ARGS_H

#include <stdint.h>

/* Exit codes (xl-kdump.8). */
#define XLK_OK	      0
#define XLK_ERROR     1
#define XLK_USAGE     2
#define XLK_NOT_ARMED 3

enum xlk_cmd {
	CMD_NONE,
	CMD_HELP,
	CMD_LOAD,
	CMD_UNLOAD,
	CMD_STATUS,
	CMD_WATCH,
	CMD_TRIGGER,
	CMD_CAPTURE,
	CMD_FETCH
};

/* What becomes of the domain once its capture kernel has finished. */
enum xlk_then {
	THEN_PRESERVE, /* left shut down, for the operator (the default) */
	THEN_DESTROY,  /* xl destroy */
	THEN_RESTART   /* xl destroy, xl create -p CONFIG, armed again, unpaused */
};

extern const char *const xlk_then_names[];

struct xlk_args {
	enum xlk_cmd cmd;
	const char *domain; /* name or numeric id; NULL for status/watch of all */
	const char *kernel, *initrd, *append;
	const char *dump_dir; /* watch: where fetched dumps go */
	const char *output;   /* fetch: the file (or device) to write */
	uint64_t mem;	      /* capture kernel's free RAM */
	uint64_t dump_area;   /* bytes the capture kernel may hand back to dom0 */
	uint64_t vmcoreinfo;  /* the guest's /sys/kernel/vmcoreinfo address, 0 = scan */
	uint64_t base;	      /* load: where staging starts, 0 = the default */
	enum xlk_then then;   /* load: after the capture */
	const char *config;   /* load: the domain's xl config, for --then restart */
	int foreground, once, then_given;
};

#define XLK_DEFAULT_MEM (128ull << 20)

/**
 * xlk_parse_args() - parse argv into a. Returns 0, or XLK_USAGE with a
 * message in err (errlen bytes).
 */
int xlk_parse_args(int argc, char **argv, struct xlk_args *a, char *err, unsigned int errlen);

/* The tool parsing: xl-kdump, or virt-kdump (no fetch, --config or --dump-dir). */
enum xlk_host { XLK_HOST_XEN, XLK_HOST_LIBVIRT };

int xlk_parse_args_for(enum xlk_host host, int argc, char **argv, struct xlk_args *a, char *err,
		       unsigned int errlen);

/** xlk_parse_size() - "<n>[K|M|G]" in bytes, decimal or 0x hex; -1 if malformed. */
int xlk_parse_size(const char *s, uint64_t *out);

extern const char xlk_usage[];

#endif /* XLK_ARGS_H */
