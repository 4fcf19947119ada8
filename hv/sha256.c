// SPDX-License-Identifier: GPL-2.0-only
/* SHA-256 as FIPS 180-4, section 6.2, specifies it. */
#include <hv/lib.h>
#include <hv/sha256.h>

/* FIPS 180-4, 4.2.2: the first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes. */
static const u32 k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static inline u32 ror(u32 x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static void block(struct sha256 *s, const u8 *p)
{
	u32 w[64], a, b, c, d, e, f, g, h;

	for (int i = 0; i < 16; i++)
		w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 | (u32)p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		u32 s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		u32 s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (int i = 0; i < 64; i++) {
		u32 t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] +
			 w[i];
		u32 t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		h = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

void sha256_init(struct sha256 *s)
{
	/* FIPS 180-4, 5.3.3 */
	static const u32 h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->fill = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const u8 *p = data;

	s->len += n;
	if (s->fill) {
		while (n && s->fill < 64) {
			s->buf[s->fill++] = *p++;
			n--;
		}
		if (s->fill < 64)
			return;
		block(s, s->buf);
		s->fill = 0;
	}
	for (; n >= 64; n -= 64, p += 64)
		block(s, p);
	memcpy(s->buf, p, n);
	s->fill = (unsigned int)n;
}

void sha256_final(struct sha256 *s, u8 out[SHA256_DIGEST_SIZE])
{
	u64 bits = s->len * 8;
	u8 pad = 0x80;

	/* FIPS 180-4, 5.1.1: 1 bit, zeros to 56 mod 64, then the length. */
	sha256_update(s, &pad, 1);
	pad = 0;
	while (s->fill != 56)
		sha256_update(s, &pad, 1);
	for (int i = 7; i >= 0; i--) {
		u8 b = (u8)(bits >> (8 * i));

		sha256_update(s, &b, 1);
	}
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (u8)(s->h[i] >> 24);
		out[4 * i + 1] = (u8)(s->h[i] >> 16);
		out[4 * i + 2] = (u8)(s->h[i] >> 8);
		out[4 * i + 3] = (u8)s->h[i];
	}
}

void sha256(const void *data, size_t n, u8 out[SHA256_DIGEST_SIZE])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, n);
	sha256_final(&s, out);
}

/* check64(): four independent lanes over 32-byte blocks, then a mix of them. */
#define CHECK_K1 0x9e3779b97f4a7c15ull /* 2^64 / golden ratio, odd */
#define CHECK_K2 0xd6e8feb86659fd93ull /* an odd multiplier */

static inline u64 rotl64(u64 v, unsigned int r)
{
	return (v << r) | (v >> (64 - r));
}

/* Invertible in acc for each w and in w for each acc: no change is lost. */
static inline u64 check_round(u64 acc, u64 w)
{
	acc ^= w * CHECK_K2;
	return rotl64(acc, 29) * CHECK_K1;
}

/* An 8-byte load at any alignment, inline even where memcpy() is a call. */
typedef u64 __attribute__((may_alias, aligned(1))) u64_unaligned;

u64 check64_line(u64 h, const void *line)
{
	const u64_unaligned *w = line;

	for (unsigned int i = 0; i < 8; i++)
		h = check_round(h, w[i]);
	return h;
}

u64 check64(u64 h, const void *data, size_t n)
{
	const u8 *p = data;
	u64 v[4] = { h + CHECK_K1, h ^ CHECK_K2, rotl64(h, 17) - CHECK_K1, ~h }, tail = 0;
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		for (unsigned int l = 0; l < 4; l++)
			v[l] = check_round(v[l], *(const u64_unaligned *)(p + i + 8 * l));
	}
	for (unsigned int b = 0; i < n; i++, b++) /* the last 0-31 bytes */
		tail = check_round(tail, (u64)p[i] << (8 * (b & 7)) | b);
	h = rotl64(v[0], 1) + rotl64(v[1], 7) + rotl64(v[2], 12) + rotl64(v[3], 18);
	h = check_round(h, tail ^ (u64)n);
	h ^= h >> 31;
	h *= CHECK_K2;
	return h ^ (h >> 29);
}
