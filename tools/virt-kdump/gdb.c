// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU's gdbstub, the one stock interface that writes a vCPU's control
 * registers (QMP and HMP only read them): started with the monitor's
 * `gdbserver` on a unix socket in the state directory, spoken to with the
 * GDB remote serial protocol, closed with `gdbserver none`.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "host.h"

#define GDB_TIMEOUT_MS 10000
#define GDB_MAX	       8192

static int send_packet(struct vk_gdb *g, const char *body)
{
	char buf[GDB_MAX + 8];
	unsigned int sum = 0;
	size_t len = strlen(body);

	if (len > GDB_MAX)
		return -1;
	for (size_t i = 0; i < len; i++)
		sum += (unsigned char)body[i];
	snprintf(buf, sizeof(buf), "$%s#%02x", body, sum & 0xff);
	len = strlen(buf);
	return write(g->fd, buf, len) == (ssize_t)len ? 0 : -1;
}

static int get_byte(struct vk_gdb *g)
{
	struct pollfd p = { g->fd, POLLIN, 0 };
	unsigned char c;

	if (poll(&p, 1, GDB_TIMEOUT_MS) != 1 || read(g->fd, &c, 1) != 1)
		return -1;
	return c;
}

/* The next packet's body (acks skipped), acknowledged. */
static int recv_packet(struct vk_gdb *g, char *out, size_t size)
{
	size_t n = 0;
	int c;

	while ((c = get_byte(g)) != '$')
		if (c < 0)
			return -1;
	while ((c = get_byte(g)) != '#') {
		if (c < 0 || n + 1 >= size)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = 0;
	if (get_byte(g) < 0 || get_byte(g) < 0 || write(g->fd, "+", 1) != 1)
		return -1;
	return 0;
}

static int request(struct vk_gdb *g, const char *body, char *reply, size_t size)
{
	if (send_packet(g, body) || recv_packet(g, reply, size)) {
		err("gdbstub: no answer to '%.20s'", body);
		return -1;
	}
	return 0;
}

static int threads(struct vk_gdb *g)
{
	char reply[1024];
	const char *q = "qfThreadInfo";

	g->nthreads = 0;
	for (;;) {
		char *p = reply + 1;

		if (request(g, q, reply, sizeof(reply)))
			return -1;
		if (reply[0] == 'l')
			break;
		if (reply[0] != 'm')
			return -1;
		while (*p) {
			unsigned long t = strtoul(p, &p, 16);

			/* Every vCPU must be aimed, or one would run the crashed kernel on. */
			if (g->nthreads == VK_CPUS_MAX) {
				err("gdbstub: more than %u vCPUs; virt-kdump takes at most that",
				    VK_CPUS_MAX);
				return -1;
			}
			g->tid[g->nthreads++] = (unsigned int)t;
			if (*p == ',')
				p++;
		}
		q = "qsThreadInfo";
	}
	return g->nthreads ? 0 : -1;
}

int vk_gdb_open(struct vk *v, struct vk_gdb *g)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char *out;
	char reply[512];

	g->fd = -1;
	vk_path(v, "gdb", a.sun_path, sizeof(a.sun_path));
	if (vk_qemu_dir(v))
		return -1;
	unlink(a.sun_path);
	out = vk_hmp(v, "gdbserver unix:%s,server=on,wait=off", a.sun_path);
	if (!out)
		return -1;
	free(out);
	g->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (g->fd < 0 || connect(g->fd, (struct sockaddr *)&a, sizeof(a))) {
		err("domain %s: cannot reach QEMU's gdbstub at %s: %s", v->name, a.sun_path,
		    strerror(errno));
		return -1;
	}
	/* QEMU takes register writes (P) only from a client that read its target description. */
	if (request(g, "qSupported", reply, sizeof(reply)) ||
	    request(g, "qXfer:features:read:target.xml:0,1ff", reply, sizeof(reply)) ||
	    threads(g)) {
		err("domain %s: QEMU's gdbstub lists no vCPUs", v->name);
		return -1;
	}
	return 0;
}

static int select_thread(struct vk_gdb *g, unsigned int i)
{
	char body[32], reply[64];

	snprintf(body, sizeof(body), "Hg%x", g->tid[i]);
	return request(g, body, reply, sizeof(reply)) || strcmp(reply, "OK") ? -1 : 0;
}

int vk_gdb_regs(struct vk_gdb *g, unsigned int i, struct vk_regs *r)
{
	char *reply = malloc(GDB_MAX);
	int rc = -1;

	if (reply && !select_thread(g, i) && !request(g, "g", reply, GDB_MAX))
		rc = vk_parse_gdb_regs(reply, r);
	if (rc)
		err("gdbstub: cannot read vCPU %u's registers", i);
	free(reply);
	return rc;
}

int vk_gdb_set(struct vk_gdb *g, unsigned int i, enum vk_gdb_reg reg, uint64_t val,
	       unsigned int bytes)
{
	char body[64], reply[64];
	int n = snprintf(body, sizeof(body), "P%x=", reg);

	for (unsigned int b = 0; b < bytes; b++)
		n += snprintf(body + n, sizeof(body) - (size_t)n, "%02x",
			      (unsigned int)(val >> (8 * b)) & 0xff);
	reply[0] = 0;
	if (select_thread(g, i) || request(g, body, reply, sizeof(reply)) || strcmp(reply, "OK")) {
		err("gdbstub: cannot set register %u of vCPU %u (%s: '%s')", reg, i, body, reply);
		return -1;
	}
	return 0;
}

int vk_gdb_close(struct vk *v, struct vk_gdb *g)
{
	char reply[64];
	char *out;
	int rc = 0;

	if (g->fd >= 0) {
		rc = request(g, "D", reply, sizeof(reply)) || strcmp(reply, "OK") ? -1 : 0;
		close(g->fd);
		g->fd = -1;
	}
	out = vk_hmp(v, "gdbserver none");
	free(out);
	return out ? rc : -1;
}
