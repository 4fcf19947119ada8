/* SPDX-License-Identifier: GPL-2.0-only */
/* Basic types and compiler helpers shared by the hv and its host unit tests. */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define __packed       __attribute__((packed))
#define __aligned(x)   __attribute__((aligned(x)))
#define __noreturn     __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __unused       __attribute__((unused))
#define __section(s)   __attribute__((section(s)))

#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	 (((x) + ((a)-1)) & ~((u64)(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((u64)(a)-1)) == 0)
#define MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define MAX(a, b)	 ((a) > (b) ? (a) : (b))

#define KiB	   (1024ull)
#define MiB	   (1024ull * KiB)
#define GiB	   (1024ull * MiB)
#define PAGE_SIZE  4096ull
#define PAGE_SHIFT 12

/* Negative errno values returned by setup code (Jailhouse style). */
#define EPERM	1
#define ENOENT	2
#define EIO	5
#define E2BIG	7
#define ENOEXEC 8
#define ENOMEM	12
#define EFAULT	14
#define EBUSY	16
#define EEXIST	17
#define ENODEV	19
#define EINVAL	22
#define ENOSPC	28
#define ERANGE	34
#define ENOSYS	38

#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)

/* Both ranges are half-open: [a, a + as) and [b, b + bs). */
static inline bool ranges_overlap(u64 a, u64 as, u64 b, u64 bs)
{
	return a < b + bs && b < a + as;
}

#endif /* HV_TYPES_H */
