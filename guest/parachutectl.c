// SPDX-License-Identifier: GPL-2.0-only
/*
 * parachutectl: the parachute hv's capture kernel, from the guest, through
 * the guest module's /dev/parachute (include/parachute/ioctl.h,
 * docs/guest.md, guest/man/parachutectl.8).
 *
 *   parachutectl status    whether a crash now would be captured, and with what
 *   parachutectl load --kernel K [--initrd I] [--append ARGS]
 *                          replace the capture kernel
 *   parachutectl test ...  the same, checked by the hv without a change
 *   parachutectl unload    disarm capture
 *   parachutectl selftest  the hv's isolation, probed on this machine
 */
#define _GNU_SOURCE
#include "parachutectl.h"
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <parachute/ioctl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef PARACHUTE_VERSION
#define PARACHUTE_VERSION "unknown"
#endif

#define DEVICE "/dev/parachute"

static const char usage_text[] =
	"usage: parachutectl COMMAND [OPTIONS]\n"
	"Control the parachute hv's capture kernel from its guest, through " DEVICE ".\n"
	"\n"
	"commands:\n"
	"  status       whether a crash now would be captured, and with what kernel\n"
	"  show         status, then the configuration a capture uses\n"
	"  load [--kernel KERNEL [--initrd INITRD] [--append ARGS]]\n"
	"               replace the capture kernel, its initrd and its command line;\n"
	"               without arguments, those the running kernel's GRUB entry stages\n"
	"  test [--kernel KERNEL [--initrd INITRD] [--append ARGS]]\n"
	"               ask the hv whether it would take them; nothing changes\n"
	"  unload       drop the capture kernel: capture is disarmed\n"
	"  dma-faults   the DMA the hv's IOMMU blocked, newest last\n"
	"  history [--last]\n"
	"               what became of the captures since the machine booted (a\n"
	"               restart keeps them; a machine reset does not), or the newest\n"
	"  watchdog start [--timeout SECONDS]\n"
	"               the hv captures if the guest stops petting it for SECONDS\n"
	"               (default 30; the module pets it from a timer)\n"
	"  watchdog stop\n"
	"  seal-kexec [--unseal]\n"
	"               for stock kdump: seal the region kexec -p loaded against stray\n"
	"               writes and DMA (--unseal before kexec -p loads again)\n"
	"  capture-report done|failed [MESSAGE]\n"
	"               in the capture kernel: tell the hv the dump is saved, or that\n"
	"               it cannot be (the hv then applies its capture_failure= policy)\n"
	"  restart      in the capture kernel, the dump saved: boot the production\n"
	"               guest again without a machine reset (hv option restart=on);\n"
	"               exit 3 if the hv would not, and nothing happens\n"
	"  selftest     try what a hostile guest would on this machine (refused MSR,\n"
	"               XCR0 and CR values, INIT/SIPI to a CPU taken offline, seal\n"
	"               rounds): one line per probe; exit 1 if one failed\n"
	"\n"
	"options:\n"
	"  -h, --help   this summary\n"
	"  --version    parachutectl's version and the ABI it was built for\n"
	"\n"
	"exit status: 0 success (status: ready to capture), 1 error, 2 usage error,\n"
	"3 (status) not ready to capture, (restart) the hv would not restart.\n";

/* The problem, then the summary, on stderr: PC_EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "parachutectl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	return PC_EXIT_USAGE;
}

#define GO_ON (-1) /* the arguments are good: run the command */

/* CPUID leaf 0x40000000 names the hypervisor, to CPL 3 too. */
static bool on_parachute(void)
{
	unsigned int a, b, c, d;

	__cpuid(PARACHUTE_CPUID_LEAF, a, b, c, d);
	(void)a;
	return b == PARACHUTE_CPUID_EBX && c == PARACHUTE_CPUID_ECX && d == PARACHUTE_CPUID_EDX;
}

/* Why the device is missing: no hv at all, or no module. */
static const char *why_no_device(void)
{
	return on_parachute() ? PC_WHY_NO_MODULE : PC_WHY_NO_HV;
}

/* The device, or -1 with errno; ENOENT means no module (why_no_device()). */
static int open_device(int flags)
{
	return open(DEVICE, flags | O_CLOEXEC);
}

