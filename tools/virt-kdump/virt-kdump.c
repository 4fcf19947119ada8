// SPDX-License-Identifier: GPL-2.0-only
/*
 * virt-kdump: kdump for QEMU/KVM guests, armed from the host through libvirt
 * (virt-kdump.8, docs/kvm.md). Nothing is reserved in the guest: the capture
 * kernel waits in a host file that becomes guest memory only when the guest
 * has crashed (<on_crash>preserve</on_crash>), and boots in the guest's own
 * memory to save the vmcore with the guest's own tools.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virt-kdump.h"

#define DEFAULT_DIR "/var/lib/virt-kdump"

static const char usage_text[] =
	"usage: virt-kdump COMMAND [DOMAIN] [OPTIONS]\n"
	"  load DOMAIN --kernel FILE [--initrd FILE] [--append ARGS] [--mem SIZE]\n"
	"       [--base ADDR] [--then preserve|destroy|restart]\n"
	"                     arm a running domain (<on_crash>preserve</on_crash>, <maxMemory>)\n"
	"  unload DOMAIN      disarm it and remove its staged file\n"
	"  status [DOMAIN]    what is armed, and in what state\n"
	"  trigger DOMAIN     pause a hung domain and capture it now\n"
	"  capture DOMAIN     capture a crashed armed domain (what watch does)\n"
	"  watch [--foreground] [--once]\n"
	"                     capture armed domains as they crash, then do what --then says\n"
	"Environment: LIBVIRT_DEFAULT_URI (default qemu:///system), VIRT_KDUMP_DIR\n"
	"(default " DEFAULT_DIR ").\n"
	"Exit status: 0 done, 1 failed, 2 usage, 3 not armed.\n";

static const char *uri(void)
{
	const char *u = getenv("LIBVIRT_DEFAULT_URI");

	return u && *u ? u : "qemu:///system";
}

static int open_domain(struct vk *v, const char *name)
{
	return vk_connect(v, uri()) || vk_domain(v, name) ? -1 : 0;
}

static void print_state(const struct vk_state *s)
{
	printf("%s: %s\n", s->name, s->state);
	printf("  uuid %s\n", s->uuid);
	printf("  kernel %s\n  initrd %s\n  append %s\n", s->kernel, s->initrd, s->append);
	printf("  staged 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " MiB), capture kernel RAM %" PRIu64
	       " MiB\n",
	       s->l.info, s->l.info + s->dimm_size, s->dimm_size >> 20, s->l.work_size >> 20);
	printf("  vmcoreinfo 0x%" PRIx64 "\n  sha256 %s\n  then %s\n", s->vmcoreinfo, s->sha256,
	       s->then);
}

/* fn(name, ctx) for each domain with a state file in dir. */
static void each_state(const char *dir, void (*fn)(const char *name, void *ctx), void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char name[64];

		if (len <= 6 || strcmp(e->d_name + len - 6, ".state") || len - 6 >= sizeof(name))
			continue;
		memcpy(name, e->d_name, len - 6);
		name[len - 6] = 0;
		fn(name, ctx);
	}
	if (d)
		closedir(d);
}

struct listing {
	const char *dir;
	int n;
};

static void print_one(const char *name, void *ctx)
{
	struct listing *l = ctx;
	struct vk v = { .dir = l->dir };
	struct vk_state s;

	strcpy(v.name, name);
	if (!vk_state_load(&v, &s)) {
		print_state(&s);
		l->n++;
	}
}

static int status_all(const char *dir)
{
	struct listing l = { dir, 0 };

	each_state(dir, print_one, &l);
	if (!l.n)
		printf("no domain is armed\n");
	return l.n ? XLK_OK : XLK_NOT_ARMED;
}

static int status_one(struct vk *v)
{
	struct vk_state s;

	if (vk_state_load(v, &s))
		return XLK_NOT_ARMED;
	print_state(&s);
	return XLK_OK;
}

static int unload(struct vk *v)
{
	struct vk_state s;
	char path[512];

	if (vk_state_load(v, &s))
		return XLK_NOT_ARMED;
	if (!strcmp(s.state, "capturing") || !strcmp(s.state, "handed-over")) {
		err("domain %s is being captured: unload it once the capture kernel is done",
		    v->name);
		return XLK_ERROR;
	}
	vk_remove_files(v);
	vk_path(v, "state", path, sizeof(path));
	if (unlink(path)) {
		err("cannot remove %s: %s", path, strerror(errno));
		return XLK_ERROR;
	}
	info("domain %s unloaded", v->name);
	return XLK_OK;
}

