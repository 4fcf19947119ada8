// SPDX-License-Identifier: GPL-2.0-only
/*
 * hv sources with file-scope state that must start afresh for every fuzz
 * input (the watchdog's deadline, the sealed kexec region, the CMOS index,
 * the capture history),
 * compiled here as they are so that fuzz_reset_statics() can clear it: a
 * fuzzer that carried one input's state into the next would not replay.
 */
#include "../../arch/x86/seal.c"
#include "../../arch/x86/vcpu.c"
#include "../../hv/history.c"
#include "../../hv/watchdog.c"
#include "fuzz.h"

void fuzz_reset_statics(void)
{
	memset(&wd, 0, sizeof(wd));
	memset(&seal, 0, sizeof(seal));
	cmos_index = 0;
	memset(hist, 0, sizeof(hist));
	hist_total = 0;
}
