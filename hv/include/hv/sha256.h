/* SPDX-License-Identifier: GPL-2.0-only */
/* SHA-256 (FIPS 180-4), for checking the capture region before hand-over. */
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

#endif /* HV_SHA256_H */
