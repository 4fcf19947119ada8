// SPDX-License-Identifier: GPL-2.0-only
/* libvirt and QEMU's monitor for virt-kdump (host.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "host.h"

void err(const char *fmt, ...)
{
	va_list ap;

	fputs("virt-kdump: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void info(const char *fmt, ...)
{
	va_list ap;

	fputs("virt-kdump: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static const char *lv_error(void)
{
	virErrorPtr e = virGetLastError();

	return e && e->message ? e->message : "unknown libvirt error";
}

/* libvirt's own messages would repeat ours on stderr. */
static void quiet(void *data, virErrorPtr e)
{
	(void)data, (void)e;
}

int vk_connect(struct vk *v, const char *uri)
{
	virSetErrorFunc(NULL, quiet);
	v->conn = virConnectOpen(uri);
	if (!v->conn) {
		err("cannot connect to libvirt (%s): %s", uri ? uri : "default URI", lv_error());
		return -1;
	}
	return 0;
}

int vk_plain_name(const char *n)
{
	for (; *n; n++)
		if ((unsigned char)*n < 0x20 || *n == '/' || *n == '\\' || *n == '"')
			return 0;
	return 1;
}

int vk_domain(struct vk *v, const char *name)
{
	const char *n;
	char *end;
	long id = strtol(name, &end, 10);

	v->dom = virDomainLookupByName(v->conn, name);
	if (!v->dom)
		v->dom = virDomainLookupByUUIDString(v->conn, name);
	if (!v->dom && *name && !*end && id >= 0)
		v->dom = virDomainLookupByID(v->conn, (int)id);
	if (!v->dom) {
		err("no domain '%s'", name);
		return -1;
	}
	n = virDomainGetName(v->dom);
	/* The name goes into file names and, with them, into QMP's JSON strings. */
	if (!n || strlen(n) >= sizeof(v->name) || !vk_plain_name(n)) {
		err("domain '%s': its name does not fit a state file name", name);
		return -1;
	}
	strcpy(v->name, n);
	return 0;
}

void vk_close(struct vk *v)
{
	if (v->dom)
		virDomainFree(v->dom);
	if (v->conn)
		virConnectClose(v->conn);
	v->dom = NULL, v->conn = NULL;
}

static char *monitor(struct vk *v, unsigned int flags, const char *fmt, va_list ap)
{
	char cmd[4096], *out = NULL;
	int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);

	if (n < 0 || (size_t)n >= sizeof(cmd)) {
		err("monitor command too long");
		return NULL;
	}
	if (virDomainQemuMonitorCommand(v->dom, cmd, &out, flags) < 0) {
		err("domain %s: QEMU's monitor: %s", v->name, lv_error());
		return NULL;
	}
	return out;
}

char *vk_qmp(struct vk *v, const char *fmt, ...)
{
	va_list ap;
	char *out;

	va_start(ap, fmt);
	out = monitor(v, 0, fmt, ap);
	va_end(ap);
	return out;
}

char *vk_hmp(struct vk *v, const char *fmt, ...)
{
	va_list ap;
	char *out;

	va_start(ap, fmt);
	out = monitor(v, VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP, fmt, ap);
	va_end(ap);
	return out;
}

int vk_qmp_ok(struct vk *v, const char *what, const char *fmt, ...)
{
	va_list ap;
	char *out;
	struct json_object *j, *e, *d;
	int rc = -1;

	va_start(ap, fmt);
	out = monitor(v, 0, fmt, ap);
	va_end(ap);
	if (!out)
		return -1;
	j = json_tokener_parse(out);
	if (j && json_object_object_get_ex(j, "return", NULL))
		rc = 0;
	else if (j && json_object_object_get_ex(j, "error", &e) &&
		 json_object_object_get_ex(e, "desc", &d))
		err("domain %s: %s: %s", v->name, what, json_object_get_string(d));
	else
		err("domain %s: %s: unexpected reply %s", v->name, what, out);
	json_object_put(j);
	free(out);
	return rc;
}

void vk_path(const struct vk *v, const char *suffix, char *out, size_t size)
{
	if (!strcmp(suffix, "state"))
		snprintf(out, size, "%s/%s.state", v->dir, v->name);
	else
		snprintf(out, size, "%s/%s.d/%s", v->dir, v->name, suffix);
}

int vk_qemu_dir(struct vk *v)
{
	char dir[512], pidfile[256], proc[64];
	struct stat st = { 0 };
	FILE *f;
	int pid = 0;

	snprintf(dir, sizeof(dir), "%s/%s.d", v->dir, v->name);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	/* The domain's QEMU, from the pid file libvirt's QEMU driver keeps. */
	snprintf(pidfile, sizeof(pidfile), "/run/libvirt/qemu/%s.pid", v->name);
	f = fopen(pidfile, "r");
	if (f && fscanf(f, "%d", &pid) == 1 && pid > 0) {
		snprintf(proc, sizeof(proc), "/proc/%d", pid);
		if (!stat(proc, &st) && chown(dir, st.st_uid, st.st_gid)) {
			err("cannot give %s to QEMU's user %u: %s", dir, (unsigned int)st.st_uid,
			    strerror(errno));
			fclose(f);
			return -1;
		}
	}
	if (f)
		fclose(f);
	return 0;
}

void vk_remove_files(struct vk *v)
{
	static const char *const files[] = { "img", "peek", "gdb" };
	char path[512];

	for (unsigned int i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		vk_path(v, files[i], path, sizeof(path));
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%s.d", v->dir, v->name);
	rmdir(path);
}

int vk_read_phys(struct vk *v, uint64_t gpa, void *buf, uint64_t len)
{
	char path[512];
	int fd, rc;
	ssize_t n;

	vk_path(v, "peek", path, sizeof(path));
	unlink(path);
	if (vk_qemu_dir(v) ||
	    vk_qmp_ok(v, "pmemsave",
		      "{\"execute\":\"pmemsave\",\"arguments\":{\"val\":%llu,\"size\":%llu,"
		      "\"filename\":\"%s\"}}",
		      (unsigned long long)gpa, (unsigned long long)len, path))
		return -1;
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : pread(fd, buf, len, 0);
	rc = n == (ssize_t)len ? 0 : -1;
	if (rc)
		err("domain %s: reading 0x%llx+0x%llx of its memory: %s", v->name,
		    (unsigned long long)gpa, (unsigned long long)len,
		    n < 0 ? strerror(errno) : "short");
	if (fd >= 0)
		close(fd);
	unlink(path);
	return rc;
}

int vk_state_load(struct vk *v, struct vk_state *s)
{
	char path[512], text[8192];
	FILE *f;
	size_t n;

	vk_path(v, "state", path, sizeof(path));
	f = fopen(path, "r");
	if (!f) {
		err("domain %s is not loaded (%s: %s)", v->name, path, strerror(errno));
		return -1;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	if (vk_state_parse(text, s)) {
		err("%s: malformed state file", path);
		return -1;
	}
	return 0;
}

int vk_state_save(struct vk *v, const struct vk_state *s)
{
	char path[512], tmp[520], text[8192];
	int n = vk_state_format(s, text, sizeof(text)), bad;
	FILE *f;

	vk_path(v, "state", path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = n < 0 ? NULL : fopen(tmp, "w");
	bad = !f || fwrite(text, 1, (size_t)n, f) != (size_t)n || fflush(f) || fsync(fileno(f));
	if ((f && fclose(f)) || bad || rename(tmp, path)) {
		err("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int vk_state_set(struct vk *v, struct vk_state *s, const char *state)
{
	snprintf(s->state, sizeof(s->state), "%s", state);
	return vk_state_save(v, s);
}
