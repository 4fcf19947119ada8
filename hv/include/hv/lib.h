/* SPDX-License-Identifier: GPL-2.0-only */
/* Freestanding string helpers. The host unit tests use the C library's instead. */
#ifndef HV_LIB_H
#define HV_LIB_H

#include <hv/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/** memchr_hv() - true if c occurs in the first n bytes of s. */
static inline bool memchr_hv(const char *s, char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == c)
			return true;
	return false;
}

/**
 * strlcpy_hv() - copy a NUL-terminated string into a buffer of size bytes.
 * Always terminates (size > 0). Returns the length of src, so a result >= size
 * means the copy was truncated.
 */
size_t strlcpy_hv(char *dst, const char *src, size_t size);

/**
 * parse_size() - parse "<number>[K|M|G]" (decimal or 0x hex) into bytes.
 * Returns 0 and stores the value, or -EINVAL for malformed input and -ERANGE
 * on overflow. The whole string (len bytes) must be consumed.
 */
int parse_size(const char *s, size_t len, u64 *out);

#endif /* HV_LIB_H */
