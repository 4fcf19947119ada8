// SPDX-License-Identifier: GPL-2.0-only
/* memcpy() and memset() for the hv (hv/include/hv/lib.h), with x86 string instructions. */
#include <hv/lib.h>

/*
 * Staging, the crash path's backup and a restart copy tens of MiB: string
 * instructions, 8 bytes at a time, then the rest (fast-string operation on
 * hardware, one translated loop under emulation).
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n / 8;

	asm volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
	q = n % 8;
	asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t q = n / 8;
	u64 v = 0x0101010101010101ull * (u8)c;

	asm volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
	q = n % 8;
	asm volatile("rep stosb" : "+D"(d), "+c"(q) : "a"(v) : "memory");
	return dst;
}
