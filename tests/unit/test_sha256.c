// SPDX-License-Identifier: GPL-2.0-only
/* SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include "harness.h"
#include <hv/sha256.h>
#include <stdio.h>
#include <stdlib.h>

static void hex(const u8 *d, char *out)
{
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check(const void *data, size_t n, const char *want)
{
	u8 d[SHA256_DIGEST_SIZE];
	char s[65];

	sha256(data, n, d);
	hex(d, s);
	assert_string_equal(s, want);
}

static void test_vectors(void **state)
{
	(void)state;
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a_in_pieces(void **state)
{
	struct sha256 s;
	u8 d[SHA256_DIGEST_SIZE], buf[997];
	char out[65];
	size_t left = 1000000;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	sha256_init(&s);
	while (left) { /* odd-sized pieces exercise the partial-block path */
		size_t n = left < sizeof(buf) ? left : sizeof(buf);

		sha256_update(&s, buf, n);
		left -= n;
	}
	sha256_final(&s, d);
	hex(d, out);
	assert_string_equal(out,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_one_bit_changes_digest(void **state)
{
	u8 *a = calloc(1, 1 << 20), d1[32], d2[32];

	(void)state;
	sha256(a, 1 << 20, d1);
	a[123456] ^= 0x10;
	sha256(a, 1 << 20, d2);
	assert_memory_not_equal(d1, d2, 32);
	free(a);
}

/* The crash-time check: every flipped bit, length, order and range split shows. */
static void test_check64_sees_every_change(void **state)
{
	static u8 buf[4096 + 37];
	u64 base, prev = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 7 + 3);
	base = check64(0, buf, sizeof(buf));
	assert_true(base == check64(0, buf, sizeof(buf)));
	/* Each bit, in the 32-byte blocks and in the tail. */
	for (size_t bit = 0; bit < 8 * sizeof(buf); bit++) {
		buf[bit / 8] ^= (u8)(1u << (bit % 8));
		assert_true(check64(0, buf, sizeof(buf)) != base);
		buf[bit / 8] ^= (u8)(1u << (bit % 8));
	}
	/* Two words swapped, within a lane's block and across lanes. */
	for (size_t a = 0; a < 64; a += 8) {
		u64 x, y;

		memcpy(&x, buf + a, 8);
		memcpy(&y, buf + a + 40, 8);
		memcpy(buf + a, &y, 8);
		memcpy(buf + a + 40, &x, 8);
		assert_true(check64(0, buf, sizeof(buf)) != base);
		memcpy(buf + a, &x, 8);
		memcpy(buf + a + 40, &y, 8);
	}
	/* Every length differs from the one before, zeros included. */
	memset(buf, 0, sizeof(buf));
	for (size_t n = 0; n <= 200; n++) {
		u64 h = check64(0, buf, n);

		assert_true(n == 0 || h != prev);
		prev = h;
	}
	/* Chained ranges: the seed matters, and the split is not the whole. */
	assert_true(check64(1, buf, 64) != check64(0, buf, 64));
	assert_true(check64(check64(0, buf, 32), buf + 32, 32) != check64(0, buf, 64));
}

/* The sampled check's step: every flipped bit of the line, and the lines' order, show. */
static void test_check64_line(void **state)
{
	static u8 line[2][64];
	u64 base;

	(void)state;
	for (size_t i = 0; i < sizeof(line); i++)
		line[i / 64][i % 64] = (u8)(i * 13 + 1);
	base = check64(check64_line(check64_line(0, line[0]), line[1]), NULL, 0);
	for (size_t bit = 0; bit < 8 * sizeof(line); bit++) {
		line[bit / 512][bit / 8 % 64] ^= (u8)(1u << (bit % 8));
		assert_true(check64(check64_line(check64_line(0, line[0]), line[1]), NULL, 0) != base);
		line[bit / 512][bit / 8 % 64] ^= (u8)(1u << (bit % 8));
	}
	assert_true(check64(check64_line(check64_line(0, line[1]), line[0]), NULL, 0) != base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a_in_pieces),
		cmocka_unit_test(test_one_bit_changes_digest),
		cmocka_unit_test(test_check64_sees_every_change),
		cmocka_unit_test(test_check64_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