/* Why open_device() failed with err, into msg. */
static void open_error(char *msg, size_t size, int err)
{
	if (err == ENOENT || err == ENODEV || err == ENXIO)
		snprintf(msg, size, "%s", why_no_device());
	else
		snprintf(msg, size, "cannot open %s: %s", DEVICE, strerror(err));
}

static int cmd_status(void)
{
	struct parachute_capture_info ci;
	struct parachute_status st;
	bool have_ci = true;
	int fd, ret;

	fd = open_device(O_RDONLY);
	if (fd < 0 && (errno == ENOENT || errno == ENODEV || errno == ENXIO))
		return pc_print_not_ready(stdout, why_no_device());
	if (fd < 0) {
		fprintf(stderr, "parachutectl: cannot open %s: %s\n", DEVICE, strerror(errno));
		return PC_EXIT_ERROR;
	}
	memset(&st, 0, sizeof(st));
	memset(&ci, 0, sizeof(ci));
	if (ioctl(fd, PARACHUTE_IOC_STATUS, &st) < 0) {
		fprintf(stderr, "parachutectl: %s: status: %s\n", DEVICE, strerror(errno));
		close(fd);
		return PC_EXIT_ERROR;
	}
	if (ioctl(fd, PARACHUTE_IOC_CAPTURE_INFO, &ci) < 0) {
		if (errno != EOPNOTSUPP && errno != ENOTTY) {
			fprintf(stderr, "parachutectl: %s: capture info: %s\n", DEVICE,
				strerror(errno));
			close(fd);
			return PC_EXIT_ERROR;
		}
		have_ci = false;
	}
	close(fd);
	ret = pc_print_status(stdout, &st, have_ci ? &ci : NULL);
	return fflush(stdout) ? PC_EXIT_ERROR : ret;
}

