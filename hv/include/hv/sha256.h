/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SHA-256 (FIPS 180-4), the staged capture region's digest when it is armed,
 * and check64(), the fast check of the same bytes at the crash.
 */
#ifndef HV_SHA256_H
#define HV_SHA256_H

#include <hv/types.h>

#define SHA256_DIGEST_SIZE 32

struct sha256 {
	u32 h[8];
	u64 len; /* bytes hashed so far */
	u8 buf[64];
	unsigned int fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_final(struct sha256 *s, u8 out[SHA256_DIGEST_SIZE]);

/** sha256() - digest of n bytes at data, in one call. */
void sha256(const void *data, size_t n, u8 out[SHA256_DIGEST_SIZE]);

/**
 * check64() - a 64-bit checksum of n bytes at data, continuing from h (0 to
 * start; chain ranges through it). Not cryptographic: it runs at memory
 * speed and catches any accidental change (a stray DMA, a bit flip, an hv
 * bug) but not a forgery, which only something that can write the region
 * could make, and the guest's CPUs and devices cannot (docs/capture.md).
 */
u64 check64(u64 h, const void *data, size_t n);

/*
 * check64_line() - one whole 64-byte line at line folded into h, without the
 * finishing mix (the sampled check's inner step; check64() of the result,
 * with n = 0, finishes it). Every change to the line changes the result.
 */
u64 check64_line(u64 h, const void *line);

#endif /* HV_SHA256_H */