static int trigger(struct vk *v)
{
	struct vk_state s;

	int state, reason;

	if (vk_state_load(v, &s))
		return XLK_NOT_ARMED;
	if (!virDomainGetState(v->dom, &state, &reason, 0) && state == VIR_DOMAIN_PAUSED) {
		info("domain %s was paused already", v->name);
	} else if (virDomainSuspend(v->dom) < 0) {
		err("domain %s: cannot pause it", v->name);
		return XLK_ERROR;
	} else {
		info("domain %s paused by trigger", v->name);
	}
	return vk_capture(v, 1) ? XLK_ERROR : XLK_OK;
}

/*
 * A domain whose capture kernel is done no longer runs: destroyed, or (keep)
 * paused where it is. libvirt may be ending it already (on_reboot or
 * on_poweroff destroy): a call that fails on a domain that has just gone is
 * no failure.
 */
static int stop_domain(struct vk *v, int keep)
{
	int state, reason;

	if (virDomainIsActive(v->dom) != 1)
		return 0;
	if (keep && !virDomainGetState(v->dom, &state, &reason, 0) && state == VIR_DOMAIN_PAUSED)
		return 0;
	if ((keep ? virDomainSuspend(v->dom) : virDomainDestroy(v->dom)) == 0)
		return 0;
	for (int i = 0; i < 50 && virDomainIsActive(v->dom) == 1; i++)
		usleep(100000);
	if (virDomainIsActive(v->dom) != 1)
		return 0;
	err("domain %s: cannot %s it", v->name, keep ? "pause" : "destroy");
	return -1;
}

/*
 * What --then asked, once the capture kernel is done: it powered off or
 * rebooted. A reboot in place (<on_reboot>restart</on_reboot>) would boot
 * the guest again with the staged memory still plugged, so preserve pauses
 * a domain that still runs, for the operator.
 */
static int finish(struct vk *v, struct vk_state *s)
{
	struct xlk_args a = { .cmd = CMD_LOAD, .kernel = s->kernel, .mem = s->mem };

	vk_state_set(v, s, "captured");
	info("domain %s: capture kernel done; then %s", v->name, s->then);
	if (stop_domain(v, !strcmp(s->then, "preserve")))
		return -1;
	if (strcmp(s->then, "restart"))
		return 0;
	if (virDomainCreate(v->dom) < 0) {
		err("domain %s: cannot start it again", v->name);
		return -1;
	}
	a.initrd = s->initrd[0] ? s->initrd : NULL;
	a.append = s->append;
	a.then = THEN_RESTART;
	return vk_load(v, &a);
}

/* One domain's event, handled outside libvirt's callback. */
static struct {
	char name[64];
	int event;
} queue[64];
static unsigned int queued;
static volatile sig_atomic_t stop;

static int lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
	(void)c, (void)detail, (void)opaque;
	if (queued < sizeof(queue) / sizeof(queue[0])) {
		snprintf(queue[queued].name, sizeof(queue[0].name), "%s", virDomainGetName(d));
		queue[queued++].event = event;
	}
	return 0;
}

static void reboot_event(virConnectPtr c, virDomainPtr d, void *opaque)
{
	lifecycle(c, d, VIR_DOMAIN_EVENT_STOPPED, 0, opaque);
}

/*
 * A domain's next step: capture it if it crashed armed, finish it if its
 * capture kernel is done. Returns 1 when finished, 2 when finished but what
 * --then asked failed, -1 when a capture failed, 0 otherwise.
 */