/* A whole file in memory (pipes too), its length in *size; NULL with errno set. */
static void *read_file(const char *path, uint64_t *size)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = NULL;
	struct stat sb;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0) {
		err = errno;
		goto out;
	}
	if (S_ISDIR(sb.st_mode)) {
		err = EISDIR;
		goto out;
	}
	if (S_ISREG(sb.st_mode))
		cap = (size_t)sb.st_size + 1; /* + 1: the end seen without growing */
	for (;;) {
		ssize_t n;

		if (!buf || len == cap) {
			size_t want = buf ? cap * 2 : cap;
			char *bigger = realloc(buf, want);

			if (!bigger) {
				err = ENOMEM;
				break;
			}
			buf = bigger;
			cap = want;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = errno;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
out:
	close(fd);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	*size = len;
	return buf;
}

struct load_args {
	const char *kernel;
	const char *initrd;
	const char *append;
};

/*
 * The settings update-grub reads (/etc/default/grub, the .cfg files in /etc/default/grub.d,
 * /etc/default/parachute, under $PARACHUTE_ROOT if set), read by sh as it
 * reads them: KEY=VALUE lines into buf, one per key asked for, and what the
 * running kernel's "with parachute" entry stages (CAPTURE_KERNEL,
 * CAPTURE_INITRD, CAPTURE_CMDLINE, as guest/grub.d/20_linux_parachute
 * writes them). 0, or -1 with a message.
 */
#define CONFIG_KEYS                                                                          \
	"KDUMP_COREDIR MAKEDUMP_ARGS KDUMP_NUM_DUMPS DUMP_DEVICE DUMP_DEVICE_RAW "           \
	"KDUMP_FAIL_CMD KDUMP_SYSCTL PARACHUTE_HV_OPTIONS PARACHUTE_CAPTURE_CPUS "           \
	"PARACHUTE_CAPTURE_LEND PARACHUTE_MAKEDUMP_THREADS CAPTURE_KERNEL CAPTURE_INITRD "   \
	"CAPTURE_CMDLINE"

static const char config_script[] =
	"r=${PARACHUTE_ROOT:-}; v=$1\n"
	"GRUB_CMDLINE_LINUX=; KDUMP_KERNEL=; KDUMP_CMDLINE_APPEND='reset_devices irqpoll'\n"
	"PARACHUTE_CAPTURE_CPUS=; KDUMP_COREDIR=/var/crash; MAKEDUMP_ARGS='-l -d 31'\n"
	"KDUMP_NUM_DUMPS=0; DUMP_DEVICE_RAW=0; PARACHUTE_MAKEDUMP_THREADS=0\n"
	"[ -f \"$r/etc/default/grub\" ] && . \"$r/etc/default/grub\"\n"
	"for f in \"$r\"/etc/default/grub.d/*.cfg; do [ -f \"$f\" ] && . \"$f\"; done\n"
	"[ -f \"$r/etc/default/parachute\" ] && . \"$r/etc/default/parachute\"\n"
	"k=${KDUMP_KERNEL:-vmlinuz-$v}; CAPTURE_KERNEL=$r/boot/${k##*/}\n"
	"CAPTURE_INITRD=$r/boot/parachute/capture-$v.img\n"
	"CAPTURE_CMDLINE=\n"
	"for w in $GRUB_CMDLINE_LINUX $KDUMP_CMDLINE_APPEND; do\n"
	"  case $w in crashkernel=*) ;; *) CAPTURE_CMDLINE=\"${CAPTURE_CMDLINE:+$CAPTURE_CMDLINE }$w\" ;; esac\n"
	"done\n"
	"case $PARACHUTE_CAPTURE_CPUS in ''|*[!0-9]*|0) ;;\n"
	"  *) CAPTURE_CMDLINE=\"$CAPTURE_CMDLINE nr_cpus=$PARACHUTE_CAPTURE_CPUS\" ;; esac\n"
	"for k in " CONFIG_KEYS "; do eval \"printf '%s=%s\\\\n' \\$k \\\"\\$$k\\\"\"; done\n";

static int read_config(char *buf, size_t size)
{
	struct utsname u;
	size_t len = 0;
	FILE *p;
	char cmd[sizeof(config_script) + 600];

	if (uname(&u) < 0)
		return -1;
	/* The script as one sh -c argument: single quotes closed and reopened around its own. */
	len = (size_t)snprintf(cmd, sizeof(cmd), "sh -c '");
	for (const char *c = config_script; *c && len + 8 < sizeof(cmd); c++)
		len += (size_t)(*c == '\'' ? snprintf(cmd + len, sizeof(cmd) - len, "'\\''")
					   : snprintf(cmd + len, sizeof(cmd) - len, "%c", *c));
	snprintf(cmd + len, sizeof(cmd) - len, "' sh '%s'", u.release);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	len = fread(buf, 1, size - 1, p);
	buf[len] = 0;
	return pclose(p) == 0 && len ? 0 : -1;
}

/* The value of key in read_config()'s output, or "" (pointer into a static copy). */
static const char *config_value(const char *buf, const char *key)
{
	static char out[PARACHUTE_LOAD_CMDLINE_MAX];
	size_t n = strlen(key);

	for (const char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, n) && l[n] == '=') {
			size_t m = strcspn(l + n + 1, "\n");

			m = m < sizeof(out) - 1 ? m : sizeof(out) - 1;
			memcpy(out, l + n + 1, m);
			out[m] = 0;
			return out;
		}
	return "";
}

/* load and test without arguments: what the running kernel's parachute entry stages. */
static int config_load_args(const char *verb, struct load_args *a)
{
	static char buf[8192], kernel[4096], initrd[4096], append[PARACHUTE_LOAD_CMDLINE_MAX];

	if (read_config(buf, sizeof(buf))) {
		fprintf(stderr, "parachutectl: %s: cannot read the configuration (/etc/default/parachute)\n",
			verb);
		return PC_EXIT_ERROR;
	}
	snprintf(kernel, sizeof(kernel), "%s", config_value(buf, "CAPTURE_KERNEL"));
	snprintf(initrd, sizeof(initrd), "%s", config_value(buf, "CAPTURE_INITRD"));
	snprintf(append, sizeof(append), "%s", config_value(buf, "CAPTURE_CMDLINE"));
	a->kernel = kernel;
	a->initrd = initrd;
	a->append = append;
	printf("parachutectl: %s from the configuration: kernel %s, initrd %s, command line \"%s\"\n",
	       verb, kernel, initrd, append);
	return GO_ON;
}

