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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a_in_pieces),
		cmocka_unit_test(test_one_bit_changes_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