static int step(struct vk *conn, const char *name, int event)
{
	struct vk v = { .conn = conn->conn, .dir = conn->dir };
	struct vk_state s;
	int state, reason, rc = 0, done = 0;
	char path[512];

	if (strlen(name) >= sizeof(v.name) || !vk_plain_name(name))
		return 0;
	strcpy(v.name, name);
	vk_path(&v, "state", path, sizeof(path));
	if (access(path, F_OK) || vk_state_load(&v, &s))
		return 0;
	v.dom = virDomainLookupByName(conn->conn, name);
	if (!v.dom)
		return 0;
	if (virDomainGetState(v.dom, &state, &reason, 0) == 0) {
		if (!strcmp(s.state, "armed") && state == VIR_DOMAIN_CRASHED)
			rc = vk_capture(&v, 0);
		else if (!strcmp(s.state, "handed-over") &&
			 (event == VIR_DOMAIN_EVENT_STOPPED || state == VIR_DOMAIN_SHUTOFF ||
			  state == VIR_DOMAIN_SHUTDOWN)) {
			rc = finish(&v, &s);
			done = rc ? 2 : 1;
		}
	}
	virDomainFree(v.dom);
	return done ? done : rc ? -1 : 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct sweep {
	struct vk *v;
	int done;
};

static void sweep_one(const char *name, void *ctx)
{
	struct sweep *w = ctx;
	int r = step(w->v, name, -1);

	w->done = r > w->done ? r : w->done;
}

/* Every armed domain once: one that crashed while nobody watched is captured now. */
static int sweep(struct vk *v)
{
	struct sweep w = { v, 0 };

	each_state(v->dir, sweep_one, &w);
	return w.done;
}

static int watch(struct vk *v, const struct xlk_args *a)
{
	int cb, rb, rc;

	if (virEventRegisterDefaultImpl() < 0 || vk_connect(v, uri()))
		return XLK_ERROR;
	cb = virConnectDomainEventRegisterAny(v->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
					      VIR_DOMAIN_EVENT_CALLBACK(lifecycle), NULL, NULL);
	rb = virConnectDomainEventRegisterAny(v->conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
					      VIR_DOMAIN_EVENT_CALLBACK(reboot_event), NULL, NULL);
	if (cb < 0 || rb < 0) {
		err("cannot listen to libvirt's domain events");
		return XLK_ERROR;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	info("watching armed domains in %s (libvirt %s)", v->dir, uri());
	rc = sweep(v);
	while (!(rc > 0 && a->once) && !stop) {
		if (virEventRunDefaultImpl() < 0)
			break;
		for (unsigned int i = 0; i < queued; i++) {
			int r = step(v, queue[i].name, queue[i].event);

			rc = r > rc ? r : rc;
		}
		queued = 0;
	}
	virConnectDomainEventDeregisterAny(v->conn, cb);
	virConnectDomainEventDeregisterAny(v->conn, rb);
	return rc == 2 && a->once ? XLK_ERROR : XLK_OK;
}

static int run(struct vk *v, const struct xlk_args *a)
{
	struct vk_state s;

	if (a->cmd == CMD_WATCH)
		return watch(v, a);
	if (a->cmd == CMD_STATUS && !a->domain)
		return status_all(v->dir);
	/* What is recorded of a domain that libvirt no longer has is still shown and removed. */
	if ((a->cmd == CMD_STATUS || a->cmd == CMD_UNLOAD) && vk_plain_name(a->domain) &&
	    strlen(a->domain) < sizeof(v->name)) {
		char path[512];

		strcpy(v->name, a->domain);
		vk_path(v, "state", path, sizeof(path));
		if (!access(path, F_OK))
			return a->cmd == CMD_STATUS ? status_one(v) : unload(v);
	}
	if (open_domain(v, a->domain))
		return XLK_ERROR;
	switch (a->cmd) {
	case CMD_LOAD:
		return vk_load(v, a) ? XLK_ERROR : XLK_OK;
	case CMD_UNLOAD:
		return unload(v);
	case CMD_STATUS:
		return status_one(v);
	case CMD_TRIGGER:
		return trigger(v);
	case CMD_CAPTURE:
		if (vk_state_load(v, &s))
			return XLK_NOT_ARMED;
		return vk_capture(v, 0) ? XLK_ERROR : XLK_OK;
	default:
		return XLK_USAGE;
	}
}

int main(int argc, char **argv)
{
	struct xlk_args a;
	struct vk v = { 0 };
	char msg[256];
	const char *dir = getenv("VIRT_KDUMP_DIR");
	int rc;

	rc = xlk_parse_args_for(XLK_HOST_LIBVIRT, argc, argv, &a, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "virt-kdump: %s\n%s", msg, usage_text);
		return XLK_USAGE;
	}
	if (a.cmd == CMD_HELP) {
		fputs(usage_text, stdout);
		return XLK_OK;
	}
	v.dir = dir && *dir ? dir : DEFAULT_DIR;
	if (mkdir(v.dir, 0700) && errno != EEXIST) {
		err("cannot create %s: %s", v.dir, strerror(errno));
		return XLK_ERROR;
	}
	rc = run(&v, &a);
	vk_close(&v);
	return rc;
}