/* GO_ON, or the exit status for --help or a usage error. */
static int parse_load_args(int argc, char **argv, struct load_args *a)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			a->kernel = optarg;
			break;
		case 'i':
			a->initrd = optarg;
			break;
		case 'a':
			a->append = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return PC_EXIT_OK;
		case ':':
			return usage_error("%s: %s needs an argument", argv[0], argv[optind - 1]);
		default:
			return usage_error("%s: unknown option %s", argv[0], argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("%s: unexpected argument %s", argv[0], argv[optind]);
	if (!a->kernel && (a->initrd || a->append))
		return usage_error("%s needs --kernel", argv[0]);
	if (!a->kernel)
		return config_load_args(argv[0], a);
	return GO_ON;
}

/* load and test: the files read, one PARACHUTE_IOC_LOAD, the answer explained. */
static int cmd_load(int argc, char **argv, bool check)
{
	struct parachute_ioc_load ld = { 0 };
	struct load_args a = { 0 };
	struct parachute_capture_info ci;
	struct pc_load_req req = { 0 };
	void *kernel, *initrd = NULL;
	const char *cmdline;
	char msg[512], release[128];
	bool have_ci;
	int fd, ret, err;

	ret = parse_load_args(argc, argv, &a);
	if (ret != GO_ON)
		return ret;
	cmdline = a.append ? a.append : "";
	req.kernel_path = a.kernel;
	req.cmdline_len = strlen(cmdline);

	kernel = read_file(a.kernel, &req.kernel_size);
	if (!kernel) {
		fprintf(stderr, "parachutectl: cannot read %s: %s\n", a.kernel, strerror(errno));
		return PC_EXIT_ERROR;
	}
	if (!req.kernel_size) {
		fprintf(stderr, "parachutectl: %s is empty\n", a.kernel);
		ret = PC_EXIT_ERROR;
		goto out;
	}
	if (a.initrd) {
		initrd = read_file(a.initrd, &req.initrd_size);
		if (!initrd) {
			fprintf(stderr, "parachutectl: cannot read %s: %s\n", a.initrd,
				strerror(errno));
			ret = PC_EXIT_ERROR;
			goto out;
		}
	}
	if (req.cmdline_len + 1 > PARACHUTE_LOAD_CMDLINE_MAX) {
		snprintf(msg, sizeof(msg),
			 "the command line (%zu bytes) is longer than the hv takes (%d bytes)",
			 req.cmdline_len, PARACHUTE_LOAD_CMDLINE_MAX - 1);
		ret = PC_EXIT_ERROR;
		goto report;
	}

	fd = open_device(O_RDWR);
	if (fd < 0) {
		open_error(msg, sizeof(msg), errno);
		ret = PC_EXIT_ERROR;
		goto report;
	}
	ld.kernel_ptr = (uintptr_t)kernel;
	ld.kernel_size = req.kernel_size;
	ld.initrd_ptr = (uintptr_t)initrd;
	ld.initrd_size = req.initrd_size;
	ld.cmdline_ptr = (uintptr_t)cmdline;
	ld.cmdline_size = req.cmdline_len + 1;
	ld.flags = check ? PARACHUTE_LOAD_CHECK_ONLY : 0;
	ret = ioctl(fd, PARACHUTE_IOC_LOAD, &ld) < 0 ? PC_EXIT_ERROR : PC_EXIT_OK;
	err = errno;
	/* After the load: its generation, or the room there is for the message. */
	have_ci = ioctl(fd, PARACHUTE_IOC_CAPTURE_INFO, &ci) == 0;
	close(fd);
	if (ret == PC_EXIT_ERROR) {
		pc_load_error(msg, sizeof(msg), err, &req, have_ci ? &ci : NULL);
		goto report;
	}
	if (!check) {
		if (have_ci)
			printf("parachute: capture kernel %s loaded (generation %" PRIu32 ")\n",
			       a.kernel, ci.generation);
		else
			printf("parachute: capture kernel %s loaded\n", a.kernel);
	} else {
		char need[32], room[32];

		if (!pc_bzimage_release(kernel, req.kernel_size, release, sizeof(release)))
			snprintf(release, sizeof(release), "unknown");
		pc_mib(need, sizeof(need), pc_load_need(&req), true);
		printf("parachute: %s would load: version %s, %s %s", a.kernel, release,
		       a.initrd ? "kernel and initrd take" : "the kernel takes", need);
		if (have_ci) {
			pc_mib(room, sizeof(room), ci.region_free, false);
			printf(", %s free", room);
		}
		printf("\n");
	}
	if (fflush(stdout))
		ret = PC_EXIT_ERROR;
	goto out;
report:
	if (check)
		fprintf(stderr, "parachute: %s would not load: %s\n", a.kernel, msg);
	else
		fprintf(stderr, "parachute: cannot load %s: %s\n", a.kernel, msg);
out:
	free(kernel);
	free(initrd);
	return ret;
}

