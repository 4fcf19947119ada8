// SPDX-License-Identifier: GPL-2.0-only
/* Values from the VMCOREINFO note's text (hv/vmcoreinfo.h). */
#include <hv/lib.h>
#include <hv/vmcoreinfo.h>

/*
 * The value after "key=" on a line of its own, and where that line ends.
 * Every line ends with a newline; one the note's end cuts off does not count.
 */
static const char *find(const char *text, u32 len, const char *key, const char **end)
{
	size_t klen = strlen(key);
	const char *p = text, *stop = text + len;

	while (p < stop) {
		const char *eol = p;

		while (eol < stop && *eol != '\n' && *eol)
			eol++;
		if (eol < stop && *eol == '\n' && (size_t)(eol - p) > klen &&
		    !memcmp(p, key, klen) && p[klen] == '=') {
			*end = eol;
			return p + klen + 1;
		}
		if (eol < stop && !*eol)
			break; /* the text ends at its NUL */
		p = eol + 1;
	}
	return NULL;
}

static int digit(char c, unsigned int base)
{
	int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F'		     ? c - 'A' + 10 :
							       99;

	return d < (int)base ? d : -1;
}

static int parse(const char *p, const char *end, unsigned int base, u64 *val)
{
	u64 v = 0;

	if (p == end)
		return -ENOENT;
	for (; p < end; p++) {
		int d = digit(*p, base);

		if (d < 0 || v > (UINT64_MAX - (u64)d) / base)
			return -ENOENT;
		v = v * base + (u64)d;
	}
	*val = v;
	return 0;
}

int vmcoreinfo_hex(const char *text, u32 len, const char *key, u64 *val)
{
	const char *end, *p = find(text, len, key, &end);

	return p ? parse(p, end, 16, val) : -ENOENT;
}

int vmcoreinfo_number(const char *text, u32 len, const char *key, s64 *val)
{
	const char *end, *p = find(text, len, key, &end);
	bool neg = p && p < end && *p == '-';
	u64 v;

	if (!p || parse(p + neg, end, 10, &v) || v > (u64)INT64_MAX)
		return -ENOENT;
	*val = neg ? -(s64)v : (s64)v;
	return 0;
}
