// SPDX-License-Identifier: GPL-2.0-only
/* Module roles and the hv command line, independent of the boot loader. */
#include <hv/bootinfo.h>
#include <hv/lib.h>
#include <hv/printk.h>

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_GUEST] = "guest",
	[ROLE_GUEST_INITRD] = "guest-initrd",
	[ROLE_CAPTURE] = "capture",
	[ROLE_CAPTURE_INITRD] = "capture-initrd",
	[ROLE_CAPTURE_VMLINUX] = "capture-vmlinux",
};

const char *role_name(enum module_role role)
{
	return role < ROLE_COUNT ? role_names[role] : "?";
}

int role_from_token(const char *tok, size_t len)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if (strlen(role_names[r]) == len && !strncmp(tok, role_names[r], len))
			return r;
	return -EINVAL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_space(const char *s)
{
	while (*s && is_space(*s))
		s++;
	return s;
}

static size_t token_len(const char *s)
{
	size_t n = 0;

	while (s[n] && !is_space(s[n]))
		n++;
	return n;
}

static const char *store_string(struct boot_info *bi, const char *s)
{
	size_t n = strlen(s) + 1;
	char *dst = bi->strings + bi->strings_used;

	if (bi->strings_used + n > sizeof(bi->strings))
		return NULL;
	memcpy(dst, s, n);
	bi->strings_used += n;
	return dst;
}

int bootinfo_add_module(struct boot_info *bi, u64 start, u64 end, const char *str)
{
	unsigned int idx = bi->nr_modules;
	const char *tok = skip_space(str ? str : "");
	size_t len = token_len(tok);
	struct boot_module *m;
	int role = role_from_token(tok, len);

	if (role < 0 && len) {
		/* A path token first (QEMU, some GRUB setups): the role is next. */
		const char *next = skip_space(tok + len);
		size_t nlen = token_len(next);

		role = role_from_token(next, nlen);
		if (role >= 0) {
			tok = next;
			len = nlen;
		}
	}
	if (role < 0) {
		pr_err("module %u: string \"%s\" names no role; start it with guest, guest-initrd, capture, capture-initrd or capture-vmlinux",
		       idx, str ? str : "");
		return -EINVAL;
	}
	if (idx >= BOOT_MAX_MODULES) {
		pr_err("module %u (%s): too many modules, at most %u", idx, role_names[role],
		       BOOT_MAX_MODULES);
		return -E2BIG;
	}
	if (bi->by_role[role]) {
		pr_err("module %u: role %s given twice", idx, role_names[role]);
		return -EEXIST;
	}
	if (end <= start) {
		pr_err("module %u (%s): empty or inverted range 0x%llx-0x%llx", idx,
		       role_names[role], (unsigned long long)start, (unsigned long long)end);
		return -EINVAL;
	}
	m = &bi->mods[idx];
	m->start = start;
	m->size = end - start;
	m->role = role;
	m->args = store_string(bi, skip_space(tok + len));
	if (!m->args) {
		pr_err("module %u (%s): command line too long", idx, role_names[role]);
		return -E2BIG;
	}
	bi->by_role[role] = m;
	bi->nr_modules++;
	return 0;
}

int bootinfo_set_cmdline(struct boot_info *bi, const char *str)
{
	const char *s = skip_space(str ? str : "");
	size_t len = token_len(s);

	/* An image path comes first when the token is not an option (no '='). */
	if (len && !memchr_hv(s, '=', len) && (memchr_hv(s, '/', len) || memchr_hv(s, '.', len)))
		s = skip_space(s + len);
	if (strlcpy_hv(bi->cmdline, s, sizeof(bi->cmdline)) >= sizeof(bi->cmdline)) {
		pr_err("hv command line longer than %u bytes", BOOT_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	return 0;
}

int bootinfo_check(const struct boot_info *bi)
{
	if (!bi->by_role[ROLE_GUEST]) {
		pr_err("no guest module: give the guest kernel as a module whose string starts with \"guest\"");
		return -ENOENT;
	}
	if (bi->by_role[ROLE_CAPTURE_INITRD] && !bi->by_role[ROLE_CAPTURE])
		pr_warn("capture-initrd given without a capture kernel; it is ignored");
	if (bi->by_role[ROLE_CAPTURE_VMLINUX] && !bi->by_role[ROLE_CAPTURE])
		pr_warn("capture-vmlinux given without the capture bzImage it came from; it is ignored");
	return 0;
}