static int cmd_unload(void)
{
	char msg[256];
	int fd, err;

	fd = open_device(O_RDWR);
	if (fd < 0) {
		open_error(msg, sizeof(msg), errno);
		fprintf(stderr, "parachute: cannot unload: %s\n", msg);
		return PC_EXIT_ERROR;
	}
	if (ioctl(fd, PARACHUTE_IOC_UNLOAD) < 0) {
		err = errno;
		close(fd);
		pc_load_error(msg, sizeof(msg), err, NULL, NULL);
		fprintf(stderr, "parachute: cannot unload: %s\n", msg);
		return PC_EXIT_ERROR;
	}
	close(fd);
	printf("parachute: capture kernel unloaded: capture disarmed\n");
	return fflush(stdout) ? PC_EXIT_ERROR : PC_EXIT_OK;
}

/* selftest: the isolation probes safe on this machine (docs/security.md), as the module reports them. */
static int cmd_selftest(void)
{
	static char text[16384];
	struct parachute_ioc_selftest req = { .text_ptr = (uintptr_t)text,
					      .text_size = sizeof(text) };
	char msg[256];
	int fd, err;

	fd = open_device(O_RDWR);
	if (fd < 0) {
		open_error(msg, sizeof(msg), errno);
		fprintf(stderr, "parachute: cannot run the selftest: %s\n", msg);
		return PC_EXIT_ERROR;
	}
	if (ioctl(fd, PARACHUTE_IOC_SELFTEST, &req) < 0) {
		err = errno;
		close(fd);
		fprintf(stderr, "parachute: cannot run the selftest: %s\n",
			err == EOPNOTSUPP || err == ENOTTY ?
				"the hv or the module predates it (ABI 1.5)" :
			err == EPERM ? "CAP_SYS_ADMIN is needed" :
				       strerror(err));
		return PC_EXIT_ERROR;
	}
	close(fd);
	text[sizeof(text) - 1] = '\0';
	fputs(text, stdout);
	if (req.failed)
		fprintf(stderr, "parachute: %u of %u isolation probes FAILED on this machine: see docs/security.md\n",
			req.failed, req.probes);
	if (fflush(stdout))
		return PC_EXIT_ERROR;
	return req.failed || !req.probes ? PC_EXIT_ERROR : PC_EXIT_OK;
}

/*
 * STATUS, then the read-only ioctl req into buf: what dma-faults and history
 * print. On failure, "parachute: cannot read WHAT: why" and PC_EXIT_ERROR;
 * since is the ABI that brought req, for an hv or module older than it.
 */
static int read_with_status(struct parachute_status *st, unsigned long req, void *buf,
			    const char *what, const char *since)
{
	char msg[256];
	int fd, err;

	fd = open_device(O_RDONLY);
	if (fd < 0) {
		open_error(msg, sizeof(msg), errno);
		fprintf(stderr, "parachute: cannot read %s: %s\n", what, msg);
		return PC_EXIT_ERROR;
	}
	if (ioctl(fd, PARACHUTE_IOC_STATUS, st) < 0 || ioctl(fd, req, buf) < 0) {
		err = errno;
		close(fd);
		if (err == EOPNOTSUPP)
			snprintf(msg, sizeof(msg), "the hv or the module predates it (ABI %s)", since);
		else
			pc_load_error(msg, sizeof(msg), err, NULL, NULL);
		fprintf(stderr, "parachute: cannot read %s: %s\n", what, msg);
		return PC_EXIT_ERROR;
	}
	close(fd);
	return PC_EXIT_OK;
}

static int cmd_dma_faults(void)
{
	static struct parachute_dma_faults df;
	struct parachute_status st;

	if (read_with_status(&st, PARACHUTE_IOC_DMA_FAULTS, &df, "the DMA faults", "1.2"))
		return PC_EXIT_ERROR;
	pc_print_dma_faults(stdout, &st, &df);
	return fflush(stdout) ? PC_EXIT_ERROR : PC_EXIT_OK;
}

