// SPDX-License-Identifier: GPL-2.0-only
/* xl-kdump's command line (args.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

const char xlk_usage[] =
	"usage: xl-kdump load DOMAIN --kernel FILE [--initrd FILE] [--append ARGS]\n"
	"                        [--mem SIZE] [--dump-area SIZE] [--vmcoreinfo ADDR]\n"
	"                        [--base ADDR]\n"
	"                        [--then preserve|destroy|restart [--config FILE]]\n"
	"       xl-kdump unload DOMAIN\n"
	"       xl-kdump status [DOMAIN]\n"
	"       xl-kdump watch [--foreground] [--once] [--dump-dir DIR]\n"
	"       xl-kdump capture DOMAIN\n"
	"       xl-kdump fetch DOMAIN FILE\n"
	"       xl-kdump trigger DOMAIN\n"
	"       xl-kdump --help\n"
	"Exit status: 0 done, 1 error, 2 usage, 3 the domain is not armed.\n";

const char *const xlk_then_names[] = { "preserve", "destroy", "restart" };

static int usage(char *err, unsigned int len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return XLK_USAGE;
}

int xlk_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	}
	if (*end || (shift && v > (~0ull >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static const struct {
	const char *name;
	enum xlk_cmd cmd;
	int needs_domain; /* 1 required, 0 optional, -1 none */
} cmds[] = {
	{ "load", CMD_LOAD, 1 },    { "unload", CMD_UNLOAD, 1 },   { "status", CMD_STATUS, 0 },
	{ "watch", CMD_WATCH, -1 }, { "trigger", CMD_TRIGGER, 1 }, { "capture", CMD_CAPTURE, 1 },
	{ "fetch", CMD_FETCH, 1 },
};

/* The value of an option: "--opt VALUE" or "--opt=VALUE". */
static const char *value(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int size_opt(const char *v, const char *opt, uint64_t *out, char *err, unsigned int len)
{
	if (xlk_parse_size(v, out))
		return usage(err, len, "%s: '%s' is not a size (a number with K, M or G)", opt, v);
	return 0;
}

static int option(int argc, char **argv, int *i, struct xlk_args *a, char *err, unsigned int len)
{
	const char *arg = argv[*i], *v;

	if (!strcmp(arg, "--foreground"))
		a->foreground = 1;
	else if (!strcmp(arg, "--once"))
		a->once = 1;
	else if ((v = value(argc, argv, i, "--kernel")))
		a->kernel = v;
	else if ((v = value(argc, argv, i, "--initrd")))
		a->initrd = v;
	else if ((v = value(argc, argv, i, "--append")))
		a->append = v;
	else if ((v = value(argc, argv, i, "--dump-dir")))
		a->dump_dir = v;
	else if ((v = value(argc, argv, i, "--mem")))
		return size_opt(v, "--mem", &a->mem, err, len);
	else if ((v = value(argc, argv, i, "--dump-area")))
		return size_opt(v, "--dump-area", &a->dump_area, err, len);
	else if ((v = value(argc, argv, i, "--vmcoreinfo")))
		return size_opt(v, "--vmcoreinfo", &a->vmcoreinfo, err, len);
	else if ((v = value(argc, argv, i, "--base")))
		return size_opt(v, "--base", &a->base, err, len);
	else if ((v = value(argc, argv, i, "--config")))
		a->config = v;
	else if ((v = value(argc, argv, i, "--then"))) {
		for (unsigned int t = 0; t <= THEN_RESTART; t++)
			if (!strcmp(v, xlk_then_names[t])) {
				a->then = (enum xlk_then)t;
				a->then_given = 1;
				return 0;
			}
		return usage(err, len, "--then: '%s' is not preserve, destroy or restart", v);
	} else
		return usage(err, len, "unknown option or missing value: %s", arg);
	return 0;
}

/* Which options make sense for which command. */
static int check(struct xlk_args *a, enum xlk_host host, char *err, unsigned int len)
{
	if (host == XLK_HOST_LIBVIRT &&
	    (a->cmd == CMD_FETCH || a->config || a->dump_dir || a->dump_area || a->vmcoreinfo))
		return usage(err, len,
			     "fetch, --config, --dump-dir, --dump-area and --vmcoreinfo are "
			     "xl-kdump's, not virt-kdump's");
	if (a->cmd == CMD_LOAD) {
		if (!a->kernel)
			return usage(err, len, "load: --kernel is required");
		if (a->mem < (32ull << 20))
			return usage(err, len, "load: --mem must be at least 32M");
		if (a->append && strlen(a->append) > 1500)
			return usage(err, len, "load: --append is longer than 1500 bytes");
		if (host == XLK_HOST_XEN && a->then == THEN_RESTART && !a->config)
			return usage(err, len,
				     "load: --then restart needs --config FILE (what xl create gets)");
		if (a->config && a->then != THEN_RESTART)
			return usage(err, len, "load: --config is for --then restart");
		if (a->config && a->config[0] != '/')
			return usage(err, len, "load: --config needs an absolute path, not '%s'",
				     a->config);
		if (a->base % (2ull << 20))
			return usage(err, len, "load: --base must be a multiple of 2 MiB");
	} else if (a->kernel || a->initrd || a->append || a->dump_area || a->vmcoreinfo ||
		   a->base || a->then_given || a->config) {
		return usage(err, len,
			     "--kernel, --initrd, --append, --dump-area, --vmcoreinfo, --base, "
			     "--then and --config belong to load");
	}
	if ((a->foreground || a->once || a->dump_dir) && a->cmd != CMD_WATCH)
		return usage(err, len, "--foreground, --once and --dump-dir belong to watch");
	if (a->cmd == CMD_FETCH && !a->output)
		return usage(err, len, "fetch: name the file to write");
	return 0;
}

int xlk_parse_args(int argc, char **argv, struct xlk_args *a, char *err, unsigned int errlen)
{
	return xlk_parse_args_for(XLK_HOST_XEN, argc, argv, a, err, errlen);
}

int xlk_parse_args_for(enum xlk_host host, int argc, char **argv, struct xlk_args *a, char *err,
		       unsigned int errlen)
{
	int i, positional = 0, need = -1;

	memset(a, 0, sizeof(*a));
	a->mem = XLK_DEFAULT_MEM;
	if (argc < 2)
		return usage(err, errlen, "no command given");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		a->cmd = CMD_HELP;
		return 0;
	}
	for (i = 0; i < (int)(sizeof(cmds) / sizeof(cmds[0])); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			a->cmd = cmds[i].cmd;
			need = cmds[i].needs_domain;
		}
	if (a->cmd == CMD_NONE)
		return usage(err, errlen, "unknown command '%s'", argv[1]);
	for (i = 2; i < argc; i++) {
		if (!strncmp(argv[i], "--", 2)) {
			int rc = option(argc, argv, &i, a, err, errlen);

			if (rc)
				return rc;
		} else if (positional == 0 && need >= 0) {
			a->domain = argv[i];
			positional++;
		} else if (positional == 1 && a->cmd == CMD_FETCH) {
			a->output = argv[i];
			positional++;
		} else {
			return usage(err, errlen, "%s: unexpected argument '%s'", argv[1], argv[i]);
		}
	}
	if (need == 1 && !a->domain)
		return usage(err, errlen, "%s: name the domain", argv[1]);
	return check(a, host, err, errlen);
}
