// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run-time loads of the capture kernel (PARACHUTE_HC_LOAD_BEGIN, _DATA,
 * _COMMIT, UNLOAD; docs/hypercalls.md): the new kernel and initrd are copied
 * into the part of the capture region the armed kernel leaves free, checked
 * as at boot, and switched in whole under the capture's switch lock
 * (capture_switch_in()), so that a crash sees the old kernel or the new.
 */
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

static struct capture_load load;
static spinlock_t load_lock; /* one load at a time; taken before the switch lock */

const struct capture_load *capture_load_state(void)
{
	return &load;
}

void capture_load_reset(void)
{
	memset(&load, 0, sizeof(load));
	memset(&load_lock, 0, sizeof(load_lock));
}

/*
 * At a restart: the staged part of a load left open at the crash lies where
 * the capture kernel ran, so the load starts again from LOAD_BEGIN.
 */
void capture_load_cancel(void)
{
	spin_lock(&load_lock);
	if (load.open)
		pr_info("a capture kernel load left open at the crash is dropped: it starts again from LOAD_BEGIN");
	load.open = false;
	spin_unlock(&load_lock);
}

static const char *const part_name[LOAD_PARTS] = { "kernel", "initrd", "command line" };

/* The release: the kernel's version string up to its first space. */
static int release_len(const char *version)
{
	int n = 0;

	while (version[n] && version[n] != ' ')
		n++;
	return n;
}

/* Loads are refused while a capture runs and under reload=lock. */
static s64 load_allowed(struct percpu *cpu, const char *what)
{
	if (capture_running()) {
		pr_warn_limited(&cpu->refused, "cpu%u: %s refused: a capture is running", cpu->cpu_id, what);
		return -PARACHUTE_EBUSY;
	}
	if (hv.opt.reload == RELOAD_LOCK) {
		pr_warn_limited(&cpu->refused, "cpu%u: %s refused: reload=lock keeps the capture kernel of boot",
			cpu->cpu_id, what);
		return -PARACHUTE_EACCES;
	}
	return 0;
}

s64 capture_load_begin(struct percpu *cpu, u64 kernel_size, u64 initrd_size, u64 cmdline_size)
{
	struct capture_load *l = &load;
	s64 ret = load_allowed(cpu, "LOAD_BEGIN");
	u64 room, need;

	if (ret)
		return ret;
	if (!kernel_size || !cmdline_size || cmdline_size > PARACHUTE_LOAD_CMDLINE_MAX ||
	    kernel_size > hv.capture_size || initrd_size > hv.capture_size) {
		pr_warn_limited(&cpu->refused, "cpu%u: LOAD_BEGIN refused: sizes kernel %llu, initrd %llu, command line %llu (1 to %u with its NUL)",
			cpu->cpu_id, (unsigned long long)kernel_size,
			(unsigned long long)initrd_size, (unsigned long long)cmdline_size,
			PARACHUTE_LOAD_CMDLINE_MAX);
		return -PARACHUTE_EINVAL;
	}
	need = ALIGN_UP(kernel_size, PAGE_SIZE) + ALIGN_UP(initrd_size, PAGE_SIZE);
	spin_lock(&load_lock);
	room = capture.free_end - capture.free_start;
	if (need > room) {
		spin_unlock(&load_lock);
		pr_warn_limited(&cpu->refused, "cpu%u: LOAD_BEGIN refused: kernel and initrd take %llu KiB, the capture region has %llu KiB free beside the armed kernel",
			cpu->cpu_id, (unsigned long long)(need >> 10),
			(unsigned long long)(room >> 10));
		return -PARACHUTE_ENOSPC;
	}
	*l = (struct capture_load){ .open = true,
				    .size = { kernel_size, initrd_size, cmdline_size },
				    .addr = { capture.free_start,
					      capture.free_start +
						      ALIGN_UP(kernel_size, PAGE_SIZE) } };
	spin_unlock(&load_lock);
	pr_info_limited(&cpu->guest_lines, "cpu%u: capture kernel load begins: kernel %llu bytes, initrd %llu bytes, staged at 0x%llx",
		cpu->cpu_id, (unsigned long long)kernel_size, (unsigned long long)initrd_size,
		(unsigned long long)l->addr[0]);
	return 0;
}