static int no_options(int argc, char **argv);

static int cmd_history(int argc, char **argv)
{
	static struct parachute_history h;
	struct parachute_status st;
	struct timespec now;
	bool last = false;

	if (argc == 2 && !strcmp(argv[1], "--last")) {
		last = true;
	} else {
		int ret = no_options(argc, argv);

		if (ret != GO_ON)
			return ret;
	}
	if (read_with_status(&st, PARACHUTE_IOC_HISTORY, &h, "the capture history", "1.6"))
		return PC_EXIT_ERROR;
	clock_gettime(CLOCK_REALTIME, &now);
	pc_print_history(stdout, &st, &h, (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, last);
	return fflush(stdout) ? PC_EXIT_ERROR : PC_EXIT_OK;
}

/* show: status, then the settings a capture uses (kdump-config show). */
static int cmd_show(void)
{
	static char buf[8192];
	static const char *const keys[] = { "KDUMP_COREDIR", "MAKEDUMP_ARGS", "KDUMP_NUM_DUMPS",
					    "DUMP_DEVICE", "DUMP_DEVICE_RAW", "KDUMP_FAIL_CMD",
					    "KDUMP_SYSCTL", "PARACHUTE_HV_OPTIONS",
					    "PARACHUTE_CAPTURE_CPUS", "PARACHUTE_CAPTURE_LEND",
					    "PARACHUTE_MAKEDUMP_THREADS" };
	int ret = cmd_status();
	struct stat sb;

	if (ret == PC_EXIT_ERROR)
		return ret;
	if (read_config(buf, sizeof(buf))) {
		fprintf(stderr, "parachutectl: cannot read the configuration (/etc/default/parachute)\n");
		return PC_EXIT_ERROR;
	}
	printf("configuration (/etc/default/parachute):\n");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		printf("  %s=\"%s\"\n", keys[i], config_value(buf, keys[i]));
	printf("dump target: %s\n", *config_value(buf, "DUMP_DEVICE") ?
	       config_value(buf, "DUMP_DEVICE") : "the root filesystem (found by its UUID)");
	printf("the running kernel's parachute entry stages:\n");
	printf("  kernel %s%s\n", config_value(buf, "CAPTURE_KERNEL"),
	       stat(config_value(buf, "CAPTURE_KERNEL"), &sb) ? " (missing)" : "");
	printf("  initramfs %s%s\n", config_value(buf, "CAPTURE_INITRD"),
	       stat(config_value(buf, "CAPTURE_INITRD"), &sb) ? " (missing: run parachute-mkinitrd)" : "");
	printf("  command line \"%s\"\n", config_value(buf, "CAPTURE_CMDLINE"));
	return fflush(stdout) ? PC_EXIT_ERROR : ret;
}

static int cmd_watchdog(int argc, char **argv)
{
	unsigned long secs = 30;
	char msg[256], *end;
	uint32_t ms;
	int fd, err;
	bool start;

	if (argc < 2)
		return usage_error("watchdog: start or stop?");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_text, stdout);
		return PC_EXIT_OK;
	}
	start = !strcmp(argv[1], "start");
	if (!start && strcmp(argv[1], "stop"))
		return usage_error("watchdog: %s is neither start nor stop", argv[1]);
	if (start && argc == 4 && !strcmp(argv[2], "--timeout")) {
		errno = 0;
		secs = strtoul(argv[3], &end, 10);
		if (errno || end == argv[3] || *end || secs < PARACHUTE_WATCHDOG_MIN_MS / 1000 ||
		    secs > PARACHUTE_WATCHDOG_MAX_MS / 1000)
			return usage_error("watchdog: --timeout %s: seconds from %d to %d", argv[3],
					   PARACHUTE_WATCHDOG_MIN_MS / 1000,
					   PARACHUTE_WATCHDOG_MAX_MS / 1000);
	} else if (argc != 2) {
		return usage_error("watchdog %s: unexpected argument %s", argv[1], argv[2]);
	}
	ms = start ? (uint32_t)(secs * 1000) : 0;
	fd = open_device(O_RDWR);
	if (fd < 0) {
		open_error(msg, sizeof(msg), errno);
		fprintf(stderr, "parachute: cannot %s the watchdog: %s\n", argv[1], msg);
		return PC_EXIT_ERROR;
	}
	if (ioctl(fd, PARACHUTE_IOC_WATCHDOG, &ms) < 0) {
		err = errno;
		close(fd);
		if (err == EPERM)
			snprintf(msg, sizeof(msg), "the hv refuses it (hv option watchdog=off), or "
						   "CAP_SYS_BOOT is needed");
		else
			pc_load_error(msg, sizeof(msg), err, NULL, NULL);
		fprintf(stderr, "parachute: cannot %s the watchdog: %s\n", argv[1], msg);
		return PC_EXIT_ERROR;
	}
	close(fd);
	if (start)
		printf("parachute: watchdog started: a capture if the guest stops petting it for %lu s\n",
		       secs);
	else
		printf("parachute: watchdog stopped\n");
	return fflush(stdout) ? PC_EXIT_ERROR : PC_EXIT_OK;
}

