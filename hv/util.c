// SPDX-License-Identifier: GPL-2.0-only
/* Helpers shared by the hv and its unit tests (built against either C library). */
#include <hv/lib.h>

size_t strlcpy_hv(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

int parse_size(const char *s, size_t len, u64 *out)
{
	unsigned int base = 10;
	u64 v = 0, mult = 1;
	size_t i = 0, digits = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < len; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (v > (~0ull - d) / base)
			return -ERANGE;
		v = v * base + d;
		digits++;
	}
	if (!digits)
		return -EINVAL;
	if (i < len) {
		switch (s[i]) {
		case 'k':
		case 'K':
			mult = KiB;
			break;
		case 'm':
		case 'M':
			mult = MiB;
			break;
		case 'g':
		case 'G':
			mult = GiB;
			break;
		default:
			return -EINVAL;
		}
		if (++i != len)
			return -EINVAL;
	}
	if (v > ~0ull / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}