s64 capture_load_data(struct percpu *cpu, u64 part, u64 offset, const void *src)
{
	struct capture_load *l = &load;
	s64 ret = load_allowed(cpu, "LOAD_DATA");
	u64 n;

	if (ret)
		return ret;
	spin_lock(&load_lock);
	if (!l->open || part >= LOAD_PARTS || offset != l->filled[part] ||
	    offset >= l->size[part]) {
		spin_unlock(&load_lock);
		if (log_ratelimit(&cpu->refused))
			pr_warn("cpu%u: LOAD_DATA refused: part %llu offset 0x%llx (%s)",
				cpu->cpu_id, (unsigned long long)part,
				(unsigned long long)offset,
				!l->open ? "no load is open" :
				part >= LOAD_PARTS ? "no such part" :
				"not the next page of the part");
		return -PARACHUTE_EINVAL;
	}
	n = MIN(l->size[part] - offset, (u64)PAGE_SIZE);
	if (part == PARACHUTE_LOAD_CMDLINE)
		memcpy(l->cmdline + offset, src, n);
	else
		memcpy(phys_to_virt(l->addr[part] + offset), src, n);
	l->filled[part] += n;
	spin_unlock(&load_lock);
	return (s64)n;
}

s64 capture_load_commit(struct percpu *cpu, u64 flags)
{
	struct capture_load *l = &load;
	struct capture_meta meta = { 0 };
	s64 ret = load_allowed(cpu, "LOAD_COMMIT");
	char h[17];

	if (ret)
		return ret;
	if (flags & ~(u64)PARACHUTE_LOAD_CHECK_ONLY)
		return -PARACHUTE_EINVAL;
	spin_lock(&load_lock);
	for (unsigned int i = 0; i < LOAD_PARTS && l->open; i++) {
		if (l->filled[i] != l->size[i]) {
			pr_warn_limited(&cpu->refused, "cpu%u: LOAD_COMMIT refused: the %s has %llu of %llu bytes",
				cpu->cpu_id, part_name[i], (unsigned long long)l->filled[i],
				(unsigned long long)l->size[i]);
			ret = -PARACHUTE_EINVAL;
			goto out;
		}
	}
	if (!l->open) {
		pr_warn_limited(&cpu->refused, "cpu%u: LOAD_COMMIT refused: no load is open", cpu->cpu_id);
		ret = -PARACHUTE_EINVAL;
		goto out;
	}
	if (l->cmdline[l->size[PARACHUTE_LOAD_CMDLINE] - 1] ||
	    strlen(l->cmdline) + 1 != l->size[PARACHUTE_LOAD_CMDLINE]) {
		pr_warn_limited(&cpu->refused, "cpu%u: LOAD_COMMIT refused: the command line is not one NUL-terminated string of the size announced",
			cpu->cpu_id);
		ret = -PARACHUTE_EINVAL;
		goto out;
	}
	/* The parsers name what is wrong, rate-limited like the refusals above. */
	ret = arch_capture_check(l, &meta, !log_would_print(cpu->refused + 1));
	if (ret) {
		cpu->refused++;
		goto out;
	}
	if (flags & PARACHUTE_LOAD_CHECK_ONLY) {
		pr_info_limited(&cpu->guest_lines, "cpu%u: capture kernel load checked, not armed (CHECK_ONLY): %.*s",
			cpu->cpu_id, release_len(meta.version), meta.version);
		goto out;
	}
	if (!capture_switch_lock()) {
		ret = -PARACHUTE_EBUSY;
		goto out;
	}
	capture_switch_in(l, &meta, h);
	/*
	 * The release, the version string's first word; a console line holds 256
	 * bytes. Generations 1 to 8, then powers of two: a guest that loads a tiny
	 * kernel in a loop cannot flood the console (CAPTURE_INFO has the rest).
	 */
	if (!log_would_print(meta.generation))
		goto out;
	pr_info("cpu%u: capture kernel loaded (generation %u): %.*s, kernel %llu and initrd %llu bytes, SHA-256 of the staged region %s...",
		cpu->cpu_id, meta.generation, release_len(meta.version), meta.version,
		(unsigned long long)meta.kernel_size, (unsigned long long)meta.initrd_size, h);
	pr_info("cpu%u: capture kernel command line \"%s\"", cpu->cpu_id, meta.cmdline);
out:
	l->open = false;
	spin_unlock(&load_lock);
	return ret;
}

s64 capture_unload(struct percpu *cpu)
{
	s64 ret = load_allowed(cpu, "UNLOAD");

	if (ret)
		return ret;
	spin_lock(&load_lock);
	if (!capture_switch_lock()) {
		spin_unlock(&load_lock);
		return -PARACHUTE_EBUSY;
	}
	load.open = false;
	capture_disarm();
	spin_unlock(&load_lock);
	pr_warn_limited(&cpu->guest_lines, "cpu%u: capture kernel unloaded: capture disarmed", cpu->cpu_id);
	return 0;
}