static int cmd_seal_kexec(int argc, char **argv)
{
	uint32_t flags = 0;
	char msg[256];
	int fd, err;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return PC_EXIT_OK;
	}
	if (argc == 2 && !strcmp(argv[1], "--unseal"))
		flags = PARACHUTE_SEAL_UNSEAL;
	else if (argc != 1)
		return usage_error("seal-kexec: unexpected argument %s", argv[1]);
	fd = open_device(O_RDWR);
	if (fd < 0) {
		open_error(msg, sizeof(msg), errno);
		fprintf(stderr, "parachute: cannot %s the kexec region: %s\n",
			flags ? "unseal" : "seal", msg);
		return PC_EXIT_ERROR;
	}
	if (ioctl(fd, PARACHUTE_IOC_SEAL_KEXEC, &flags) < 0) {
		err = errno;
		close(fd);
		if (err == ENOENT)
			snprintf(msg, sizeof(msg), "no crashkernel region loaded by kexec -p");
		else if (err == EINVAL && !flags)
			snprintf(msg, sizeof(msg), "the hv refused the region (see its log); "
						   "is another one sealed?");
		else if (err == EBUSY)
			snprintf(msg, sizeof(msg), "a capture is running, or kdump already took over");
		else
			pc_load_error(msg, sizeof(msg), err, NULL, NULL);
		fprintf(stderr, "parachute: cannot %s the kexec region: %s\n",
			flags ? "unseal" : "seal", msg);
		return PC_EXIT_ERROR;
	}
	close(fd);
	printf(flags ? "parachute: kexec region unsealed\n" :
		       "parachute: kexec region sealed: read-only to the guest and its devices "
		       "until the crash path jumps into it\n");
	return fflush(stdout) ? PC_EXIT_ERROR : PC_EXIT_OK;
}

static int cmd_capture_report(int argc, char **argv)
{
	struct parachute_ioc_report r = { 0 };
	char msg[256];
	int fd, err;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return PC_EXIT_OK;
	}
	if (argc < 2)
		return usage_error("capture-report: done or failed?");
	if (argc > 3)
		return usage_error("capture-report: unexpected argument %s (quote the message)",
				   argv[3]);
	if (!strcmp(argv[1], "done"))
		r.stage = PARACHUTE_REPORT_DONE;
	else if (!strcmp(argv[1], "failed"))
		r.stage = PARACHUTE_REPORT_FAILED;
	else
		return usage_error("capture-report: %s is neither done nor failed", argv[1]);
	if (argc == 3) {
		/* The hv keeps PARACHUTE_REPORT_MAX bytes of it; the rest is cut. */
		r.len = (uint32_t)strnlen(argv[2], sizeof(r.msg));
		memcpy(r.msg, argv[2], r.len);
	}
	fd = open_device(O_RDWR);
	if (fd < 0) {
		open_error(msg, sizeof(msg), errno);
		fprintf(stderr, "parachute: cannot report to the hv: %s\n", msg);
		return PC_EXIT_ERROR;
	}
	/* failed: the hv reboots or halts the machine; a return is an error. */
	if (ioctl(fd, PARACHUTE_IOC_CAPTURE_REPORT, &r) < 0) {
		err = errno;
		close(fd);
		if (err == EPERM)
			snprintf(msg, sizeof(msg), "this is not the capture kernel the hv started, "
						   "or CAP_SYS_BOOT is needed");
		else if (err == EOPNOTSUPP)
			snprintf(msg, sizeof(msg), "the hv predates capture reports (ABI 1.3)");
		else
			pc_load_error(msg, sizeof(msg), err, NULL, NULL);
		fprintf(stderr, "parachute: cannot report to the hv: %s\n", msg);
		return PC_EXIT_ERROR;
	}
	close(fd);
	printf("parachute: reported to the hv: capture %s\n", argv[1]);
	return fflush(stdout) ? PC_EXIT_ERROR : PC_EXIT_OK;
}

