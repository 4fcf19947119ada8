// SPDX-License-Identifier: GPL-2.0-only
/* TSC calibration against the PIT, and delays. */
#include <asm/processor.h>
#include <asm/time.h>
#include <hv/arch.h>
#include <hv/hv.h>
#include <hv/printk.h>

#define PIT_HZ	     1193182u
#define CALIBRATE_MS 20u

static u64 tsc_khz_value;

u64 tsc_calibrate(void)
{
	u32 latch = PIT_HZ * CALIBRATE_MS / 1000;
	u64 t0, t1, spins = 0;

	/* PIT channel 2, mode 0, gated through port 0x61 (speaker off). */
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, latch & 0xff);
	outb(0x42, latch >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20) && ++spins < 100000000ull)
		;
	t1 = rdtsc();
	if (!(inb(0x61) & 0x20) || t1 <= t0) {
		tsc_khz_value = 1000000;
		pr_warn("PIT did not count; assuming a 1 GHz TSC");
	} else {
		tsc_khz_value = (t1 - t0) / CALIBRATE_MS;
	}
	return tsc_khz_value;
}

void udelay(u64 us)
{
	u64 end = rdtsc() + us * tsc_khz_value / 1000;

	while (rdtsc() < end)
		cpu_relax();
}

u64 arch_timestamp(void)
{
	return rdtsc();
}

u64 arch_timestamp_us(void)
{
	return hv.tsc_khz ? rdtsc() * 1000 / hv.tsc_khz : 0;
}