/* Returns only when the restart cannot begin; the module reboots the capture kernel. */
static int cmd_restart(void)
{
	char msg[256];
	int fd, err;

	fd = open_device(O_RDWR);
	if (fd < 0) {
		open_error(msg, sizeof(msg), errno);
		fprintf(stderr, "parachute: cannot restart: %s\n", msg);
		return PC_EXIT_ERROR;
	}
	fflush(stdout);
	ioctl(fd, PARACHUTE_IOC_RESTART);
	err = errno;
	close(fd);
	if (err == EACCES) {
		fprintf(stderr, "parachute: the hv would not restart the guest (hv option restart=off, "
				"or the armed capture kernel was not kept); reset the machine\n");
		return PC_EXIT_NOT_READY;
	}
	if (err == EPERM)
		snprintf(msg, sizeof(msg), "this is not the capture kernel the hv started, "
					   "or CAP_SYS_BOOT is needed");
	else if (err == EOPNOTSUPP)
		snprintf(msg, sizeof(msg), "the hv predates restarts (ABI 1.4)");
	else
		snprintf(msg, sizeof(msg), "%s", strerror(err));
	fprintf(stderr, "parachute: cannot restart: %s\n", msg);
	return PC_EXIT_ERROR;
}

/* status and unload take no options but --help: GO_ON, or the exit status. */
static int no_options(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return PC_EXIT_OK;
	}
	if (argc > 1)
		return usage_error("%s: %s %s", argv[0],
				   argv[1][0] == '-' ? "unknown option" : "unexpected argument",
				   argv[1]);
	return GO_ON;
}

int main(int argc, char **argv)
{
	const char *cmd;
	int ret;

	if (argc < 2)
		return usage_error("a command is needed");
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		fputs(usage_text, stdout);
		return PC_EXIT_OK;
	}
	if (!strcmp(cmd, "--version")) {
		printf("parachutectl %s (parachute ABI %d.%d)\n", PARACHUTE_VERSION,
		       PARACHUTE_ABI_MAJOR, PARACHUTE_ABI_MINOR);
		return PC_EXIT_OK;
	}
	if (!strcmp(cmd, "watchdog"))
		return cmd_watchdog(argc - 1, argv + 1);
	if (!strcmp(cmd, "history"))
		return cmd_history(argc - 1, argv + 1);
	if (!strcmp(cmd, "seal-kexec"))
		return cmd_seal_kexec(argc - 1, argv + 1);
	if (!strcmp(cmd, "capture-report"))
		return cmd_capture_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "load") || !strcmp(cmd, "test"))
		return cmd_load(argc - 1, argv + 1, !strcmp(cmd, "test"));
	if (!strcmp(cmd, "status") || !strcmp(cmd, "unload") || !strcmp(cmd, "dma-faults") ||
	    !strcmp(cmd, "restart") || !strcmp(cmd, "selftest") || !strcmp(cmd, "show")) {
		ret = no_options(argc - 1, argv + 1);
		if (ret != GO_ON)
			return ret;
		if (!strcmp(cmd, "show"))
			return cmd_show();
		if (!strcmp(cmd, "dma-faults"))
			return cmd_dma_faults();
		if (!strcmp(cmd, "selftest"))
			return cmd_selftest();
		if (!strcmp(cmd, "restart"))
			return cmd_restart();
		return !strcmp(cmd, "status") ? cmd_status() : cmd_unload();
	}
	return usage_error("%s %s", cmd[0] == '-' ? "unknown option" : "unknown command", cmd);
}
